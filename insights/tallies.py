"""Past months summed ahead, so a district's dashboard does not count 250,000 rows cold.

A *tally* holds one month of one community — a closed month, or the current month up to the
start of today: its concerns counted in all and by channel, category and grid (a JSON map
on its Version row: the charts and the drill-down need no cross-counts), and its cohort of
issues counted by grid, status and level with the 响应率 counts (IssueTally rows). A
dashboard reads the tallied months of its period from there and the rest (today, the
partial months at the ends of a chosen range, any month whose tallies cannot be used, and
every row of a grid's dashboard or of a period drawn day by day) from the raw rows, with the
very same definitions (`insights.metrics`), so the figures are identical either way.

Staying exact:

* Every change in Yishi records a timeline event. `bump_for(subject)` runs after the event's
  commit and bumps, in one UPDATE, the community's dashboard version (insights/cache.py) and,
  when the change is dated before today, the version of the month it reaches back to: a
  concern's own month; for an issue the month of its first concern *and every later one*
  (an issue's first concern only ever moves earlier — a backdated concern joins, two issues
  merge — so the month it was counted in is among them). A concern dated today costs
  nothing more.
* A month's tallies are used only while `tallied == version`; otherwise they are computed
  again from the raw rows (`rollup`: lazily by the dashboard that needs them, or ahead of
  it by `manage.py tally_insights` from cron). The rollup keeps the version it *read before*
  counting, so a change committed while it counts leaves the month stale, never wrong.
* 响应率 depends on the moment: an issue not yet accepted becomes "due" when its time to
  accept passes. Tallies are counted for a moment (`tallied_at`) and hold until the next
  unaccepted issue of the month becomes due (`due_changes_at`); outside that window the
  month is counted again. The current month's tally counts up to the start of a day
  (`counted_until`) and is counted again the next day.
* The DASHBOARDS row of a community also keeps its overdue issues (count and first few,
  `overdue_snapshots`), good until its next change or the next time limit to pass.
* Months are the site's time zone's (settings.TIME_ZONE); under any other active time zone
  every figure is read raw.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from concerns.models import Concern, Issue
from core import sql
from insights import metrics
from insights.models import IssueTally, Version
from places.models import Area

# Version.community of the row every dashboard key carries (changes without a community).
EVERYTHING = 0
# Version.month of a community's dashboard version.
DASHBOARDS = date(1, 1, 1)

Pair = tuple[int, date]  # (community pk, first day of the month)


def stamp() -> int:
    """A new version: unique enough that a key never comes back after a database reset."""
    return time.time_ns()


# ---- Months -------------------------------------------------------------------------------


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def month_of(moment: datetime) -> date:
    return first_of_month(timezone.localtime(moment, timezone.get_default_timezone()).date())


def _at(day: date) -> datetime:
    return timezone.make_aware(
        datetime.combine(day, datetime.min.time()), timezone.get_default_timezone()
    )


def current_month() -> date:
    return first_of_month(timezone.localdate(timezone.now(), timezone.get_default_timezone()))


def closed_months(start: date, end: date, now: datetime) -> list[date]:
    """The whole months within [start, end] (days, both included) that were over by `now`
    and are over in fact (a month is tallied only once it has really ended)."""
    if timezone.get_current_timezone_name() != settings.TIME_ZONE:
        return []
    limit = min(now, timezone.now())
    months = []
    month = first_of_month(start)
    if month < start:
        month = next_month(month)
    while next_month(month) - timedelta(days=1) <= end and _at(next_month(month)) <= limit:
        months.append(month)
        month = next_month(month)
    return months


def month_to_date(start: date, end: date, now: datetime) -> date | None:
    """Today, when the current month up to the start of today can be read from tallies for
    the days [start, end] at `now`: the range holds the whole of it (from its first day to
    today), and `now` is today (a figure as of another day is read raw)."""
    if timezone.get_current_timezone_name() != settings.TIME_ZONE:
        return None
    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    if timezone.localdate(now, timezone.get_default_timezone()) != today or now > timezone.now():
        return None
    if today.day == 1 or start > first_of_month(today) or end < today:
        return None
    return today


# ---- Marking months stale: the listener's one statement -------------------------------------


def _day_of(moment: datetime) -> date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def changed_since(subject: Any) -> tuple[date, bool] | None:
    """The tallied month a change to `subject` reaches back to, and whether every later
    month may be touched too (issues) or that month alone (concerns). None when the change
    is about today only (today is never tallied): nothing to mark."""
    if isinstance(subject, Concern):
        day, onwards = _day_of(subject.received_at), False
    elif isinstance(subject, Issue):
        day, onwards = _day_of(subject.first_received_at), True
    else:
        return None
    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    return (first_of_month(day), onwards) if day < today else None


def bump_for(subject: Any) -> None:
    """After an event about `subject` committed: mark its community's cached dashboards and
    any tallied month it changed stale. One UPDATE, no SELECT (the subject is cached on the
    event); an event without a community marks every area's dashboards stale."""
    bump_for_all([subject])


def bump_for_all(subjects: Iterable[Any]) -> None:
    """bump_for() for the subjects of one state change (record_many: a concern and its
    issue): one UPDATE per community they belong to, usually one in all."""
    # Per community: the conditions on `month` of the rows to bump ("month = %s", DASHBOARDS)…
    stale: dict[int, list[tuple[str, date]]] = {}
    for subject in subjects:
        community = getattr(subject, "community_id", None) or EVERYTHING
        months = stale.setdefault(community, [("month = %s", DASHBOARDS)])
        since = changed_since(subject) if community != EVERYTHING else None
        if since is not None:
            month, onwards = since
            months.append(("month >= %s" if onwards else "month = %s", month))
    # Written out rather than built by the ORM: it runs after every state change (yishi/sql.py).
    for community, months in stale.items():
        which = " OR ".join(condition for condition, _month in months)
        sql.run(
            f"UPDATE insights_version SET version = %s WHERE community = %s AND ({which})",  # noqa: S608
            [stamp(), community, *(month for _condition, month in months)],
        )


def dashboard_versions(communities: list[int]) -> dict[int, int]:
    """The dashboard versions of these communities (EVERYTHING for every area's), creating
    the rows the first time (so the next event has a row to bump)."""
    rows = dict(
        Version.objects.filter(community__in=communities, month=DASHBOARDS).values_list(
            "community", "version"
        )
    )
    missing = [c for c in communities if c not in rows]
    if missing:
        Version.objects.bulk_create(
            [Version(community=c, month=DASHBOARDS, version=stamp()) for c in missing],
            ignore_conflicts=True,
        )
        rows = dict(
            Version.objects.filter(community__in=communities, month=DASHBOARDS).values_list(
                "community", "version"
            )
        )
    return rows


# ---- Overdue issues per community, kept with the dashboard version -----------------------


def overdue_snapshots(
    communities: list[int], now: datetime, limit: int
) -> dict[int, tuple[int, list[tuple]]]:
    """metrics.overdue_by_community for these communities, read from the DASHBOARDS rows
    where it still holds (nothing changed in the community since, and no time limit passed
    between then and `now`), counted again for the others."""
    from insights.metrics import overdue_by_community

    if not communities:
        return {}
    dashboard_versions(communities)  # the rows exist (usually: one read, nothing written)
    rows = Version.objects.filter(community__in=communities, month=DASHBOARDS).values_list(
        "pk", "community", "version", "tallied", "tallied_at", "due_changes_at", "snapshot"
    )
    result: dict[int, tuple[int, list[tuple]]] = {}
    stale: dict[int, tuple[int, int]] = {}
    for pk, community, version, tallied, tallied_at, until, snapshot in rows:
        if (
            tallied == version
            and tallied_at is not None
            and tallied_at <= now
            and (until is None or now <= until)
            and snapshot is not None
            and snapshot["limit"] >= limit
        ):
            result[community] = (snapshot["count"], [_row(r) for r in snapshot["rows"]][:limit])
        else:
            stale[community] = (pk, version)
    if stale:
        counted = overdue_by_community(sorted(stale), now, limit)
        updates = []
        for community, (pk, version) in stale.items():
            count, first, until = counted.get(community, (0, [], None))
            result[community] = (count, first)
            updates.append(
                Version(
                    pk=pk,
                    tallied=version,
                    tallied_at=now,
                    due_changes_at=until,
                    snapshot={"count": count, "limit": limit, "rows": [_json(r) for r in first]},
                )
            )
        Version.objects.bulk_update(
            updates, ["tallied", "tallied_at", "due_changes_at", "snapshot"], batch_size=500
        )
    return result


def _json(row: tuple) -> list:
    pk, title, status, community, accept_due, resolve_due = row
    return [
        pk,
        title,
        status,
        community,
        accept_due.isoformat() if accept_due else None,
        resolve_due.isoformat() if resolve_due else None,
    ]


def _row(data: list) -> tuple:
    pk, title, status, community, accept_due, resolve_due = data
    return (
        pk,
        title,
        status,
        community,
        datetime.fromisoformat(accept_due) if accept_due else None,
        datetime.fromisoformat(resolve_due) if resolve_due else None,
    )


# ---- Which rows a figure reads from where -------------------------------------------------


@dataclass
class Plan:
    """Where a figure's rows come from: `tallied` months (of these communities) from the
    tallies, and the `raw` ranges [start, end) (of these communities; None: all in scope)
    from the raw tables."""

    tallied: dict[date, list[int]] = field(default_factory=dict)
    raw: list[tuple[list[int] | None, datetime, datetime]] = field(default_factory=list)
    communities: list[int] = field(default_factory=list)
    # The tallied pairs' concern counts (see _count_concerns).
    concerns: dict[Pair, dict[str, Any]] = field(default_factory=dict)

    def raw_filter(self, moment_field: str, also_after: str = "") -> Q:
        """Rows whose `moment_field` is in a raw range. `also_after` names a field known to
        be no earlier than `moment_field` (an issue's last_received_at): the same condition
        on it changes no result but lets the database use an index that has it."""
        condition = Q(pk__in=[])
        for communities, start, end in self.raw:
            part = Q(**{f"{moment_field}__gte": start, f"{moment_field}__lt": end})
            if also_after:
                part &= Q(**{f"{also_after}__gte": start})
            if communities is not None:
                part &= Q(community_id__in=communities)
            condition |= part
        return condition

    def tally_filter(self) -> Q:
        whole = [m for m, cs in self.tallied.items() if len(cs) == len(self.communities)]
        condition = Q(month__in=whole) if whole else Q(pk__in=[])
        for month, communities in self.tallied.items():
            if len(communities) != len(self.communities):
                condition |= Q(month=month, community_id__in=communities)
        return condition


def plan(
    scope: Any,
    start_at: datetime,
    end_at: datetime,
    months: list[date],
    now: datetime,
    to_date: date | None = None,
) -> Plan:
    """Split [start_at, end_at) into tallied months and raw ranges, counting again (rollup)
    any month whose tallies are missing, stale or not valid at `now`. `months` are whole
    closed months; `to_date` (today) adds the current month up to the start of today."""
    spans = dict.fromkeys(months)
    if to_date is not None:
        spans[first_of_month(to_date)] = to_date
    if not spans or scope.area.kind == Area.Kind.GRID:  # a grid's few rows are read raw
        return Plan(raw=[(None, start_at, end_at)])
    months = sorted(spans)
    communities = scope.ids
    usable = ensure(communities, spans, now)
    result = Plan(communities=communities, concerns=usable)
    if start_at < _at(months[0]):
        result.raw.append((None, start_at, _at(months[0])))
    for month in months:
        fresh = [c for c in communities if (c, month) in usable]
        stale = [c for c in communities if (c, month) not in usable]
        if fresh:
            result.tallied[month] = fresh
        if stale:
            whole = len(stale) == len(communities)
            start, end = _at(month), _span_end(month, spans[month])
            previous = result.raw[-1] if result.raw else None
            if whole and previous and previous[0] is None and previous[2] == start:
                result.raw[-1] = (None, previous[1], end)
            else:
                result.raw.append((None if whole else stale, start, end))
    after = _span_end(months[-1], spans[months[-1]])
    if after < end_at:
        previous = result.raw[-1] if result.raw else None
        if previous and previous[0] is None and previous[2] == after:
            result.raw[-1] = (None, previous[1], end_at)
        else:
            result.raw.append((None, after, end_at))
    return result


def _span_end(month: date, until: date | None) -> datetime:
    return _at(until or next_month(month))


def _usable(row: tuple, now: datetime, until: date | None) -> bool:
    _c, _m, version, tallied, tallied_at, due_changes_at, counted_until, concerns = row
    return (
        concerns is not None
        and tallied == version
        and counted_until == until
        and tallied_at is not None
        and tallied_at <= now
        and (due_changes_at is None or now < due_changes_at)
    )


_STATE = ("community", "month", "version", "tallied", "tallied_at", "due_changes_at")


def ensure(
    communities: list[int], spans: dict[date, date | None], now: datetime
) -> dict[Pair, dict[str, Any]]:
    """The (community, month) pairs whose tallies hold at `now` (and count the month up to
    `spans[month]`, None: the whole month), with their concern counts; those that do not
    hold are counted again (unless another process is counting them right now)."""
    if not communities:
        return {}
    rows = Version.objects.filter(community__in=communities, month__in=list(spans)).values_list(
        *_STATE, "counted_until", "concerns"
    )
    usable = {(r[0], r[1]): r[7] for r in rows if _usable(r, now, spans[r[1]])}
    wanted = {(c, m) for c in communities for m in spans}
    if len(usable) < len(wanted):
        usable.update(rollup(wanted - set(usable), now, spans))
    return usable


# ---- Counting months again -----------------------------------------------------------------


def due_filter(now: datetime) -> Q:
    """响应率's denominator: the issue has a time to accept, and that time has passed or it
    was accepted."""
    return Q(accept_due_at__isnull=False) & (
        Q(accept_due_at__lte=now) | Q(accepted_at__isnull=False)
    )


def on_time_filter(now: datetime) -> Q:
    """响应率's numerator: due, and accepted no later than its time to accept."""
    return due_filter(now) & Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due_at"))


def _by_month(pairs: Iterable[Pair]) -> dict[date, list[int]]:
    grouped: dict[date, list[int]] = defaultdict(list)
    for community, month in pairs:
        grouped[month].append(community)
    return grouped


def _pairs_filter(pairs: Iterable[Pair], community_field: str = "community_id") -> Q:
    condition = Q(pk__in=[])
    for month, communities in _by_month(pairs).items():
        condition |= Q(month=month, **{f"{community_field}__in": communities})
    return condition


def _month_parts(moment_field: str) -> dict[str, Any]:
    tz = timezone.get_default_timezone()
    return {
        "tally_year": ExtractYear(moment_field, tzinfo=tz),
        "tally_month": ExtractMonth(moment_field, tzinfo=tz),
    }


def rollup(
    pairs: set[Pair], now: datetime, spans: dict[date, date | None]
) -> dict[Pair, dict[str, Any]]:
    """Count the given (community, month) pairs again from the raw rows, as of `now`, each
    month up to spans[month] (None: whole). Returns the pairs counted with their concern
    counts (pairs another process holds locked are left to it)."""
    if not pairs:
        return {}
    communities = sorted({c for c, _m in pairs})
    months = sorted({m for _c, m in pairs})
    with transaction.atomic():
        # Rows to lock and to bump (the listener only updates rows that exist).
        Version.objects.bulk_create(
            [Version(community=c, month=m, version=stamp()) for c, m in pairs],
            ignore_conflicts=True,
        )
        locked = {
            (c, m): (pk, version)
            for pk, c, m, version in Version.objects.select_for_update(skip_locked=True)
            .filter(_pairs_filter(pairs, "community"))
            .values_list("pk", "community", "month", "version")
        }
        if not locked:
            return {}
        start, end = _at(months[0]), max(_span_end(m, spans[m]) for m in months)
        concerns = _count_concerns(locked, communities, start, end)
        issues, due_changes = _count_issues(locked, communities, start, end, now)
        IssueTally.objects.filter(_pairs_filter(locked)).delete()
        IssueTally.objects.bulk_create(issues, batch_size=5000)
        versions = [
            Version(
                pk=pk,
                tallied=version,
                tallied_at=now,
                due_changes_at=due_changes.get(pair),
                counted_until=spans[pair[1]],
                concerns=concerns[pair],
            )
            for pair, (pk, version) in locked.items()
        ]
        Version.objects.bulk_update(
            versions,
            ["tallied", "tallied_at", "due_changes_at", "counted_until", "concerns"],
            batch_size=1000,
        )
    return {pair: concerns[pair] for pair in locked}


def _grouped(
    queryset: QuerySet, moment_field: str, *fields: str, **aggregates: Any
) -> Iterable[tuple]:
    parts = _month_parts(moment_field)
    return (
        queryset.annotate(**parts)
        .values_list("community_id", "grid_id", *parts, *fields)
        .annotate(**aggregates)
        .order_by()
    )


def empty_counts() -> dict[str, Any]:
    return {"total": 0, "channels": {}, "categories": {}, "grids": {}}


def _key(pk: int | None) -> str:
    return "" if pk is None else str(pk)


def _count_concerns(
    pairs: dict[Pair, Any], communities: list[int], start: datetime, end: datetime
) -> dict[Pair, dict[str, Any]]:
    """Per pair: concerns in all, and by channel, by category and by grid (keys of the
    last two: pks as text, "" for none). The charts and the drill-down need no more."""
    rows = _grouped(
        Concern.objects.filter(
            community_id__in=communities, received_at__gte=start, received_at__lt=end
        ),
        "received_at",
        "channel",
        "category_id",
        n=Count("pk"),
    )
    counts = {pair: empty_counts() for pair in pairs}
    for community, grid, year, month_number, channel, category, n in rows:
        found = counts.get((community, date(year, month_number, 1)))
        if found is None:
            continue
        found["total"] += n
        for part, key in (
            ("channels", channel),
            ("categories", _key(category)),
            ("grids", _key(grid)),
        ):
            found[part][key] = found[part].get(key, 0) + n
    return counts


def _count_issues(
    pairs: dict[Pair, Any], communities: list[int], start: datetime, end: datetime, now: datetime
) -> tuple[list[IssueTally], dict[Pair, datetime]]:
    waiting = Q(accepted_at__isnull=True, accept_due_at__gt=now)
    rows = _grouped(
        Issue.objects.filter(
            community_id__in=communities,
            status__in=metrics.COUNTED_STATUSES,
            first_received_at__gte=start,
            first_received_at__lt=end,
            last_received_at__gte=start,  # implied (see Plan.raw_filter), for the index
        ),
        "first_received_at",
        "status",
        "level",
        n=Count("pk"),
        due=Count("pk", filter=due_filter(now)),
        on_time=Count("pk", filter=on_time_filter(now)),
        next_due=Min("accept_due_at", filter=waiting),
    )
    tallies = []
    due_changes: dict[Pair, datetime] = {}
    for community, grid, year, month_number, status, level, n, due, on_time, next_due in rows:
        pair = (community, date(year, month_number, 1))
        if pair not in pairs:
            continue
        tallies.append(
            IssueTally(
                community_id=community,
                grid_id=grid,
                month=pair[1],
                status=status,
                level=level,
                count=n,
                due=due,
                on_time=on_time,
            )
        )
        if next_due is not None and (pair not in due_changes or next_due < due_changes[pair]):
            due_changes[pair] = next_due
    return tallies, due_changes


def rollup_all(months: int, *, now: datetime | None = None) -> int:
    """Count ahead every community's closed months among the last `months` whose tallies
    are missing or stale (for cron). Returns how many community-months were counted."""
    now = now or timezone.now()
    last = current_month()
    first = last
    for _ in range(months):
        first = first_of_month(first - timedelta(days=1))
    wanted = closed_months(first, last - timedelta(days=1), now)
    communities = list(
        Area.objects.filter(kind=Area.Kind.COMMUNITY).order_by("pk").values_list("pk", flat=True)
    )
    spans: list[dict[date, date | None]] = [{month: None} for month in wanted]
    today = month_to_date(last, timezone.localdate(now), now)
    if today is not None:
        spans.append({last: today})
    counted = 0
    for span in spans:  # a month at a time: short transactions, short locks
        rows = Version.objects.filter(community__in=communities, month__in=list(span))
        state = rows.values_list(*_STATE, "counted_until", "concerns")
        usable = {(r[0], r[1]) for r in state if _usable(r, now, span[r[1]])}
        pairs = {(c, m) for c in communities for m in span}
        counted += len(rollup(pairs - usable, now, span))
    return counted


# ---- Reading the tallies ------------------------------------------------------------------


def _tally_scope(scope: Any) -> Q:
    if scope.area.kind == Area.Kind.GRID:
        return Q(grid_id=scope.area.pk)
    return Q(community_id__in=scope.ids)


def issue_rows(scope: Any, tallies: Plan, child_field: str) -> list[tuple]:
    """Tallied issues grouped as metrics.issue_table groups the raw ones."""
    if not tallies.tallied:
        return []
    return list(
        IssueTally.objects.filter(_tally_scope(scope), tallies.tally_filter())
        .values_list(child_field, "status", "level")
        .annotate(n=Sum("count"), due=Sum("due"), on_time=Sum("on_time"))
        .order_by()
    )
