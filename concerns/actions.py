"""State changes of issues by staff: reviewing the grouping (confirm, move, merge, split),
handling and escalation, photos. Each checks permission where a person acts, changes state
atomically and records a timeline event. A concern coming in is concerns.intake.submit.

Each correction of the grouping is also kept as a labelled pair (concerns.intake.store.label)
for the grouping model to learn from. An issue that closes leaves the term index the grouping
step looks candidates up in (store.unindex); one that reopens is filed again.

The four functions at the end are called by later steps of the workflow (consultations,
accountability) when they take an issue further; they never import those apps.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.pickers import check_serves, escalation_targets
from concerns import titles, verbs
from concerns.intake import store
from concerns.intake.profiles import profile
from concerns.intake.submit import MAX_CONTENT, check_photos, neutral_title_of
from concerns.models import Concern, GroupingLabel, Issue, Photo
from concerns.permissions import (
    can_handle,
    can_publish_photo,
    can_triage,
    check,
    photo_issue,
)
from core.errors import ActionError, Conflict
from core.text import plain_text
from timeline import actors
from timeline.public import mask_public_text
from timeline.services import record


def _filed(issue: Issue, *, was_open: bool) -> None:
    """Keep the term index to open issues: out when the issue closes, in when it reopens."""
    if was_open and not issue.is_open:
        store.unindex([issue.pk])
    elif issue.is_open and not was_open:
        store.reindex(issue, profile(issue)[1])


def _refresh(issue: Issue) -> None:
    """Counts, profile and index keys of an issue whose concerns changed (not saved)."""
    store.recount(issue)
    issue.terms, keys = profile(issue)
    store.reindex(issue, keys)


def _by_community(
    subject: Any, verb: str, actor: Any, *, note: str = "", public: bool = True, data: Any = None
) -> None:
    """Record a step the community's staff took: residents read 社区, not a person's name."""
    record(
        subject,
        verb,
        actor=actor,
        actor_label=actors.COMMUNITY,
        note=note,
        public=public,
        data=data,
    )


# ---- Staff review of the grouping


def _lock_pair(a: Issue, b: Issue) -> tuple[Issue, Issue]:
    locked = {
        i.pk: i
        for i in Issue.objects.select_for_update(of=("self",))
        .filter(pk__in=[a.pk, b.pk])
        .order_by("pk")
        .select_related("community")
    }
    return locked[a.pk], locked[b.pk]


@transaction.atomic
def confirm_grouping(concern: Concern, *, actor: Any) -> Concern:
    """Staff agree that the concern belongs to its issue."""
    check(actor, concern.issue, can_triage(actor, concern.issue))
    Concern.objects.filter(pk=concern.pk).update(grouping_confirmed=True)
    concern.grouping_confirmed = True
    texts = store.texts_of(concern.issue_id, without=[concern.pk])
    store.label(
        concern, concern.issue, same=True, kind=GroupingLabel.Kind.CONFIRM, actor=actor, texts=texts
    )
    _by_community(
        concern.issue,
        verbs.ISSUE_GROUPING_CONFIRMED,
        actor,
        public=False,
        data={"concern": concern.pk},
    )
    return concern


@transaction.atomic
def retitle_issue(issue: Issue, *, title: str, actor: Any) -> Issue:
    check(actor, issue, can_triage(actor, issue) or can_handle(actor, issue))
    title = plain_text(title, "title", limit=120, required=True)
    Issue.objects.filter(pk=issue.pk).update(title=title, updated_at=timezone.now())
    issue.title = title
    # The working title is for staff: renaming it is no step the public follow.
    _by_community(issue, verbs.ISSUE_RETITLED, actor, note=title, public=False)
    return issue


@transaction.atomic
def set_public_title(issue: Issue, *, title: str, actor: Any, publish: bool | None = None) -> Issue:
    """Staff set (or confirm as it is) the title the public reads; with `publish`, they also
    decide whether the whole story of the matter is public. Never the residents' own words
    unless staff chose them: the title is confirmed by a person."""
    check(actor, issue, can_triage(actor, issue) or can_handle(actor, issue))
    title = plain_text(title, "public_title", limit=120, required=True)
    if mask_public_text(title) != title:
        raise ActionError(
            _("A public title names no phone, ID or room number."),
            code="public_title_has_personal_data",
            field="public_title",
        )
    now = timezone.now()
    fields: dict[str, Any] = {
        "public_title": title,
        "public_title_confirmed_at": now,
        "updated_at": now,
    }
    if publish is not None and publish != issue.story_published:
        fields["story_published_at"] = now if publish else None
    Issue.objects.filter(pk=issue.pk).update(**fields)
    for name, value in fields.items():
        setattr(issue, name, value)
    _by_community(
        issue,
        verbs.ISSUE_PUBLIC_TITLE_SET,
        actor,
        note=title,
        data={"published": issue.story_published},
    )
    return issue


@transaction.atomic
def move_concern(concern: Concern, *, to: Issue, actor: Any, note: str = "") -> Concern:
    """Move a concern to another issue of the same community; both are recounted."""
    source = concern.issue
    check(actor, source, can_triage(actor, source))
    check(actor, to, can_triage(actor, to))
    if to.pk == source.pk:
        raise Conflict(
            _("The concern is already part of this issue."), code="concern_already_in_issue"
        )
    if to.community_id != source.community_id:
        raise ActionError(
            _("A concern can only move to an issue of the same community."),
            code="issue_of_other_community",
            field="issue",
        )
    source, to = _lock_pair(source, to)
    if not to.is_open:
        raise Conflict(_("The issue it would move to is closed."), code="issue_closed")
    # Staff say: not the matter it was grouped with, but the one it moves to.
    left = store.texts_of(source.pk, without=[concern.pk])
    joined = store.texts_of(to.pk)
    store.label(concern, source, same=False, kind=GroupingLabel.Kind.MOVE, actor=actor, texts=left)
    store.label(concern, to, same=True, kind=GroupingLabel.Kind.MOVE, actor=actor, texts=joined)
    Concern.objects.filter(pk=concern.pk).update(issue=to, grouping_confirmed=True, similarity=None)
    concern.issue = to
    for issue in (source, to):
        _refresh_after_change(issue, actor)
    _by_community(
        to,
        verbs.ISSUE_CONCERN_MOVED_IN,
        actor,
        public=False,
        note=note,
        data={"concern": concern.pk, "from": source.pk},
    )
    return concern


def _refresh_after_change(issue: Issue, actor: Any) -> None:
    _refresh(issue)
    fields = ["residents_count", "concerns_count", "terms", "updated_at"]
    if issue.concerns_count == 0 and issue.status != Issue.Status.MERGED:
        issue.status = Issue.Status.MERGED
        fields.append("status")
        store.unindex([issue.pk])
        _by_community(issue, verbs.ISSUE_EMPTIED, actor)
    issue.save(update_fields=fields)


def _lock_mergeable(source: Issue, into: Issue, actor: Any) -> tuple[Issue, Issue]:
    """Both issues locked, once checked: two issues of one community, neither merged."""
    check(actor, source, can_triage(actor, source))
    check(actor, into, can_triage(actor, into))
    if source.pk == into.pk:
        raise ActionError(
            _("Choose another issue to merge with."), code="merge_into_itself", field="into"
        )
    if source.community_id != into.community_id:
        raise ActionError(
            _("Only issues of the same community can be merged."),
            code="issue_of_other_community",
            field="into",
        )
    source, into = _lock_pair(source, into)
    if source.status == Issue.Status.MERGED or into.status == Issue.Status.MERGED:
        raise Conflict(
            _("One of these issues was already merged into another."), code="issue_merged"
        )
    return source, into


def _move_all(source: Issue, into: Issue) -> None:
    """Every concern of `source` to `into`: `source` is left empty and merged, `into`
    recounted and its dates widened."""
    source.concerns.update(issue=into)
    source.status = Issue.Status.MERGED
    source.merged_into = into
    source.concerns_count = 0
    source.residents_count = 0
    source.save(
        update_fields=["status", "merged_into", "concerns_count", "residents_count", "updated_at"]
    )
    into.first_received_at = min(into.first_received_at, source.first_received_at)
    into.last_received_at = max(into.last_received_at, source.last_received_at)
    store.unindex([source.pk])
    _refresh(into)
    into.save(
        update_fields=[
            "residents_count",
            "concerns_count",
            "terms",
            "first_received_at",
            "last_received_at",
            "updated_at",
        ]
    )


@transaction.atomic
def merge_issues(source: Issue, *, into: Issue, actor: Any, note: str = "") -> Issue:
    """Every concern of `source` joins `into`; `source` is closed as merged."""
    source, into = _lock_mergeable(source, into, actor)
    # Staff say: each concern of the one is the same matter as the other.
    texts = store.texts_of(into.pk)
    for concern in source.concerns.order_by("received_at", "pk")[: store.LABEL_TEXTS]:
        store.label(
            concern, into, same=True, kind=GroupingLabel.Kind.MERGE, actor=actor, texts=texts
        )
    _move_all(source, into)
    _by_community(source, verbs.ISSUE_MERGED, actor, note=note, data={"into": into.pk})
    _by_community(into, verbs.ISSUE_MERGED_IN, actor, note=note, data={"from": source.pk})
    return into


def _issue_split_off(issue: Issue, moving: list[Concern], title: str) -> Issue:
    """The new issue of the concerns taken out (oldest first): the first one's grid and
    place, the issue's category and level, due dates counted from the first one."""
    first = moving[0]
    accept_due, resolve_due = store.due_dates(issue.category, first.received_at)
    return Issue.objects.create(
        community=issue.community,
        grid=first.grid or issue.grid,
        category=issue.category,
        title=title,
        public_title=neutral_title_of(first.compound, issue.community, issue.category),
        first_received_at=first.received_at,
        last_received_at=moving[-1].received_at,
        accept_due_at=accept_due,
        resolve_due_at=resolve_due,
        level=issue.level,
    )


@transaction.atomic
def split_issue(
    issue: Issue, *, concern_ids: Sequence[int], actor: Any, title: str = "", note: str = ""
) -> Issue:
    """Take some concerns out of an issue into a new issue of their own."""
    check(actor, issue, can_triage(actor, issue))
    issue = (
        Issue.objects.select_for_update(of=("self",)).select_related("community").get(pk=issue.pk)
    )
    if not issue.is_open:
        raise Conflict(_("Only an open issue can be split."), code="issue_not_open")
    ids = set(issue.concerns.filter(pk__in=list(concern_ids)).values_list("pk", flat=True))
    if not ids:
        raise ActionError(
            _("Choose the concerns to take out."), code="split_concerns_required", field="concerns"
        )
    if len(ids) >= issue.concerns_count:
        raise ActionError(
            _("Leave at least one concern in the issue; choose fewer."),
            code="split_leaves_issue_empty",
            field="concerns",
        )
    moving = list(Concern.objects.filter(pk__in=ids).order_by("received_at"))
    # Staff say: the concerns taken out are not the matter of those left.
    left = store.texts_of(issue.pk, without=ids)
    for concern in moving[: store.LABEL_TEXTS]:
        store.label(
            concern, issue, same=False, kind=GroupingLabel.Kind.SPLIT, actor=actor, texts=left
        )
    title = plain_text(title, "title", limit=120) or titles.make_title(moving[0].content)
    new = _issue_split_off(issue, moving, title)
    Concern.objects.filter(pk__in=ids).update(issue=new, grouping_confirmed=True, similarity=None)
    for each in (issue, new):
        _refresh(each)
        each.save(update_fields=["residents_count", "concerns_count", "terms", "updated_at"])
    _by_community(
        issue,
        verbs.ISSUE_SPLIT,
        actor,
        note=note,
        data={"new": new.pk, "concerns": sorted(ids)},
    )
    _by_community(new, verbs.ISSUE_OPENED, actor, note=title, data={"split_from": issue.pk})
    return new


# ---- 小事不出网格，大事不出社区: handling in the grid and escalation

HANDLING_STATUSES = (Issue.Status.NEW, Issue.Status.ACCEPTED, Issue.Status.IN_PROGRESS)


def _lock_for_handling(issue: Issue, actor: Any) -> Issue:
    check(actor, issue, can_handle(actor, issue))
    issue = (
        Issue.objects.select_for_update(of=("self",))
        .select_related("community", "grid")
        .get(pk=issue.pk)
    )
    if not can_handle(actor, issue):  # its level changed meanwhile
        raise PermissionDenied
    return issue


# Who handles an issue at each level, as its timeline names them.
HANDLERS = {
    Issue.Level.GRID: actors.GRID_WORKER,
    Issue.Level.COMMUNITY: actors.COMMUNITY,
    Issue.Level.STREET: actors.STREET,
    Issue.Level.DEPARTMENT: actors.DEPARTMENT,
}


def _handler_label(actor: Any, issue: Issue) -> Promise:
    return HANDLERS[Issue.Level(issue.level)]


@transaction.atomic
def accept_issue(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """受理: someone at the issue's level takes it on."""
    issue = _lock_for_handling(issue, actor)
    if issue.status != Issue.Status.NEW:
        raise Conflict(_("This issue has already been accepted."), code="issue_already_accepted")
    issue.status = Issue.Status.ACCEPTED
    issue.accepted_at = timezone.now()
    issue.save(update_fields=["status", "accepted_at", "updated_at"])
    note = plain_text(note, "note", limit=1000)
    record(
        issue,
        verbs.ISSUE_ACCEPTED,
        actor=actor,
        actor_label=_handler_label(actor, issue),
        note=note,
    )
    return issue


@transaction.atomic
def record_site_visit(issue: Issue, *, actor: Any, notes: str, photos: Sequence[Any] = ()) -> Issue:
    """实地查看: notes (and photos) from a visit to the place; the issue is being handled."""
    notes = plain_text(notes, "notes", limit=MAX_CONTENT, required=True)
    cleaned = check_photos(photos)
    issue = _lock_for_handling(issue, actor)
    if issue.status not in HANDLING_STATUSES:
        raise Conflict(
            _("This issue is no longer being handled at this level."),
            code="issue_not_being_handled",
        )
    fields = ["status", "updated_at"]
    if issue.accepted_at is None:
        issue.accepted_at = timezone.now()
        fields.append("accepted_at")
    issue.status = Issue.Status.IN_PROGRESS
    issue.save(update_fields=fields)
    for image in cleaned:
        Photo.objects.create(issue=issue, image=image, caption=str(_("Site visit")))
    record(
        issue,
        verbs.ISSUE_SITE_VISIT,
        actor=actor,
        actor_label=_handler_label(actor, issue),
        note=notes,
        data={"photos": len(photos)},
    )
    return issue


def photos_of(issue: Issue) -> QuerySet[Photo]:
    """The photos residents sent with the issue's concerns, and those of its site visits."""
    return Photo.objects.filter(Q(issue=issue) | Q(concern__issue=issue)).order_by(
        "uploaded_at", "pk"
    )


def _set_published(photo: Photo, *, actor: Any, published: bool) -> Photo:
    issue = photo_issue(photo)
    check(actor, issue, can_publish_photo(actor, issue))
    photo = Photo.objects.select_for_update().get(pk=photo.pk)
    if photo.published == published:
        return photo  # a second click: nothing changes, no second row
    photo.published = published
    photo.save(update_fields=["published"])
    record(
        issue,
        verbs.ISSUE_PHOTO_PUBLISHED if published else verbs.ISSUE_PHOTO_UNPUBLISHED,
        actor=actor,
        actor_label=_handler_label(actor, issue),
        public=False,
        data={"photo": photo.pk, "concern": photo.concern_id},
    )
    return photo


@transaction.atomic
def publish_photo(photo: Photo, *, actor: Any) -> Photo:
    """Staff decide a photo may be seen by anyone with its address (it shows no one's home
    or face that should stay private)."""
    return _set_published(photo, actor=actor, published=True)


@transaction.atomic
def unpublish_photo(photo: Photo, *, actor: Any) -> Photo:
    """Take a published photo back: staff in scope only, again."""
    return _set_published(photo, actor=actor, published=False)


@transaction.atomic
def settle_issue(issue: Issue, *, actor: Any, outcome: str) -> Issue:
    """办结: settled where it is (in the grid: 小事不出网格) with an outcome residents can read."""
    outcome = plain_text(outcome, "outcome", limit=MAX_CONTENT, required=True)
    issue = _lock_for_handling(issue, actor)
    if issue.status not in HANDLING_STATUSES:
        raise Conflict(
            _("Only an issue being handled can be settled here."), code="issue_not_being_handled"
        )
    now = timezone.now()
    issue.status = Issue.Status.SETTLED
    issue.outcome = outcome
    issue.settled_at = now
    issue.accepted_at = issue.accepted_at or now
    issue.save(update_fields=["status", "outcome", "settled_at", "accepted_at", "updated_at"])
    _filed(issue, was_open=True)
    record(
        issue,
        verbs.ISSUE_SETTLED,
        actor=actor,
        actor_label=_handler_label(actor, issue),
        note=outcome,
        data={"level": issue.level},
    )
    return issue


@transaction.atomic
def escalate_to_community(issue: Issue, *, actor: Any, reason: str) -> Issue:
    """The grid cannot settle it alone: the community takes it over (大事不出社区)."""
    reason = plain_text(reason, "reason", limit=1000, required=True)
    issue = _lock_for_handling(issue, actor)
    if issue.level != Issue.Level.GRID or issue.status not in HANDLING_STATUSES:
        raise Conflict(
            _("Only an issue being handled in the grid can go to the community."),
            code="issue_not_in_grid",
        )
    issue.level = Issue.Level.COMMUNITY
    issue.escalation_reason = reason
    issue.save(update_fields=["level", "escalation_reason", "updated_at"])
    record(
        issue,
        verbs.ISSUE_ESCALATED,
        actor=actor,
        actor_label=actors.GRID_WORKER,
        note=reason,
        data={"to": Issue.Level.COMMUNITY},
    )
    return issue


@transaction.atomic
def escalate_onward(
    issue: Issue,
    *,
    actor: Any,
    reason: str,
    to: str,
    organisation: Organisation | None = None,
) -> Issue:
    """The community sends it on to the street, or to a department (an organisation)."""
    reason = plain_text(reason, "reason", limit=1000, required=True)
    if to not in (Issue.Level.STREET, Issue.Level.DEPARTMENT):
        raise ActionError(
            _("Escalate to the subdistrict or to a department."),
            code="invalid_escalation_target",
            field="to",
        )
    if to == Issue.Level.DEPARTMENT and organisation is None:
        raise ActionError(
            _("Name the department."), code="department_required", field="organisation"
        )
    if (
        organisation is not None
        and not escalation_targets(issue.community).filter(pk=organisation.pk).exists()
    ):
        check_serves(organisation, issue.community, "organisation")
        raise ActionError(
            _("An issue is sent on to a department, not to “%(name)s”.")
            % {"name": organisation.name},
            code="escalation_not_department",
            field="organisation",
        )
    issue = _lock_for_handling(issue, actor)
    if (
        issue.level not in (Issue.Level.GRID, Issue.Level.COMMUNITY)
        or issue.status not in HANDLING_STATUSES
    ):
        raise Conflict(
            _("Only an issue being handled by the community can be sent on."),
            code="issue_not_with_community",
        )
    if issue.level == Issue.Level.GRID and not can_triage(actor, issue):
        raise PermissionDenied
    issue.level = to
    issue.escalated_to = organisation
    issue.escalation_reason = reason
    issue.save(update_fields=["level", "escalated_to", "escalation_reason", "updated_at"])
    _by_community(
        issue,
        verbs.ISSUE_ESCALATED,
        actor,
        note=reason,
        data={"to": to, "organisation": organisation.pk if organisation else None},
    )
    return issue


@transaction.atomic
def hand_back(issue: Issue, *, actor: Any, reason: str) -> Issue:
    """The level above sends the issue back down: to the grid (or to the community)."""
    reason = plain_text(reason, "reason", limit=1000, required=True)
    issue = _lock_for_handling(issue, actor)
    if issue.level == Issue.Level.GRID or issue.status not in HANDLING_STATUSES:
        raise Conflict(
            _("This issue is already handled in the grid."), code="issue_already_in_grid"
        )
    if issue.level == Issue.Level.COMMUNITY:
        if issue.grid_id is None:
            raise Conflict(
                _("This issue has no grid to hand it back to."), code="issue_without_grid"
            )
        target = Issue.Level.GRID
    else:
        target = Issue.Level.COMMUNITY
    issue.level = target
    issue.escalated_to = None
    issue.escalation_reason = reason
    issue.save(update_fields=["level", "escalated_to", "escalation_reason", "updated_at"])
    _by_community(issue, verbs.ISSUE_HANDED_BACK, actor, note=reason, data={"to": target})
    return issue


# ---- Called by later steps of the workflow (consultations, accountability)


def _locked(issue: Issue) -> Issue:
    return Issue.objects.select_for_update().get(pk=issue.pk)


@transaction.atomic
def mark_issue_in_consultation(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """A topic has taken the issue up for consultation (民事民议)."""
    issue = _locked(issue)
    if issue.status in (Issue.Status.MERGED, Issue.Status.RESOLVED):
        raise Conflict(
            _("This issue is closed and cannot be taken to a consultation."), code="issue_closed"
        )
    if issue.status != Issue.Status.IN_CONSULTATION:
        was_open = issue.is_open
        issue.status = Issue.Status.IN_CONSULTATION
        issue.save(update_fields=["status", "updated_at"])
        _filed(issue, was_open=was_open)
        _by_community(issue, verbs.ISSUE_IN_CONSULTATION, actor, note=note)
    return issue


@transaction.atomic
def mark_issue_in_action(
    issue: Issue, *, actor: Any, note: str = "", due: datetime | None = None
) -> Issue:
    """What was agreed about the issue is listed as action items (挂牌).

    `due` is the listed item's public deadline: from now on the issue is overdue only when
    the agreed deadline (the latest of its items) passes, not its category's time limit."""
    issue = _locked(issue)
    if issue.status == Issue.Status.MERGED:
        raise Conflict(_("This issue was merged into another."), code="issue_merged")
    fields = []
    if due is not None:
        if issue.status == Issue.Status.IN_ACTION and issue.resolve_due_at:
            due = max(due, issue.resolve_due_at)
        issue.resolve_due_at = due
        fields.append("resolve_due_at")
    if issue.status != Issue.Status.IN_ACTION:
        was_open = issue.is_open
        issue.status = Issue.Status.IN_ACTION
        fields.append("status")
        _filed(issue, was_open=was_open)
        _by_community(issue, verbs.ISSUE_IN_ACTION, actor, note=note)
    if fields:
        issue.save(update_fields=[*fields, "updated_at"])
    return issue


@transaction.atomic
def resolve_issue(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """Every action item of the issue is closed (销号): the issue is resolved."""
    issue = _locked(issue)
    if issue.status == Issue.Status.RESOLVED:
        return issue
    if issue.status == Issue.Status.MERGED:
        raise Conflict(_("This issue was merged into another."), code="issue_merged")
    issue.status = Issue.Status.RESOLVED
    issue.settled_at = issue.settled_at or timezone.now()
    if note:
        issue.outcome = note
    issue.save(update_fields=["status", "settled_at", "outcome", "updated_at"])
    _filed(issue, was_open=True)
    _by_community(issue, verbs.ISSUE_RESOLVED, actor, note=note)
    return issue


@transaction.atomic
def reopen_issue(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """Residents were not satisfied: the issue goes back to being handled. A matter settled
    where it was (in the grid or the community, without a meeting) returns to whoever holds it
    there, accepted, to settle again; one resolved through action items goes back to them."""
    issue = _locked(issue)
    if issue.status == Issue.Status.MERGED:
        raise Conflict(_("This issue was merged into another."), code="issue_merged")
    was_open = issue.is_open
    if issue.status == Issue.Status.SETTLED:
        issue.status = Issue.Status.ACCEPTED
        issue.settled_at = None
    else:
        issue.status = Issue.Status.IN_ACTION
    issue.round += 1  # residents are asked to rate it again
    issue.save(update_fields=["status", "settled_at", "round", "updated_at"])
    _filed(issue, was_open=was_open)
    record(issue, verbs.ISSUE_REOPENED, actor=actor, actor_label=actors.RESIDENT, note=note)
    return issue
