"""ECharts options built from the dashboard's figures, so the page's script stays generic.

Each chart is drawn from exactly the numbers shown in the table beside it.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# Below the title (14 px text and ECharts' 5 px padding), also when a phone wraps nothing.
LEGEND_TOP = 36
PALETTE = ["#b4232a", "#1d5fa8", "#1a7f37", "#b35900", "#6f42c1", "#0e7c86", "#8c6d1f", "#c2185b"]


def _base(title: str) -> dict[str, Any]:
    return {
        "color": PALETTE,
        "title": {"text": title, "left": 0, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 12, "right": 24, "top": 76, "bottom": 12, "containLabel": True},
        "animation": False,
    }


def _over_time(option: dict[str, Any], buckets: list[Any]) -> None:
    """Periods along the bottom (labels thinned where they would overlap), counts up the side."""
    option["xAxis"] = {"type": "category", "data": buckets, "axisLabel": {"hideOverlap": True}}
    option["yAxis"] = {"type": "value", "minInterval": 1}


def concerns_over_time(figures: dict[str, Any]) -> dict[str, Any]:
    option = _base(_("Concerns by channel"))
    option["legend"] = {"top": LEGEND_TOP, "type": "scroll"}
    _over_time(option, figures["buckets"])
    option["series"] = [
        {"name": c["label"], "type": "bar", "stack": "all", "data": c["counts"]}
        for c in figures["channels"]
    ]
    return option


def concerns_by_category(figures: dict[str, Any]) -> dict[str, Any]:
    rows = list(reversed(figures["categories"][:12]))
    option = _base(_("Concerns by category"))
    option["tooltip"] = {"trigger": "item"}
    option["xAxis"] = {"type": "value", "minInterval": 1}
    option["yAxis"] = {"type": "category", "data": [r["label"] for r in rows]}
    option["series"] = [{"type": "bar", "data": [r["count"] for r in rows]}]
    return option


def counts_bar(title: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    option = _base(title)
    option["tooltip"] = {"trigger": "item"}
    option["xAxis"] = {
        "type": "category",
        "data": [r["label"] for r in rows],
        "axisLabel": {"interval": 0, "rotate": 30},
    }
    option["yAxis"] = {"type": "value", "minInterval": 1}
    option["series"] = [{"type": "bar", "data": [r["count"] for r in rows]}]
    return option


def counts_pie(title: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    option = _base(title)
    option["tooltip"] = {"trigger": "item"}
    option["legend"] = {"bottom": 0, "type": "scroll"}
    option["series"] = [
        {
            "type": "pie",
            "radius": ["35%", "62%"],
            "center": ["50%", "52%"],
            # Empty slices have no area but would still print their labels on top of each
            # other; the table beside the chart lists every row, zeros included.
            "data": [{"name": r["label"], "value": r["count"]} for r in rows if r["count"]],
        }
    ]
    return option


def action_items(figures: dict[str, Any]) -> dict[str, Any]:
    option = _base(_("Action items listed and closed"))
    option["legend"] = {"top": LEGEND_TOP}
    _over_time(option, figures["buckets"])
    option["series"] = [
        {"name": pgettext("action items", "Listed"), "type": "bar", "data": figures["listed"]},
        {"name": pgettext("action items", "Closed"), "type": "bar", "data": figures["closed"]},
    ]
    return option


def all_charts(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "concerns_over_time": concerns_over_time(figures["concerns"]),
        "concerns_by_category": concerns_by_category(figures["concerns"]),
        "issues_by_status": counts_bar(_("Issues by status"), figures["issues"]["statuses"]),
        "issues_by_level": counts_pie(_("Issues by level"), figures["issues"]["levels"]),
        "meetings_by_form": counts_bar(_("Meetings held by form"), figures["meetings"]["forms"]),
        "action_items": action_items(figures["action_items"]),
    }


def _count_table(first: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "headers": [first, _("Number")],
        "rows": [[r["label"], r["count"]] for r in rows],
    }


def all_tables(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The same numbers as each chart, as a table (for screen readers and for copying)."""
    concerns = figures["concerns"]
    channels = concerns["channels"]
    over_time = {
        "headers": [_("Period"), *[c["label"] for c in channels], _("Total")],
        "rows": [
            [bucket, *[c["counts"][i] for c in channels], sum(c["counts"][i] for c in channels)]
            for i, bucket in enumerate(concerns["buckets"])
        ],
    }
    items = figures["action_items"]
    action_rows = [
        [bucket, items["listed"][i], items["closed"][i]]
        for i, bucket in enumerate(items["buckets"])
    ]
    return {
        "concerns_over_time": over_time,
        "concerns_by_category": _count_table(_("Category"), concerns["categories"]),
        "issues_by_status": _count_table(_("Status"), figures["issues"]["statuses"]),
        "issues_by_level": _count_table(_("Level"), figures["issues"]["levels"]),
        "meetings_by_form": _count_table(_("Form"), figures["meetings"]["forms"]),
        "action_items": {
            "headers": [
                _("Period"),
                pgettext("action items", "Listed"),
                pgettext("action items", "Closed"),
            ],
            "rows": action_rows,
        },
    }


def panels(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """(key, option, table) for each chart, in page order."""
    options = all_charts(figures)
    tables = all_tables(figures)
    return [
        {
            "key": key,
            "script_id": f"chart-{key}",
            "title": options[key]["title"]["text"],
            "option": options[key],
            "table": tables[key],
        }
        for key in options
    ]


def opinions_panel(figures: Any) -> dict[str, Any]:
    """社情民意 of a district: the reports' way from submitted to replied, as one bar chart
    (figures: opinions.figures.OpinionFigures)."""
    rows = [
        {"label": _("Submitted"), "count": figures.submitted},
        {"label": pgettext("opinion", "Adopted"), "count": figures.adopted},
        {"label": _("Forwarded"), "count": figures.forwarded},
        {"label": _("Replied"), "count": figures.replied},
        {"label": _("Replied on time"), "count": figures.replied_on_time},
    ]
    option = counts_bar(_("Public-opinion reports"), rows)
    return {
        "key": "opinions",
        "script_id": "chart-opinions",
        "title": option["title"]["text"],
        "option": option,
        "table": {
            "headers": [_("Step"), _("Reports or replies")],
            "rows": [[r["label"], r["count"]] for r in rows],
        },
    }
