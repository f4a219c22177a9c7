"""The one state change of the adapter: a partner system raises a concern (POST requests).

It goes through `concerns.intake.submit.submit_concern`, exactly as the resident's own form does
(grouping into an issue, counting residents, time limits, tracking code), and keeps what
Open311 sends beyond that in a ServiceRequest row, in the same transaction.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns.models import Category, Concern
from core.errors import ActionError
from open311.formats import Open311Error
from open311.models import ApiKey, ServiceRequest
from open311.services import Place, attributes_text


@dataclass
class NewRequest:
    """A POST requests body, checked by the view (open311.views.parse_request)."""

    category: Category
    place: Place
    description: str
    attributes: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    phone: str = ""
    email: str = ""
    address_string: str = ""
    lat: float | None = None
    long: float | None = None
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    photos: tuple = ()
    idempotency_key: str = ""


def submit_service_request(api_key: ApiKey, new: NewRequest) -> tuple[Concern, ServiceRequest]:
    """Raise the concern and record its Open311 details; replays of the same
    Idempotency-Key answer the first concern without writing anything."""
    from concerns.intake.submit import earlier_submit, scoped_idempotency_key, submit_concern

    content = new.description
    answers = attributes_text(new.category, new.attributes)
    if answers:
        content = f"{content}\n\n{answers}" if content else answers
    if not content:
        content = new.category.name
    # Bound to this key and the resident's phone: another client's use of the same
    # Idempotency-Key is another key (and a reuse with another body a 422).
    idempotency_key = scoped_idempotency_key(
        f"o311:{api_key.pk}:{new.idempotency_key}" if new.idempotency_key else "",
        phone=new.phone,
        partner=api_key.organisation,
    )
    if idempotency_key:
        try:
            existing = earlier_submit(
                idempotency_key,
                community=new.place.community,
                channel=Concern.Channel.API,
                content=content,
            )
        except ActionError as exc:
            raise Open311Error(422, exc.code, exc.message) from None
        if existing is not None:
            return existing, _service_request_for(existing, api_key, new)
    with transaction.atomic():
        concern = submit_concern(
            community=new.place.community,
            content=content,
            channel=Concern.Channel.API,
            phone=new.phone,
            name=new.name,
            address=new.address_string,
            building=new.place.building,
            compound=new.place.compound,
            category=new.category,
            actor=None,
            idempotency_key=idempotency_key,
            photos=new.photos,
            partner=api_key.organisation,
        )
        return concern, _service_request_for(concern, api_key, new)


def _service_request_for(concern: Concern, api_key: ApiKey, new: NewRequest) -> ServiceRequest:
    request, _created = ServiceRequest.objects.get_or_create(
        concern=concern,
        defaults={
            "api_key": api_key,
            "token": ServiceRequest.new_token(),
            "lat": new.lat,
            "long": new.long,
            "address_id": new.place.address_id,
            "email": new.email,
            "device_id": new.device_id,
            "account_id": new.account_id,
            "media_url": new.media_url,
            "attributes": new.attributes,
        },
    )
    if request.api_key_id != api_key.pk:
        raise Open311Error(
            400, "request_of_another_key", _("This request was made with another api_key.")
        )
    return request


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def service_notice(concern: Concern) -> str:
    """What happens next, in words for the person who reported."""
    issue = concern.issue
    parts = [
        _("Received. Your tracking code is %(code)s; use it to follow the matter.")
        % {"code": concern.tracking_code}
    ]
    if issue.accept_due_at:
        parts.append(_("It will be accepted by %(when)s.") % {"when": _when(issue.accept_due_at)})
    if issue.resolve_due_at:
        parts.append(
            _("The time limit for handling it is %(when)s.") % {"when": _when(issue.resolve_due_at)}
        )
    if issue.residents_count > 1:
        parts.append(
            _("%(count)s residents have raised the same matter.") % {"count": issue.residents_count}
        )
    return " ".join(parts)
