"""The participant's phone: sign in with the code, then add statements and vote."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from consultations import actions
from consultations.forms import PhoneStatementForm, SignInForm
from consultations.models import Meeting, Motion, Participant, Vote
from consultations.participation import (
    participant_from_token,
    participant_token,
    session_key,
    sign_in_by_code,
)
from consultations.permissions import existing_pk
from consultations.views.common import motion_at
from core.errors import ActionError


def join(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant signs in with their code and adds statements or votes, on a phone."""
    meeting = get_object_or_404(
        Meeting.objects.select_related("area", "venue", "convener").exclude(
            status=Meeting.Status.DRAFT
        ),
        pk=existing_pk(pk),
    )
    page = _Phone(
        meeting=meeting,
        me=participant_from_token(request.session.get(session_key(meeting), ""), meeting),
        sign_in_form=SignInForm(),
        statement_form=PhoneStatementForm(meeting=meeting),
    )
    if request.method == "POST":
        done = _take_step(request, page)
        if done is not None:
            return done
    me = page.me
    return render(
        request,
        "consultations/join.html",
        {
            "meeting": meeting,
            "me": me,
            "sign_in_form": page.sign_in_form,
            "statement_form": page.statement_form,
            "my_statements": meeting.statements.filter(participant=me) if me else [],
            "open_motions": _still_to_vote(meeting, me) if me else [],
            "error": page.error,
            "choices": Vote.Choice.choices,
        },
        status=page.code,
    )


@dataclass
class _Phone:
    """The phone page as a step leaves it: who is signed in, the forms, an error, the status."""

    meeting: Meeting
    me: Participant | None
    sign_in_form: SignInForm
    statement_form: PhoneStatementForm
    error: str | None = None
    code: int = 200


def _take_step(request: HttpRequest, page: _Phone) -> HttpResponse | None:
    """The step posted; a redirect when it is done, else None with the page showing why."""
    step = request.POST.get("step")
    try:
        if step == "sign-in":
            return _sign_in(request, page)
        if page.me is None:
            raise ActionError(
                _("Sign in with your code first."), status=403, code="sign_in_required"
            )
        if step == "statement":
            return _add_statement(request, page, page.me)
        if step == "vote":
            return _vote(request, page.meeting, page.me)
        raise Http404
    except ActionError as exc:
        target = page.sign_in_form if step == "sign-in" else page.statement_form
        if target.is_bound and step in ("sign-in", "statement"):
            exc.show_on(target)
        else:
            page.error = exc.message
        page.code = exc.status
    return None


def _sign_in(request: HttpRequest, page: _Phone) -> HttpResponse | None:
    page.sign_in_form = SignInForm(request.POST)
    if not page.sign_in_form.is_valid():
        page.code = 400
        return None
    me = sign_in_by_code(request, page.meeting, page.sign_in_form.cleaned_data["code"])
    request.session[session_key(page.meeting)] = participant_token(me)
    messages.success(request, _("Signed in. Welcome, %(name)s.") % {"name": me.name})
    return redirect("consultations:join", pk=page.meeting.pk)


def _add_statement(request: HttpRequest, page: _Phone, me: Participant) -> HttpResponse | None:
    page.statement_form = PhoneStatementForm(request.POST, meeting=page.meeting)
    if not page.statement_form.is_valid():
        page.code = 400
        return None
    data = page.statement_form.cleaned_data
    actions.add_statement(
        page.meeting, text=data["text"], kind=data["kind"], topic=data["topic"], speaker=me
    )
    messages.success(request, _("Your statement is in the minutes."))
    return redirect("consultations:join", pk=page.meeting.pk)


def _vote(request: HttpRequest, meeting: Meeting, me: Participant) -> HttpResponse:
    motion = motion_at(meeting, request.POST.get("motion"))
    actions.cast_vote(motion, request.POST.get("choice", ""), participant=me, speaker=me)
    messages.success(request, _("Your vote has been counted."))
    return redirect("consultations:join", pk=meeting.pk)


def _still_to_vote(meeting: Meeting, me: Participant) -> list[Motion]:
    """The open ballots this participant has not voted on yet."""
    open_motions = list(
        meeting.motions.filter(status=Motion.Status.OPEN, method=Motion.Method.VOTE)
    )
    keys = {actions.voter_key(m, me): m.pk for m in open_motions}
    voted = {
        keys[k] for k in Vote.objects.filter(voter_key__in=keys).values_list("voter_key", flat=True)
    }
    return [m for m in open_motions if m.pk not in voted]
