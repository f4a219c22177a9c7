"""社情民意 figures on the dashboards: the district CPPCC's reports, shown for a district (or a
city) only, with the same numbers on the page and in the JSON figures."""

from dataclasses import asdict
from typing import Any

from insights import metrics
from opinions.figures import OpinionFigures, figures_for
from places.models import Area

LEVELS = (Area.Kind.DISTRICT, Area.Kind.CITY)


def opinions_for(area: Area, period: metrics.Period) -> OpinionFigures | None:
    if area.kind not in LEVELS:
        return None
    return figures_for(area, period.start_at, period.end_at)


def as_json(figures: OpinionFigures) -> dict[str, Any]:
    return {
        **asdict(figures),
        "on_time_rate": figures.on_time_rate,
        "satisfaction_rate": figures.satisfaction_rate,
    }
