"""The figures behind every dashboard chart, as JSON, with the same definitions
(insights.metrics is the only place they are computed)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from accounts.api_auth import staff_auth
from insights import cache, metrics, opinions
from insights.permissions import get_area_for_insights

router = Router(tags=["insights"], auth=staff_auth)


def _period(start: str | None, end: str | None) -> metrics.Period:
    return metrics.Period.parse(start or None, end or None)


def as_json(figures: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's figures with each rate spelled out (value, counts, definition)."""
    result = dict(figures)
    result["rates"] = [rate.as_dict() for rate in figures["rates"].values()]
    return result


@router.get("/insights/areas/{code}/figures", response=dict, summary="Every dashboard figure")
def figures(
    request: HttpRequest, code: str, start: str | None = None, end: str | None = None
) -> dict[str, Any]:
    """Everything the dashboard draws for the area (code) and period (start, end as
    YYYY-MM-DD, both included; default: the last twelve months; at most five years):
    rates, concerns by time/channel/category, issues by status and level, the hottest and
    overdue issues, meetings by form, action items listed and closed, one row per child
    area, and for a district or city the CPPCC members' public-opinion reports (社情民意).
    404 outside your scope; 400 for a bad period."""
    area = get_area_for_insights(request.user, code)
    period = _period(start, end)
    result = as_json(cache.dashboard(area, period))
    found = opinions.opinions_for(area, period)
    if found is not None:
        result["opinions"] = opinions.as_json(found)
    return result


@router.get("/insights/areas/{code}/rates", response=dict, summary="The four rates")
def rates(
    request: HttpRequest, code: str, start: str | None = None, end: str | None = None
) -> dict[str, Any]:
    """响应率, 解决率, 满意率 and 小事不出网格率 for the area and period, each with its
    numerator, denominator and definition."""
    area = get_area_for_insights(request.user, code)
    period = _period(start, end)
    found = metrics.rates(metrics.Scope.of(area), period)
    return {
        "area": {"code": area.code, "name": area.name, "kind": area.kind},
        "period": {"start": period.start, "end": period.end},
        "rates": [rate.as_dict() for rate in found.values()],
    }
