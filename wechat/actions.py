"""What a resident's messages to a 公众号 change: a concern raised through the same submit
as every other channel, a photo or a place added to their last one, a phone number kept.

There is no signed-in actor here: the resident is known by their openid, which WeChat's
signature on the message vouches for (checked in wechat.views before any of these runs).
"""

from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from concerns.intake.submit import submit_concern
from concerns.models import Concern, Photo
from core import phones
from core.errors import ActionError
from core.text import plain_text
from core.uploads import clean_image
from timeline.actors import RESIDENT
from timeline.services import record
from wechat.models import Follower, OfficialAccount, Report, resident_key
from wechat.verbs import CONCERN_LOCATED, CONCERN_PHOTO_ADDED

MAX_PHOTOS_PER_CONCERN = 6


def follower_for(account: OfficialAccount, openid: str) -> Follower:
    follower, _made = Follower.objects.get_or_create(
        account=account, openid=openid, defaults={"resident_key": resident_key(openid)}
    )
    return follower


@transaction.atomic
def report(follower: Follower, text: str, *, msg_id: str = "") -> Concern:
    """The resident's text as a concern of channel 公众号 (grouped and counted as any other).
    WeChat sends a message again when the answer was slow: the same MsgId gives back the
    concern made the first time."""
    key = f"wx:{follower.account_id}:{msg_id}"[:80] if msg_id else None
    concern = submit_concern(
        community=follower.account.community,
        content=text,
        channel=Concern.Channel.WECHAT,
        phone=follower.phone,
        wechat_resident=follower.resident_key,
        idempotency_key=key,
    )
    Report.objects.get_or_create(concern=concern, defaults={"follower": follower})
    return concern


def last_report(follower: Follower) -> Report | None:
    return (
        Report.objects.select_related("concern").filter(follower=follower).order_by("-id").first()
    )


def _no_concern() -> ActionError:
    return ActionError(
        _("You have not sent a concern yet: write what is wrong first."), code="no_concern"
    )


@transaction.atomic
def attach_photo(follower: Follower, data: bytes, *, name: str = "wechat.jpg") -> Concern:
    """A photo the resident sent, added to their last concern (a staff-only timeline step)."""
    last = last_report(follower)
    if last is None:
        raise _no_concern()
    concern = last.concern
    if concern.photos.count() >= MAX_PHOTOS_PER_CONCERN:
        raise ActionError(
            _("This concern has as many photos as it can take."), code="too_many_files"
        )
    # Re-encoded without metadata under a random name, like every other upload.
    image = clean_image(ContentFile(data, name=name), field="photos")
    Photo.objects.create(concern=concern, image=image)
    record(concern, CONCERN_PHOTO_ADDED, actor_label=RESIDENT, public=False)
    return concern


@transaction.atomic
def locate(follower: Follower, latitude: str, longitude: str, label: str) -> Concern:
    """The place the resident sent (WeChat's location message) for their last concern: kept
    with the report, and as the concern's address when it had none."""
    last = last_report(follower)
    if last is None:
        raise _no_concern()
    try:
        lat, lng = (
            Decimal(latitude).quantize(Decimal("0.000001")),
            Decimal(longitude).quantize(Decimal("0.000001")),
        )
    except (InvalidOperation, TypeError):
        raise ActionError(_("This place could not be read."), code="invalid_place") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ActionError(_("This place could not be read."), code="invalid_place")
    label = plain_text(label, "address", limit=200)
    last.latitude, last.longitude, last.place_label = lat, lng, label
    last.save(update_fields=["latitude", "longitude", "place_label"])
    concern = last.concern
    if label and not concern.address:
        concern.address = label
        concern.save(update_fields=["address"])
    record(concern, CONCERN_LOCATED, actor_label=RESIDENT, public=False)
    return concern


def set_phone(follower: Follower, raw: str) -> Follower:
    """The number the resident gave: later concerns count by it, and it receives SMS."""
    follower.phone = phones.normalise(raw)
    follower.save(update_fields=["phone"])
    return follower


def unsubscribed(follower: Follower) -> None:
    Follower.objects.filter(pk=follower.pk).update(subscribed=False)
    follower.subscribed = False
