"""The one definition of every figure Yishi reports.

The dashboard, the JSON API, the monthly report, the ledgers' summary sheet and the public
community page all read their numbers from here, so a rate can never mean two things.

Every figure is an aggregate query over an area's subtree and a date range; Python only
reshapes the few rows the database returns (buckets × channels, statuses, children). The
concern and issue counts of past months come from tallies counted ahead with these same
definitions (insights/tallies.py), the rest from the raw rows: the same figures either way.

Figures are "by cohort": the issues received in the period (first concern in the period,
merged issues left out) are the base of 响应率, 解决率 and 小事不出网格率 alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from concerns.models import Concern, Issue
from insights.periods import Period
from places.models import Area
from places.profiles import Population, per_thousand, resident_populations

HOTTEST_LIMIT = 10
OVERDUE_LIMIT = 10

SOLVED_STATUSES = (Issue.Status.SETTLED, Issue.Status.RESOLVED)
# Every status but merged, named (not "≠ merged") so that the database can use the
# (community, status, …) indexes of concerns_issue.
COUNTED_STATUSES = [s for s in Issue.Status.values if s != Issue.Status.MERGED]


# ---- Which rows belong to an area -----------------------------------------------------


def community_paths(area: Area) -> dict[int, str]:
    """The communities in the area's subtree with their paths (one small indexed query)."""
    if area.kind == Area.Kind.COMMUNITY:
        return {area.pk: area.path}
    return dict(
        Area.objects.filter(path__startswith=area.path, kind=Area.Kind.COMMUNITY).values_list(
            "pk", "path"
        )
    )


@dataclass
class Scope:
    """An area resolved once into the filters every figure uses."""

    area: Area
    paths: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, area: Area) -> Scope:
        return cls(area, {} if area.kind == Area.Kind.GRID else community_paths(area))

    @property
    def ids(self) -> list[int]:
        return sorted(self.paths)

    def where(self, community_field: str = "community", grid_field: str = "grid") -> Q:
        if self.area.kind == Area.Kind.GRID:
            return Q(**{f"{grid_field}_id": self.area.pk})
        return Q(**{f"{community_field}_id__in": self.ids})

    def issues(self) -> QuerySet[Issue]:
        return Issue.objects.filter(self.where(), status__in=COUNTED_STATUSES)

    def concerns(self) -> QuerySet[Concern]:
        return Concern.objects.filter(self.where())


def received_issues(scope: Scope, period: Period) -> QuerySet[Issue]:
    """The cohort: issues whose first concern came in the period (merged ones left out)."""
    return scope.issues().filter(
        first_received_at__gte=period.start_at, first_received_at__lt=period.end_at
    )


def received_concerns(scope: Scope, period: Period) -> QuerySet[Concern]:
    return scope.concerns().filter(received_at__gte=period.start_at, received_at__lt=period.end_at)


# ---- Rates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    key: str
    label: str | Promise
    definition: str | Promise
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """Percent with one decimal; None when nothing was counted."""
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    @property
    def display(self) -> str:
        value = self.value
        return "—" if value is None else f"{value:.1f}%"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": str(self.label),
            "definition": str(self.definition),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
        }


RATE_TEXT: dict[str, tuple[Promise, Promise]] = {
    "response": (
        _("Response rate"),
        _(
            "Issues accepted within their category's time limit, divided by the issues received "
            "in the period whose time to accept has run out or that were accepted."
        ),
    ),
    "resolution": (
        _("Resolution rate"),
        _("Issues settled or resolved, divided by all issues received in the period."),
    ),
    "satisfaction": (
        _("Satisfaction rate"),
        _(
            "Ratings of 'satisfied' or 'basically satisfied', divided by all ratings residents "
            "gave in the period."
        ),
    ),
    "grid": (
        _("Settled-in-the-grid rate"),
        _(
            "Issues settled by the grid itself, divided by all issues settled or resolved, "
            "among the issues received in the period."
        ),
    ),
}
RATE_KEYS = ("response", "resolution", "satisfaction", "grid")


def _rate(key: str, numerator: int, denominator: int) -> Rate:
    label, definition = RATE_TEXT[key]
    return Rate(key, label, definition, numerator or 0, denominator or 0)


def _child_field(scope: Scope) -> str:
    """What a row is grouped by for drilling down: grids in a community, else communities."""
    return "grid_id" if scope.area.kind in (Area.Kind.COMMUNITY, Area.Kind.GRID) else "community_id"


def sources_of(scope: Scope, period: Period, *, now: datetime | None = None) -> Any:
    """Where the period's concern and issue rows are read from: whole closed months, and
    the current month up to today, from the tallies (insights/tallies.py); the rest from the
    raw tables. Same figures either way."""
    from insights import tallies

    now = now or timezone.now()
    if period.daily:  # drawn day by day: every row raw
        return tallies.plan(scope, period.start_at, period.end_at, [], now)
    months = tallies.closed_months(period.start, period.end, now)
    to_date = tallies.month_to_date(period.start, period.end, now)
    return tallies.plan(scope, period.start_at, period.end_at, months, now, to_date)


def issue_table(
    scope: Scope, period: Period, *, now: datetime | None = None, plan: Any = None
) -> list[tuple[int | None, str, str, int, int, int]]:
    """The cohort grouped by (area below, status, level), with how many of each group were
    due for acceptance and accepted in time: every issue figure comes from this table.

    Due: the issue has a time to accept, and that time has passed or it was accepted.
    In time: accepted no later than its time to accept.
    (The same groups may come twice, from the tallies and from the raw rows: callers sum.)"""
    from insights import tallies

    now = now or timezone.now()
    plan = plan or sources_of(scope, period, now=now)
    rows: list[tuple[int | None, str, str, int, int, int]] = []
    if plan.raw:
        rows += (
            scope.issues()
            .filter(plan.raw_filter("first_received_at", also_after="last_received_at"))
            .values_list(_child_field(scope), "status", "level")
            .annotate(
                n=Count("pk"),
                due=Count("pk", filter=tallies.due_filter(now)),
                on_time=Count("pk", filter=tallies.on_time_filter(now)),
            )
            .order_by()
        )
    rows += tallies.issue_rows(scope, plan, _child_field(scope))
    return rows


def counts_from(table: list[tuple[int | None, str, str, int, int, int]]) -> dict[str, int]:
    """The counts behind 响应率, 解决率 and 小事不出网格率."""
    counts = {"received": 0, "due": 0, "on_time": 0, "solved": 0, "in_grid": 0}
    for _child, status, level, n, due, on_time in table:
        counts["received"] += n
        counts["due"] += due
        counts["on_time"] += on_time
        if status in SOLVED_STATUSES:
            counts["solved"] += n
            if status == Issue.Status.SETTLED and level == Issue.Level.GRID:
                counts["in_grid"] += n
    return counts


def issue_counts(scope: Scope, period: Period, *, now: datetime | None = None) -> dict[str, int]:
    return counts_from(issue_table(scope, period, now=now))


def satisfaction_counts(scope: Scope, period: Period) -> dict[str, int]:
    """Ratings given in the period about matters in the area (from accountability)."""
    from insights import sources

    return sources.rating_counts(scope, period)


def rates_from(counts: dict[str, int], ratings: dict[str, int]) -> dict[str, Rate]:
    return {
        "response": _rate("response", counts["on_time"], counts["due"]),
        "resolution": _rate("resolution", counts["solved"], counts["received"]),
        "satisfaction": _rate("satisfaction", ratings["satisfied"], ratings["rated"]),
        "grid": _rate("grid", counts["in_grid"], counts["solved"]),
    }


def rates(scope: Scope, period: Period, *, now: datetime | None = None) -> dict[str, Rate]:
    return rates_from(issue_counts(scope, period, now=now), satisfaction_counts(scope, period))


# ---- Counts ------------------------------------------------------------------------------


@dataclass
class ConcernTable:
    """The period's concerns counted three ways: by (bucket label, channel) for the chart
    over time, by category name, and by the area below for the drill-down. A group may come
    more than once (from the tallies and from the raw rows): readers sum."""

    by_channel: list[tuple[str, str, int]] = field(default_factory=list)
    by_category: list[tuple[str | None, int]] = field(default_factory=list)
    children: list[tuple[int | None, int]] = field(default_factory=list)


def concern_table(scope: Scope, period: Period, *, plan: Any = None) -> ConcernTable:
    """Grouped queries over the raw rows (one for a period drawn month by month: its few
    groups per child are folded every way), and the tallied months' counts."""
    from concerns.models import Category

    plan = plan or sources_of(scope, period)
    child = _child_field(scope)
    parts = period.bucket_parts("received_at")
    table = ConcernTable()
    if plan.raw:
        raw = scope.concerns().filter(plan.raw_filter("received_at")).annotate(**parts)
        by_series = ["channel", "category__name"]
        if period.daily:  # days × children would be as many groups as rows
            groups = raw.values_list(*parts, *by_series).annotate(n=Count("pk")).order_by()
            for *bucket, channel, category, n in groups:
                table.by_channel.append((period.bucket_label(*bucket), channel, n))
                table.by_category.append((category, n))
            table.children += raw.values_list(child).annotate(n=Count("pk")).order_by()
        else:
            groups = raw.values_list(*parts, *by_series, child).annotate(n=Count("pk")).order_by()
            for *bucket, channel, category, below, n in groups:
                table.by_channel.append((period.bucket_label(*bucket), channel, n))
                table.by_category.append((category, n))
                table.children.append((below, n))
    if plan.concerns:
        names = dict(Category.objects.values_list("pk", "name"))
        for (community, month), counts in plan.concerns.items():
            label = period.bucket_label(month.year, month.month)
            table.by_channel += [(label, key, n) for key, n in counts["channels"].items()]
            table.by_category += [
                (names.get(int(key)) if key else None, n) for key, n in counts["categories"].items()
            ]
            if child == "community_id":
                table.children.append((community, counts["total"]))
            else:
                table.children += [
                    (int(key) if key else None, n) for key, n in counts["grids"].items()
                ]
    return table


def concerns_over_time(
    scope: Scope, period: Period, *, table: ConcernTable | None = None
) -> dict[str, Any]:
    """Concerns per day or month and channel, plus totals per channel and category: sums of
    concern_table's rows."""
    table = table or concern_table(scope, period)
    labels = period.buckets()
    index = {label: i for i, label in enumerate(labels)}
    by_channel: dict[str, list[int]] = {}
    channel_totals: dict[str, int] = defaultdict(int)
    category_totals: dict[str, int] = defaultdict(int)
    for label, channel, n in table.by_channel:
        series = by_channel.setdefault(channel, [0] * len(labels))
        position = index.get(label)
        if position is not None:
            series[position] += n
        channel_totals[channel] += n
    for category, n in table.by_category:
        category_totals[category or ""] += n
    total = sum(channel_totals.values())
    channels = [
        {"key": key, "label": str(label), "counts": by_channel[key], "total": channel_totals[key]}
        for key, label in Concern.Channel.choices
        if key in by_channel
    ]
    categories = [
        {"label": name or str(_("No category")), "count": n}
        for name, n in sorted(category_totals.items(), key=lambda item: (-item[1], item[0]))
    ]
    return {"total": total, "buckets": labels, "channels": channels, "categories": categories}


def issues_by_status_and_level(table: list[tuple]) -> dict[str, Any]:
    statuses: dict[str, int] = defaultdict(int)
    levels: dict[str, int] = defaultdict(int)
    for _child, status, level, n, _due, _on_time in table:
        statuses[status] += n
        levels[level] += n
    return {
        "statuses": [
            {"key": key, "label": str(label), "count": statuses[key]}
            for key, label in Issue.Status.choices
            if key != Issue.Status.MERGED
        ],
        "levels": [
            {"key": key, "label": str(label), "count": levels[key]}
            for key, label in Issue.Level.choices
        ],
    }


def hottest_issues(scope: Scope, period: Period, limit: int = HOTTEST_LIMIT) -> list[dict]:
    """The issues with the most residents behind them among those active in the period."""
    rows = (
        scope.issues()
        .filter(last_received_at__gte=period.start_at, first_received_at__lt=period.end_at)
        .order_by("-residents_count", "first_received_at", "pk")
        .values("pk", "title", "status", "residents_count", "concerns_count", "community__name")[
            :limit
        ]
    )
    return [
        {
            "id": r["pk"],
            "title": r["title"],
            "community": r["community__name"],
            "status": str(Issue.Status(r["status"]).label),
            "residents": r["residents_count"],
            "concerns": r["concerns_count"],
        }
        for r in rows
    ]


def overdue_issue_filter(now: datetime) -> Q:
    """Matches Issue.is_overdue: not accepted in time, or still open past its resolve date."""
    return Q(status=Issue.Status.NEW, accept_due_at__lt=now) | Q(
        status__in=Issue.OPEN_STATUSES, resolve_due_at__lt=now
    )


# Most urgent first; an issue without a date last (the same on every database).
OVERDUE_ORDER = (
    F("resolve_due_at").asc(nulls_last=True),
    F("accept_due_at").asc(nulls_last=True),
    F("pk").asc(),
)


def _overdue_key(row: tuple) -> tuple:
    """OVERDUE_ORDER in Python, for (pk, title, status, community, accept_due, resolve_due)."""
    pk, _title, _status, _community, accept_due, resolve_due = row
    return (
        resolve_due is None,
        resolve_due or _EARLIEST,
        accept_due is None,
        accept_due or _EARLIEST,
        pk,
    )


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def overdue_by_community(
    communities: list[int], now: datetime, limit: int = OVERDUE_LIMIT
) -> dict[int, tuple[int, list[tuple], datetime | None]]:
    """Per community: how many issues are overdue, the first `limit` of them (in
    OVERDUE_ORDER), and the last moment these hold (the earliest time limit not yet
    passed; None: none left). Two queries whatever the number of communities."""
    open_issues = Issue.objects.filter(community_id__in=communities, status__in=Issue.OPEN_STATUSES)
    result: dict[int, tuple[int, list[tuple], datetime | None]] = {}
    for community, n, next_resolve, next_accept in (
        open_issues.values_list("community_id")
        .annotate(
            n=Count("pk", filter=overdue_issue_filter(now)),
            next_resolve=Min("resolve_due_at", filter=Q(resolve_due_at__gte=now)),
            next_accept=Min(
                "accept_due_at", filter=Q(status=Issue.Status.NEW, accept_due_at__gte=now)
            ),
        )
        .order_by()
    ):
        until = min((d for d in (next_resolve, next_accept) if d is not None), default=None)
        result[community] = (n, [], until)
    ranked = (
        open_issues.filter(overdue_issue_filter(now))
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("community_id")], order_by=OVERDUE_ORDER)
        )
        .filter(rank__lte=limit)
        .values_list("pk", "title", "status", "community_id", "accept_due_at", "resolve_due_at")
    )
    for row in ranked:
        result[row[3]][1].append(row)
    return result


def overdue_issues(
    scope: Scope, *, now: datetime | None = None, limit: int = OVERDUE_LIMIT
) -> dict[str, Any]:
    """Open issues past a time limit now (a snapshot, not bound to the period).

    A community's count and first few are kept with its dashboard version
    (tallies.overdue_snapshots) until something changes in it or a time limit passes, so
    a district's dashboard re-reads only the communities where something happened."""
    from insights import tallies

    now = now or timezone.now()
    if scope.area.kind == Area.Kind.GRID:
        overdue = scope.issues().filter(overdue_issue_filter(now))
        rows = list(
            overdue.order_by(*OVERDUE_ORDER).values_list(
                "pk", "title", "status", "community_id", "accept_due_at", "resolve_due_at"
            )[:limit]
        )
        count = overdue.count()
    else:
        snapshots = tallies.overdue_snapshots(scope.ids, now, limit)
        count = sum(n for n, _rows in snapshots.values())
        rows = sorted((r for _n, rs in snapshots.values() for r in rs), key=_overdue_key)[:limit]
    names = dict(Area.objects.filter(pk__in={r[3] for r in rows}).values_list("pk", "name"))
    items = []
    for pk, title, status, community, accept_due, resolve_due in rows:
        items.append(
            {
                "id": pk,
                "title": title,
                "community": names.get(community),
                "status": str(Issue.Status(status).label),
                "due": accept_due if status == Issue.Status.NEW else resolve_due,
            }
        )
    return {"count": count, "items": items}


def _child_above(
    area: Area, children: Sequence[Mapping[str, Any]], paths: dict[int, str]
) -> Callable[[int | None], int | None]:
    """Which child of `area` a row's area falls in. A street's or district's rows come per
    community: they fold into the child above; a community's children are its grids."""

    def child_of(pk: int | None) -> int | None:
        if pk is None:
            return None
        if area.kind == Area.Kind.COMMUNITY:
            return pk
        path = paths.get(pk, "")
        for child in children:
            if path.startswith(child["path"]):
                return child["pk"]
        return None

    return child_of


def children_figures(
    scope: Scope,
    period: Period,
    table: list[tuple],
    *,
    concerns: ConcernTable | None = None,
    populations: dict[int, Population] | None = None,
) -> list[dict[str, Any]]:
    """One row per child area (for drilling down): concerns, issues, solved, 解决率, and
    concerns per 1,000 residents where the child's population is known.
    `table` is issue_table's, `concerns` concern_table's (read when not given)."""
    area = scope.area
    if area.kind == Area.Kind.GRID:
        return []
    children = list(
        Area.objects.filter(parent=area).order_by("path").values("pk", "code", "name", "path")
    )
    if not children:
        return []
    if concerns is None:
        concerns = concern_table(scope, period)
    child_of = _child_above(area, children, scope.paths)
    figures = {c["pk"]: {"concerns": 0, "issues": 0, "solved": 0} for c in children}
    for pk, status, _level, n, _due, _on_time in table:
        above = child_of(pk)
        if above in figures:
            figures[above]["issues"] += n
            if status in SOLVED_STATUSES:
                figures[above]["solved"] += n
    for pk, n in concerns.children:
        above = child_of(pk)
        if above in figures:
            figures[above]["concerns"] += n
    result = []
    for child in children:
        f = figures[child["pk"]]
        rate = _rate("resolution", f["solved"], f["issues"])
        population = (populations or {}).get(child["pk"])
        result.append(
            {
                "code": child["code"],
                "name": child["name"],
                "concerns": f["concerns"],
                "issues": f["issues"],
                "solved": f["solved"],
                "resolution_rate": rate.value,
                **per_resident(f["concerns"], population),
            }
        )
    return result


def per_resident(concerns: int, population: Population | None) -> dict[str, Any]:
    """Concerns per 1,000 residents (常住人口), with the population and the date it was
    counted; None throughout where the area has no population on record."""
    return {
        "per_thousand": per_thousand(concerns, population),
        "population": population.value if population else None,
        "population_as_of": population.as_of if population else None,
    }


# ---- Everything on one page --------------------------------------------------------------


def dashboard(area: Area, period: Period, *, now: datetime | None = None) -> dict[str, Any]:
    """Every figure of the dashboard, the API and the monthly report, in a fixed number of
    aggregate queries whatever the size of the area."""
    from insights import sources

    now = now or timezone.now()
    scope = Scope.of(area)
    plan = sources_of(scope, period, now=now)
    table = issue_table(scope, period, now=now, plan=plan)
    concerns = concern_table(scope, period, plan=plan)
    populations = resident_populations(area)  # two queries
    over_time = concerns_over_time(scope, period, table=concerns)
    return {
        "area": {"code": area.code, "name": area.name, "kind": area.kind},
        "period": {"start": period.start, "end": period.end, "daily": period.daily},
        "rates": rates_from(counts_from(table), satisfaction_counts(scope, period)),
        "concerns": over_time,
        "per_resident": per_resident(over_time["total"], populations.get(area.pk)),
        "issues": issues_by_status_and_level(table),
        "hottest": hottest_issues(scope, period),
        "overdue_issues": overdue_issues(scope, now=now),
        "meetings": sources.meetings_by_form(scope, period),
        "action_items": sources.action_items(scope, period, now=now),
        "children": children_figures(
            scope, period, table, concerns=concerns, populations=populations
        ),
        "computed_at": now,
    }
