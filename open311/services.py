"""Reading for Open311: categories as services, concerns as service requests, the checks on
what partners send, and where a reported location lands.

Nothing here writes; `open311.actions` does.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns.codes import normalise_public_id
from concerns.models import Category, Concern, Issue
from core.errors import ActionError
from core.text import plain_text
from open311.formats import Open311Error, Problem
from open311.models import ApiKey, ServiceAttribute
from open311.permissions import communities_for_key, key_paths
from places.models import Area, Building, Compound
from timeline.public import mask_public_text, public_note
from timeline.services import events_for

MAX_DESCRIPTION = 4000
MAX_RANGE = timedelta(days=90)
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 200
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"

# W3C date-time (a subset of ISO 8601): a complete date, or a date with hours and minutes
# (seconds and fractions optional) and then, as GeoReport v2 demands, the time zone.
W3C_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?P<tz>Z|[+-]\d{2}:\d{2}))?$"
)


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def parse_w3c(value: str, field: str) -> datetime:
    """A W3C datetime with its time zone (or a complete date, taken as local midnight)."""
    match = W3C_DATETIME.match(value.strip())
    parsed = None
    if match:
        text = match["date"] + ("T" + match["time"] if match["time"] else "")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
    if parsed is None or match is None:
        raise Open311Error(
            400,
            "invalid_datetime",
            _("%(field)s must be a W3C datetime with a time zone, such as %(example)s.")
            % {"field": field, "example": "2026-01-01T08:00:00+08:00"},
        )
    tz = match["tz"]
    if tz is None:
        return timezone.make_aware(parsed)
    if tz == "Z":
        return parsed.replace(tzinfo=UTC)
    sign = 1 if tz[0] == "+" else -1
    hours, minutes = int(tz[1:3]), int(tz[4:6])
    if hours > 23 or minutes > 59:
        raise Open311Error(
            400,
            "invalid_time_zone",
            _("%(field)s has an impossible time zone.") % {"field": field},
        )
    offset = dt_timezone(sign * timedelta(hours=hours, minutes=minutes))
    return parsed.replace(tzinfo=offset)


def w3c(value: datetime | None) -> str | None:
    """ISO 8601 with seconds and the offset, as GeoReport and its validators ask:
    2026-11-26T00:00:00+08:00 (never "2026-11-26 00:00")."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


# When the service list last changed, unless an attribute changed since. The setting may be
# written "2026-11-26", "2026-11-26 00:00" or with its offset; without one it is local time.
DEFAULT_CHANGESET = "2026-11-26T00:00:00+08:00"


def changeset(latest_change: datetime | None) -> datetime:
    configured = str(setting("OPEN311_CHANGESET", DEFAULT_CHANGESET)).strip()
    try:
        value = datetime.fromisoformat(configured)
    except ValueError:
        value = datetime.fromisoformat(DEFAULT_CHANGESET)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if latest_change is not None and latest_change > value:
        return latest_change
    return value


# ---- jurisdictions and keys


def jurisdiction_area(jurisdiction_id: str) -> Area | None:
    """The area a jurisdiction_id names, or None when it is empty or names this deployment.

    A deployment that serves one place sets OPEN311_JURISDICTION_ID (its web address, as
    the spec suggests) and may ignore the parameter; one serving several districts maps
    each jurisdiction_id to an area code in OPEN311_JURISDICTIONS, or takes area codes."""
    value = (jurisdiction_id or "").strip()
    if not value or value == setting("OPEN311_JURISDICTION_ID", ""):
        return None
    code = setting("OPEN311_JURISDICTIONS", {}).get(value, value)
    area = Area.objects.filter(code=code).exclude(kind=Area.Kind.GRID).first()
    if area is None:
        raise Open311Error(
            404,
            "unknown_jurisdiction",
            _("jurisdiction_id %(value)s was not found.") % {"value": value[:80]},
        )
    return area


# ---- services


def services() -> QuerySet[Category]:
    return Category.objects.filter(active=True).prefetch_related("open311_attributes")


def get_service(code: str, *, status: int = 404) -> Category:
    category = Category.objects.filter(active=True, code=code).first()
    if category is None:
        raise Open311Error(
            status,
            "unknown_service_code",
            _("service_code %(code)s was not found.") % {"code": code[:60]},
        )
    return category


def attributes_of(category: Category) -> list[ServiceAttribute]:
    """The category's questions (prefetched by `services()`)."""
    return list(category.open311_attributes.all())


def keywords_of(category: Category) -> str:
    words = [w for w in re.split(r"[\s,，、;；]+", category.keywords) if w]
    return ", ".join(words)


def service_record(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(attributes_of(category)),
        "type": "realtime",
        "keywords": keywords_of(category),
        "group": category.group,
    }


def attribute_record(attribute: ServiceAttribute) -> dict:
    record: dict[str, Any] = {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description or None,
        "order": attribute.order,
        "description": attribute.description,
    }
    if attribute.is_list:
        record["values"] = [
            {"key": str(v.get("key", "")), "name": str(v.get("name", ""))}
            for v in attribute.values or []
        ]
    return record


def service_definition(category: Category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [attribute_record(a) for a in attributes_of(category)],
    }


def check_attributes(category: Category, answers: dict[str, list[str]]) -> dict[str, Any]:
    """The answers to a category's questions, checked; raises with every problem at once."""
    errors: list[Problem] = []
    cleaned: dict[str, Any] = {}
    for attribute in attributes_of(category):
        if not attribute.variable:
            continue
        given = [v.strip() for v in answers.get(attribute.code, []) if v.strip()]
        problems = _answer_problems(attribute, given, f"attribute[{attribute.code}]")
        if problems:
            errors.extend(problems)
        elif given:
            multiple = attribute.datatype == ServiceAttribute.Datatype.MULTIVALUELIST
            cleaned[attribute.code] = given if multiple else given[0]
    if errors:
        raise Open311Error.several(400, errors)
    return cleaned


def _answer_problems(attribute: ServiceAttribute, given: list[str], name: str) -> list[Problem]:
    """What is wrong with the values given to one question (none when it is left out and
    may be)."""
    if not given:
        if not attribute.required:
            return []
        text = _("%(name)s is required: %(question)s")
        return [
            Problem("attribute_required", text % {"name": name, "question": attribute.description})
        ]
    if attribute.datatype != ServiceAttribute.Datatype.MULTIVALUELIST and len(given) > 1:
        return [Problem("attribute_one_value", _("%(name)s takes one value.") % {"name": name})]
    if attribute.is_list:
        keys = {str(v.get("key")) for v in attribute.values or []}
        if any(v not in keys for v in given):
            text = _("%(name)s must be one of: %(keys)s.")
            return [
                Problem(
                    "attribute_not_in_list", text % {"name": name, "keys": ", ".join(sorted(keys))}
                )
            ]
    elif attribute.datatype == ServiceAttribute.Datatype.NUMBER:
        try:
            float(given[0])
        except ValueError:
            text = _("%(name)s must be a number.")
            return [Problem("attribute_not_a_number", text % {"name": name})]
    elif attribute.datatype == ServiceAttribute.Datatype.DATETIME:
        try:
            parse_w3c(given[0], name)
        except Open311Error as exc:
            return list(exc.problems)
    elif len(given[0]) > 1000:
        return [Problem("too_long", _("%(name)s is too long.") % {"name": name})]
    return []


def attributes_text(category: Category, answers: dict[str, Any]) -> str:
    """The answers as lines staff can read under the resident's own words."""
    lines = []
    for attribute in attributes_of(category):
        if attribute.code not in answers:
            continue
        value = answers[attribute.code]
        values = value if isinstance(value, list) else [value]
        shown = "、".join(attribute.value_name(v) if attribute.is_list else v for v in values)
        lines.append(f"{attribute.description}：{shown}")
    return "\n".join(lines)


def check_description(text: str) -> str:
    """The description under the one plain-text rule (core.text), refused in the spec's
    format with the same message the other surfaces give."""
    try:
        return plain_text(text, "description", limit=MAX_DESCRIPTION)
    except ActionError as exc:
        raise Open311Error(400, exc.code, exc.message) from None


# ---- locations


@dataclass
class Place:
    community: Area
    compound: Compound | None = None
    building: Building | None = None
    address_id: str = ""


def _grid_community(grid: Area) -> Area:
    return Area.objects.get(pk=grid.parent_id or 0)


def resolve_place(
    api_key: ApiKey,
    scope: Area | None,
    *,
    lat: float | None,
    long: float | None,
    address_string: str,
    address_id: str,
) -> Place:
    """Which community (and compound or building) a reported location lies in.

    `address_id` is an area code (community or grid), `compound:<id>` or `building:<id>`.
    An `address_string` is matched against compound, building and community names in the
    key's areas. Yishi keeps no map of boundaries, so `lat`/`long` alone place a report only
    when the key serves a single community."""
    communities = communities_for_key(api_key, scope)
    if address_id:
        return _place_from_id(address_id, communities)
    if address_string:
        place = _place_from_string(address_string, communities)
        if place is not None:
            return place
        elsewhere = _place_from_string(address_string, Area.objects.filter(kind="community"))
        if elsewhere is not None:
            raise Open311Error(
                400,
                "place_not_served",
                _("address_string names %(place)s, which this api_key does not serve.")
                % {
                    "place": elsewhere.compound.name
                    if elsewhere.compound
                    else elsewhere.community.name
                },
            )
    only = list(communities[:2])
    if len(only) == 1:
        return Place(community=only[0])
    if address_string:
        raise Open311Error(
            400,
            "place_not_found",
            _(
                "address_string names no compound or community this api_key serves; "
                "send address_id with a community or grid code."
            ),
        )
    raise Open311Error(
        400,
        "place_not_found",
        _(
            "lat and long cannot be placed in a community here; send address_string "
            "or address_id as well."
        ),
    )


def _place_from_id(address_id: str, communities: QuerySet[Area]) -> Place:
    kind, _sep, number = address_id.partition(":")
    place: Place | None = None
    if kind in ("compound", "building") and number.isdigit():
        if kind == "building":
            building = (
                Building.objects.select_related("compound__grid").filter(pk=int(number)).first()
            )
            if building is not None:
                grid = building.grid or building.compound.grid
                place = Place(_grid_community(grid), building.compound, building, address_id)
        else:
            compound = Compound.objects.select_related("grid").filter(pk=int(number)).first()
            if compound is not None:
                place = Place(_grid_community(compound.grid), compound, None, address_id)
    else:
        area = Area.objects.filter(
            code=address_id, kind__in=[Area.Kind.COMMUNITY, Area.Kind.GRID]
        ).first()
        if area is not None:
            community = area if area.kind == Area.Kind.COMMUNITY else _grid_community(area)
            place = Place(community, None, None, address_id)
    if place is None or not communities.filter(pk=place.community.pk).exists():
        raise Open311Error(
            400,
            "place_not_served",
            _("address_id %(value)s is not a place this api_key serves.")
            % {"value": address_id[:64]},
        )
    return place


def _place_from_string(text: str, communities: QuerySet[Area]) -> Place | None:
    compounds = [
        c
        for c in Compound.objects.filter(grid__parent__in=communities).select_related("grid")
        if c.name and c.name in text
    ]
    if compounds:
        # The longest name that appears wins: "金城蓝湾二期" before "金城蓝湾".
        compound = max(compounds, key=lambda c: len(c.name))
        rest = text.split(compound.name, 1)[1]
        buildings = [b for b in compound.buildings.all() if b.name and b.name in rest]
        building = max(buildings, key=lambda b: len(b.name)) if buildings else None
        address_id = f"building:{building.pk}" if building else f"compound:{compound.pk}"
        return Place(_grid_community(compound.grid), compound, building, address_id)
    named = [c for c in communities if c.name in text]
    if named:
        community = max(named, key=lambda c: len(c.name))
        return Place(community, None, None, community.code)
    return None


# ---- service requests


def _current_issue(concern: Concern) -> Issue:
    issue = concern.issue
    if issue.status == Issue.Status.MERGED and issue.merged_into is not None:
        return issue.merged_into
    return issue


def agency_of(issue: Issue) -> str:
    if issue.escalated_to is not None:
        return issue.escalated_to.name
    if issue.level == Issue.Level.GRID and issue.grid is not None:
        return issue.grid.name
    street = issue.community.parent
    if issue.level in (Issue.Level.STREET, Issue.Level.DEPARTMENT) and street is not None:
        return street.name
    return issue.community.name


def requests_queryset() -> QuerySet[Concern]:
    return Concern.objects.select_related(
        "category",
        "compound",
        "building",
        "community",
        "issue__category",
        "issue__community__parent",
        "issue__grid",
        "issue__escalated_to",
        "issue__merged_into__category",
        "issue__merged_into__community__parent",
        "issue__merged_into__grid",
        "issue__merged_into__escalated_to",
        "open311_request",
    )


Notes = dict[tuple[str, int], Any]


def latest_public_events(issues: list[Issue], concerns: list[Concern]) -> Notes:
    """The latest public timeline entry of each issue and concern (one query)."""
    latest: Notes = {}
    for event in events_for([*issues, *concerns], public_only=True):
        latest[(event.subject_type.model, event.subject_id)] = event
    return latest


def status_notes(concern: Concern, issue: Issue, latest: Notes) -> str | None:
    """Why the request is where it is: its issue's or its own latest public entry, with its
    note only as timeline.public's rule gives it (staff notes never)."""
    candidates = [latest.get(("issue", issue.pk)), latest.get(("concern", concern.pk))]
    events = [e for e in candidates if e is not None]
    if not events:
        return None
    event = max(events, key=lambda e: (e.created_at, e.pk))
    label = event.resident_label
    note = public_note(event)
    return f"{label}：{note}" if note else label


def request_record(concern: Concern, latest: Notes, *, full: bool) -> dict:
    """A concern as a GeoReport request. Anyone may read the matter (its issue's title, as
    the public tracking page shows it), the place down to the building and the progress;
    the resident's own words, room address and exact coordinates only go to a key serving
    the concern's area (`full`)."""
    issue = _current_issue(concern)
    category = concern.category or issue.category
    extra = getattr(concern, "open311_request", None)
    closed = not issue.is_open
    updated = max(issue.updated_at, concern.created_at)
    if closed and issue.settled_at:
        updated = issue.settled_at
    if concern.building is not None:
        place = f"{concern.building}"
    elif concern.compound is not None:
        place = concern.compound.name
    else:
        place = ""
    if full and concern.address and concern.address not in place:
        place = f"{concern.address} {place}".strip()
    address = f"{place} {concern.community.name}".strip() if place else concern.community.name
    if extra is not None and extra.address_id:
        address_id = extra.address_id
    elif concern.building_id:
        address_id = f"building:{concern.building_id}"
    elif concern.compound_id:
        address_id = f"compound:{concern.compound_id}"
    else:
        address_id = concern.community.code
    lat = extra.lat if extra is not None else None
    long = extra.long if extra is not None else None
    if not full and lat is not None and long is not None:
        lat, long = round(lat, 3), round(long, 3)  # about a hundred metres
    return {
        "service_request_id": concern.public_id,
        "status": "closed" if closed else "open",
        "status_notes": status_notes(concern, issue, latest),
        "service_name": category.name if category else None,
        "service_code": category.code if category else None,
        # The resident's own words only to a key serving the area (masked even then); anyone
        # else reads the public title, never the working title made from someone's words.
        "description": mask_public_text(concern.content) if full else issue.title_for_public,
        "agency_responsible": agency_of(issue),
        "service_notice": None,
        "requested_datetime": w3c(concern.received_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": w3c(issue.resolve_due_at) if not closed else None,
        "address": address,
        "address_id": address_id,
        "zipcode": None,
        "lat": lat,
        "long": long,
        "media_url": (extra.media_url or None) if extra is not None and full else None,
    }


def request_records(concerns: list[Concern], viewer: ApiKey | None = None) -> list[dict]:
    issues = {_current_issue(c).pk: _current_issue(c) for c in concerns}
    latest = latest_public_events(list(issues.values()), concerns) if concerns else {}
    paths = key_paths(viewer) if viewer is not None else []
    return [
        request_record(c, latest, full=any(c.community.path.startswith(p) for p in paths))
        for c in concerns
    ]


def _comma_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def page_numbers(params: Any) -> tuple[int, int]:
    """The common `page` / `page_size` extension: 1-based page, at most MAX_PAGE_SIZE."""
    errors = []
    page, size = 1, DEFAULT_PAGE_SIZE
    if params.get("page", "").strip():
        try:
            page = int(params["page"])
            if page < 1:
                raise ValueError
        except ValueError:
            errors.append(Problem("invalid_page", _("page must be a whole number from 1.")))
    if params.get("page_size", "").strip():
        try:
            size = int(params["page_size"])
            if size < 1:
                raise ValueError
        except ValueError:
            errors.append(
                Problem("invalid_page_size", _("page_size must be a whole number from 1."))
            )
        else:
            if size > MAX_PAGE_SIZE:
                errors.append(
                    Problem(
                        "page_size_too_large",
                        _("page_size may be at most %(max)s.") % {"max": MAX_PAGE_SIZE},
                    )
                )
    if errors:
        raise Open311Error.several(400, errors)
    return page, size


def find_requests(params: Any, scope: Area | None) -> list[Concern]:
    """GET requests: by ids (which overrides everything else), or by code, dates and status
    within at most 90 days, newest first, one page."""
    page, size = page_numbers(params)
    concerns = requests_queryset()
    if scope is not None:
        concerns = concerns.filter(community__path__startswith=scope.path)
    ids = _comma_list(params.get("service_request_id", ""))
    if ids:
        if len(ids) > MAX_PAGE_SIZE:
            raise Open311Error(
                400,
                "too_many_ids",
                _("Ask for at most %(max)s service_request_id at once.") % {"max": MAX_PAGE_SIZE},
            )
        concerns = concerns.filter(public_id__in=[normalise_public_id(i) for i in ids])
    else:
        concerns = _filtered(concerns, params)
    start = (page - 1) * size
    return list(concerns.order_by("-received_at", "-pk")[start : start + size])


def _filtered(concerns: QuerySet[Concern], params: Any) -> QuerySet[Concern]:
    errors: list[Problem] = []
    codes = _comma_list(params.get("service_code", ""))
    if codes:
        known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors.append(
                Problem(
                    "unknown_service_code",
                    _("service_code %(code)s was not found.") % {"code": ", ".join(unknown)[:120]},
                )
            )
        concerns = concerns.filter(
            Q(category__code__in=codes) | Q(category__isnull=True, issue__category__code__in=codes)
        )
    statuses = {s.lower() for s in _comma_list(params.get("status", ""))}
    if statuses - {"open", "closed"}:
        errors.append(
            Problem("invalid_status", _("status may be open, closed or both (comma separated)."))
        )
    elif statuses == {"open"}:
        concerns = concerns.filter(_open_issue())
    elif statuses == {"closed"}:
        concerns = concerns.exclude(_open_issue())
    start = end = None
    for name in ("start_date", "end_date"):
        value = params.get(name, "").strip()
        if value:
            try:
                parsed = parse_w3c(value, name)
            except Open311Error as exc:
                errors.extend(exc.problems)
                continue
            if name == "start_date":
                start = parsed
            else:
                end = parsed
    if errors:
        raise Open311Error.several(400, errors)
    if start and end:
        if start > end:
            raise Open311Error(400, "start_after_end", _("start_date must come before end_date."))
        if end - start > MAX_RANGE:
            raise Open311Error(
                400, "date_range_too_long", _("start_date and end_date may span at most 90 days.")
            )
    elif start:
        end = start + MAX_RANGE
    elif end:
        start = end - MAX_RANGE
    else:
        end = timezone.now()
        start = end - MAX_RANGE
    return concerns.filter(received_at__gte=start, received_at__lte=end)


def _open_issue() -> Q:
    open_statuses = list(Issue.OPEN_STATUSES)
    return Q(issue__status__in=open_statuses) | Q(
        issue__status=Issue.Status.MERGED, issue__merged_into__status__in=open_statuses
    )


def get_request(service_request_id: str, scope: Area | None) -> Concern:
    public_id = normalise_public_id(service_request_id)
    concerns = requests_queryset().filter(public_id=public_id)
    if scope is not None:
        concerns = concerns.filter(community__path__startswith=scope.path)
    concern = concerns.first()
    if concern is None:
        raise Open311Error(
            404,
            "unknown_service_request",
            _("service_request_id %(id)s was not found.") % {"id": service_request_id[:40]},
        )
    return concern
