"""State changes of action items (挂牌 → 推进 → 待验收 → 销号, or 重启).

Each function checks who may act, changes state inside one transaction (locking the item where
two people can race), and records a timeline event, which notifications deliver after commit.
When an item changes an issue (listing it, resolving or reopening it) it calls the concerns
app's own action functions.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accountability import matters, permissions
from accountability.models import (
    ActionItem,
    Evaluation,
    EvaluationRule,
    Milestone,
    ProgressPhoto,
    ProgressUpdate,
    today,
)
from accountability.verbs import (
    ACTION_ITEM_CLOSED,
    ACTION_ITEM_DONE,
    ACTION_ITEM_LISTED,
    ACTION_ITEM_PROGRESS,
    ACTION_ITEM_RATED,
    ACTION_ITEM_REOPENED,
    ACTION_ITEM_VERIFIED,
    EVALUATION_RULE_SET,
    ISSUE_RATED,
)
from accounts.models import Organisation, Role
from accounts.pickers import check_serves
from concerns import actions as concern_actions
from concerns import codes
from concerns.intake import store
from concerns.models import Concern, Issue
from consultations.models import Resolution
from core import uploads
from core.errors import ActionError, Conflict
from core.text import plain_text
from places.models import Area
from timeline.actors import COMMUNITY, RESIDENT
from timeline.services import record

MAX_PHOTOS = 6


def _locked(item: ActionItem) -> ActionItem:
    return (
        ActionItem.objects.select_for_update()
        .select_related("community", "owner_organisation")
        .get(pk=item.pk)
    )


def _owner_label(item: ActionItem) -> str | Promise:
    org = item.owner_organisation
    return org.short_name or org.name


def _note(note: str) -> str:
    return plain_text(note, "note", limit=2000)


def _held(item: ActionItem, actor: Any, right: str, note: str) -> tuple[ActionItem, str]:
    """The item locked for a step `actor` has the right to take, and the step's note read."""
    note = _note(note)
    permissions.check(actor, item, right)
    return _locked(item), note


def _moved(
    item: ActionItem, verb: str, *, actor: Any, label: str | Promise, note: str, **fields: Any
) -> ActionItem:
    """Save the step's fields on the item and record it on the item's timeline."""
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=[*fields, "updated_at"])
    record(item, verb, actor=actor, actor_label=label, note=note)
    return item


def count_residents(issues: Iterable[Issue]) -> int:
    """The residents behind these issues, counted as each issue counts them (the intake's one
    rule: concerns sharing a phone or a household are one resident)."""
    return store.count_residents(issue.pk for issue in issues)


def _check_terms(
    owner: Any,
    owner_organisation: Organisation,
    deadline: date,
    milestones: Sequence[tuple[str, date]],
    listed_on: date,
) -> None:
    """The terms of an item hold together: a deadline from the listing date on, a person in
    charge who represents the owner organisation, milestones named and within the term."""
    if deadline < listed_on:
        raise ActionError(
            _("The deadline cannot be before the listing date."),
            code="item_deadline_before_listing",
            field="deadline",
        )
    if (
        owner is not None
        and not Role.objects.filter(
            user=owner, kind=Role.Kind.ORG_REPRESENTATIVE, organisation=owner_organisation
        ).exists()
    ):
        raise ActionError(
            _("The person in charge must represent the owner organisation."),
            code="owner_not_of_organisation",
            field="owner",
        )
    for milestone_title, due_on in milestones:
        plain_text(milestone_title, "milestones", limit=120, required=_("Name each milestone."))
        if due_on < listed_on or due_on > deadline:
            raise ActionError(
                _("Each milestone falls between the listing date and the deadline."),
                code="milestone_out_of_range",
                field="milestones",
            )


def _issues_to_list(
    community: Area, resolution: Resolution | None, issues: Sequence[Issue]
) -> list[Issue]:
    """The issues an item takes into action: those chosen, all of the listing community, and
    with a resolution its topic's issues in that community (merged ones stay where they are)."""
    chosen = list(issues)
    for issue in chosen:
        if issue.community_id != community.pk:
            raise ActionError(
                _("Each issue must belong to the listing community."),
                code="issue_outside_community",
                field="issues",
            )
        if issue.status == Issue.Status.MERGED:
            raise Conflict(
                _("An issue merged into another cannot be listed."),
                code="issue_merged",
                field="issues",
            )
    if resolution is not None:
        area_path = resolution.meeting.area.path
        if not (community.path.startswith(area_path) or area_path.startswith(community.path)):
            raise ActionError(
                _("This resolution was made for another area than the listing community."),
                code="resolution_outside_community",
                field="resolution",
            )
        chosen += [
            i
            for i in resolution.topic.issues.filter(community=community)
            if i.status != Issue.Status.MERGED and i not in chosen
        ]
    elif not chosen:
        raise ActionError(
            _("Publish an item from a resolution or from at least one issue."),
            code="item_without_source",
            field="issues",
        )
    return chosen


def _take_into_action(issues: list[Issue], *, actor: Any, title: str, deadline: date) -> None:
    # The issue's clock is now the deadline agreed in public, to the end of that day.
    due = timezone.make_aware(datetime.combine(deadline, time(23, 59, 59)))
    for issue in issues:
        concern_actions.mark_issue_in_action(
            issue,
            actor=actor,
            note=_("Listed as an action item: %(title)s") % {"title": title},
            due=due,
        )


@transaction.atomic
def publish_action_item(
    *,
    actor: Any,
    community: Area,
    title: str,
    deadline: date,
    owner_organisation: Organisation,
    owner: Any = None,
    description: str = "",
    resolution: Resolution | None = None,
    issues: Sequence[Issue] = (),
    milestones: Sequence[tuple[str, date]] = (),
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> ActionItem:
    """挂牌: publish what will be done, by whom and by when.

    From a resolution (its topic's issues in this community come along) or straight from
    issues that staff settle without a meeting. Listing takes the issues into action."""
    permissions.check_publish_in(actor, community)
    if idempotency_key and idempotency_key.strip():
        earlier = ActionItem.objects.filter(idempotency_key=idempotency_key.strip()[:80]).first()
        if earlier is not None:
            return earlier
    now = now or timezone.now()
    title = plain_text(title, "title", limit=160, required=_("Say what will be done."))
    description = plain_text(description, "description")
    idempotency_key = (idempotency_key or "").strip()[:80] or None
    _check_terms(owner, owner_organisation, deadline, milestones, today(now))
    chosen = _issues_to_list(community, resolution, issues)
    check_serves(owner_organisation, community, "owner_organisation")
    item = ActionItem.objects.create(
        resolution=resolution,
        community=community,
        title=title,
        description=description,
        owner_organisation=owner_organisation,
        owner=owner,
        deadline=deadline,
        listed_at=now,
        listed_by=actor,
        residents_count=count_residents(chosen),
        idempotency_key=idempotency_key or None,
    )
    item.issues.set(chosen)
    Milestone.objects.bulk_create(
        Milestone(action_item=item, title=plain_text(t, "milestones"), due_on=d)
        for t, d in milestones
    )
    record(
        item,
        ACTION_ITEM_LISTED,
        actor=actor,
        actor_label=COMMUNITY,
        note=_("Owner: %(owner)s; deadline %(deadline)s.")
        % {"owner": owner_organisation.name, "deadline": deadline.isoformat()},
    )
    _take_into_action(chosen, actor=actor, title=title, deadline=deadline)
    return item


@transaction.atomic
def report_progress(
    item: ActionItem,
    *,
    actor: Any,
    text: str,
    photos: Sequence[UploadedFile] = (),
    milestone: Milestone | None = None,
    now: datetime | None = None,
) -> ProgressUpdate:
    """The owner says how far the work has come (with photos); the item is in progress."""
    permissions.check(actor, item, permissions.REPORT)
    item = _locked(item)
    now = now or timezone.now()
    text = plain_text(text, "text", limit=2000, required=_("Describe the progress."))
    if len(photos) > MAX_PHOTOS:
        raise ActionError(
            _("At most %(n)d photos per update.") % {"n": MAX_PHOTOS},
            code="too_many_files",
            field="photos",
        )
    cleaned = uploads.clean_images(photos, field="photos")  # the same rule as residents'
    if not item.can_report_progress():
        raise Conflict(
            _("Progress can only be reported while the item is being carried out."),
            code="item_not_in_progress",
        )
    if milestone is not None and (milestone.action_item_id != item.pk or milestone.reached_at):
        raise ActionError(
            _("Choose an open milestone of this item."),
            code="milestone_not_open",
            field="milestone",
        )
    update = ProgressUpdate.objects.create(
        action_item=item, text=text, author=actor, milestone=milestone, created_at=now
    )
    for image in cleaned:
        ProgressPhoto.objects.create(update=update, image=image)
    if milestone is not None:
        milestone.reached_at = now
        milestone.save(update_fields=["reached_at"])
    item.status = ActionItem.Status.IN_PROGRESS
    item.latest_progress = text[:200]
    item.latest_progress_at = now
    item.save(update_fields=["status", "latest_progress", "latest_progress_at", "updated_at"])
    record(
        item,
        ACTION_ITEM_PROGRESS,
        actor=actor,
        actor_label=_owner_label(item),
        note=text,
        data={"update": update.pk, "photos": len(photos)},
    )
    return update


@transaction.atomic
def mark_done(
    item: ActionItem, *, actor: Any, note: str = "", now: datetime | None = None
) -> ActionItem:
    """The owner says the work is done: it awaits verification, and residents are asked to rate."""
    item, note = _held(item, actor, permissions.DONE, note)
    if not item.can_mark_done():
        raise Conflict(
            _("Only an item being carried out can be reported done."), code="item_not_in_progress"
        )
    label = _owner_label(item) if permissions.is_owner(actor, item) else COMMUNITY
    return _moved(
        item,
        ACTION_ITEM_DONE,
        actor=actor,
        label=label,
        note=note,
        status=ActionItem.Status.DONE,
        done_at=now or timezone.now(),
        verified_at=None,
        verified_by=None,
    )


@transaction.atomic
def verify_item(
    item: ActionItem, *, actor: Any, note: str = "", now: datetime | None = None
) -> ActionItem:
    """验收: the listing community has checked the work on site."""
    item, note = _held(item, actor, permissions.MANAGE, note)
    if not item.can_verify():
        raise Conflict(
            _("Only an item reported done and not yet verified can be verified."),
            code="item_not_awaiting_verification",
        )
    return _moved(
        item,
        ACTION_ITEM_VERIFIED,
        actor=actor,
        label=COMMUNITY,
        note=note,
        verified_at=now or timezone.now(),
        verified_by=actor,
    )


def dissatisfied_share(item: ActionItem, *, of_expected: bool) -> tuple[int, int]:
    """(dissatisfied, base) of the current round: base is the residents behind the item, or
    those who rated."""
    ratings = Evaluation.objects.filter(action_item=item, round=item.round)
    dissatisfied = ratings.filter(rating=Evaluation.Rating.DISSATISFIED).count()
    base = item.residents_count if of_expected else ratings.count()
    return dissatisfied, base


def _majority_dissatisfied(item: ActionItem, *, of_expected: bool) -> bool:
    dissatisfied, base = dissatisfied_share(item, of_expected=of_expected)
    return EvaluationRule.reopens(item.community, dissatisfied, base)


@transaction.atomic
def close_item(
    item: ActionItem, *, actor: Any, note: str = "", now: datetime | None = None
) -> ActionItem:
    """销号: the listing community closes a verified item. The issues whose items are all
    closed are resolved."""
    item, note = _held(item, actor, permissions.MANAGE, note)
    if item.status == ActionItem.Status.CLOSED:
        raise Conflict(_("This item is already closed."), code="item_already_closed")
    if item.status != ActionItem.Status.DONE:
        raise Conflict(_("Only an item reported done can be closed."), code="item_not_done")
    if item.verified_at is None:
        raise Conflict(_("Verify the work before closing the item."), code="item_not_verified")
    if _majority_dissatisfied(item, of_expected=False):
        raise Conflict(
            _("Most residents who rated the item are dissatisfied: reopen it instead."),
            code="item_mostly_dissatisfied",
        )
    _moved(
        item,
        ACTION_ITEM_CLOSED,
        actor=actor,
        label=COMMUNITY,
        note=note,
        status=ActionItem.Status.CLOSED,
        closed_at=now or timezone.now(),
        closed_by=actor,
    )
    for issue in item.issues.all():
        if not issue.action_items.exclude(status=ActionItem.Status.CLOSED).exists():
            concern_actions.resolve_issue(
                issue,
                actor=actor,
                note=_("Every action item is closed: %(title)s") % {"title": item.title},
            )
    return item


def _reopen(
    item: ActionItem,
    *,
    actor: Any,
    actor_label: str | Promise,
    note: str,
    reopened: Iterable[int] = (),
) -> ActionItem:
    """Reopen the item and its issues (but those in `reopened`, already reopened)."""
    _moved(
        item,
        ACTION_ITEM_REOPENED,
        actor=actor,
        label=actor_label,
        note=note,
        status=ActionItem.Status.REOPENED,
        round=item.round + 1,
        done_at=None,
        verified_at=None,
        verified_by=None,
        closed_at=None,
        closed_by=None,
    )
    for issue in item.issues.exclude(status=Issue.Status.MERGED).exclude(pk__in=list(reopened)):
        concern_actions.reopen_issue(issue, actor=actor, note=note)
    return item


@transaction.atomic
def reopen_item(item: ActionItem, *, actor: Any, note: str) -> ActionItem:
    """The listing community reopens a done or closed item (with a reason)."""
    permissions.check(actor, item, permissions.MANAGE)
    item = _locked(item)
    note = plain_text(note, "note", limit=2000, required=_("Say why the item is reopened."))
    if not item.can_reopen():
        raise Conflict(_("Only a done or closed item can be reopened."), code="item_not_reopenable")
    return _reopen(item, actor=actor, actor_label=COMMUNITY, note=note)


def _rating_input(rating: str, comment: str) -> str:
    """Check a rating and its comment before anything is read or written; the comment."""
    if rating not in Evaluation.Rating.values:
        raise ActionError(
            _("Choose satisfied, basically satisfied or dissatisfied."),
            code="invalid_rating",
            field="rating",
        )
    return plain_text(comment, "comment", limit=1000)


def _dissatisfied_note(ratings: Any, dissatisfied: int, base: int) -> str:
    comments = list(
        ratings.filter(rating=Evaluation.Rating.DISSATISFIED)
        .exclude(comment="")
        .values_list("comment", flat=True)
    )
    note = _("%(n)d of %(total)d residents are dissatisfied.") % {"n": dissatisfied, "total": base}
    if comments:
        note += " " + _("Their comments:") + " " + "；".join(comments)
    return note


def find_concern(tracking_code: str) -> Concern | None:
    return codes.find(tracking_code)


def _rater(
    actor: Any,
    tracking_code: str,
    rating: str,
    comment: str,
    behind: Callable[[Concern], bool],
    refusal: str,
) -> tuple[Concern, str]:
    """The resident's concern behind what is rated, found by their code, and their comment.
    A signed-in account never rates (403); a code not `behind` it is refused with `refusal`."""
    permissions.check_may_rate(actor)
    comment = _rating_input(rating, comment)
    concern = find_concern(tracking_code)
    if concern is None or not behind(concern):
        raise ActionError(refusal, code="wrong_code", field="tracking_code")
    return concern, comment


def _save_rating(
    subject: ActionItem | Issue,
    verb: str,
    already: Any,
    *,
    concern: Concern,
    data: dict[str, Any],
    public: bool = True,
    **fields: Any,
) -> Evaluation:
    """Insert one resident's rating and record it on `subject`; a second one of the same round,
    raced in at the same moment, meets the unique constraint and is refused with `already`."""
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                concern=concern, resident_key=concern.resident_key, **fields
            )
    except IntegrityError:
        raise Conflict(already, code="already_rated") from None
    label = str(Evaluation.Rating(fields["rating"]).label)
    record(subject, verb, actor_label=RESIDENT, note=label, data=data, public=public)
    return evaluation


@transaction.atomic
def rate_item(
    item: ActionItem,
    *,
    tracking_code: str,
    rating: str,
    comment: str = "",
    now: datetime | None = None,
    actor: Any = None,
) -> Evaluation:
    """民事民评: a resident behind the item rates it once, with their tracking code. `actor`
    is whoever is signed in on the request: a signed-in account never rates (403).

    When the dissatisfied ratings pass the community's rule (counted against every resident
    behind the item, so the outcome is already certain), the item is reopened with the
    residents' comments attached."""
    concern, comment = _rater(
        actor,
        tracking_code,
        rating,
        comment,
        lambda concern: item.issues.filter(pk=concern.issue_id).exists(),
        _("This tracking code does not belong to a concern behind this item."),
    )
    item = _locked(item)
    if not item.can_be_rated():
        raise Conflict(_("This item can be rated once it is reported done."), code="item_not_done")
    if Evaluation.objects.filter(
        action_item=item, resident_key=concern.resident_key, round=item.round
    ).exists():
        raise Conflict(_("You have already rated this item. Thank you."), code="already_rated")
    evaluation = _save_rating(
        item,
        ACTION_ITEM_RATED,
        _("You have already rated this item. Thank you."),
        concern=concern,
        data={"rating": rating},
        action_item=item,
        issue_id=concern.issue_id,
        round=item.round,
        rating=rating,
        comment=comment,
        created_at=now or timezone.now(),
    )
    if rating == Evaluation.Rating.DISSATISFIED and _majority_dissatisfied(item, of_expected=True):
        dissatisfied, base = dissatisfied_share(item, of_expected=True)
        current = Evaluation.objects.filter(action_item=item, round=item.round)
        note = _dissatisfied_note(current, dissatisfied, base)
        _reopen(item, actor=None, actor_label=RESIDENT, note=note)
    return evaluation


def matter_ratings(issue: Issue, round_: int) -> Any:
    """The residents' ratings of the issue itself in a round (not of its action items)."""
    return Evaluation.objects.filter(issue=issue, action_item__isnull=True, round=round_)


@transaction.atomic
def rate_matter(
    issue: Issue,
    *,
    tracking_code: str,
    rating: str,
    comment: str = "",
    now: datetime | None = None,
    actor: Any = None,
) -> Evaluation:
    """民事民评 of a matter settled (in the grid or by the community) or resolved: a resident
    behind the issue rates it once per round, with their tracking code. A signed-in `actor`
    never rates (403).

    When the dissatisfied ratings pass the community's rule (counted against every resident
    behind the issue, as for action items), the matter is reopened with the residents'
    comments: the issue through concerns' reopen_issue, and its closed action items with it."""
    concern, comment = _rater(
        actor,
        tracking_code,
        rating,
        comment,
        lambda concern: concern.issue_id == issue.pk,
        _("This tracking code does not belong to a concern behind this matter."),
    )
    # The issue's row lock puts ratings (and the reopening they may cause) in a queue.
    issue = Issue.objects.select_for_update().select_related("community").get(pk=issue.pk)
    if issue.status not in matters.RATEABLE_STATUSES:
        raise Conflict(_("This matter can be rated once it is settled."), code="not_settled")
    round_ = issue.round
    if matters.rating_of(issue, concern.resident_key, round_) is not None:
        raise Conflict(_("You have already rated this matter. Thank you."), code="already_rated")
    evaluation = _save_rating(
        issue,
        ISSUE_RATED,
        _("You have already rated this matter. Thank you."),
        concern=concern,
        data={"rating": rating, "round": round_},
        # Not one line per resident on the public tracking page: the whole-story page sums
        # the ratings of the round, and the rating box shows the resident their own.
        public=False,
        issue=issue,
        round=round_,
        rating=rating,
        comment=comment,
        created_at=now or timezone.now(),
    )
    if rating == Evaluation.Rating.DISSATISFIED:
        current = matter_ratings(issue, round_)
        dissatisfied = current.filter(rating=Evaluation.Rating.DISSATISFIED).count()
        base = issue.residents_count
        if EvaluationRule.reopens(issue.community, dissatisfied, base):
            _reopen_matter(issue, note=_dissatisfied_note(current, dissatisfied, base))
    return evaluation


def _reopen_matter(issue: Issue, *, note: str) -> None:
    """The residents are not satisfied: the matter goes back to work, with its closed items."""
    concern_actions.reopen_issue(issue, actor=None, note=note)
    for item in issue.action_items.filter(
        status__in=(ActionItem.Status.DONE, ActionItem.Status.CLOSED)
    ).order_by("pk"):
        _reopen(_locked(item), actor=None, actor_label=RESIDENT, note=note, reopened=[issue.pk])


@transaction.atomic
def set_evaluation_rule(
    *, actor: Any, community: Area, reopen_above_percent: int
) -> EvaluationRule:
    """The community decides what share of dissatisfied residents reopens its items."""
    permissions.check_publish_in(actor, community)
    if not 0 <= reopen_above_percent <= 99:
        raise ActionError(
            _("Give a share between 0 and 99 per cent."),
            code="invalid_reopen_share",
            field="reopen_above_percent",
        )
    rule, _created = EvaluationRule.objects.update_or_create(
        community=community, defaults={"reopen_above_percent": reopen_above_percent}
    )
    record(
        community,
        EVALUATION_RULE_SET,
        actor=actor,
        actor_label=COMMUNITY,
        note=_("Items reopen when more than %(p)d%% of residents are dissatisfied.")
        % {"p": reopen_above_percent},
        public=False,
    )
    return rule
