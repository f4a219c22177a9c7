"""Dashboards of streets and districts aggregate hundreds of thousands of rows, so their
figures are cached; the page says when they were computed.

* A community's or a grid's figures stay cached until something in that community changes.
  Every state change in Yishi records a timeline event (the project's rule): an event for an
  object of a community bumps that community's version, which is part of the cache key.
* A street's, district's or city's figures are refreshed every INSIGHTS_CACHE_SECONDS
  (default five minutes): somewhere in a district something changes every few seconds, so
  following every event would mean never using the cache. `manage.py warm_insights`, run
  from cron as often, computes them ahead so nobody waits.
* Any event without a community (a district's meeting, a rating) bumps the global version,
  which every key carries.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from insights import metrics, tallies
from places.models import Area

logger = logging.getLogger(__name__)

DEFAULT_SECONDS = 300


def seconds() -> int:
    return int(getattr(settings, "INSIGHTS_CACHE_SECONDS", DEFAULT_SECONDS))


def bump(community_id: int | None = None) -> None:
    """Forget the cached figures of this community and its grids (None: of every area)."""
    community = community_id or tallies.EVERYTHING
    tallies.Version.objects.filter(community=community, month=tallies.DASHBOARDS).update(
        version=tallies.stamp()
    )


def dashboard(area: Area, period: metrics.Period) -> dict[str, Any]:
    """metrics.dashboard(area, period), from the cache while nothing in the area changed."""
    ttl = seconds()
    if ttl <= 0:
        return metrics.dashboard(area, period)
    if area.kind == Area.Kind.COMMUNITY:
        communities = [tallies.EVERYTHING, area.pk]
    elif area.kind == Area.Kind.GRID and area.parent_id is not None:
        communities = [tallies.EVERYTHING, area.parent_id]  # changes with its community
    else:
        communities = [tallies.EVERYTHING]
    versions = tallies.dashboard_versions(communities)  # one query
    stamp = hashlib.sha1(  # noqa: S324 - a cache key, not security
        repr([versions.get(c) for c in communities]).encode()
    ).hexdigest()
    if area.kind not in (Area.Kind.COMMUNITY, Area.Kind.GRID):
        stamp += f":{int(time.time() // ttl)}"
    key = (
        f"insights:dash:{area.pk}:{period.start}:{period.end}:{translation.get_language()}:{stamp}"
    )
    figures = cache.get(key)
    if figures is None:
        figures = metrics.dashboard(area, period)
        cache.set(key, figures, ttl)
    return figures


def on_event_committed(sender: Any, event: Any, **kwargs: Any) -> None:
    """Mark the figures the event's change reaches stale: one UPDATE (tallies.bump_for)."""
    on_events_committed(sender, [event])


def on_events_committed(sender: Any, events: list[Any], **kwargs: Any) -> None:
    """Once per state change (timeline.services.events_committed): the figures its events
    reach are marked stale in one UPDATE per community, however many events it recorded."""
    try:
        tallies.bump_for_all(event.subject for event in events)
    except Exception:  # figures may lag a few minutes; the state change itself stands
        logger.exception("insights: could not mark figures stale after %s", events)
