"""Pages of meetings for staff: the list, planning one, the meeting page and its minutes."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import scope_of
from consultations import actions
from consultations.forms import (
    BulkInviteForm,
    FieldVisitForm,
    MeetingForm,
    MotionForm,
    ParticipantForm,
    PublishForm,
    RescheduleForm,
    ResolutionForm,
    StatementForm,
)
from consultations.models import Meeting, Motion, Participant, Resolution, Topic, Vote
from consultations.permissions import (
    can_change_meeting,
    get_meeting_for_user,
    participant_masking,
    visible_meetings,
    visible_topics,
)
from consultations.views.common import parse_pk
from core.errors import ActionError
from core.links import offered_links
from timeline.services import events_for


@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = (
        visible_meetings(request.user)
        .select_related("area", "venue", "convener")
        .annotate(
            n_participants=Count("participants", distinct=True),
            n_resolutions=Count("resolutions", distinct=True),
        )
        .order_by("-starts_at")
    )
    if status in Meeting.Status.values:
        rows = rows.filter(status=status)
    scope = scope_of(request.user)
    return render(
        request,
        "consultations/meetings.html",
        {
            "meetings": rows[:200],
            "status": status,
            "statuses": Meeting.Status.choices,
            "may_convene": scope.is_admin or (bool(scope.roles) and bool(scope.write_paths)),
        },
    )


def _open_topics(user: Any) -> Any:
    return visible_topics(user).filter(status__in=Topic.OPEN_STATUSES).select_related("area")


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    topic_pk = parse_pk(request.GET.get("topic"))
    topic = _open_topics(request.user).filter(pk=topic_pk).first() if topic_pk else None
    if topic is not None:
        # Planned from a topic: its title and area carry over, nothing typed again.
        initial.update(topics=[topic.pk], title=topic.title, area=topic.area_id)
    form = MeetingForm(
        request.POST or None, user=request.user, topics=_open_topics(request.user), initial=initial
    )
    code = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = actions.schedule_meeting(
                    request.user,
                    area=data["area"],
                    title=data["title"],
                    form=data["form"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    venue=data["venue"],
                    place=data["place"],
                    convener=data["convener"],
                    notice_days=data["notice_days"],
                    quorum=data["quorum"],
                    pass_rule=data["pass_rule"],
                    topics=list(data["topics"]),
                    agenda=data["agenda"],
                    materials=data["materials"],
                )
            except ActionError as exc:
                exc.show_on(form)
                code = exc.status
            else:
                messages.success(
                    request,
                    _("Draft saved. Publish the notice when the agenda is ready."),
                )
                return redirect("consultations:meeting", pk=meeting.pk)
        else:
            code = 400
    return render(request, "consultations/meeting_new.html", {"form": form}, status=code)


def meeting_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    """Everything the staff page and the minutes show, in a fixed number of queries."""
    people = _participants(request, meeting)
    by_party: dict[str, list[Participant]] = {}
    for person in people:
        by_party.setdefault(person.get_party_display(), []).append(person)
    can_change = can_change_meeting(request.user, meeting)
    voters_present = sum(1 for p in people if p.signed_in and p.may_vote)
    resolutions = _resolutions(request, meeting)
    recording = can_change and meeting.status in (Meeting.Status.HELD, Meeting.Status.CLOSED)
    opens_at = meeting.starts_at - actions.SIGN_IN_OPENS
    return {
        "opens_at": opens_at,
        "can_open_now": timezone.now() >= opens_at,
        "meeting": meeting,
        "topics": list(meeting.topics.all()),
        "by_party": by_party,
        "participants": people,
        "invited": len(people),
        "signed_in": sum(1 for p in people if p.signed_in),
        "voters_present": voters_present,
        "quorum_set": meeting.quorum > 0,
        "quorum_met": meeting.quorum > 0 and voters_present >= meeting.quorum,
        "statements": meeting.statements.select_related("participant__organisation", "topic"),
        "motions": _motions(meeting, resolutions, recording=recording),
        "resolutions": resolutions,
        "field_visits": meeting.field_visits.select_related("organisation"),
        "can_change": can_change,
        # The signed-in person's own invitation: their sign-in code is theirs to see.
        "mine": next((p for p in people if p.user_id and p.user_id == request.user.pk), None),
    }


def _participants(request: HttpRequest, meeting: Meeting) -> list[Participant]:
    """The participants, their phones masked as the viewer's role may see them."""
    people = list(meeting.participants.select_related("organisation", "user"))
    masking = participant_masking(request.user, meeting)
    for person in people:
        person.phone = masking.phone(person.phone)
    return people


def _resolutions(request: HttpRequest, meeting: Meeting) -> list[Resolution]:
    """The resolutions, each with the links later steps offer on it (an action item)."""
    resolutions = list(
        meeting.resolutions.select_related("topic", "meeting__area").prefetch_related(
            "responsible_organisations"
        )
    )
    for resolution in resolutions:
        resolution.links = offered_links("resolution", request, resolution)  # type: ignore[attr-defined]
    return resolutions


def _motions(meeting: Meeting, resolutions: list[Resolution], *, recording: bool) -> list[Motion]:
    """The motions with their votes; an adopted one no resolution settles yet carries the
    form of its resolution, its text and topic filled in."""
    motions = list(
        meeting.motions.select_related("topic").prefetch_related(
            Prefetch("votes", queryset=Vote.objects.select_related("participant__organisation"))
        )
    )
    settled = {r.motion_id for r in resolutions if r.motion_id}
    # Who does it is usually the one organisation at the table: ticked already when there is
    # exactly one.
    at_table = {
        p.organisation_id for p in meeting.participants.all() if p.organisation_id is not None
    }
    owners = list(at_table) if len(at_table) == 1 else []
    for motion in motions:
        open_to_resolve = (
            recording and motion.outcome == Motion.Outcome.ADOPTED and motion.pk not in settled
        )
        motion.resolution_form = (  # type: ignore[attr-defined]
            ResolutionForm(
                meeting=meeting,
                initial={
                    "text": motion.text,
                    "topic": motion.topic_id,
                    "motion": motion.pk,
                    "organisations": owners,
                },
                auto_id=f"motion{motion.pk}_%s",
            )
            if open_to_resolve
            else None
        )
    return motions


# The forms of the meeting page by their name in the template, blank (data None) or bound to
# what was posted.
PAGE_FORMS: dict[str, Callable[[Any, Meeting], Any]] = {
    "participant_form": lambda data, meeting: ParticipantForm(data, meeting=meeting),
    "bulk_form": lambda data, meeting: BulkInviteForm(data, meeting=meeting, auto_id="bulk_%s"),
    "statement_form": lambda data, meeting: StatementForm(data, meeting=meeting),
    "motion_form": lambda data, meeting: MotionForm(data, meeting=meeting),
    "resolution_form": lambda data, meeting: ResolutionForm(
        data, meeting=meeting, auto_id="resolution_%s"
    ),
    "visit_form": lambda data, meeting: FieldVisitForm(data, meeting=meeting, auto_id="visit_%s"),
    "publish_form": lambda data, meeting: PublishForm(
        data, initial={"summary": meeting.result_summary}
    ),
    "reschedule_form": lambda data, meeting: RescheduleForm(
        data,
        initial={"starts_at": timezone.localtime(meeting.starts_at), "ends_at": meeting.ends_at},
    ),
}


def meeting_forms(
    meeting: Meeting, bound: dict[str, Any] | None = None, *, can_change: bool = False
) -> dict[str, Any]:
    """The page's forms, blank but for those in `bound` (sent back with their errors)."""
    inviting = can_change and meeting.status in (
        Meeting.Status.DRAFT,
        Meeting.Status.ANNOUNCED,
        Meeting.Status.HELD,
    )
    # The bulk invitation counts who it would reach: built only where it can be used.
    forms = {
        name: build(None, meeting) if inviting or name != "bulk_form" else None
        for name, build in PAGE_FORMS.items()
    }
    forms.update(bound or {})
    return forms


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    context = meeting_context(request, meeting)
    context.update(meeting_forms(meeting, can_change=context["can_change"]))
    context["events"] = events_for([meeting])
    return render(request, "consultations/meeting.html", context)


def meeting_url(meeting: Meeting) -> str:
    return reverse("consultations:meeting", args=[meeting.pk])


@login_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """会议纪要: a clean print layout of the whole meeting."""
    meeting = get_meeting_for_user(request.user, pk)
    context = meeting_context(request, meeting)
    return render(request, "consultations/minutes.html", context)
