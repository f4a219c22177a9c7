"""GeoReport v2 endpoints. Each view parses what the client sent, calls one function of
`open311.services` (reading) or `open311.actions` (writing) and renders XML or JSON by the
URL's extension. Every failure is answered in the spec's error format: never an HTML page,
never a 500 ("400 - General Service Error" is what the spec asks for the unexpected).
"""

import functools
import logging
import re
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core import ratelimit
from core.errors import ActionError
from core.text import plain_text
from open311 import services
from open311.actions import NewRequest, service_notice, submit_service_request
from open311.formats import Open311Error, Problem, render, render_errors
from open311.models import ApiKey, ServiceAttribute

logger = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
ATTRIBUTE_NAME = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
PERSON_FIELDS = ("first_name", "last_name", "phone", "email", "device_id", "account_id")


def endpoint(methods: tuple[str, ...]) -> Callable:
    """Wrap a view: allowed methods, error format, and no 500 whatever happens."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str = "xml", **kwargs) -> HttpResponse:
            if request.method not in methods:
                allowed = _("This address takes %(methods)s only.") % {
                    "methods": ", ".join(methods)
                }
                return render_errors(
                    fmt,
                    400,
                    [Problem("method_not_allowed", allowed)],
                    headers={"Allow": ", ".join(methods)},
                )
            try:
                response = view(request, *args, fmt=fmt, **kwargs)
                if request.method in ("GET", "HEAD"):
                    # Anyone may read: let web clients on other sites do so too.
                    response["Access-Control-Allow-Origin"] = "*"
                return response
            except Open311Error as exc:
                return render_errors(fmt, exc.status, exc.problems, exc.headers)
            except ActionError as exc:
                # 403 is kept for api_key problems, as the spec has it.
                status = exc.status if exc.status in (404, 429) else 400
                headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
                return render_errors(fmt, status, [Problem(exc.code, exc.message)], headers)
            except Http404:
                return render_errors(fmt, 404, [Problem("not_found", _("Not found."))])
            except PermissionDenied:
                denied = _("This api_key may not do that.")
                return render_errors(fmt, 403, [Problem("forbidden", denied)])
            except Exception:
                logger.exception("Open311 %s %s failed", request.method, request.path)
                failed = _("General service error: the request could not be completed.")
                return render_errors(fmt, 400, [Problem("general_service_error", failed)])

        return csrf_exempt(wrapper)

    return decorate


def _absolute(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(reverse(name)).rstrip("/")


@endpoint(("GET", "HEAD"))
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    latest = ServiceAttribute.objects.order_by("-updated_at").values_list("updated_at", flat=True)
    changeset = services.w3c(services.changeset(latest.first()))
    formats = ["text/xml", "application/json"]
    data = {
        "changeset": changeset,
        "contact": str(
            services.setting(
                "OPEN311_CONTACT",
                _("Ask the community office or the platform administrator for assistance."),
            )
        ),
        "key_service": str(
            services.setting(
                "OPEN311_KEY_SERVICE",
                _("API keys are issued by the platform administrator to partner organisations."),
            )
        ),
        "endpoints": [
            {
                "specification": services.SPECIFICATION,
                "url": _absolute(request, "open311:root"),
                "changeset": changeset,
                "type": services.setting("OPEN311_ENDPOINT_TYPE", "production"),
                "formats": formats,
            }
        ],
    }
    return render(fmt, "discovery", data)


@endpoint(("GET", "HEAD"))
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    services.jurisdiction_area(request.GET.get("jurisdiction_id", ""))
    data = [services.service_record(c) for c in services.services()]
    return render(fmt, "services", data)


@endpoint(("GET", "HEAD"))
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    services.jurisdiction_area(request.GET.get("jurisdiction_id", ""))
    category = services.get_service(service_code)
    return render(fmt, "service_definition", services.service_definition(category))


@endpoint(("GET", "HEAD", "POST"))
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    scope = services.jurisdiction_area(request.GET.get("jurisdiction_id", ""))
    viewer = _viewer(request)
    concerns = services.find_requests(request.GET, scope)
    return render(fmt, "service_requests", services.request_records(concerns, viewer))


@endpoint(("GET", "HEAD"))
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    scope = services.jurisdiction_area(request.GET.get("jurisdiction_id", ""))
    viewer = _viewer(request)
    concern = services.get_request(service_request_id, scope)
    return render(fmt, "service_requests", services.request_records([concern], viewer))


def _viewer(request: HttpRequest) -> ApiKey | None:
    """Reading needs no key; a partner that sends its key sees its areas' requests in full."""
    key = request.GET.get("api_key", "").strip()
    if not key:
        return None
    return _authenticated(request, key)


@endpoint(("GET", "HEAD"))
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    services.jurisdiction_area(request.GET.get("jurisdiction_id", ""))
    from open311.models import ServiceRequest

    found = ServiceRequest.objects.select_related("concern").filter(token=token).first()
    if found is None:
        raise Open311Error(
            404, "unknown_token", _("token %(token)s was not found.") % {"token": token[:40]}
        )
    data = [{"service_request_id": found.concern.public_id, "token": found.token}]
    return render(fmt, "service_requests", data)


@endpoint(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
def not_found(request: HttpRequest, fmt: str) -> HttpResponse:
    raise Open311Error(404, "unknown_resource", _("There is no Open311 resource at this address."))


# ---- POST requests


def _form(request: HttpRequest) -> QueryDict:
    content_type = request.content_type or ""
    if content_type not in FORM_TYPES:
        raise Open311Error(
            400,
            "form_encoding_required",
            _(
                "Send the request body form-encoded "
                "(Content-Type: application/x-www-form-urlencoded; charset=utf-8)."
            ),
        )
    return request.POST


def _api_key(request: HttpRequest, form: QueryDict) -> ApiKey:
    # The spec sends it in the body; some clients put it in the query string.
    key = (form.get("api_key") or request.GET.get("api_key") or "").strip()
    if not key:
        raise Open311Error(
            403, "api_key_missing", _("api_key is missing: a key is needed to create requests.")
        )
    api_key = _authenticated(request, key)
    limit = int(services.setting("OPEN311_RATE_LIMIT", 60))
    wait = ratelimit.hit(f"open311:{api_key.pk}", limit, 60)
    if wait:
        raise _too_many(wait)
    return api_key


def _authenticated(request: HttpRequest, key: str) -> ApiKey:
    api_key = ApiKey.authenticate(key)
    if api_key is None:
        # Guessing keys from one address is slowed down like guessing passwords.
        wait = ratelimit.hit(f"open311:badkey:{ratelimit.client_ip(request)}", 20, 60)
        if wait:
            raise _too_many(wait)
        raise Open311Error(403, "invalid_api_key", _("Invalid api_key received; nothing was done."))
    return api_key


def _too_many(wait: int) -> Open311Error:
    return Open311Error(
        429,
        "rate_limited",
        _("Too many requests with this api_key; try again in %(seconds)s seconds.")
        % {"seconds": wait},
        headers={"Retry-After": str(wait)},
    )


def _float(form: QueryDict, name: str, limit: float, errors: list[Problem]) -> float | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not -limit <= number <= limit:
        errors.append(
            Problem(
                "invalid_coordinate",
                _("%(name)s must be a WGS84 coordinate between -%(limit)s and %(limit)s.")
                % {"name": name, "limit": int(limit)},
            )
        )
        return None
    return number


def _attributes(form: QueryDict) -> dict[str, list[str]]:
    answers: dict[str, list[str]] = {}
    for name in form:
        match = ATTRIBUTE_NAME.match(name)
        if match:
            answers.setdefault(match[1], []).extend(form.getlist(name))
    return answers


def _text(form: QueryDict, name: str, limit: int, errors: list[Problem]) -> str:
    value = form.get(name, "")
    try:
        value = plain_text(value, name)
    except ActionError as exc:
        errors.append(Problem(exc.code, f"{name}: {exc.message}"))
        return ""
    if len(value) > limit:
        errors.append(
            Problem(
                "too_long",
                _("%(name)s is too long (at most %(max)s characters).")
                % {"name": name, "max": limit},
            )
        )
    return value


def _location(
    form: QueryDict, errors: list[Problem]
) -> tuple[float | None, float | None, str, str]:
    """(lat, long, address_string, address_id): a point, an address, or both; problems are
    added to `errors`."""
    lat = _float(form, "lat", 90, errors)
    long = _float(form, "long", 180, errors)
    address_string = _text(form, "address_string", 200, errors)
    address_id = _text(form, "address_id", 64, errors)
    if (lat is None) != (long is None) and not errors:
        errors.append(Problem("lat_long_apart", _("lat and long must be sent together.")))
    if lat is None and long is None and not address_string and not address_id and not errors:
        errors.append(
            Problem(
                "location_required",
                _("A location is required: lat and long, address_string or address_id."),
            )
        )
    return lat, long, address_string, address_id


def _full_name(first: str, last: str) -> str:
    # Chinese names are written family name first, without a space.
    if re.search(r"[\u4e00-\u9fff]", first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def parse_request(request: HttpRequest, form: QueryDict, api_key: ApiKey) -> NewRequest:
    """Check a POST requests body; every problem is reported at once, nothing is written."""
    scope = services.jurisdiction_area(form.get("jurisdiction_id", ""))
    code = form.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code_required", _("service_code is required."))
    category = services.get_service(code)
    errors: list[Problem] = []
    lat, long, address_string, address_id = _location(form, errors)
    try:
        description = services.check_description(form.get("description", ""))
    except Open311Error as exc:
        errors.extend(exc.problems)
        description = ""
    try:
        attributes = services.check_attributes(category, _attributes(form))
    except Open311Error as exc:
        errors.extend(exc.problems)
        attributes = {}
    person = {name: _text(form, name, 100, errors) for name in PERSON_FIELDS}
    media_url = _text(form, "media_url", 500, errors)
    if media_url and not re.match(r"^https?://\S+$", media_url):
        errors.append(
            Problem("invalid_media_url", _("media_url must be an http or https address."))
        )
    if errors:
        raise Open311Error.several(400, errors)
    place = services.resolve_place(
        api_key, scope, lat=lat, long=long, address_string=address_string, address_id=address_id
    )
    name = _full_name(person["first_name"], person["last_name"])
    return NewRequest(
        category=category,
        place=place,
        description=description,
        attributes=attributes,
        name=name[:50],
        phone=person["phone"][:20],
        email=person["email"] if "@" in person["email"] else "",
        address_string=address_string,
        lat=lat,
        long=long,
        device_id=person["device_id"],
        account_id=person["account_id"],
        media_url=media_url,
        photos=tuple(request.FILES.getlist("media")),
        idempotency_key=request.headers.get("Idempotency-Key", "")[:60],
    )


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    form = _form(request)
    api_key = _api_key(request, form)
    new = parse_request(request, form, api_key)
    concern, service_request = submit_service_request(api_key, new)
    data = [
        {
            "service_request_id": concern.public_id,
            "service_notice": service_notice(concern),
            "account_id": service_request.account_id or None,
        }
    ]
    return render(fmt, "service_requests", data)
