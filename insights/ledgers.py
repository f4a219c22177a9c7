"""Ledgers (台账) to Excel, for any area and period.

Workbooks are written by insights/xlsx.py, row by row from database cursors (`.iterator()`),
into a temporary file that the response then streams: the whole table is never held in
memory. Each workbook opens with a summary sheet holding the same rates as
the dashboard (from insights.metrics).
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext

from accounts.masking import Maskings
from concerns.display import place_name
from concerns.models import Concern, Issue
from insights import metrics, sources, xlsx
from places.models import Area

CHUNK = 2000


@dataclass(frozen=True)
class Ledger:
    key: str
    title: str | Promise
    sheets: tuple[str, ...]


LEDGERS = {
    "concerns": Ledger("concerns", gettext_lazy("Concern register"), ("concerns",)),
    "issues": Ledger("issues", gettext_lazy("Issue ledger"), ("issues",)),
    "meetings": Ledger("meetings", gettext_lazy("Meeting ledger"), ("meetings",)),
    "action_items": Ledger(
        "action_items", gettext_lazy("Action-item ledger (listed and closed)"), ("action_items",)
    ),
    "opinions": Ledger("opinions", gettext_lazy("Public-opinion report ledger"), ("opinions",)),
    "all": Ledger(
        "all",
        gettext_lazy("All ledgers"),
        ("concerns", "issues", "meetings", "action_items"),
    ),
}


def _local(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: write the site's local time."""
    if moment is None:
        return None
    return moment.astimezone(timezone.get_current_timezone()).replace(tzinfo=None, microsecond=0)


@dataclass
class Context:
    area: Area
    period: metrics.Period
    scope: metrics.Scope
    # What the reader sees of residents' phones, names and addresses, row by row
    # (accounts.masking: the same rule as the issue page and the API).
    masking: Maskings
    now: datetime


# ---- Sheets: (title, column headers, rows) ---------------------------------------------


def _columns(*headers: str) -> list[str]:
    """A sheet's headers; every sheet numbers its rows first."""
    return [pgettext("ledger column", "No."), *headers]


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Labels of a field's choices, translated once rather than once per row."""
    return {key: str(label) for key, label in choices}


def _yes(flag: bool) -> str:
    return pgettext("ledger cell", "yes") if flag else pgettext("ledger cell", "no")


def _concern_columns() -> list[str]:
    """The 来信来访登记表 columns."""
    return _columns(
        pgettext("ledger column", "Date received"),
        pgettext("ledger column", "Concern id"),
        pgettext("ledger column", "Channel"),
        pgettext("ledger column", "Name"),
        pgettext("ledger column", "Phone"),
        pgettext("ledger column", "Address"),
        pgettext("ledger column", "Community"),
        pgettext("ledger column", "Grid"),
        pgettext("ledger column", "Category"),
        pgettext("ledger column", "What was raised"),
        pgettext("ledger column", "Issue"),
        pgettext("ledger column", "Handling"),
        pgettext("ledger column", "Outcome"),
    )


def concern_sheet(ctx: Context) -> tuple[str, list[str], Iterator[list[Any]]]:
    """Laid out like the paper 来信来访登记表."""
    headers = _concern_columns()
    channels = _labels(Concern.Channel.choices)
    statuses = _labels(Issue.Status.choices)
    tz = timezone.get_current_timezone()
    rows = (
        metrics.received_concerns(ctx.scope, ctx.period)
        .order_by("received_at", "pk")
        .values_list(
            "received_at",
            "public_id",  # never the tracking code: that is the resident's secret
            "channel",
            "reporter_name",
            "phone",
            "address",
            "building__name",
            "building__compound__name",
            "compound__name",
            "issue__community__path",
            "issue__grid__path",
            "community__name",
            "grid__name",
            "category__name",
            "content",
            "issue__title",
            "issue__status",
            "issue__outcome",
        )
        .iterator(chunk_size=CHUNK)
    )

    def generate() -> Iterator[list[Any]]:
        for number, row in enumerate(rows, start=1):
            (received, code, channel, name, phone, address, building, building_compound,
             compound, community_path, grid_path, community, grid, category, content, issue,
             status, outcome) = row  # fmt: skip
            masking = ctx.masking(community_path, grid_path)
            name, phone = masking.name(name), masking.phone(phone)
            address = masking.address(address, place_name(building, building_compound, compound))
            yield [
                number,
                received.astimezone(tz).replace(tzinfo=None, microsecond=0),
                code,
                channels.get(channel, channel),
                name,
                phone,
                address,
                community,
                grid or "",
                category or "",
                content,
                issue,
                statuses.get(status, status),
                outcome,
            ]

    return pgettext("ledger sheet", "Concern register"), headers, generate()


def on_time_mark(accept_due: datetime | None, accepted: datetime | None, now: datetime) -> str:
    """The 响应率 test for one issue: "yes", "no", or "" when acceptance is not yet due."""
    if accept_due is None or (accepted is None and accept_due > now):
        return ""
    return _yes(accepted is not None and accepted <= accept_due)


def _issue_columns() -> list[str]:
    """One issue a row: where, what, how many, and its clocks."""
    return _columns(
        pgettext("ledger column", "Issue"),
        pgettext("ledger column", "Community"),
        pgettext("ledger column", "Grid"),
        pgettext("ledger column", "Category"),
        pgettext("ledger column", "Level"),
        pgettext("ledger column", "Status"),
        pgettext("ledger column", "Residents"),
        pgettext("ledger column", "Concerns"),
        pgettext("ledger column", "First received"),
        pgettext("ledger column", "Accept by"),
        pgettext("ledger column", "Accepted"),
        pgettext("ledger column", "Accepted in time"),
        pgettext("ledger column", "Resolve by"),
        pgettext("ledger column", "Settled"),
        pgettext("ledger column", "Settled in the grid"),
        pgettext("ledger column", "Outcome"),
    )


def issue_sheet(ctx: Context) -> tuple[str, list[str], Iterator[list[Any]]]:
    headers = _issue_columns()
    statuses = _labels(Issue.Status.choices)
    levels = _labels(Issue.Level.choices)
    rows = (
        metrics.received_issues(ctx.scope, ctx.period)
        .order_by("first_received_at", "pk")
        .values_list(
            "title",
            "community__name",
            "grid__name",
            "category__name",
            "level",
            "status",
            "residents_count",
            "concerns_count",
            "first_received_at",
            "accept_due_at",
            "accepted_at",
            "resolve_due_at",
            "settled_at",
            "outcome",
        )
        .iterator(chunk_size=CHUNK)
    )

    def generate() -> Iterator[list[Any]]:
        for number, row in enumerate(rows, start=1):
            (title, community, grid, category, level, status, residents, concerns, first,
             accept_due, accepted, resolve_due, settled, outcome) = row  # fmt: skip
            in_grid = status == Issue.Status.SETTLED and level == Issue.Level.GRID
            yield [
                number,
                title,
                community,
                grid or "",
                category or "",
                levels.get(level, level),
                statuses.get(status, status),
                residents,
                concerns,
                _local(first),
                _local(accept_due),
                _local(accepted),
                on_time_mark(accept_due, accepted, ctx.now),
                _local(resolve_due),
                _local(settled),
                pgettext("ledger cell", "yes") if in_grid else "",
                outcome,
            ]

    return pgettext("ledger sheet", "Issue ledger"), headers, generate()


def meeting_sheet(ctx: Context) -> tuple[str, list[str], Iterator[list[Any]]]:
    headers, rows = sources.meeting_ledger_rows(ctx.scope, ctx.period)
    return pgettext("ledger sheet", "Meeting ledger"), headers, _numbered(rows)


def action_item_sheet(ctx: Context) -> tuple[str, list[str], Iterator[list[Any]]]:
    headers, rows = sources.action_item_ledger_rows(ctx.scope, ctx.period, now=ctx.now)
    return pgettext("ledger sheet", "Action-item ledger"), headers, _numbered(rows)


def _numbered(rows: Iterable[list[Any]]) -> Iterator[list[Any]]:
    for number, row in enumerate(rows, start=1):
        yield [number, *[_local(v) if isinstance(v, datetime) else v for v in row]]


def _opinion_columns() -> list[str]:
    """One report a row, with every department it went to."""
    return _columns(
        pgettext("ledger column", "Date submitted"),
        pgettext("ledger column", "Report"),
        pgettext("ledger column", "CPPCC member"),
        pgettext("ledger column", "Area"),
        pgettext("ledger column", "Place"),
        pgettext("ledger column", "Status"),
        pgettext("ledger column", "Date adopted"),
        pgettext("ledger column", "Forwarded to"),
        pgettext("ledger column", "Reply due"),
        pgettext("ledger column", "Replied"),
        pgettext("ledger column", "Replied on time"),
        pgettext("ledger column", "Member's rating"),
        pgettext("ledger column", "Thematic topic"),
    )


def opinion_sheet(ctx: Context) -> tuple[str, list[str], Iterator[list[Any]]]:
    """社情民意台账: the reports submitted in the period about places in the area that the
    reader may see, one row each, with every department's reply and the member's rating."""
    from opinions.figures import reports_in
    from opinions.models import Forwarding, Report
    from opinions.permissions import visible_reports

    headers = _opinion_columns()
    statuses = _labels(Report.Status.choices)
    ratings = _labels(Forwarding.Rating.choices)
    reports = (
        reports_in(ctx.area, ctx.period.start_at, ctx.period.end_at)
        .filter(pk__in=visible_reports(ctx.masking.user).values("pk"))
        .select_related("member", "area", "topic")
        .prefetch_related("forwardings__organisation")
        .order_by("submitted_at", "pk")
    )

    def generate() -> Iterator[list[Any]]:
        for number, report in enumerate(reports.iterator(chunk_size=CHUNK), start=1):
            sent = list(report.forwardings.all())
            # The place is text the member typed: shown as the reader may see an address
            # in that community.
            community = report.area.path if report.area.kind == Area.Kind.COMMUNITY else None
            masking = ctx.masking(community, None)
            yield [
                number,
                _local(report.submitted_at),
                report.title,
                report.member.display_name,
                report.area.name,
                masking.address(report.place),
                statuses.get(report.status, report.status),
                _local(report.adopted_at),
                "、".join(f.organisation.name for f in sent),
                "、".join(f.due_on.isoformat() for f in sent),
                "、".join(f"{_local(f.replied_at):%Y-%m-%d}" for f in sent if f.replied_at),
                "、".join(_yes(f.replied_on_time) for f in sent if f.replied_at),
                "、".join(ratings[f.rating] for f in sent if f.rating),
                report.topic.title if report.topic else "",
            ]

    return pgettext("ledger sheet", "Public-opinion report ledger"), headers, generate()


SHEETS: dict[str, Callable[[Context], tuple[str, list[str], Iterator[list[Any]]]]] = {
    "concerns": concern_sheet,
    "issues": issue_sheet,
    "meetings": meeting_sheet,
    "action_items": action_item_sheet,
    "opinions": opinion_sheet,
}


def summary_rows(ctx: Context) -> list[list[Any]]:
    rates = metrics.rates(ctx.scope, ctx.period, now=ctx.now)
    rows: list[list[Any]] = [
        [pgettext("ledger column", "Area"), ctx.area.name],
        [
            pgettext("ledger column", "Period"),
            f"{ctx.period.start.isoformat()} – {ctx.period.end.isoformat()}",
        ],
        [pgettext("ledger column", "Exported"), _local(ctx.now)],
        [],
        [
            pgettext("ledger column", "Figure"),
            pgettext("ledger column", "Value (%)"),
            pgettext("ledger column", "Counted"),
            pgettext("ledger column", "Out of"),
            pgettext("ledger column", "How it is computed"),
        ],
    ]
    for rate in rates.values():
        rows.append(
            [str(rate.label), rate.value, rate.numerator, rate.denominator, str(rate.definition)]
        )
    return rows


# ---- Writing ----------------------------------------------------------------------------


def write_ledger(
    kind: str,
    area: Area,
    period: metrics.Period,
    *,
    reader: Any,
    out: IO[bytes],
    now: datetime | None = None,
) -> None:
    """Write the ledger `kind` (a key of LEDGERS) for the area and period to `out`
    (insights/xlsx.py: rows are streamed from database cursors into the file), residents'
    details masked for `reader` (a user) as accounts.masking decides."""
    ctx = Context(area, period, metrics.Scope.of(area), Maskings(reader), now or timezone.now())
    workbook = xlsx.Workbook(out)
    summary = [[xlsx.Cell(f"{area.name} · {LEDGERS[kind].title}", xlsx.TITLE)], *summary_rows(ctx)]
    workbook.add_sheet(pgettext("ledger sheet", "Summary"), summary, widths=[22, 18, 18, 18, 60])
    for sheet_key in LEDGERS[kind].sheets:
        name, headers, rows = SHEETS[sheet_key](ctx)
        header = [xlsx.Cell(text, xlsx.HEADER) for text in headers]
        workbook.add_sheet(
            name, itertools.chain([header], rows), widths=_widths(len(headers)), freeze_header=True
        )
    workbook.close()


def _widths(columns: int) -> list[int]:
    return [6] + [18] * (columns - 1)


def ledger_file(kind: str, area: Area, period: metrics.Period, *, reader: Any) -> IO[bytes]:
    """The ledger in a temporary file (deleted when closed), rewound for streaming."""
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    write_ledger(kind, area, period, reader=reader, out=out)
    out.seek(0)
    return out


def filename(kind: str, area: Area, period: metrics.Period) -> str:
    return f"{area.name}-{LEDGERS[kind].title}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
