"""Pages of topics and meetings. Views parse input, call one action and render; the actions
decide what is allowed and what an error says."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from accounts.permissions import area_filter, scope_of
from concerns.models import Issue
from concerns.permissions import get_issue_for_user
from consultations import actions
from consultations.forms import (
    BulkInviteForm,
    CloseMotionForm,
    FieldVisitForm,
    IssueTopicForm,
    MeetingForm,
    MotionForm,
    ParticipantForm,
    PhoneStatementForm,
    PublishForm,
    ReplyForm,
    RescheduleForm,
    ResolutionForm,
    ShelveForm,
    SignInForm,
    StaffSignInForm,
    StatementForm,
    SupportForm,
    TopicForm,
    VoteForm,
)
from consultations.models import (
    Meeting,
    Motion,
    Participant,
    Statement,
    Topic,
    Vote,
)
from consultations.permissions import (
    can_change_meeting,
    can_change_topic,
    check_can_convene,
    existing_pk,
    get_meeting_for_user,
    get_topic_for_user,
    participant_masking,
    visible_meetings,
    visible_topics,
)
from consultations.suggestions import suggested_topics
from core import ratelimit
from core.errors import ActionError, RateLimited
from core.links import offered_links
from timeline.services import events_for

# Wrong sign-in codes allowed per meeting and address in ten minutes.
SIGN_IN_FAILURES = 10
SIGN_IN_WINDOW = 600
PARTICIPANT_SALT = "consultations.participant"


# ---- Participants without accounts ---------------------------------------------------------


def participant_token(participant: Participant) -> str:
    """A signed token naming a signed-in participant, for their phone (session or API)."""
    return signing.dumps({"m": participant.meeting_id, "p": participant.pk}, salt=PARTICIPANT_SALT)


def participant_from_token(token: str, meeting: Meeting) -> Participant | None:
    try:
        data = signing.loads(token or "", salt=PARTICIPANT_SALT)
    except signing.BadSignature:
        return None
    if data.get("m") != meeting.pk:
        return None
    return meeting.participants.select_related("organisation").filter(pk=data.get("p")).first()


def _session_key(meeting: Meeting) -> str:
    return f"consultations.participant.{meeting.pk}"


def sign_in_by_code(request: HttpRequest, meeting: Meeting, code: str) -> Participant:
    """Sign in with a code, counting wrong codes per meeting and address."""
    key = f"meeting-sign-in:{meeting.pk}:{ratelimit.client_ip(request)}"
    wait = ratelimit.is_limited(key, SIGN_IN_FAILURES, SIGN_IN_WINDOW)
    if wait:
        raise RateLimited(_("Too many wrong codes; try again in a few minutes."), retry_after=wait)
    try:
        return actions.sign_in_with_code(meeting, code)
    except ActionError as exc:
        if exc.field == "code":
            ratelimit.hit(key, SIGN_IN_FAILURES, SIGN_IN_WINDOW)
        raise


# Supports one address may send in an hour (each number counts once anyway).
SUPPORT_LIMIT = 30
SUPPORT_WINDOW = 3600


def support_from(request: HttpRequest, topic: Topic, phone: str) -> Topic:
    """A resident's support, limited per address so a script cannot stuff numbers."""
    key = f"topic-support:{ratelimit.client_ip(request)}"
    wait = ratelimit.hit(key, SUPPORT_LIMIT, SUPPORT_WINDOW)
    if wait:
        raise RateLimited(_("Too many requests from here; try again later."), retry_after=wait)
    return actions.support_topic(topic, phone=phone)


# ---- Topics ------------------------------------------------------------------------------


@login_required
def topics(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = visible_topics(request.user).select_related("area").order_by("-created_at")
    if status in Topic.Status.values:
        rows = rows.filter(status=status)
    form = TopicForm(user=request.user)
    return _topics_page(request, rows, status, form)


def _topics_page(
    request: HttpRequest, rows: Any, status: str, form: TopicForm, code: int = 200
) -> HttpResponse:
    return render(
        request,
        "consultations/topics.html",
        {
            "topics": rows[:200],
            "status": status,
            "statuses": Topic.Status.choices,
            "suggestions": suggested_topics(request.user),
            "form": form,
        },
        status=code,
    )


@login_required
@require_POST
def topic_create(request: HttpRequest) -> HttpResponse:
    """From a suggestion (issue ids and a title) or the form of a direct topic."""
    issue_ids = [pk for pk in map(_pk, request.POST.getlist("issues")) if pk is not None]
    form = TopicForm(request.POST, user=request.user)
    try:
        if issue_ids:
            issues = Issue.objects.filter(area_filter(request.user, "community"), pk__in=issue_ids)
            if len(issues) != len(set(issue_ids)):
                raise Http404
            topic = actions.create_topic(
                request.user, title=request.POST.get("title", ""), issues=list(issues)
            )
        elif form.is_valid():
            data = form.cleaned_data
            topic = actions.create_topic(
                request.user,
                title=data["title"],
                area=data["area"],
                description=data["description"],
                public=data["public"],
            )
        else:
            rows = visible_topics(request.user).select_related("area")
            return _topics_page(request, rows, "", form, 400)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("consultations:topics")
    messages.success(request, _("Topic “%(title)s” proposed.") % {"title": topic.title})
    return redirect("consultations:topic", pk=topic.pk)


def issue_topic_title(issue: Issue) -> str:
    """The title a topic from one issue starts with, whole (staff may edit it): the issue's
    public title, else its working title with phone numbers and codes masked, since a topic
    is read by residents."""
    from timeline.public import mask_public_text

    return mask_public_text(issue.public_title or issue.title)


@login_required
def topic_from_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """提交协商: a topic with this issue attached, in one step; lands on the topic."""
    issue = get_issue_for_user(request.user, existing_pk(pk))
    check_can_convene(request.user, issue.community)
    form = IssueTopicForm(request.POST or None, initial={"title": issue_topic_title(issue)})
    code = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                topic = actions.create_topic(
                    request.user,
                    title=form.cleaned_data["title"],
                    issues=[issue],
                    description=form.cleaned_data["description"],
                    public=form.cleaned_data["public"],
                )
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                code = exc.status
            else:
                messages.success(
                    request,
                    _("Topic “%(title)s” proposed. Plan a meeting for it next.")
                    % {"title": topic.title},
                )
                return redirect("consultations:topic", pk=topic.pk)
        else:
            code = 400
    return render(
        request,
        "consultations/topic_from_issue.html",
        {"issue": issue, "form": form, "taken": open_topic_of(issue)},
        status=code,
    )


def open_topic_of(issue: Issue) -> Topic | None:
    return issue.topics.filter(status__in=Topic.OPEN_STATUSES).first()


@login_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_topic_for_user(request.user, pk)
    return _topic_page(request, topic, ShelveForm())


def _topic_page(
    request: HttpRequest, topic: Topic, shelve_form: ShelveForm, code: int = 200
) -> HttpResponse:
    return render(
        request,
        "consultations/topic.html",
        {
            "topic": topic,
            "issues": topic.issues.select_related("grid", "category"),
            "meetings": topic.meetings.order_by("-starts_at"),
            "resolutions": topic.resolutions.select_related("meeting").prefetch_related(
                "responsible_organisations"
            ),
            "events": events_for([topic]),
            "can_change": can_change_topic(request.user, topic),
            "shelve_form": shelve_form,
            "links": offered_links("topic", request, topic),
        },
        status=code,
    )


@login_required
@require_POST
def topic_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    topic = get_topic_for_user(request.user, pk, write=True)
    form = ShelveForm(request.POST)
    try:
        if action == "accept":
            actions.accept_topic(request.user, topic)
        elif action == "shelve":
            actions.shelve_topic(request.user, topic, reason=request.POST.get("reason", ""))
        else:
            raise Http404
    except ActionError as exc:
        form.add_error(exc.field if exc.field == "reason" else None, exc.message)
        return _topic_page(request, topic, form, exc.status)
    return redirect("consultations:topic", pk=topic.pk)


def topic_public(request: HttpRequest, pk: int) -> HttpResponse:
    """A public topic: residents read it and support it once each."""
    topic = get_object_or_404(Topic.objects.select_related("area"), pk=existing_pk(pk), public=True)
    form = SupportForm(request.POST or None)
    code = 200
    if request.method == "POST" and form.is_valid():
        try:
            support_from(request, topic, form.cleaned_data["phone"])
        except ActionError as exc:
            form.add_error("phone", exc.message)
            code = exc.status
        else:
            messages.success(request, _("Thank you: your support has been counted."))
            return redirect("consultations:topic_public", pk=topic.pk)
    elif request.method == "POST":
        code = 400
    public_meetings = topic.meetings.exclude(status=Meeting.Status.DRAFT).order_by("-starts_at")
    return render(
        request,
        "consultations/topic_public.html",
        {"topic": topic, "form": form, "meetings": public_meetings},
        status=code,
    )


# ---- Meetings ----------------------------------------------------------------------------


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
    topic_pk = _pk(request.GET.get("topic"))
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
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
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


def _meeting_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    """Everything the staff page and the minutes show, in a fixed number of queries."""
    people = list(meeting.participants.select_related("organisation", "user"))
    by_party: dict[str, list[Participant]] = {}
    for person in people:
        by_party.setdefault(person.get_party_display(), []).append(person)
    can_change = can_change_meeting(request.user, meeting)
    masking = participant_masking(request.user, meeting)
    for person in people:
        person.phone = masking.phone(person.phone)
    voters_present = sum(1 for p in people if p.signed_in and p.may_vote)
    statements = meeting.statements.select_related("participant__organisation", "topic")
    motions = meeting.motions.select_related("topic").prefetch_related(
        Prefetch("votes", queryset=Vote.objects.select_related("participant__organisation"))
    )
    resolutions = list(
        meeting.resolutions.select_related("topic", "meeting__area").prefetch_related(
            "responsible_organisations"
        )
    )
    motion_rows = list(motions)
    recording = can_change and meeting.status in (Meeting.Status.HELD, Meeting.Status.CLOSED)
    settled = {r.motion_id for r in resolutions if r.motion_id}
    # Who does it is usually the one organisation at the table: ticked already when there is
    # exactly one.
    at_table = {
        p.organisation_id for p in meeting.participants.all() if p.organisation_id is not None
    }
    owners = list(at_table) if len(at_table) == 1 else []
    for motion in motion_rows:
        # A resolution starts from the motion that passed: its text and topic filled in.
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
            if recording and motion.outcome == Motion.Outcome.ADOPTED and motion.pk not in settled
            else None
        )
    for resolution in resolutions:
        links = offered_links("resolution", request, resolution)
        resolution.links = links  # type: ignore[attr-defined]
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
        "statements": statements,
        "motions": motion_rows,
        "resolutions": resolutions,
        "field_visits": meeting.field_visits.select_related("organisation"),
        "can_change": can_change,
        # The signed-in person's own invitation: their sign-in code is theirs to see.
        "mine": next((p for p in people if p.user_id and p.user_id == request.user.pk), None),
    }


def _meeting_forms(
    meeting: Meeting, bound: dict[str, Any] | None = None, *, can_change: bool = False
) -> dict[str, Any]:
    inviting = can_change and meeting.status in (
        Meeting.Status.DRAFT,
        Meeting.Status.ANNOUNCED,
        Meeting.Status.HELD,
    )
    forms = {
        "participant_form": ParticipantForm(meeting=meeting),
        "bulk_form": BulkInviteForm(meeting=meeting, auto_id="bulk_%s") if inviting else None,
        "statement_form": StatementForm(meeting=meeting),
        "motion_form": MotionForm(meeting=meeting),
        "resolution_form": ResolutionForm(meeting=meeting, auto_id="resolution_%s"),
        "visit_form": FieldVisitForm(meeting=meeting, auto_id="visit_%s"),
        "publish_form": PublishForm(initial={"summary": meeting.result_summary}),
        "reschedule_form": RescheduleForm(
            initial={"starts_at": timezone.localtime(meeting.starts_at), "ends_at": meeting.ends_at}
        ),
    }
    forms.update(bound or {})
    return forms


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    context = _meeting_context(request, meeting)
    context.update(_meeting_forms(meeting, can_change=context["can_change"]))
    context["events"] = events_for([meeting])
    return render(request, "consultations/meeting.html", context)


MAX_ID = 2**63 - 1


def _pk(value: Any) -> int | None:
    """An id typed into a form or URL, or None when it cannot be one."""
    text = str(value or "")
    if not text.isdigit() or not 0 < int(text) <= MAX_ID:
        return None
    return int(text)


def _participant(meeting: Meeting, pk: Any) -> Participant:
    participant = meeting.participants.filter(pk=_pk(pk) or 0).first()
    if participant is None:
        raise ActionError(
            _("That person is not a participant of this meeting."),
            code="not_a_participant",
            field="participant",
        )
    return participant


def _motion(meeting: Meeting, pk: Any) -> Motion:
    motion = meeting.motions.filter(pk=_pk(pk) or 0).first()
    if motion is None:
        raise ActionError(
            _("No such motion at this meeting."), code="unknown_motion", field="motion"
        )
    return motion


class FormInvalid(Exception):
    def __init__(self, name: str, form: Any) -> None:
        self.name = name
        self.form = form


def _valid(name: str, form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise FormInvalid(name, form)
    return form.cleaned_data


def _do_invite(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    data = _valid("participant_form", ParticipantForm(request.POST, meeting=meeting))
    actions.invite_participant(
        request.user,
        meeting,
        party=data["party"],
        name=data["name"],
        organisation=data["organisation"],
        phone=data["phone"],
        may_vote=data["may_vote"],
    )
    return "participant_form", None


def _do_invite_many(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    from consultations import invitations

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
    return "bulk_form", None


def _do_reply(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    data = _valid("reply_form", ReplyForm(request.POST))
    actions.record_reply(request.user, _participant(meeting, data["participant"]), data["reply"])
    return "", None


def _do_sign_in(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    data = _valid("sign_in_form", StaffSignInForm(request.POST))
    actions.staff_sign_in(request.user, _participant(meeting, data["participant"]))
    return "", None


def _do_statement(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    data = _valid("statement_form", StatementForm(request.POST, meeting=meeting))
    actions.add_statement(
        meeting,
        text=data["text"],
        kind=data["kind"],
        topic=data["topic"],
        participant=data["participant"],
        actor=request.user,
    )
    return "statement_form", None


def _do_motion(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    data = _valid("motion_form", MotionForm(request.POST, meeting=meeting))
    actions.open_motion(
        request.user,
        meeting,
        text=data["text"],
        method=data["method"],
        topic=data["topic"],
        secret=data["secret"],
    )
    return "motion_form", None


def _do_vote(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    data = _valid("vote_form", VoteForm(request.POST))
    actions.cast_vote(
        _motion(meeting, data["motion"]),
        data["choice"],
        participant=_participant(meeting, data["participant"]),
        actor=request.user,
    )
    return "", None


def _do_close_motion(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    data = _valid("close_form", CloseMotionForm(request.POST))
    actions.close_motion(request.user, _motion(meeting, data["motion"]), agreed=data["agreed"])
    return "", None


def _do_resolution(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    data = _valid("resolution_form", ResolutionForm(request.POST, meeting=meeting))
    actions.record_resolution(
        request.user,
        meeting,
        topic=data["topic"],
        text=data["text"],
        organisations=list(data["organisations"]),
        target_date=data["target_date"],
        motion=_motion(meeting, data["motion"]) if data["motion"] else None,
    )
    return "resolution_form", None


def _do_visit(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    data = _valid("visit_form", FieldVisitForm(request.POST, meeting=meeting))
    actions.add_field_visit(
        request.user,
        meeting,
        place=data["place"],
        organisation=data["organisation"],
        visited_on=data["visited_on"],
        findings=data["findings"],
    )
    return "visit_form", None


def _do_reschedule(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    data = _valid("reschedule_form", RescheduleForm(request.POST))
    actions.reschedule_meeting(
        request.user, meeting, starts_at=data["starts_at"], ends_at=data["ends_at"]
    )
    return "reschedule_form", None


def _do_publish_notice(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    actions.publish_notice(request.user, meeting)
    return "", None


def _do_hold(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    actions.hold_meeting(request.user, meeting)
    return "", None


def _do_close(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    actions.close_meeting(request.user, meeting)
    return "", None


def _do_publish_result(request: HttpRequest, meeting: Meeting) -> tuple[str, Any]:
    data = _valid("publish_form", PublishForm(request.POST))
    actions.publish_result(request.user, meeting, summary=data["summary"])
    return "publish_form", None


MEETING_ACTIONS: dict[str, Callable[[HttpRequest, Meeting], tuple[str, Any]]] = {
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
            form = _rebind(form_name, request, meeting)
            form.is_valid()
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            bound[form_name] = form
            return _meeting_error(request, meeting, bound, None, exc.status)
        return _meeting_error(request, meeting, bound, exc.message, exc.status)
    return redirect(f"{meeting_url(meeting)}#{action}")


def meeting_url(meeting: Meeting) -> str:
    from django.urls import reverse

    return reverse("consultations:meeting", args=[meeting.pk])


def _rebind(name: str, request: HttpRequest, meeting: Meeting) -> Any:
    classes: dict[str, Callable[[], Any]] = {
        "participant_form": lambda: ParticipantForm(request.POST, meeting=meeting),
        "bulk_form": lambda: BulkInviteForm(request.POST, meeting=meeting, auto_id="bulk_%s"),
        "statement_form": lambda: StatementForm(request.POST, meeting=meeting),
        "motion_form": lambda: MotionForm(request.POST, meeting=meeting),
        "resolution_form": lambda: ResolutionForm(
            request.POST, meeting=meeting, auto_id="resolution_%s"
        ),
        "visit_form": lambda: FieldVisitForm(request.POST, meeting=meeting, auto_id="visit_%s"),
        "publish_form": lambda: PublishForm(request.POST),
        "reschedule_form": lambda: RescheduleForm(request.POST),
    }
    return classes[name]()


def _meeting_error(
    request: HttpRequest, meeting: Meeting, bound: dict[str, Any], message: str | None, code: int
) -> HttpResponse:
    meeting.refresh_from_db()
    context = _meeting_context(request, meeting)
    context.update(_meeting_forms(meeting, bound, can_change=context["can_change"]))
    context["events"] = events_for([meeting])
    context["error"] = message
    return render(request, "consultations/meeting.html", context, status=code)


@login_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """会议纪要: a clean print layout of the whole meeting."""
    meeting = get_meeting_for_user(request.user, pk)
    context = _meeting_context(request, meeting)
    return render(request, "consultations/minutes.html", context)


# ---- The participant's phone ---------------------------------------------------------------


def join(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant signs in with their code and adds statements or votes, on a phone."""
    meeting = get_object_or_404(
        Meeting.objects.select_related("area", "venue", "convener").exclude(
            status=Meeting.Status.DRAFT
        ),
        pk=existing_pk(pk),
    )
    me = participant_from_token(request.session.get(_session_key(meeting), ""), meeting)
    sign_in_form = SignInForm()
    statement_form = PhoneStatementForm(meeting=meeting)
    error = None
    code = 200
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "sign-in":
                sign_in_form = SignInForm(request.POST)
                if not sign_in_form.is_valid():
                    code = 400
                else:
                    me = sign_in_by_code(request, meeting, sign_in_form.cleaned_data["code"])
                    request.session[_session_key(meeting)] = participant_token(me)
                    messages.success(
                        request, _("Signed in. Welcome, %(name)s.") % {"name": me.name}
                    )
                    return redirect("consultations:join", pk=meeting.pk)
            elif me is None:
                raise ActionError(
                    _("Sign in with your code first."), status=403, code="sign_in_required"
                )
            elif step == "statement":
                statement_form = PhoneStatementForm(request.POST, meeting=meeting)
                if not statement_form.is_valid():
                    code = 400
                else:
                    data = statement_form.cleaned_data
                    actions.add_statement(
                        meeting,
                        text=data["text"],
                        kind=data["kind"],
                        topic=data["topic"],
                        speaker=me,
                    )
                    messages.success(request, _("Your statement is in the minutes."))
                    return redirect("consultations:join", pk=meeting.pk)
            elif step == "vote":
                motion = _motion(meeting, request.POST.get("motion"))
                actions.cast_vote(
                    motion, request.POST.get("choice", ""), participant=me, speaker=me
                )
                messages.success(request, _("Your vote has been counted."))
                return redirect("consultations:join", pk=meeting.pk)
            else:
                raise Http404
        except ActionError as exc:
            target = sign_in_form if step == "sign-in" else statement_form
            if target.is_bound and step in ("sign-in", "statement"):
                target.add_error(exc.field if exc.field in target.fields else None, exc.message)
            else:
                error = exc.message
            code = exc.status
    voted: set[int] = set()
    open_motions: list[Motion] = []
    if me is not None:
        open_motions = list(
            meeting.motions.filter(status=Motion.Status.OPEN, method=Motion.Method.VOTE)
        )
        keys = {actions.voter_key(m, me): m.pk for m in open_motions}
        voted = {
            keys[k]
            for k in Vote.objects.filter(voter_key__in=keys).values_list("voter_key", flat=True)
        }
    return render(
        request,
        "consultations/join.html",
        {
            "meeting": meeting,
            "me": me,
            "sign_in_form": sign_in_form,
            "statement_form": statement_form,
            "my_statements": meeting.statements.filter(participant=me) if me else [],
            "open_motions": [m for m in open_motions if m.pk not in voted],
            "error": error,
            "choices": Vote.Choice.choices,
        },
        status=code,
    )


# ---- Public pages ----------------------------------------------------------------------------


def _public_meeting(pk: int, statuses: tuple[str, ...]) -> Meeting:
    meeting = (
        Meeting.objects.select_related("area", "venue", "convener")
        .filter(pk=existing_pk(pk), status__in=statuses)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """提前公告: the public notice of a meeting, with agenda and materials."""
    meeting = _public_meeting(
        pk,
        (
            Meeting.Status.ANNOUNCED,
            Meeting.Status.HELD,
            Meeting.Status.CLOSED,
            Meeting.Status.PUBLISHED,
        ),
    )
    parties = meeting.participants.values("party").annotate(n=Count("id")).order_by("party")
    labels = dict(Participant.Party.choices)
    return render(
        request,
        "consultations/notice.html",
        {
            "meeting": meeting,
            "topics": meeting.topics.all(),
            "parties": [(labels.get(row["party"], row["party"]), row["n"]) for row in parties],
        },
    )


def result(request: HttpRequest, pk: int) -> HttpResponse:
    """公示: the published result — resolutions with owners and dates, decisions, visits.
    Parties and organisations are named; private persons are not."""
    meeting = _public_meeting(pk, (Meeting.Status.PUBLISHED,))
    resolutions = meeting.resolutions.select_related("topic").prefetch_related(
        "responsible_organisations"
    )
    statements = [
        (public_statement_speaker(statement), statement)
        for statement in meeting.statements.select_related("participant__organisation", "topic")
    ]
    return render(
        request,
        "consultations/result.html",
        {
            "meeting": meeting,
            "topics": meeting.topics.all(),
            "resolutions": resolutions,
            "motions": meeting.motions.filter(status=Motion.Status.CLOSED).select_related("topic"),
            "statements": statements,
            "field_visits": meeting.field_visits.select_related("organisation"),
            "organisations": Organisation.objects.filter(
                meeting_participations__meeting=meeting
            ).distinct(),
        },
    )


def public_statement_speaker(statement: Statement) -> str:
    """How a public page names a speaker: their party and organisation, never a resident's name."""
    person = statement.participant
    if person is None:
        return _("Community")
    if person.organisation_id:
        return person.organisation.short_name or person.organisation.name
    return str(person.get_party_display())
