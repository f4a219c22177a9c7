"""Suggested topics: open issues that no topic has taken up, gathered by community and
category, and ranked so that what many residents share, what has waited long and what
spreads across several grids comes first (小切口、大关联、近民利)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.permissions import area_filter, scope_of
from concerns.models import Issue
from consultations.models import Topic
from consultations.permissions import STAFF_ROLES
from places.models import Area

# Issues a community can still take to a topic (not yet in consultation or beyond).
CANDIDATE_STATUSES = (Issue.Status.NEW, Issue.Status.ACCEPTED, Issue.Status.IN_PROGRESS)
# Each extra grid a matter spreads to adds half of its residents again; age adds one point
# per ten days waited, up to six.
GRID_SPREAD_WEIGHT = 0.5
AGE_DAYS_PER_POINT = 10
AGE_POINTS_CAP = 6
# 小事不出网格: a one-resident matter still in its grid is the grid worker's, not a topic.
MIN_RESIDENTS_IN_GRID = 2


def worth_a_topic(now: datetime) -> Q:
    """Issues at community level or above, shared by several residents, or overdue in the grid."""
    grid = Q(level=Issue.Level.GRID)
    overdue = Q(status=Issue.Status.NEW, accept_due_at__lt=now) | Q(resolve_due_at__lt=now)
    return ~grid | Q(residents_count__gte=MIN_RESIDENTS_IN_GRID) | (grid & overdue)


@dataclass
class Suggestion:
    community: Area
    label: str
    issues: list[Issue] = field(default_factory=list)

    @property
    def residents(self) -> int:
        return sum(issue.residents_count for issue in self.issues)

    @property
    def grids(self) -> int:
        """The grids the issues come from (0 when none was placed in a grid)."""
        return len({issue.grid_id for issue in self.issues if issue.grid_id})

    @property
    def oldest(self) -> datetime:
        return min(issue.first_received_at for issue in self.issues)

    def age_days(self, now: datetime) -> int:
        return max(0, (now - self.oldest).days)

    def score(self, now: datetime) -> float:
        spread = 1 + GRID_SPREAD_WEIGHT * max(0, self.grids - 1)
        age = min(self.age_days(now) / AGE_DAYS_PER_POINT, AGE_POINTS_CAP)
        return round(self.residents * spread + age, 1)

    @property
    def title(self) -> str:
        top = max(self.issues, key=lambda issue: issue.residents_count)
        return top.title if len(self.issues) == 1 else f"{self.label}：{top.title}等"


def suggested_topics(
    user: Any, *, limit: int = 20, now: datetime | None = None
) -> list[Suggestion]:
    """The suggestions for the communities whose staff the user is (two queries)."""
    now = now or timezone.now()
    scope = scope_of(user)
    if not scope.is_admin and not scope.roles.intersection(STAFF_ROLES):
        return []
    on_open_topic = Topic.objects.filter(issues=OuterRef("pk"), status__in=Topic.OPEN_STATUSES)
    issues = (
        Issue.objects.filter(area_filter(user, "community", write=True))
        .filter(status__in=CANDIDATE_STATUSES)
        .filter(worth_a_topic(now))
        .exclude(Exists(on_open_topic))
        .select_related("community", "category")
        .order_by("community_id", "first_received_at")
    )
    groups: dict[tuple[int, Any], Suggestion] = {}
    for issue in issues:
        key = (issue.community_id, issue.category_id or f"issue-{issue.pk}")
        if key not in groups:
            label = issue.category.name if issue.category else issue.title
            groups[key] = Suggestion(community=issue.community, label=label)
        groups[key].issues.append(issue)
    ranked = sorted(groups.values(), key=lambda s: (-s.score(now), s.oldest))
    return ranked[:limit]
