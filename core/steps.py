"""A step posted from an object's page (adopt a report, reopen an item …), the same way in every
app: the form shown again with its errors, the action's refusal shown on the page with its
status, or the step done, a message, and back to the page (post/redirect/get)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core.errors import ActionError


@dataclass(frozen=True)
class ObjectPage:
    """The page steps are posted from: its template, its context (extra names → context) and
    its address."""

    request: HttpRequest
    template: str
    context: Callable[..., dict[str, Any]]
    url: str

    @classmethod
    def of(
        cls,
        request: HttpRequest,
        obj: Model,
        template: str,
        context: Callable[..., dict[str, Any]],
        url_name: str,
    ) -> "ObjectPage":
        """The page of `obj`: `context(request, obj, **extra)`, at `url_name` with its pk."""
        return cls(
            request, template, partial(context, request, obj), reverse(url_name, args=[obj.pk])
        )

    def show(self, *, status: int = 200, **extra: Any) -> HttpResponse:
        return render(self.request, self.template, self.context(**extra), status=status)

    def failed(self, exc: ActionError, **forms: Any) -> HttpResponse:
        return self.show(status=exc.status, error=exc.message, **forms)

    def run(self, act: Callable[[], Any], done: str, **shown: Any) -> HttpResponse:
        """Run the step; its refusal is shown on the page with `shown` (the forms as posted)."""
        try:
            act()
        except ActionError as exc:
            return self.failed(exc, **shown)
        messages.success(self.request, done)
        return redirect(self.url)

    def step(
        self,
        act: Callable[[dict[str, Any]], Any],
        done: str,
        form: forms.Form,
        name: str,
        check: Callable[[], Any] | None = None,
    ) -> HttpResponse:
        """Run `act` on the form's cleaned data. An invalid form is shown again under `name`
        (400) once `check` (the permission, when the action would have checked it) passes."""
        if not form.is_valid():
            if check is not None:
                check()
            return self.show(status=400, **{name: form})
        return self.run(lambda: act(form.cleaned_data), done, **{name: form})
