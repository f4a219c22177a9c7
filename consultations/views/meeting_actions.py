"""The buttons and forms of a meeting page: each action parses its form, calls one action, and
on an error the page comes back with the message beside the form that sent it."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations import actions, invitations
from consultations.forms import (
    BulkInviteForm,
    CloseMotionForm,
    ReplyForm,
    StaffSignInForm,
    VoteForm,
)
from consultations.models import Meeting
from consultations.permissions import get_meeting_for_user
from consultations.views.common import motion_at, participant_at
from consultations.views.meetings import PAGE_FORMS, meeting_context, meeting_forms, meeting_url
from core.errors import ActionError
from timeline.services import events_for


class FormInvalid(Exception):
    def __init__(self, name: str, form: Any) -> None:
        self.name = name
        self.form = form


def _valid(name: str, form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise FormInvalid(name, form)
    return form.cleaned_data


def _posted(name: str, request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    """What was posted through the meeting page's form `name`, valid. The page's forms name
    their fields as the actions name their arguments: the data is passed on as it is."""
    return _valid(name, PAGE_FORMS[name](request.POST, meeting))


def _do_invite(request: HttpRequest, meeting: Meeting) -> None:
    data = _posted("participant_form", request, meeting)
    actions.invite_participant(request.user, meeting, **data)


def _do_invite_many(request: HttpRequest, meeting: Meeting) -> None:
    form = BulkInviteForm(request.POST, meeting=meeting, counts=False, auto_id="bulk_%s")
    data = _valid("bulk_form", form)
    people: list[invitations.Invitee] = []
    for party in data["parties"]:
        people += invitations.of_party(meeting, party)
    people += invitations.of_organisations(data["organisations"])
    if data["residents"]:
        people += invitations.residents_behind(meeting, request.user)
    if not (data["parties"] or data["organisations"] or data["residents"]):
        raise ActionError(
            _("Tick a party, an organisation or the residents to invite."),
            code="invitees_required",
            field="parties",
        )
    invited, already = actions.invite_many(request.user, meeting, people)
    if invited:
        messages.success(
            request,
            _("Invited %(n)s; each has been told.") % {"n": invited}
            if not already
            else _("Invited %(n)s; %(m)s were invited already.") % {"n": invited, "m": already},
        )
    else:
        messages.info(request, _("Everyone chosen was invited already."))


def _do_reply(request: HttpRequest, meeting: Meeting) -> None:
    data = _valid("reply_form", ReplyForm(request.POST))
    actions.record_reply(request.user, participant_at(meeting, data["participant"]), data["reply"])


def _do_sign_in(request: HttpRequest, meeting: Meeting) -> None:
    data = _valid("sign_in_form", StaffSignInForm(request.POST))
    actions.staff_sign_in(request.user, participant_at(meeting, data["participant"]))


def _do_statement(request: HttpRequest, meeting: Meeting) -> None:
    data = _posted("statement_form", request, meeting)
    actions.add_statement(meeting, actor=request.user, **data)


def _do_motion(request: HttpRequest, meeting: Meeting) -> None:
    data = _posted("motion_form", request, meeting)
    actions.open_motion(request.user, meeting, **data)


def _do_vote(request: HttpRequest, meeting: Meeting) -> None:
    data = _valid("vote_form", VoteForm(request.POST))
    actions.cast_vote(
        motion_at(meeting, data["motion"]),
        data["choice"],
        participant=participant_at(meeting, data["participant"]),
        actor=request.user,
    )


def _do_close_motion(request: HttpRequest, meeting: Meeting) -> None:
    data = _valid("close_form", CloseMotionForm(request.POST))
    actions.close_motion(request.user, motion_at(meeting, data["motion"]), agreed=data["agreed"])


def _do_resolution(request: HttpRequest, meeting: Meeting) -> None:
    data = _posted("resolution_form", request, meeting)
    actions.record_resolution(
        request.user,
        meeting,
        topic=data["topic"],
        text=data["text"],
        organisations=list(data["organisations"]),
        target_date=data["target_date"],
        motion=motion_at(meeting, data["motion"]) if data["motion"] else None,
    )


def _do_visit(request: HttpRequest, meeting: Meeting) -> None:
    data = _posted("visit_form", request, meeting)
    actions.add_field_visit(request.user, meeting, **data)


def _do_reschedule(request: HttpRequest, meeting: Meeting) -> None:
    data = _posted("reschedule_form", request, meeting)
    actions.reschedule_meeting(request.user, meeting, **data)


def _do_publish_notice(request: HttpRequest, meeting: Meeting) -> None:
    actions.publish_notice(request.user, meeting)


def _do_hold(request: HttpRequest, meeting: Meeting) -> None:
    actions.hold_meeting(request.user, meeting)


def _do_close(request: HttpRequest, meeting: Meeting) -> None:
    actions.close_meeting(request.user, meeting)


def _do_publish_result(request: HttpRequest, meeting: Meeting) -> None:
    data = _posted("publish_form", request, meeting)
    actions.publish_result(request.user, meeting, **data)


MEETING_ACTIONS: dict[str, Callable[[HttpRequest, Meeting], None]] = {
    "invite": _do_invite,
    "invite-many": _do_invite_many,
    "reply": _do_reply,
    "sign-in": _do_sign_in,
    "statement": _do_statement,
    "motion": _do_motion,
    "vote": _do_vote,
    "close-motion": _do_close_motion,
    "resolution": _do_resolution,
    "visit": _do_visit,
    "reschedule": _do_reschedule,
    "publish-notice": _do_publish_notice,
    "hold": _do_hold,
    "close": _do_close,
    "publish-result": _do_publish_result,
}


# Which form shows an action's error beside its fields.
ACTION_FORMS = {
    "invite": "participant_form",
    "invite-many": "bulk_form",
    "statement": "statement_form",
    "motion": "motion_form",
    "resolution": "resolution_form",
    "visit": "visit_form",
    "publish-result": "publish_form",
    "reschedule": "reschedule_form",
}


@login_required
@require_POST
def meeting_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    handler = MEETING_ACTIONS.get(action)
    if handler is None:
        raise Http404
    meeting = get_meeting_for_user(request.user, pk, write=True)
    try:
        handler(request, meeting)
    except FormInvalid as invalid:
        return _meeting_error(request, meeting, {invalid.name: invalid.form}, None, 400)
    except ActionError as exc:
        bound: dict[str, Any] = {}
        form_name = ACTION_FORMS.get(action)
        if form_name:
            form = PAGE_FORMS[form_name](request.POST, meeting)
            form.is_valid()
            exc.show_on(form)
            bound[form_name] = form
            return _meeting_error(request, meeting, bound, None, exc.status)
        return _meeting_error(request, meeting, bound, exc.message, exc.status)
    return redirect(f"{meeting_url(meeting)}#{action}")


def _meeting_error(
    request: HttpRequest, meeting: Meeting, bound: dict[str, Any], message: str | None, code: int
) -> HttpResponse:
    meeting.refresh_from_db()
    context = meeting_context(request, meeting)
    context.update(meeting_forms(meeting, bound, can_change=context["can_change"]))
    context["events"] = events_for([meeting])
    context["error"] = message
    return render(request, "consultations/meeting.html", context, status=code)
