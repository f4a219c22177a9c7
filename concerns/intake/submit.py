"""民事民提: a concern comes in. Validation, then the orchestration of one submit: read the text
(concerns.intake.model), count its terms in the district, find the open issue it describes
through the term index, join it or open one, count the residents, record the events. Every
statement is in concerns.intake.store.
"""

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.permissions import can_change_area
from concerns import codes, verbs
from concerns.intake import model, store
from concerns.intake.store import first, place_names
from concerns.models import Category, Concern, Issue, Photo, neutral_title
from concerns.permissions import check_can_register, registration_grid
from concerns.titles import make_title
from core import phones, uploads
from core.errors import ActionError, Conflict
from core.text import normalised, plain_text
from places.models import Area, Building, Compound
from timeline import actors
from timeline.services import record_many

__all__ = [
    "MAX_CONTENT",
    "MAX_PHOTOS",
    "Candidate",
    "Submission",
    "candidates_for_concern",
    "candidates_for_issue",
    "check_photos",
    "decision_candidates",
    "earlier_submit",
    "household_key",
    "normalise_phone",
    "scoped_idempotency_key",
    "submit_concern",
]


MAX_CONTENT = 20_000
MAX_PHOTOS = 6
# Channels a resident uses without an account; every other channel is registered by staff.
RESIDENT_CHANNELS = {Concern.Channel.WEB}

_ROOM = re.compile(
    r"(?:(\d+)\s*(?:号楼|栋|幢))?\D*?(?:(\d+)\s*单元)?\D*?(\d{3,4})\s*(?:室|号|户)?\s*$"
)


# ---- Checking input (shared by forms, the API and the submit itself)


def normalise_phone(raw: str) -> str:
    """A mainland number as stored (core.phones: the one rule); ActionError if it is not one."""
    return phones.normalise(raw)


def check_photos(photos: Sequence[Any]) -> list[ContentFile]:
    """The photos re-encoded under random names (core.uploads.clean_image), ready to store;
    ActionError for the first one that is not a photo or is too large."""
    if len(photos) > MAX_PHOTOS:
        raise ActionError(
            _("At most %(n)d photos.") % {"n": MAX_PHOTOS}, code="too_many_files", field="photos"
        )
    return uploads.clean_images(photos, field="photos")


def household_key(building: Building | None, compound: Compound | None, address: str) -> str:
    """ "b12:2-501" when the address names a room of a known building, else ""."""
    match = _ROOM.search(address or "")
    if not match:
        return ""
    building_no, unit, room = match.groups()
    if building is not None:
        return f"b{building.pk}:{unit or ''}-{room}"
    if compound is not None and building_no:
        return f"c{compound.pk}:{building_no}-{unit or ''}-{room}"
    return ""


def neutral_title_of(compound: Compound | None, community: Area, category: Category | None) -> str:
    # Stored, so in the site's language whatever the language of the request that opened it.
    with translation.override(settings.LANGUAGE_CODE):
        return neutral_title(compound.name if compound is not None else community.name, category)


def _actor_label(actor: Any, channel: str) -> Any:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return actors.RESIDENT
    return (
        actors.GRID_WORKER
        if channel in (Concern.Channel.PATROL, Concern.Channel.GRID_PHONE)
        else actors.COMMUNITY
    )


# ---- What staff see: the open issues a concern (or an issue) may describe


@dataclass
class Candidate:
    issue_id: int
    title: str
    similarity: float
    residents_count: int = 0


def _ranked(reading: model.Reading, community: Area, exclude: Iterable[int]) -> list[Candidate]:
    district = store.district_id(community)
    weights = model.idf(*store.term_counts(district, model.document_terms(reading)))
    keys = model.lookup_keys(reading, weights)
    rows = store.candidates(
        community.pk,
        keys,
        exclude=exclude,
        weights=model.key_weights(keys, weights),
        rare=model.rare_keys(keys, weights, store.POSTINGS_PER_KEY),
    )
    ranked = []
    for issue_id, title, terms, _category, residents in rows:
        score = model.probability(reading, terms, weights)
        if score >= model.SHOW_PROBABILITY:
            ranked.append(Candidate(issue_id, title, round(score, 3), residents))
    ranked.sort(key=lambda c: (-c.similarity, -c.residents_count, c.issue_id))
    return ranked


def candidates_for_text(
    content: str, community: Area, *, exclude: Iterable[int] = ()
) -> list[Candidate]:
    """The open issues of the community that a text may describe, best first, with scores."""
    return _ranked(model.read(content, place_names(community)), community, exclude)


def candidates_for_concern(concern: Concern) -> list[Candidate]:
    return candidates_for_text(concern.content, concern.community, exclude=[concern.issue_id])


def candidates_for_issue(issue: Issue) -> list[Candidate]:
    """Open issues that may be the same matter as this one (read from its first concerns)."""
    text = "\n".join(store.texts_of(issue.pk)[:5])
    return candidates_for_text(text, issue.community, exclude=[issue.pk])


# ---- The submit


@dataclass(frozen=True)
class Submission:
    """One concern as checked, ready to be grouped and stored."""

    community: Area
    grid: Area | None
    compound: Compound | None
    building: Building | None
    channel: str
    category: Category | None
    urgency: str
    content: str
    name: str
    phone: str
    address: str
    resident: str  # the key one resident is counted by (tel:…, hh:…, a follower's, …)
    household: str
    received: datetime
    actor: Any  # the staff member who registered it, or None
    idempotency_key: str | None


@dataclass(frozen=True)
class _Read:
    """What the model read from the submission, and the district's IDF at that moment."""

    reading: model.Reading
    weights: model.Idf
    lookup: list[str]
    keys: list[str]
    district: int
    terms: frozenset[str]


def submit_concern(
    *,
    community: Area,
    content: str,
    channel: str,
    phone: str = "",
    name: str = "",
    address: str = "",
    building: Building | None = None,
    compound: Compound | None = None,
    category: Category | None = None,
    urgency: str = "normal",
    received_at: datetime | None = None,
    actor: Any = None,
    idempotency_key: str | None = None,
    photos: Sequence[Any] = (),
    partner: Any = None,
    wechat_resident: str = "",
) -> Concern:
    """Register one person's concern and group it into an issue of its community.

    `wechat_resident` is the key of a 公众号 follower (wechat.models.Follower.resident_key),
    passed only by the WeChat endpoint once WeChat's signature is checked: such a resident
    writes through channel 公众号 without an account and may leave out the phone, and counts
    as one resident by that key (by the phone when they gave one).

    `partner` is the organisation behind an authenticated partner system (an Open311 API
    key): it raises concerns on residents' behalf through the API channel, and, like staff,
    may leave out the phone number.

    Joins the open issue it describes (concerns.intake.model) or opens a new one, recounts the
    distinct residents behind that issue under a row lock, gives the concern a tracking code
    and records the events. With `idempotency_key`, a repeated call returns the first concern.
    """
    submission, photos_ok = _checked(
        community=community,
        content=content,
        channel=channel,
        phone=phone,
        name=name,
        address=address,
        building=building,
        compound=compound,
        category=category,
        urgency=urgency,
        received_at=received_at,
        actor=actor,
        idempotency_key=idempotency_key,
        photos=photos,
        partner=partner,
        wechat_resident=wechat_resident,
    )
    return _register_once(submission, _read(submission), photos_ok)


def _register_once(submission: Submission, read: _Read, photos: list[ContentFile]) -> Concern:
    """_register(), retried when the insert meets a unique constraint: a repeated
    idempotency key is answered with its first concern, a tracking code that collided is
    drawn again."""
    for _attempt in range(4):
        try:
            return _register(submission, read, photos)
        except IntegrityError:
            # The same idempotency key raced in from a second request: answer with the first.
            if submission.idempotency_key:
                earlier = earlier_submit(
                    submission.idempotency_key,
                    community=submission.community,
                    channel=submission.channel,
                    content=submission.content,
                )
                if earlier is not None:
                    return earlier
            # Otherwise a tracking code collided (one in 10^11): the whole insert is retried.
    raise Conflict(
        _("Could not allocate a tracking code; please try again."),
        code="tracking_code_unavailable",
    )


def _checked(
    *,
    community: Area,
    content: str,
    channel: str,
    phone: str,
    name: str,
    address: str,
    building: Building | None,
    compound: Compound | None,
    category: Category | None,
    urgency: str,
    received_at: datetime | None,
    actor: Any,
    idempotency_key: str | None,
    photos: Sequence[Any],
    partner: Any,
    wechat_resident: str,
) -> tuple[Submission, list[ContentFile]]:
    """Everything checked before anything is written: the submission and its photos."""
    staff, partnered, follower = _sender(community, channel, actor, partner, wechat_resident)
    content = plain_text(content, "content", limit=MAX_CONTENT, required=True)
    name = plain_text(name, "name", limit=50)
    address = plain_text(address, "address", limit=200)
    phone = _phone(phone, required=not (staff or partnered or follower))
    if urgency not in Concern.Urgency.values:
        raise ActionError(_("Unknown urgency."), code="invalid_urgency", field="urgency")
    # No lookup first: a repeated key meets the unique constraint on insert (submit_concern),
    # so a first submit pays no extra query. Clients' keys come scoped (scoped_idempotency_key).
    idempotency_key = (idempotency_key or "").strip()[:80] or None
    compound, grid = _place(community, building, compound)
    if staff:
        grid = _registering(actor, community, grid)
    cleaned = check_photos(photos)
    received = _received(received_at)
    household = household_key(building, compound, address)
    if phone or household:
        resident = f"tel:{phone}" if phone else f"hh:{household}"
    else:
        resident = wechat_resident[:64] if follower else _nobody_known(actor if staff else None)
    submission = Submission(
        community=community,
        grid=grid,
        compound=compound,
        building=building,
        channel=channel,
        category=category,
        urgency=urgency,
        content=content,
        name=name,
        phone=phone,
        address=address,
        resident=resident,
        household=household,
        received=received,
        actor=actor if staff else None,
        idempotency_key=idempotency_key,
    )
    return submission, cleaned


def _sender(
    community: Area, channel: str, actor: Any, partner: Any, wechat_resident: str
) -> tuple[bool, bool, bool]:
    """Who submits, to which community through which channel: (staff, a partner system
    through the API, a 公众号 follower). Anyone else only through the channels residents use
    themselves."""
    if community is None or community.kind != Area.Kind.COMMUNITY:
        raise ActionError(_("Choose a community."), code="unknown_community", field="community")
    if channel not in Concern.Channel.values:
        raise ActionError(_("Unknown channel."), code="invalid_channel", field="channel")
    is_staff = actor is not None and getattr(actor, "is_authenticated", False)
    trusted_partner = partner is not None and channel == Concern.Channel.API
    follower = bool(wechat_resident) and channel == Concern.Channel.WECHAT and not is_staff
    if not is_staff and not trusted_partner and not follower and channel not in RESIDENT_CHANNELS:
        raise ActionError(
            _("Only staff may register concerns received through this channel."),
            code="staff_channel",
            status=403,
            field="channel",
        )
    return is_staff, trusted_partner, follower


def _place(
    community: Area, building: Building | None, compound: Compound | None
) -> tuple[Compound | None, Area | None]:
    """(compound, grid) of the place given, checked to lie in the community: the building's
    compound, and the grid of the building (or else of the compound)."""
    if building is not None:
        if compound is not None and building.compound_id != compound.pk:
            raise ActionError(
                _("This building is not in that compound."),
                code="invalid_building",
                field="building",
            )
        compound = building.compound
    grid_id: int | None = None
    if building is not None:
        grid_id = building.effective_grid_id
    elif compound is not None:
        grid_id = compound.grid_id
    grid = first(Area.objects.filter(pk=grid_id)) if grid_id else None
    if grid_id is not None and (grid is None or grid.parent_id != community.pk):
        field = "building" if building is not None else "compound"
        raise ActionError(
            _("This place is not in the community chosen."), code="place_outside", field=field
        )
    return compound, grid


def _phone(phone: str, *, required: bool) -> str:
    """The phone in its one stored form; staff, partners and followers may leave it out."""
    phone = phone.strip() if phone else ""
    return normalise_phone(phone) if phone or required else ""


def _registering(actor: Any, community: Area, grid: Area | None) -> Area | None:
    """The grid of a concern staff register, once checked they may: the place's, else a
    grid worker's own grid."""
    if grid is None and not can_change_area(actor, community):
        grid = registration_grid(actor, community)
    check_can_register(actor, community, grid)
    return grid


def _received(received_at: datetime | None) -> datetime:
    """When the concern came in: now, or the time staff give (a call taken earlier), never
    later than now (a few minutes' clock drift allowed)."""
    received = received_at or timezone.now()
    if received > timezone.now() + timedelta(minutes=5):
        raise ActionError(
            _("The time received cannot be in the future."), code="future", field="received_at"
        )
    return received


def _nobody_known(staff: Any) -> str:
    """The resident key of a concern with no phone, household or follower: the staff member
    who registered it, else a key of its own (counted as one more resident)."""
    return f"user:{staff.pk}" if staff is not None else f"anon:{secrets.token_hex(8)}"


def _read(submission: Submission) -> _Read:
    """Read the text, and weigh its terms by the district's document frequencies (one read;
    the submit counts its own terms in the table last, store.count_terms)."""
    community = submission.community
    category = submission.category.code if submission.category else ""
    reading = model.read(submission.content, place_names(community), category)
    district = store.district_id(community)
    terms = model.document_terms(reading)
    documents, counts = store.term_counts(district, terms)
    # The model weighs a concern among the district's concerns, itself included; the submit
    # counts it in the table only last (store.count_terms), so it is added here.
    own = {term: counts.get(term[: store.KEY_LENGTH], 0) + 1 for term in terms}
    weights = model.idf(documents + 1, own)
    return _Read(
        reading,
        weights,
        model.lookup_keys(reading, weights),
        model.index_keys(reading),
        district,
        terms,
    )


def scoped_idempotency_key(
    raw: str | None, *, phone: str = "", actor: Any = None, partner: Any = None
) -> str | None:
    """The stored form of an Idempotency-Key a client sent: bound to who submits (the account
    or partner, and the resident's phone), so the same key from another client is another
    key and never answers with someone else's concern (and its tracking code). Views and
    the API pass keys through this; keys made on the server (imports, demo) are their own."""
    raw = (raw or "").strip()[:200]
    if not raw:
        return None
    if actor is not None and getattr(actor, "is_authenticated", False):
        who = f"user:{actor.pk}"
    elif partner is not None:
        who = f"org:{partner.pk}"
    else:
        who = "resident"
    try:
        number = normalise_phone(phone) if phone else ""
    except ActionError:
        number = phone.strip()
    digest = hashlib.sha256(f"{who}\n{number}\n{raw}".encode()).hexdigest()
    return f"k1:{digest}"


def earlier_submit(key: str, *, community: Any, channel: str, content: str) -> Concern | None:
    """The concern a scoped key was first used for; a 422 when the key comes back with
    another body (a client bug, or a key that is not the client's own)."""
    earlier = Concern.objects.select_related("issue").filter(idempotency_key=key).first()
    if earlier is None:
        return None
    if (
        earlier.community_id != getattr(community, "pk", None)
        or earlier.channel != channel
        or earlier.content != normalised(content)
    ):
        raise ActionError(
            _("This Idempotency-Key was already used for another request. Use a new key."),
            code="idempotency_key_reused",
            status=422,
        )
    return earlier


def _new_concern(submission: Submission, issue: Issue, score: float | None) -> Concern:
    return Concern(
        tracking_code=codes.new_code(),
        issue=issue,
        community=submission.community,
        grid=submission.grid,
        compound=submission.compound,
        building=submission.building,
        channel=submission.channel,
        # Without a category chosen, the concern is counted under its issue's (guessed or
        # confirmed) one, so figures by category do not fill up with "no category".
        category_id=submission.category.pk if submission.category else issue.category_id,
        urgency=submission.urgency,
        content=submission.content,
        reporter_name=submission.name,
        phone=submission.phone,
        address=submission.address,
        resident_key=submission.resident,
        household_key=submission.household,
        similarity=score,
        received_at=submission.received,
        created_by=submission.actor,
        idempotency_key=submission.idempotency_key,
    )


def _receipt(
    submission: Submission, concern: Concern, issue: Issue, score: float | None
) -> list[tuple[Any, str, dict[str, Any]]]:
    """The events of a concern coming in (timeline.services.record_many's entries)."""
    actor = submission.actor
    label = _actor_label(actor, submission.channel)
    opened = (
        []
        if score is not None
        else [(issue, verbs.ISSUE_OPENED, {"actor_label": actors.COMMUNITY, "note": issue.title})]
    )
    return [
        *opened,
        (
            concern,
            verbs.CONCERN_RECEIVED,
            {
                "actor": actor,
                "actor_label": label,
                "note": str(concern.get_channel_display()),
                "data": {"issue": issue.pk},
            },
        ),
        (
            issue,
            verbs.ISSUE_CONCERN_ADDED,
            {
                "actor": actor,
                "actor_label": label,
                "public": False,
                "data": {"concern": concern.pk, "similarity": score},
            },
        ),
    ]


@transaction.atomic
def _register(submission: Submission, read: _Read, photos: Sequence[ContentFile]) -> Concern:
    """The write half of submit_concern: group, insert, count, index, record, count the
    terms — one transaction."""
    issue, score, counted = _group(submission, read)
    concern = _new_concern(submission, issue, score)
    store.insert(concern)
    if not counted:
        store.count_in(issue, concern, model.fold(issue.terms, read.reading, read.weights))
    store.index(submission.community.pk, issue.pk, read.keys)
    for image in photos:
        Photo.objects.create(concern=concern, image=image)
    record_many(*_receipt(submission, concern, issue, score))
    store.count_terms(read.district, read.terms)
    return concern


def _group(submission: Submission, read: _Read) -> tuple[Issue, float | None, bool]:
    """The issue a concern joins, or a new one; with the probability that decided (None for a
    new issue) and whether the issue counts the concern already. A join is counted in the
    same statement that finds the issue still open and locks it (store.join); a new issue is
    created counting its first concern."""
    # A phone with a household may link two residents counted apart so far: that join locks
    # the issue first and counts after the insert (store.count_in), which may count it again.
    simple = not (submission.household and submission.resident.startswith("tel:"))
    for _attempt in range(3):
        best = _best_match(submission.community, read)
        if best is None:
            break
        pk, score, seen_terms = best
        if simple:
            issue = store.join(
                pk,
                seen_terms=seen_terms,
                terms=model.fold(seen_terms, read.reading, read.weights),
                resident=submission.resident,
                household=submission.household,
                urgency=submission.urgency,
                received=submission.received,
            )
            if issue is not None:
                return issue, score, True
            # Settled or merged meanwhile, or another concern joined first: look again.
            continue
        locked = store.open_issue_locked(pk)
        if locked is not None:
            return locked, score, False
    # No match: create under the community's row lock, after looking once more, so two
    # similar concerns arriving together do not open two issues.
    store.lock_community(submission.community.pk)
    best = _best_match(submission.community, read)
    if best is not None:
        locked = store.open_issue_locked(best[0])
        if locked is not None:
            return locked, best[1], False
    return _open_issue(submission, read), None, True


def _open_issue(submission: Submission, read: _Read) -> Issue:
    """A new issue of the concern (under the community's lock), counting it already; its
    verbs.ISSUE_OPENED event is recorded with the concern's."""
    category = submission.category or store.guess_category(submission.content)
    accept_due, resolve_due = store.due_dates(category, submission.received, submission.urgency)
    issue = Issue(
        community=submission.community,
        grid=submission.grid,
        category=category,
        title=make_title(submission.content),
        public_title=neutral_title_of(submission.compound, submission.community, category),
        residents_count=1,
        concerns_count=1,
        terms=model.fold("", read.reading, read.weights),
        first_received_at=submission.received,
        last_received_at=submission.received,
        accept_due_at=accept_due,
        resolve_due_at=resolve_due,
        level=Issue.Level.GRID if submission.grid is not None else Issue.Level.COMMUNITY,
    )
    store.insert(issue)
    return issue


def decision_candidates(
    community_id: int, keys: Sequence[str], weights: model.Idf
) -> list[tuple[int, str, str, int | None, int]]:
    """The open issues a concern's decision weighs (store.candidates' rows): the best
    model.DECIDE_CANDIDATES by the weight of the lookup keys they share, the issues found
    through rare keys credited with every key they have."""
    return store.candidates(
        community_id,
        keys,
        weights=model.key_weights(keys, weights),
        rare=model.rare_keys(keys, weights, store.POSTINGS_PER_KEY),
        limit=model.DECIDE_CANDIDATES,
    )


def _best_match(community: Area, read: _Read) -> tuple[int, float, str] | None:
    """The open issue the concern is most likely the same matter as, if likely enough:
    (id, probability, its profile as read), by `model.decide`. One read of the term index."""
    profiles = {
        issue_id: terms
        for issue_id, _title, terms, _category, _residents in decision_candidates(
            community.pk, read.lookup, read.weights
        )
    }
    joined, scores = model.decide(read.reading, profiles, read.weights)
    if joined is None:
        return None
    return joined, round(scores[joined], 3), profiles[joined]
