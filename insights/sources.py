"""Figures from the later workflow steps: meetings (consultations), action items and
residents' ratings (accountability). Insights sits on top of the workflow and reads them;
the definitions live here once, like the issue figures in insights.metrics.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import pgettext

from accountability.models import ActionItem, Evaluation
from consultations.models import Meeting
from places.models import Area

if TYPE_CHECKING:
    from insights.metrics import Period, Scope

# A meeting counts as held once it has opened.
HELD_STATUSES = (Meeting.Status.HELD, Meeting.Status.CLOSED, Meeting.Status.PUBLISHED)
POSITIVE_RATINGS = (Evaluation.Rating.SATISFIED, Evaluation.Rating.BASICALLY)
OVERDUE_LIMIT = 10


def _in(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start_at, f"{field}__lt": period.end_at})


def action_items_in(scope: Scope) -> Any:
    """The area's action items (an ActionItemQuerySet, with .open() and .overdue())."""
    if scope.area.kind == Area.Kind.GRID:
        # A grid has no items of its own: those taken up for its issues.
        return ActionItem.objects.filter(
            pk__in=ActionItem.issues.through.objects.filter(issue__grid_id=scope.area.pk).values(
                "actionitem_id"
            )
        )
    return ActionItem.objects.filter(community_id__in=scope.ids)


def meetings_in(scope: Scope) -> QuerySet[Meeting]:
    """Meetings of the area and every area below it (a district's CPPCC consultations too)."""
    return Meeting.objects.filter(area__path__startswith=scope.area.path)


def rating_counts(scope: Scope, period: Period) -> dict[str, int]:
    """Ratings residents gave in the period about matters of the area (for 满意率): of its
    action items and of its issues settled in the grid or by the community, each counted by
    the issue of the concern rated (the issue's grid, for a grid)."""
    # By the community kept on each rating (one index range); a grid's through its issues.
    ratings = Evaluation.objects.filter(
        _in(period, "created_at"), scope.where("community", "issue__grid")
    )
    return ratings.aggregate(
        rated=Count("pk"), satisfied=Count("pk", filter=Q(rating__in=POSITIVE_RATINGS))
    )


def meetings_by_form(scope: Scope, period: Period) -> dict[str, Any]:
    """Meetings held (opened) in the period, by form."""
    rows = dict(
        meetings_in(scope)
        .filter(_in(period, "starts_at"), status__in=HELD_STATUSES)
        .values_list("form")
        .annotate(n=Count("pk"))
        .order_by()
    )
    forms = [
        {"key": key, "label": str(label), "count": rows.get(key, 0)}
        for key, label in Meeting.Form.choices
    ]
    return {"total": sum(rows.values()), "forms": forms}


def action_items(scope: Scope, period: Period, *, now: datetime | None = None) -> dict[str, Any]:
    """Action items listed (挂牌) and closed (销号) per day or month; overdue ones now."""
    now = now or timezone.now()
    items = action_items_in(scope)
    labels = period.buckets()
    index = {label: i for i, label in enumerate(labels)}
    listed, closed = [0] * len(labels), [0] * len(labels)
    for field, series, extra in (
        ("listed_at", listed, Q()),
        ("closed_at", closed, Q(status=ActionItem.Status.CLOSED)),
    ):
        parts = period.bucket_parts(field)
        rows = (
            items.filter(_in(period, field), extra)
            .annotate(**parts)
            .values_list(*parts)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for *bucket, n in rows:
            position = index.get(period.bucket_label(*bucket))
            if position is not None:
                series[position] += n
    overdue = items.overdue(now)
    overdue_rows = overdue.order_by("deadline", "pk").values(
        "pk", "title", "deadline", "owner_organisation__name", "community__name"
    )[:OVERDUE_LIMIT]
    return {
        "buckets": labels,
        "listed": listed,
        "closed": closed,
        "listed_total": sum(listed),
        "closed_total": sum(closed),
        "overdue": {
            "count": overdue.count(),
            "items": [
                {
                    "id": r["pk"],
                    "title": r["title"],
                    "deadline": r["deadline"],
                    "owner": r["owner_organisation__name"],
                    "community": r["community__name"],
                }
                for r in overdue_rows
            ],
        },
    }


# ---- Ledger rows -------------------------------------------------------------------------


def meeting_ledger_rows(scope: Scope, period: Period) -> tuple[list[str], Iterable[list[Any]]]:
    """Every meeting that starts in the period (drafts left out), oldest first."""
    headers = [
        pgettext("ledger column", "No."),
        pgettext("ledger column", "Date"),
        pgettext("ledger column", "Meeting"),
        pgettext("ledger column", "Form"),
        pgettext("ledger column", "Area"),
        pgettext("ledger column", "Place"),
        pgettext("ledger column", "Status"),
        pgettext("ledger column", "Topics"),
        pgettext("ledger column", "Resolutions"),
    ]
    forms = dict(Meeting.Form.choices)
    statuses = dict(Meeting.Status.choices)
    meetings = (
        meetings_in(scope)
        .filter(_in(period, "starts_at"))
        .exclude(status=Meeting.Status.DRAFT)
        .order_by("starts_at", "pk")
    )
    topics = dict(meetings.values_list("pk").annotate(n=Count("topics", distinct=True)).order_by())
    resolutions = dict(
        meetings.values_list("pk").annotate(n=Count("resolutions", distinct=True)).order_by()
    )

    def generate() -> Iterator[list[Any]]:
        rows = meetings.values_list(
            "pk", "starts_at", "title", "form", "area__name", "venue__name", "place", "status"
        ).iterator(chunk_size=2000)
        for pk, starts, title, form, area, venue, place, status in rows:
            yield [
                starts,
                title,
                str(forms.get(form, form)),
                area,
                venue or place,
                str(statuses.get(status, status)),
                topics.get(pk, 0),
                resolutions.get(pk, 0),
            ]

    return headers, generate()


def action_item_ledger_rows(
    scope: Scope, period: Period, *, now: datetime | None = None
) -> tuple[list[str], Iterable[list[Any]]]:
    """挂牌销号台账: every item listed in the period, with where it stands."""
    now = now or timezone.now()
    headers = [
        pgettext("ledger column", "No."),
        pgettext("ledger column", "Action item"),
        pgettext("ledger column", "Community"),
        pgettext("ledger column", "Owner"),
        pgettext("ledger column", "Date listed"),
        pgettext("ledger column", "Deadline"),
        pgettext("ledger column", "Status"),
        pgettext("ledger column", "Latest progress"),
        pgettext("ledger column", "Overdue"),
        pgettext("ledger column", "Date closed"),
    ]
    statuses = dict(ActionItem.Status.choices)
    today = timezone.localdate(now)
    rows = (
        action_items_in(scope)
        .filter(_in(period, "listed_at"))
        .order_by("listed_at", "pk")
        .values_list(
            "title",
            "community__name",
            "owner_organisation__name",
            "listed_at",
            "deadline",
            "status",
            "latest_progress",
            "closed_at",
        )
    )

    def generate() -> Iterator[list[Any]]:
        for title, community, owner, listed, deadline, status, progress, closed in rows.iterator(
            chunk_size=2000
        ):
            late = status not in ActionItem.FINISHED_STATUSES and deadline < today
            yield [
                title,
                community,
                owner,
                listed,
                deadline,
                str(statuses.get(status, status)),
                progress,
                pgettext("ledger cell", "yes") if late else "",
                closed if status == ActionItem.Status.CLOSED else None,
            ]

    return headers, generate()
