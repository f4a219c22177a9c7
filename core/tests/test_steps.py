"""core.steps.ObjectPage: a step posted from an object's page answers the same way in every
app: the form again with its errors (400), the action's refusal on the page with the action's
status, or a message and a redirect back to the page."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from core import steps
from core.errors import ActionError, Conflict


class NoteForm(forms.Form):
    note = forms.CharField(max_length=5)


@pytest.fixture
def shown(monkeypatch):
    """What the page was rendered with, instead of a template."""
    calls = []

    def render(request, template, context, status=200):
        calls.append({"template": template, "context": context, "status": status})
        return steps.HttpResponse(status=status)

    monkeypatch.setattr(steps, "render", render)
    return calls


def page(**data):
    request = RequestFactory().post("/", data)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    context = lambda **extra: {"page": "item", **extra}  # noqa: E731
    return steps.ObjectPage(request, "app/item.html", context, "/items/7/")


def test_a_valid_form_runs_the_step_says_so_and_goes_back_to_the_page(shown):
    done = []
    item = page(note="ok")
    response = item.step(lambda data: done.append(data), "Done.", NoteForm({"note": "ok"}), "f")
    assert done == [{"note": "ok"}]
    assert (response.status_code, response["Location"]) == (302, "/items/7/")
    assert [str(m) for m in get_messages(item.request)] == ["Done."]
    assert shown == []


def test_an_invalid_form_is_shown_again_under_its_name_with_400_and_nothing_runs(shown):
    done: list[dict] = []
    checked: list[int] = []
    form = NoteForm({"note": "far too long"})
    response = page().step(done.append, "Done.", form, "note_form", check=lambda: checked.append(1))
    assert response.status_code == 400
    assert done == [] and checked == [1]
    assert shown[0]["context"] == {"page": "item", "note_form": form}
    assert form.errors


def test_the_check_refuses_before_an_invalid_form_is_shown():
    """A step the user may not take is refused the same whether or not the form is valid."""

    def refuse():
        raise PermissionError

    with pytest.raises(PermissionError):
        page().step(print, "Done.", NoteForm({}), "note_form", check=refuse)


def test_the_actions_refusal_is_shown_on_the_page_with_its_status_and_the_form(shown):
    def refuse(data):
        raise Conflict("Not now.", code="item_not_done")

    item = page()
    form = NoteForm({"note": "ok"})
    response = item.step(refuse, "Done.", form, "note_form")
    assert response.status_code == 409
    assert shown[0]["context"] == {"page": "item", "error": "Not now.", "note_form": form}
    assert list(get_messages(item.request)) == []


def test_run_takes_no_form_and_shows_what_it_is_given_on_refusal(shown):
    def refuse():
        raise ActionError("No.", code="invalid")

    response = page().run(refuse, "Done.", note_form="as posted")
    assert response.status_code == 400
    assert shown[0]["context"]["note_form"] == "as posted"
