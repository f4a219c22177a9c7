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
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from concerns.intake import store
from concerns.intake.submit import MAX_CONTENT, check_photos, neutral_title_of, profile
from concerns.models import Concern, GroupingLabel, Issue, Photo
from concerns.permissions import (
    can_handle,
    can_publish_photo,
    can_triage,
    check,
    photo_issue,
)
from concerns.titles import make_title
from timeline.public import mask_public_text
from timeline.services import record
from yishi.errors import ActionError, Conflict
from yishi.text import plain_text

S = Issue.Status
L = Issue.Level
K = GroupingLabel.Kind


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
    store.label(concern, concern.issue, same=True, kind=K.CONFIRM, actor=actor, texts=texts)
    record(
        concern.issue,
        "issue.grouping_confirmed",
        actor=actor,
        actor_label="社区",
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
    record(issue, "issue.retitled", actor=actor, actor_label="社区", note=title, public=False)
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
            _("A public title names no phone, ID or room number."), field="public_title"
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
    record(
        issue,
        "issue.public_title_set",
        actor=actor,
        actor_label="社区",
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
        raise Conflict(_("The concern is already part of this issue."))
    if to.community_id != source.community_id:
        raise ActionError(
            _("A concern can only move to an issue of the same community."), field="issue"
        )
    source, to = _lock_pair(source, to)
    if not to.is_open:
        raise Conflict(_("The issue it would move to is closed."))
    # Staff say: not the matter it was grouped with, but the one it moves to.
    left = store.texts_of(source.pk, without=[concern.pk])
    joined = store.texts_of(to.pk)
    store.label(concern, source, same=False, kind=K.MOVE, actor=actor, texts=left)
    store.label(concern, to, same=True, kind=K.MOVE, actor=actor, texts=joined)
    Concern.objects.filter(pk=concern.pk).update(issue=to, grouping_confirmed=True, similarity=None)
    concern.issue = to
    for issue in (source, to):
        _refresh_after_change(issue, actor)
    record(
        to,
        "issue.concern_moved_in",
        actor=actor,
        actor_label="社区",
        public=False,
        note=note,
        data={"concern": concern.pk, "from": source.pk},
    )
    return concern


def _refresh_after_change(issue: Issue, actor: Any) -> None:
    _refresh(issue)
    fields = ["residents_count", "concerns_count", "terms", "updated_at"]
    if issue.concerns_count == 0 and issue.status != S.MERGED:
        issue.status = S.MERGED
        fields.append("status")
        store.unindex([issue.pk])
        record(issue, "issue.emptied", actor=actor, actor_label="社区")
    issue.save(update_fields=fields)


@transaction.atomic
def merge_issues(source: Issue, *, into: Issue, actor: Any, note: str = "") -> Issue:
    """Every concern of `source` joins `into`; `source` is closed as merged."""
    check(actor, source, can_triage(actor, source))
    check(actor, into, can_triage(actor, into))
    if source.pk == into.pk:
        raise ActionError(_("Choose another issue to merge with."), field="into")
    if source.community_id != into.community_id:
        raise ActionError(_("Only issues of the same community can be merged."), field="into")
    source, into = _lock_pair(source, into)
    if source.status == S.MERGED or into.status == S.MERGED:
        raise Conflict(_("One of these issues was already merged into another."))
    # Staff say: each concern of the one is the same matter as the other.
    texts = store.texts_of(into.pk)
    for concern in source.concerns.order_by("received_at", "pk")[: store.LABEL_TEXTS]:
        store.label(concern, into, same=True, kind=K.MERGE, actor=actor, texts=texts)
    source.concerns.update(issue=into)
    source.status = S.MERGED
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
    record(
        source, "issue.merged", actor=actor, actor_label="社区", note=note, data={"into": into.pk}
    )
    record(
        into,
        "issue.merged_in",
        actor=actor,
        actor_label="社区",
        note=note,
        data={"from": source.pk},
    )
    return into


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
        raise Conflict(_("Only an open issue can be split."))
    ids = set(issue.concerns.filter(pk__in=list(concern_ids)).values_list("pk", flat=True))
    if not ids:
        raise ActionError(_("Choose the concerns to take out."), field="concerns")
    if len(ids) >= issue.concerns_count:
        raise ActionError(
            _("Leave at least one concern in the issue; choose fewer."), field="concerns"
        )
    moving = list(Concern.objects.filter(pk__in=ids).order_by("received_at"))
    # Staff say: the concerns taken out are not the matter of those left.
    left = store.texts_of(issue.pk, without=ids)
    for concern in moving[: store.LABEL_TEXTS]:
        store.label(concern, issue, same=False, kind=K.SPLIT, actor=actor, texts=left)
    first = moving[0]
    title = plain_text(title, "title", limit=120) or make_title(first.content)
    accept_due, resolve_due = store.due_dates(issue.category, first.received_at)
    new = Issue.objects.create(
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
    Concern.objects.filter(pk__in=ids).update(issue=new, grouping_confirmed=True, similarity=None)
    for each in (issue, new):
        _refresh(each)
        each.save(update_fields=["residents_count", "concerns_count", "terms", "updated_at"])
    record(
        issue,
        "issue.split",
        actor=actor,
        actor_label="社区",
        note=note,
        data={"new": new.pk, "concerns": sorted(ids)},
    )
    record(
        new,
        "issue.opened",
        actor=actor,
        actor_label="社区",
        note=title,
        data={"split_from": issue.pk},
    )
    return new


# ---- 小事不出网格，大事不出社区: handling in the grid and escalation

HANDLING_STATUSES = (S.NEW, S.ACCEPTED, S.IN_PROGRESS)


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


def _handler_label(actor: Any, issue: Issue) -> str:
    return {L.GRID: "网格员", L.COMMUNITY: "社区", L.STREET: "街道", L.DEPARTMENT: "职能部门"}[
        L(issue.level)
    ]


@transaction.atomic
def accept_issue(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """受理: someone at the issue's level takes it on."""
    issue = _lock_for_handling(issue, actor)
    if issue.status != S.NEW:
        raise Conflict(_("This issue has already been accepted."))
    issue.status = S.ACCEPTED
    issue.accepted_at = timezone.now()
    issue.save(update_fields=["status", "accepted_at", "updated_at"])
    note = plain_text(note, "note", limit=1000)
    record(
        issue, "issue.accepted", actor=actor, actor_label=_handler_label(actor, issue), note=note
    )
    return issue


@transaction.atomic
def record_site_visit(issue: Issue, *, actor: Any, notes: str, photos: Sequence[Any] = ()) -> Issue:
    """实地查看: notes (and photos) from a visit to the place; the issue is being handled."""
    notes = plain_text(notes, "notes", limit=MAX_CONTENT, required=True)
    cleaned = check_photos(photos)
    issue = _lock_for_handling(issue, actor)
    if issue.status not in HANDLING_STATUSES:
        raise Conflict(_("This issue is no longer being handled at this level."))
    fields = ["status", "updated_at"]
    if issue.accepted_at is None:
        issue.accepted_at = timezone.now()
        fields.append("accepted_at")
    issue.status = S.IN_PROGRESS
    issue.save(update_fields=fields)
    for image in cleaned:
        Photo.objects.create(issue=issue, image=image, caption=str(_("Site visit")))
    record(
        issue,
        "issue.site_visit",
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
        "issue.photo_published" if published else "issue.photo_unpublished",
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
        raise Conflict(_("Only an issue being handled can be settled here."))
    now = timezone.now()
    issue.status = S.SETTLED
    issue.outcome = outcome
    issue.settled_at = now
    issue.accepted_at = issue.accepted_at or now
    issue.save(update_fields=["status", "outcome", "settled_at", "accepted_at", "updated_at"])
    _filed(issue, was_open=True)
    record(
        issue,
        "issue.settled",
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
    if issue.level != L.GRID or issue.status not in HANDLING_STATUSES:
        raise Conflict(_("Only an issue being handled in the grid can go to the community."))
    issue.level = L.COMMUNITY
    issue.escalation_reason = reason
    issue.save(update_fields=["level", "escalation_reason", "updated_at"])
    record(
        issue,
        "issue.escalated",
        actor=actor,
        actor_label="网格员",
        note=reason,
        data={"to": L.COMMUNITY},
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
    if to not in (L.STREET, L.DEPARTMENT):
        raise ActionError(_("Escalate to the subdistrict or to a department."), field="to")
    if to == L.DEPARTMENT and organisation is None:
        raise ActionError(_("Name the department."), field="organisation")
    issue = _lock_for_handling(issue, actor)
    if issue.level not in (L.GRID, L.COMMUNITY) or issue.status not in HANDLING_STATUSES:
        raise Conflict(_("Only an issue being handled by the community can be sent on."))
    if issue.level == L.GRID and not can_triage(actor, issue):
        raise PermissionDenied
    issue.level = to
    issue.escalated_to = organisation
    issue.escalation_reason = reason
    issue.save(update_fields=["level", "escalated_to", "escalation_reason", "updated_at"])
    record(
        issue,
        "issue.escalated",
        actor=actor,
        actor_label="社区",
        note=reason,
        data={"to": to, "organisation": organisation.pk if organisation else None},
    )
    return issue


@transaction.atomic
def hand_back(issue: Issue, *, actor: Any, reason: str) -> Issue:
    """The level above sends the issue back down: to the grid (or to the community)."""
    reason = plain_text(reason, "reason", limit=1000, required=True)
    issue = _lock_for_handling(issue, actor)
    if issue.level == L.GRID or issue.status not in HANDLING_STATUSES:
        raise Conflict(_("This issue is already handled in the grid."))
    if issue.level == L.COMMUNITY:
        if issue.grid_id is None:
            raise Conflict(_("This issue has no grid to hand it back to."))
        target = L.GRID
    else:
        target = L.COMMUNITY
    issue.level = target
    issue.escalated_to = None
    issue.escalation_reason = reason
    issue.save(update_fields=["level", "escalated_to", "escalation_reason", "updated_at"])
    record(
        issue,
        "issue.handed_back",
        actor=actor,
        actor_label="社区",
        note=reason,
        data={"to": target},
    )
    return issue


# ---- Called by later steps of the workflow (consultations, accountability)


def _locked(issue: Issue) -> Issue:
    return Issue.objects.select_for_update().get(pk=issue.pk)


@transaction.atomic
def mark_issue_in_consultation(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """A topic has taken the issue up for consultation (民事民议)."""
    issue = _locked(issue)
    if issue.status in (Issue.Status.MERGED, Issue.Status.RESOLVED):
        raise Conflict(_("This issue is closed and cannot be taken to a consultation."))
    if issue.status != Issue.Status.IN_CONSULTATION:
        was_open = issue.is_open
        issue.status = Issue.Status.IN_CONSULTATION
        issue.save(update_fields=["status", "updated_at"])
        _filed(issue, was_open=was_open)
        record(issue, "issue.in_consultation", actor=actor, actor_label="社区", note=note)
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
        raise Conflict(_("This issue was merged into another."))
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
        record(issue, "issue.in_action", actor=actor, actor_label="社区", note=note)
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
        raise Conflict(_("This issue was merged into another."))
    issue.status = Issue.Status.RESOLVED
    issue.settled_at = issue.settled_at or timezone.now()
    if note:
        issue.outcome = note
    issue.save(update_fields=["status", "settled_at", "outcome", "updated_at"])
    _filed(issue, was_open=True)
    record(issue, "issue.resolved", actor=actor, actor_label="社区", note=note)
    return issue


@transaction.atomic
def reopen_issue(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """Residents were not satisfied: the issue goes back to being handled. A matter settled
    where it was (in the grid or the community, without a meeting) returns to whoever holds it
    there, accepted, to settle again; one resolved through action items goes back to them."""
    issue = _locked(issue)
    if issue.status == Issue.Status.MERGED:
        raise Conflict(_("This issue was merged into another."))
    was_open = issue.is_open
    if issue.status == Issue.Status.SETTLED:
        issue.status = Issue.Status.ACCEPTED
        issue.settled_at = None
    else:
        issue.status = Issue.Status.IN_ACTION
    issue.save(update_fields=["status", "settled_at", "updated_at"])
    _filed(issue, was_open=was_open)
    record(issue, "issue.reopened", actor=actor, actor_label="居民", note=note)
    return issue
