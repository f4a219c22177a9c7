"""民事民评 for every 办结: what a resident may rate behind their tracking code.

A matter is the issue of the resident's concern. It is rated as an issue once it is settled (in
the grid or by the community) or resolved (every action item closed); its action items are
rated while they await verification, as before. One rating per resident per round: an issue and
an item each keep their round (`round`), one more at each reopening. Having rated an item of the
matter in the item's current round counts as having rated the matter, so nobody is counted
twice in 满意率.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accountability.models import ActionItem, Evaluation, EvaluationRule
from concerns.models import Concern, Issue

RATEABLE_STATUSES = (Issue.Status.SETTLED, Issue.Status.RESOLVED)


def rating_of(issue: Issue, resident_key: str, round_: int) -> Evaluation | None:
    """The resident's rating of the matter in this round: of the issue itself, or of one of
    its action items in that item's current round."""
    return (
        Evaluation.objects.filter(issue=issue, resident_key=resident_key)
        .filter(
            Q(action_item__isnull=True, round=round_)
            | Q(action_item__isnull=False, round=F("action_item__round"))
        )
        .order_by("-created_at", "-id")
        .first()
    )


@dataclass
class MatterState:
    """What the rating box and the API tell the resident behind a tracking code."""

    issue: Issue
    round: int
    settled: bool  # settled or resolved: the matter itself may be rated
    mine: Evaluation | None  # their rating of this round, if any
    items: list[ActionItem]  # items of the matter awaiting the residents' ratings
    rated_items: set[int]  # of those, the ones they have rated in the item's round

    @property
    def can_rate(self) -> bool:
        return self.settled and self.mine is None


def state_for(concern: Concern) -> MatterState:
    issue = Issue.objects.select_related("community").get(pk=concern.issue_id)
    round_ = issue.round
    settled = issue.status in RATEABLE_STATUSES
    mine = rating_of(issue, concern.resident_key, round_) if concern.resident_key else None
    items = list(
        ActionItem.objects.filter(issues=issue, status=ActionItem.Status.DONE)
        .select_related("owner_organisation")
        .order_by("listed_at", "id")
    )
    rated_items = set(
        Evaluation.objects.filter(
            action_item__in=items,
            resident_key=concern.resident_key,
            round=F("action_item__round"),
        ).values_list("action_item_id", flat=True)
    )
    return MatterState(issue, round_, settled, mine, items, rated_items)


# Who takes a reopened matter up again, by the level the issue is handled at.
HANDLED_AGAIN_BY: dict[str, Any] = {
    Issue.Level.GRID: _("Sent back to be handled again: the grid worker will take it up again."),
    Issue.Level.COMMUNITY: _("Sent back to be handled again: the community will take it up again."),
    Issue.Level.STREET: _("Sent back to be handled again: the subdistrict will take it up again."),
    Issue.Level.DEPARTMENT: _(
        "Sent back to be handled again: the department will take it up again."
    ),
}


AGAIN_THROUGH_ITEMS = _(
    "Sent back to be handled again: the action items are reopened for their owners."
)
AGAIN_BY_OWNER = _("Sent back to be handled again: the owner will carry the item out again.")


def answer_after_rating(
    concern: Concern,
    rating: str,
    *,
    issue_before: str,
    item: ActionItem | None = None,
    item_before: str | None = None,
) -> tuple[str, bool]:
    """What the resident is told in place once their rating is saved, and whether the matter
    went back to work (the page then shows its new status beside the answer)."""
    issue = Issue.objects.select_related("community").get(pk=concern.issue_id)
    if item is None:
        if issue_before in RATEABLE_STATUSES and issue.status not in RATEABLE_STATUSES:
            if issue.status == Issue.Status.IN_ACTION:
                return str(AGAIN_THROUGH_ITEMS), True
            by = HANDLED_AGAIN_BY.get(issue.level) or HANDLED_AGAIN_BY[Issue.Level.GRID]
            return str(by), True
    else:
        item.refresh_from_db(fields=["status"])
        if item_before != ActionItem.Status.REOPENED and item.status == ActionItem.Status.REOPENED:
            return str(AGAIN_BY_OWNER), True
    if rating == Evaluation.Rating.DISSATISFIED:
        percent = EvaluationRule.percent_for(issue.community)
        return str(
            _(
                "Your dissatisfaction is recorded. The matter is sent back to be handled again "
                "when more than %(percent)s%% of the residents behind it are dissatisfied."
            )
            % {"percent": percent}
        ), False
    return str(_("Thank you: your rating is recorded.")), False
