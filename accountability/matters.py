"""民事民评 for every 办结: what a resident may rate behind their tracking code.

A matter is the issue of the resident's concern. It is rated as an issue once it is settled (in
the grid or by the community) or resolved (every action item closed); its action items are
rated while they await verification, as before. One rating per resident per round: an issue and
an item each keep their round (`round`), one more at each reopening. Having rated an item of the
matter in the item's current round counts as having rated the matter, so nobody is counted
twice in 满意率.
"""

from dataclasses import dataclass

from django.db.models import F, Q

from accountability.models import ActionItem, Evaluation
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
