"""State changes of concerns and issues. Each checks permission where a person acts, changes
state atomically and records a timeline event. Views, the API, later workflow steps and
management commands all call these functions.

The four functions at the end are called by later steps of the workflow (consultations,
accountability) when they take an issue further; they never import those apps.
"""

import hashlib
import re
import secrets
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.permissions import can_change_area
from accounts.pickers import check_serves, escalation_targets
from concerns import codes, grouping, titles, verbs
from concerns.models import Category, Concern, Issue, Photo, neutral_title
from concerns.permissions import (
    can_handle,
    can_publish_photo,
    can_triage,
    check,
    check_can_register,
    photo_issue,
    registration_grid,
)
from core import phones, sql, uploads
from core.errors import ActionError, Conflict
from core.text import normalised, plain_text
from places.models import Area, Building, Compound
from timeline import actors
from timeline.public import mask_public_text
from timeline.services import record, record_many

T = TypeVar("T")

S = Issue.Status
L = Issue.Level
C = Concern.Channel

MAX_CONTENT = 4000
MAX_PHOTOS = 6
# Channels a resident uses without an account; every other channel is registered by staff.
RESIDENT_CHANNELS = {C.WEB}
# Without a category an issue gets these limits.
DEFAULT_ACCEPT_HOURS = 24
DEFAULT_RESOLVE_DAYS = 7


_ROOM = re.compile(
    r"(?:(\d+)\s*(?:号楼|栋|幢))?\D*?(?:(\d+)\s*单元)?\D*?(\d{3,4})\s*(?:室|号|户)?\s*$"
)


# ---- Checking input (shared by forms, the API and the actions themselves)


def first(rows: QuerySet[Any, T]) -> T | None:
    """The first row of a query that matches at most one, or None. Unlike QuerySet.first()
    it adds no ORDER BY (the models' default orderings), which costs the submit path time to
    compile and the database time to sort."""
    return next(iter(rows.order_by()[:1]), None)


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


# ---- Places, kept: every submit reads its community and the names of its places, which
# change seldom. Kept per process for a few minutes; a place saved or deleted in this process
# forgets them at once (forget_places, connected in apps.py).

_PLACE_CACHE: dict[int, tuple[float, list[str]]] = {}
_COMMUNITY_CACHE: dict[str, tuple[float, Area]] = {}
_PLACE_TTL = 300.0


def forget_places(*args: Any, **kwargs: Any) -> None:
    _PLACE_CACHE.clear()
    _COMMUNITY_CACHE.clear()


def community_by_code(code: str) -> Area | None:
    """The community with this area code (a form's or the API's `community`), or None."""
    cached = _COMMUNITY_CACHE.get(code)
    now = time.monotonic()
    if cached and now - cached[0] < _PLACE_TTL:
        return cached[1]
    community = sql.instance(Area, "code = %s AND kind = %s", [code, Area.Kind.COMMUNITY])
    if community is not None:
        _COMMUNITY_CACHE[code] = (now, community)
    return community


# Place names are not what a concern is about: they are removed before grouping.
def place_names(community: Area) -> list[str]:
    cached = _PLACE_CACHE.get(community.pk)
    now = time.monotonic()
    if cached and now - cached[0] < _PLACE_TTL:
        return cached[1]
    names = [community.name, community.name.removesuffix("社区").removesuffix("村")]
    names += Compound.objects.filter(grid__parent=community).values_list("name", flat=True)
    names += Area.objects.filter(parent=community).values_list("name", flat=True)
    _PLACE_CACHE[community.pk] = (now, names)
    return names


def concern_features(content: str, community: Area) -> dict[str, float]:
    return grouping.features(content, place_names(community)).weights


def _candidate_rows(community: Area, exclude: Iterable[int] = ()) -> list[tuple]:
    """Open issues of the community, most recently active first, capped (indexed)."""
    rows = (
        Issue.objects.filter(community=community, status__in=Issue.OPEN_STATUSES)
        .exclude(pk__in=list(exclude))
        .order_by("-last_received_at")
        .values_list("id", "title", "terms", "residents_count")[: grouping.MAX_CANDIDATES]
    )
    return list(rows)


def candidates_for_text(
    content: str, community: Area, *, exclude: Iterable[int] = ()
) -> list[grouping.Candidate]:
    """The open issues of the community that a text may describe, best first, with scores."""
    weights = concern_features(content, community)
    return grouping.rank(weights, _candidate_rows(community, exclude))


def candidates_for_concern(concern: Concern) -> list[grouping.Candidate]:
    return candidates_for_text(concern.content, concern.community, exclude=[concern.issue_id])


def _guess_category(content: str) -> Category | None:
    """The active category whose keywords the text names most often (first in order on ties)."""
    best, best_hits = None, 0
    for category in Category.objects.filter(active=True).exclude(keywords=""):
        hits = sum(1 for word in category.keywords.split() if word and word in content)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


def _due_dates(category: Category | None, received: datetime) -> tuple[datetime, datetime]:
    accept = category.accept_hours if category else DEFAULT_ACCEPT_HOURS
    resolve = category.resolve_days if category else DEFAULT_RESOLVE_DAYS
    return received + timedelta(hours=accept), received + timedelta(days=resolve)


def _recount(issue: Issue) -> int:
    """Distinct residents behind the issue: concerns sharing a phone or a household are one
    resident (a union of both links, so A–B by phone and B–C by household make one)."""
    rows = list(issue.concerns.values_list("pk", "resident_key", "household_key"))
    parent = {pk: pk for pk, _, _ in rows}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_by_key: dict[str, int] = {}
    for pk, resident, household in rows:
        for key in (resident, f"hh:{household}" if household else ""):
            if not key:
                continue
            if key in first_by_key:
                parent[find(pk)] = find(first_by_key[key])
            else:
                first_by_key[key] = pk
    return len({find(pk) for pk in parent})


def _refresh_counts(issue: Issue) -> None:
    issue.residents_count = _recount(issue)
    issue.concerns_count = issue.concerns.count()


def _rebuild_terms(issue: Issue) -> None:
    weights: dict[str, float] = {}
    for content in issue.concerns.values_list("content", flat=True)[:200]:
        for key, value in concern_features(content, issue.community).items():
            weights[key] = weights.get(key, 0.0) + value
    issue.terms = grouping.dump_terms(weights)


def refresh_open_terms(*, batch: int = 500) -> int:
    """Recompute the grouping features of every open issue from its concerns, e.g. after the
    vocabulary in concerns/grouping.py changed; returns how many changed. Each issue is
    rewritten under its row lock only when its features differ, so submits carry on."""
    changed = 0
    last = 0
    while True:
        ids = list(
            Issue.objects.filter(status__in=Issue.OPEN_STATUSES, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return changed
        last = ids[-1]
        for pk in ids:
            with transaction.atomic():
                issue = first(
                    Issue.objects.select_for_update().select_related("community").filter(pk=pk)
                )
                if issue is None or issue.status not in Issue.OPEN_STATUSES:
                    continue
                before = issue.terms
                _rebuild_terms(issue)
                if issue.terms != before:
                    issue.save(update_fields=["terms"])
                    changed += 1


def _actor_label(actor: Any, channel: str) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "居民"
    return "网格员" if channel in (C.PATROL, C.GRID_PHONE) else "社区"


# ---- 民事民提: a concern comes in


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

    Joins the open issue it describes (jieba similarity) or opens a new one, recounts the
    distinct residents behind that issue under a row lock, gives the concern a tracking code
    and records the events. With `idempotency_key`, a repeated call returns the first concern.
    """
    # Check everything before anything is written.
    if community is None or community.kind != Area.Kind.COMMUNITY:
        raise ActionError(_("Choose a community."), code="unknown_community", field="community")
    if channel not in C.values:
        raise ActionError(_("Unknown channel."), code="invalid_channel", field="channel")
    is_staff = actor is not None and getattr(actor, "is_authenticated", False)
    trusted_partner = partner is not None and channel == C.API
    follower = bool(wechat_resident) and channel == C.WECHAT and not is_staff
    if not is_staff and not trusted_partner and not follower and channel not in RESIDENT_CHANNELS:
        raise ActionError(
            _("Only staff may register concerns received through this channel."),
            code="staff_channel",
            status=403,
            field="channel",
        )
    content = plain_text(content, "content", limit=MAX_CONTENT, required=True)
    name = plain_text(name, "name", limit=50)
    address = plain_text(address, "address", limit=200)
    phone = phone.strip() if phone else ""
    if phone or not (is_staff or trusted_partner or follower):
        phone = normalise_phone(phone)
    if urgency not in Concern.Urgency.values:
        raise ActionError(_("Unknown urgency."), code="invalid_urgency", field="urgency")
    # No lookup first: a repeated key is answered when its insert meets the unique
    # constraint (below), so a first submit (nearly all of them) pays no extra query. Keys
    # sent by clients come scoped to their sender (scoped_idempotency_key).
    idempotency_key = (idempotency_key or "").strip()[:80] or None
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
    if is_staff:
        if grid is None and not can_change_area(actor, community):
            grid = registration_grid(actor, community)  # a grid worker's own grid
        check_can_register(actor, community, grid)
    cleaned = check_photos(photos)
    received = received_at or timezone.now()
    if received > timezone.now() + timedelta(minutes=5):
        raise ActionError(
            _("The time received cannot be in the future."), code="future", field="received_at"
        )

    weights = concern_features(content, community)
    household = household_key(building, compound, address)
    if phone:
        resident = f"tel:{phone}"
    elif household:
        resident = f"hh:{household}"
    elif follower:
        resident = wechat_resident[:64]
    elif is_staff:
        resident = f"user:{actor.pk}"
    else:
        resident = f"anon:{secrets.token_hex(8)}"

    fields = {
        "community": community,
        "grid": grid,
        "compound": compound,
        "building": building,
        "channel": channel,
        "category": category,
        "urgency": urgency,
        "content": content,
        "name": name,
        "phone": phone,
        "address": address,
        "resident": resident,
        "household": household,
        "received": received,
        "actor": actor if is_staff else None,
        "idempotency_key": idempotency_key or None,
    }
    for _attempt in range(4):
        try:
            return _register(fields, weights, cleaned)
        except IntegrityError:
            # The same idempotency key raced in from a second request: answer with the first.
            if idempotency_key:
                earlier = earlier_submit(
                    idempotency_key, community=community, channel=channel, content=content
                )
                if earlier is not None:
                    return earlier
            # Otherwise a tracking code collided (one in 10^11): the whole insert is retried.
    raise Conflict(
        _("Could not allocate a tracking code; please try again."),
        code="tracking_code_unavailable",
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


def _new_concern(fields: dict[str, Any], issue: Issue, score: float | None) -> Concern:
    return Concern(
        tracking_code=codes.new_code(),
        issue=issue,
        community=fields["community"],
        grid=fields["grid"],
        compound=fields["compound"],
        building=fields["building"],
        channel=fields["channel"],
        # Without a category chosen, the concern is counted under its issue's (guessed or
        # confirmed) one, so figures by category do not fill up with "no category".
        category_id=fields["category"].pk if fields["category"] else issue.category_id,
        urgency=fields["urgency"],
        content=fields["content"],
        reporter_name=fields["name"],
        phone=fields["phone"],
        address=fields["address"],
        resident_key=fields["resident"],
        household_key=fields["household"],
        similarity=score,
        received_at=fields["received"],
        created_by=fields["actor"],
        idempotency_key=fields["idempotency_key"],
    )


def _receipt(
    fields: dict[str, Any], concern: Concern, issue: Issue, score: float | None
) -> list[tuple[Any, str, dict[str, Any]]]:
    """The events of a concern coming in (timeline.services.record_many's entries)."""
    actor = fields["actor"]
    label = _actor_label(actor, fields["channel"])
    opened = (
        []
        if score is not None
        else [(issue, verbs.ISSUE_OPENED, {"actor_label": "社区", "note": issue.title})]
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
def _register(
    fields: dict[str, Any], weights: dict[str, float], photos: Sequence[ContentFile]
) -> Concern:
    """The write half of submit_concern: group, insert, count, record — one transaction."""
    issue, score, counted = _group(fields, weights)
    concern = _new_concern(fields, issue, score)
    sql.insert([concern])  # Concern.objects.create() without compiling the INSERT
    if not counted:
        _count_in(issue, concern, weights, fields["received"])
    for image in photos:
        Photo.objects.create(concern=concern, image=image)
    record_many(*_receipt(fields, concern, issue, score))
    return concern


def _group(fields: dict[str, Any], weights: dict[str, float]) -> tuple[Issue, float | None, bool]:
    """The issue a concern joins, or a new one; with the similarity that decided (None for a
    new issue) and whether the issue counts the concern already. A join is counted in the
    same statement that finds the issue still open and locks it (_join); a new issue is
    created counting its first concern."""
    community, category = fields["community"], fields["category"]
    # A phone with a household may link two residents counted apart so far: that join locks
    # the issue first and counts after the insert (_count_in), which may count it again.
    simple = not (fields["household"] and fields["resident"].startswith("tel:"))
    for _attempt in range(3):
        best = _best_match(community, weights, category)
        if best is None:
            break
        pk, score, seen_terms = best
        if simple:
            issue = _join(pk, seen_terms, fields, weights)
            if issue is not None:
                return issue, score, True
            # Settled or merged meanwhile, or another concern joined first: look again.
            continue
        locked = _open_issue_locked(pk)
        if locked is not None:
            return locked, score, False
    # No match: create under the community's row lock, after looking once more, so two
    # similar concerns arriving together do not open two issues.
    lock = f"SELECT id FROM places_area WHERE id = %s{sql.for_update()}"  # noqa: S608
    sql.one(lock, [community.pk])
    best = _best_match(community, weights, category)
    if best is not None:
        locked = _open_issue_locked(best[0])
        if locked is not None:
            return locked, best[1], False
    received, urgency = fields["received"], fields["urgency"]
    category = category or _guess_category(fields["content"])
    accept_due, resolve_due = _due_dates(category, received)
    if urgency == Concern.Urgency.URGENT:
        accept_due = min(accept_due, received + timedelta(hours=2))
    grid = fields["grid"]
    issue = Issue(
        community=community,
        grid=grid,
        category=category,
        title=titles.make_title(fields["content"]),
        public_title=_neutral_title(fields["compound"], community, category),
        residents_count=1,
        concerns_count=1,
        terms=grouping.add_terms("", weights),
        first_received_at=received,
        last_received_at=received,
        accept_due_at=accept_due,
        resolve_due_at=resolve_due,
        level=L.GRID if grid is not None else L.COMMUNITY,
    )
    sql.insert([issue])
    return issue, None, True  # its "issue.opened" event is recorded with the concern's


def _open_issue_locked(pk: int) -> Issue | None:
    """The issue, row-locked, if it is still open (a merge or a settlement may have come
    between the candidates' read and the lock)."""
    issue = sql.instance(Issue, "id = %s", [pk], lock=True)
    return issue if issue is not None and issue.status in Issue.OPEN_STATUSES else None


_CANDIDATES = (
    "SELECT id, terms, category_id FROM concerns_issue WHERE community_id = %s "  # noqa: S608
    f"AND status IN ({sql.marks(Issue.OPEN_STATUSES)}) ORDER BY last_received_at DESC LIMIT %s"
)


def _best_match(
    community: Area, weights: dict[str, float], category: Category | None
) -> tuple[int, float, str] | None:
    """The open issue the concern is most like, if like enough: (id, similarity, its terms
    as read)."""
    # One indexed read (issue_candidates), the categories with it.
    rows = sql.rows(_CANDIDATES, [community.pk, *Issue.OPEN_STATUSES, grouping.MAX_CANDIDATES])
    best: tuple[int, float, str] | None = None
    norm = grouping._norm(weights)
    for issue_id, terms, other in rows:
        score = grouping.similarity_to(weights, norm, terms)
        # An explicit, different category makes a match less likely but not impossible.
        if category is not None and other is not None and other != category.pk:
            score *= 0.8
        if score >= grouping.JOIN_THRESHOLD and (best is None or score > best[1]):
            best = (issue_id, round(score, 3), terms)
    return best


# The join, counted: one resident more unless a concern of the issue has their phone (or
# key) or their household already; the new concern's terms added to the terms as they were
# read, and its dates. Only while the issue is still open and its terms are still those
# read: otherwise another concern joined (or staff changed the issue) in between, no row is
# updated, and the caller looks again. The UPDATE locks the row until the submit commits.
_JOIN = (
    "residents_count = residents_count + CASE WHEN EXISTS (SELECT 1 FROM concerns_concern "
    "WHERE issue_id = %s AND {same}) THEN 0 ELSE 1 END, "
    "concerns_count = concerns_count + 1, terms = %s, "
    "last_received_at = CASE WHEN last_received_at < %s THEN %s ELSE last_received_at END, "
    "first_received_at = CASE WHEN first_received_at > %s THEN %s ELSE first_received_at END, "
    "accept_due_at = CASE WHEN accept_due_at > %s THEN %s ELSE accept_due_at END, "
    "updated_at = %s"
)
_JOIN_BY = {
    False: _JOIN.format(same="resident_key = %s"),
    True: _JOIN.format(same="(resident_key = %s OR household_key = %s)"),
}
_JOIN_WHERE = f"id = %s AND status IN ({sql.marks(Issue.OPEN_STATUSES)}) AND terms = %s"


def _join(
    pk: int, seen_terms: str, fields: dict[str, Any], weights: dict[str, float]
) -> Issue | None:
    """Count the concern into the issue it joins, in one statement (_JOIN); the issue as the
    statement left it, or None when it no longer matched."""
    received, household = fields["received"], fields["household"]
    # An urgent concern brings the time to accept forward to two hours from its receipt.
    due = received + timedelta(hours=2) if fields["urgency"] == Concern.Urgency.URGENT else None
    same = [fields["resident"], household] if household else [fields["resident"]]
    return sql.update_returning(
        Issue,
        _JOIN_BY[bool(household)],
        _JOIN_WHERE,
        [
            pk,
            *same,
            grouping.add_terms(seen_terms, weights),
            received,
            received,
            received,
            received,
            due,
            due,
            timezone.now(),
            pk,
            *Issue.OPEN_STATUSES,
            seen_terms,
        ],
    )


def _count_in(
    issue: Issue, concern: Concern, weights: dict[str, float], received: datetime
) -> None:
    """Update the (locked) issue for its new concern: residents, concerns, terms, dates.
    One statement: the resident is counted unless an earlier concern of the issue shares
    their phone or household (an EXISTS inside the UPDATE)."""
    same = "SELECT 1 FROM concerns_concern WHERE issue_id = %s AND id <> %s AND (resident_key = %s"
    same_params: list[Any] = [issue.pk, concern.pk, concern.resident_key]
    if concern.household_key:
        same, same_params = same + " OR household_key = %s", [*same_params, concern.household_key]
    same += ")"
    if concern.household_key and concern.resident_key.startswith("tel:"):
        # It may link two residents counted apart so far: then count the whole issue again.
        known = sql.one(same + " LIMIT 1", same_params)
        residents, residents_params = (
            "%s",
            [_recount(issue) if known else issue.residents_count + 1],
        )
    else:
        residents = f"residents_count + CASE WHEN EXISTS ({same}) THEN 0 ELSE 1 END"
        residents_params = same_params
    issue.concerns_count += 1
    issue.terms = grouping.add_terms(issue.terms, weights)
    issue.last_received_at = max(issue.last_received_at, received)
    if received < issue.first_received_at:
        issue.first_received_at = received
    if concern.urgency == Concern.Urgency.URGENT and issue.accept_due_at:
        issue.accept_due_at = min(issue.accept_due_at, received + timedelta(hours=2))
    issue.updated_at = timezone.now()
    counted = sql.one(
        f"UPDATE concerns_issue SET residents_count = {residents}, concerns_count = %s, "  # noqa: S608
        "terms = %s, last_received_at = %s, first_received_at = %s, accept_due_at = %s, "
        "updated_at = %s WHERE id = %s RETURNING residents_count",
        [
            *residents_params,
            issue.concerns_count,
            issue.terms,
            issue.last_received_at,
            issue.first_received_at,
            issue.accept_due_at,
            issue.updated_at,
            issue.pk,
        ],
    )
    assert counted is not None  # the row is locked: it cannot have gone
    issue.residents_count = counted[0]


# ---- Staff review of the grouping


def _lock_pair(a: Issue, b: Issue) -> tuple[Issue, Issue]:
    locked = {
        i.pk: i
        for i in Issue.objects.select_for_update(of=("self",))
        .filter(pk__in=[a.pk, b.pk])
        .order_by("pk")
        .select_related("community")
    }
    return locked[a.pk], locked[b.pk]


@transaction.atomic
def confirm_grouping(concern: Concern, *, actor: Any) -> Concern:
    """Staff agree that the concern belongs to its issue."""
    check(actor, concern.issue, can_triage(actor, concern.issue))
    Concern.objects.filter(pk=concern.pk).update(grouping_confirmed=True)
    concern.grouping_confirmed = True
    record(
        concern.issue,
        verbs.ISSUE_GROUPING_CONFIRMED,
        actor=actor,
        actor_label="社区",
        public=False,
        data={"concern": concern.pk},
    )
    return concern


@transaction.atomic
def retitle_issue(issue: Issue, *, title: str, actor: Any) -> Issue:
    check(actor, issue, can_triage(actor, issue) or can_handle(actor, issue))
    title = plain_text(title, "title", limit=120, required=True)
    Issue.objects.filter(pk=issue.pk).update(title=title, updated_at=timezone.now())
    issue.title = title
    # The working title is for staff: renaming it is no step the public follow.
    record(issue, verbs.ISSUE_RETITLED, actor=actor, actor_label="社区", note=title, public=False)
    return issue


def _neutral_title(compound: Compound | None, community: Area, category: Category | None) -> str:
    # Stored, so in the site's language whatever the language of the request that opened it.
    with translation.override(settings.LANGUAGE_CODE):
        return neutral_title(compound.name if compound is not None else community.name, category)


@transaction.atomic
def set_public_title(issue: Issue, *, title: str, actor: Any, publish: bool | None = None) -> Issue:
    """Staff set (or confirm as it is) the title the public reads; with `publish`, they also
    decide whether the whole story of the matter is public. Never the residents' own words
    unless staff chose them: the title is confirmed by a person."""
    check(actor, issue, can_triage(actor, issue) or can_handle(actor, issue))
    title = plain_text(title, "public_title", limit=120, required=True)
    if mask_public_text(title) != title:
        raise ActionError(
            _("A public title names no phone, ID or room number."),
            code="public_title_has_personal_data",
            field="public_title",
        )
    now = timezone.now()
    fields: dict[str, Any] = {
        "public_title": title,
        "public_title_confirmed_at": now,
        "updated_at": now,
    }
    if publish is not None and publish != issue.story_published:
        fields["story_published_at"] = now if publish else None
    Issue.objects.filter(pk=issue.pk).update(**fields)
    for name, value in fields.items():
        setattr(issue, name, value)
    record(
        issue,
        verbs.ISSUE_PUBLIC_TITLE_SET,
        actor=actor,
        actor_label="社区",
        note=title,
        data={"published": issue.story_published},
    )
    return issue


@transaction.atomic
def move_concern(concern: Concern, *, to: Issue, actor: Any, note: str = "") -> Concern:
    """Move a concern to another issue of the same community; both are recounted."""
    source = concern.issue
    check(actor, source, can_triage(actor, source))
    check(actor, to, can_triage(actor, to))
    if to.pk == source.pk:
        raise Conflict(
            _("The concern is already part of this issue."), code="concern_already_in_issue"
        )
    if to.community_id != source.community_id:
        raise ActionError(
            _("A concern can only move to an issue of the same community."),
            code="issue_of_other_community",
            field="issue",
        )
    source, to = _lock_pair(source, to)
    if not to.is_open:
        raise Conflict(_("The issue it would move to is closed."), code="issue_closed")
    Concern.objects.filter(pk=concern.pk).update(issue=to, grouping_confirmed=True, similarity=None)
    concern.issue = to
    for issue in (source, to):
        _refresh_after_change(issue, actor)
    record(
        to,
        verbs.ISSUE_CONCERN_MOVED_IN,
        actor=actor,
        actor_label="社区",
        public=False,
        note=note,
        data={"concern": concern.pk, "from": source.pk},
    )
    return concern


def _refresh_after_change(issue: Issue, actor: Any) -> None:
    _refresh_counts(issue)
    _rebuild_terms(issue)
    fields = ["residents_count", "concerns_count", "terms", "updated_at"]
    if issue.concerns_count == 0 and issue.status != S.MERGED:
        issue.status = S.MERGED
        fields.append("status")
        record(issue, verbs.ISSUE_EMPTIED, actor=actor, actor_label="社区")
    issue.save(update_fields=fields)


@transaction.atomic
def merge_issues(source: Issue, *, into: Issue, actor: Any, note: str = "") -> Issue:
    """Every concern of `source` joins `into`; `source` is closed as merged."""
    check(actor, source, can_triage(actor, source))
    check(actor, into, can_triage(actor, into))
    if source.pk == into.pk:
        raise ActionError(
            _("Choose another issue to merge with."), code="merge_into_itself", field="into"
        )
    if source.community_id != into.community_id:
        raise ActionError(
            _("Only issues of the same community can be merged."),
            code="issue_of_other_community",
            field="into",
        )
    source, into = _lock_pair(source, into)
    if source.status == S.MERGED or into.status == S.MERGED:
        raise Conflict(
            _("One of these issues was already merged into another."), code="issue_merged"
        )
    source.concerns.update(issue=into)
    source.status = S.MERGED
    source.merged_into = into
    source.concerns_count = 0
    source.residents_count = 0
    source.save(
        update_fields=["status", "merged_into", "concerns_count", "residents_count", "updated_at"]
    )
    into.first_received_at = min(into.first_received_at, source.first_received_at)
    into.last_received_at = max(into.last_received_at, source.last_received_at)
    _refresh_counts(into)
    _rebuild_terms(into)
    into.save(
        update_fields=[
            "residents_count",
            "concerns_count",
            "terms",
            "first_received_at",
            "last_received_at",
            "updated_at",
        ]
    )
    record(
        source,
        verbs.ISSUE_MERGED,
        actor=actor,
        actor_label="社区",
        note=note,
        data={"into": into.pk},
    )
    record(
        into,
        verbs.ISSUE_MERGED_IN,
        actor=actor,
        actor_label="社区",
        note=note,
        data={"from": source.pk},
    )
    return into


@transaction.atomic
def split_issue(
    issue: Issue, *, concern_ids: Sequence[int], actor: Any, title: str = "", note: str = ""
) -> Issue:
    """Take some concerns out of an issue into a new issue of their own."""
    check(actor, issue, can_triage(actor, issue))
    issue = (
        Issue.objects.select_for_update(of=("self",)).select_related("community").get(pk=issue.pk)
    )
    if not issue.is_open:
        raise Conflict(_("Only an open issue can be split."), code="issue_not_open")
    ids = set(issue.concerns.filter(pk__in=list(concern_ids)).values_list("pk", flat=True))
    if not ids:
        raise ActionError(
            _("Choose the concerns to take out."), code="split_concerns_required", field="concerns"
        )
    if len(ids) >= issue.concerns_count:
        raise ActionError(
            _("Leave at least one concern in the issue; choose fewer."),
            code="split_leaves_issue_empty",
            field="concerns",
        )
    moving = list(Concern.objects.filter(pk__in=ids).order_by("received_at"))
    first = moving[0]
    title = plain_text(title, "title", limit=120) or titles.make_title(first.content)
    accept_due, resolve_due = _due_dates(issue.category, first.received_at)
    new = Issue.objects.create(
        community=issue.community,
        grid=first.grid or issue.grid,
        category=issue.category,
        title=title,
        public_title=_neutral_title(first.compound, issue.community, issue.category),
        first_received_at=first.received_at,
        last_received_at=moving[-1].received_at,
        accept_due_at=accept_due,
        resolve_due_at=resolve_due,
        level=issue.level,
    )
    Concern.objects.filter(pk__in=ids).update(issue=new, grouping_confirmed=True, similarity=None)
    for each in (issue, new):
        _refresh_counts(each)
        _rebuild_terms(each)
        each.save(update_fields=["residents_count", "concerns_count", "terms", "updated_at"])
    record(
        issue,
        verbs.ISSUE_SPLIT,
        actor=actor,
        actor_label="社区",
        note=note,
        data={"new": new.pk, "concerns": sorted(ids)},
    )
    record(
        new,
        verbs.ISSUE_OPENED,
        actor=actor,
        actor_label="社区",
        note=title,
        data={"split_from": issue.pk},
    )
    return new


# ---- 小事不出网格，大事不出社区: handling in the grid and escalation

HANDLING_STATUSES = (S.NEW, S.ACCEPTED, S.IN_PROGRESS)


def _lock_for_handling(issue: Issue, actor: Any) -> Issue:
    check(actor, issue, can_handle(actor, issue))
    issue = (
        Issue.objects.select_for_update(of=("self",))
        .select_related("community", "grid")
        .get(pk=issue.pk)
    )
    if not can_handle(actor, issue):  # its level changed meanwhile
        raise PermissionDenied
    return issue


# Who handles an issue at each level, as its timeline names them.
HANDLERS = {
    L.GRID: actors.GRID_WORKER,
    L.COMMUNITY: actors.COMMUNITY,
    L.STREET: actors.STREET,
    L.DEPARTMENT: actors.DEPARTMENT,
}


def _handler_label(actor: Any, issue: Issue) -> Promise:
    return HANDLERS[L(issue.level)]


@transaction.atomic
def accept_issue(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """受理: someone at the issue's level takes it on."""
    issue = _lock_for_handling(issue, actor)
    if issue.status != S.NEW:
        raise Conflict(_("This issue has already been accepted."), code="issue_already_accepted")
    issue.status = S.ACCEPTED
    issue.accepted_at = timezone.now()
    issue.save(update_fields=["status", "accepted_at", "updated_at"])
    note = plain_text(note, "note", limit=1000)
    record(
        issue,
        verbs.ISSUE_ACCEPTED,
        actor=actor,
        actor_label=_handler_label(actor, issue),
        note=note,
    )
    return issue


@transaction.atomic
def record_site_visit(issue: Issue, *, actor: Any, notes: str, photos: Sequence[Any] = ()) -> Issue:
    """实地查看: notes (and photos) from a visit to the place; the issue is being handled."""
    notes = plain_text(notes, "notes", limit=MAX_CONTENT, required=True)
    cleaned = check_photos(photos)
    issue = _lock_for_handling(issue, actor)
    if issue.status not in HANDLING_STATUSES:
        raise Conflict(
            _("This issue is no longer being handled at this level."),
            code="issue_not_being_handled",
        )
    fields = ["status", "updated_at"]
    if issue.accepted_at is None:
        issue.accepted_at = timezone.now()
        fields.append("accepted_at")
    issue.status = S.IN_PROGRESS
    issue.save(update_fields=fields)
    for image in cleaned:
        Photo.objects.create(issue=issue, image=image, caption=str(_("Site visit")))
    record(
        issue,
        verbs.ISSUE_SITE_VISIT,
        actor=actor,
        actor_label=_handler_label(actor, issue),
        note=notes,
        data={"photos": len(photos)},
    )
    return issue


def photos_of(issue: Issue) -> QuerySet[Photo]:
    """The photos residents sent with the issue's concerns, and those of its site visits."""
    return Photo.objects.filter(Q(issue=issue) | Q(concern__issue=issue)).order_by(
        "uploaded_at", "pk"
    )


def _set_published(photo: Photo, *, actor: Any, published: bool) -> Photo:
    issue = photo_issue(photo)
    check(actor, issue, can_publish_photo(actor, issue))
    photo = Photo.objects.select_for_update().get(pk=photo.pk)
    if photo.published == published:
        return photo  # a second click: nothing changes, no second row
    photo.published = published
    photo.save(update_fields=["published"])
    record(
        issue,
        verbs.ISSUE_PHOTO_PUBLISHED if published else verbs.ISSUE_PHOTO_UNPUBLISHED,
        actor=actor,
        actor_label=_handler_label(actor, issue),
        public=False,
        data={"photo": photo.pk, "concern": photo.concern_id},
    )
    return photo


@transaction.atomic
def publish_photo(photo: Photo, *, actor: Any) -> Photo:
    """Staff decide a photo may be seen by anyone with its address (it shows no one's home
    or face that should stay private)."""
    return _set_published(photo, actor=actor, published=True)


@transaction.atomic
def unpublish_photo(photo: Photo, *, actor: Any) -> Photo:
    """Take a published photo back: staff in scope only, again."""
    return _set_published(photo, actor=actor, published=False)


@transaction.atomic
def settle_issue(issue: Issue, *, actor: Any, outcome: str) -> Issue:
    """办结: settled where it is (in the grid: 小事不出网格) with an outcome residents can read."""
    outcome = plain_text(outcome, "outcome", limit=MAX_CONTENT, required=True)
    issue = _lock_for_handling(issue, actor)
    if issue.status not in HANDLING_STATUSES:
        raise Conflict(
            _("Only an issue being handled can be settled here."), code="issue_not_being_handled"
        )
    now = timezone.now()
    issue.status = S.SETTLED
    issue.outcome = outcome
    issue.settled_at = now
    issue.accepted_at = issue.accepted_at or now
    issue.save(update_fields=["status", "outcome", "settled_at", "accepted_at", "updated_at"])
    record(
        issue,
        verbs.ISSUE_SETTLED,
        actor=actor,
        actor_label=_handler_label(actor, issue),
        note=outcome,
        data={"level": issue.level},
    )
    return issue


@transaction.atomic
def escalate_to_community(issue: Issue, *, actor: Any, reason: str) -> Issue:
    """The grid cannot settle it alone: the community takes it over (大事不出社区)."""
    reason = plain_text(reason, "reason", limit=1000, required=True)
    issue = _lock_for_handling(issue, actor)
    if issue.level != L.GRID or issue.status not in HANDLING_STATUSES:
        raise Conflict(
            _("Only an issue being handled in the grid can go to the community."),
            code="issue_not_in_grid",
        )
    issue.level = L.COMMUNITY
    issue.escalation_reason = reason
    issue.save(update_fields=["level", "escalation_reason", "updated_at"])
    record(
        issue,
        verbs.ISSUE_ESCALATED,
        actor=actor,
        actor_label=actors.GRID_WORKER,
        note=reason,
        data={"to": L.COMMUNITY},
    )
    return issue


@transaction.atomic
def escalate_onward(
    issue: Issue,
    *,
    actor: Any,
    reason: str,
    to: str,
    organisation: Organisation | None = None,
) -> Issue:
    """The community sends it on to the street, or to a department (an organisation)."""
    reason = plain_text(reason, "reason", limit=1000, required=True)
    if to not in (L.STREET, L.DEPARTMENT):
        raise ActionError(
            _("Escalate to the subdistrict or to a department."),
            code="invalid_escalation_target",
            field="to",
        )
    if to == L.DEPARTMENT and organisation is None:
        raise ActionError(
            _("Name the department."), code="department_required", field="organisation"
        )
    if (
        organisation is not None
        and not escalation_targets(issue.community).filter(pk=organisation.pk).exists()
    ):
        check_serves(organisation, issue.community, "organisation")
        raise ActionError(
            _("An issue is sent on to a department, not to “%(name)s”.")
            % {"name": organisation.name},
            code="escalation_not_department",
            field="organisation",
        )
    issue = _lock_for_handling(issue, actor)
    if issue.level not in (L.GRID, L.COMMUNITY) or issue.status not in HANDLING_STATUSES:
        raise Conflict(
            _("Only an issue being handled by the community can be sent on."),
            code="issue_not_with_community",
        )
    if issue.level == L.GRID and not can_triage(actor, issue):
        raise PermissionDenied
    issue.level = to
    issue.escalated_to = organisation
    issue.escalation_reason = reason
    issue.save(update_fields=["level", "escalated_to", "escalation_reason", "updated_at"])
    record(
        issue,
        verbs.ISSUE_ESCALATED,
        actor=actor,
        actor_label=actors.COMMUNITY,
        note=reason,
        data={"to": to, "organisation": organisation.pk if organisation else None},
    )
    return issue


@transaction.atomic
def hand_back(issue: Issue, *, actor: Any, reason: str) -> Issue:
    """The level above sends the issue back down: to the grid (or to the community)."""
    reason = plain_text(reason, "reason", limit=1000, required=True)
    issue = _lock_for_handling(issue, actor)
    if issue.level == L.GRID or issue.status not in HANDLING_STATUSES:
        raise Conflict(
            _("This issue is already handled in the grid."), code="issue_already_in_grid"
        )
    if issue.level == L.COMMUNITY:
        if issue.grid_id is None:
            raise Conflict(
                _("This issue has no grid to hand it back to."), code="issue_without_grid"
            )
        target = L.GRID
    else:
        target = L.COMMUNITY
    issue.level = target
    issue.escalated_to = None
    issue.escalation_reason = reason
    issue.save(update_fields=["level", "escalated_to", "escalation_reason", "updated_at"])
    record(
        issue,
        verbs.ISSUE_HANDED_BACK,
        actor=actor,
        actor_label=actors.COMMUNITY,
        note=reason,
        data={"to": target},
    )
    return issue


# ---- Called by later steps of the workflow (consultations, accountability)


def _locked(issue: Issue) -> Issue:
    return Issue.objects.select_for_update().get(pk=issue.pk)


@transaction.atomic
def mark_issue_in_consultation(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """A topic has taken the issue up for consultation (民事民议)."""
    issue = _locked(issue)
    if issue.status in (Issue.Status.MERGED, Issue.Status.RESOLVED):
        raise Conflict(
            _("This issue is closed and cannot be taken to a consultation."), code="issue_closed"
        )
    if issue.status != Issue.Status.IN_CONSULTATION:
        issue.status = Issue.Status.IN_CONSULTATION
        issue.save(update_fields=["status", "updated_at"])
        record(
            issue, verbs.ISSUE_IN_CONSULTATION, actor=actor, actor_label=actors.COMMUNITY, note=note
        )
    return issue


@transaction.atomic
def mark_issue_in_action(
    issue: Issue, *, actor: Any, note: str = "", due: datetime | None = None
) -> Issue:
    """What was agreed about the issue is listed as action items (挂牌).

    `due` is the listed item's public deadline: from now on the issue is overdue only when
    the agreed deadline (the latest of its items) passes, not its category's time limit."""
    issue = _locked(issue)
    if issue.status == Issue.Status.MERGED:
        raise Conflict(_("This issue was merged into another."), code="issue_merged")
    fields = []
    if due is not None:
        if issue.status == Issue.Status.IN_ACTION and issue.resolve_due_at:
            due = max(due, issue.resolve_due_at)
        issue.resolve_due_at = due
        fields.append("resolve_due_at")
    if issue.status != Issue.Status.IN_ACTION:
        issue.status = Issue.Status.IN_ACTION
        fields.append("status")
        record(issue, verbs.ISSUE_IN_ACTION, actor=actor, actor_label=actors.COMMUNITY, note=note)
    if fields:
        issue.save(update_fields=[*fields, "updated_at"])
    return issue


@transaction.atomic
def resolve_issue(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """Every action item of the issue is closed (销号): the issue is resolved."""
    issue = _locked(issue)
    if issue.status == Issue.Status.RESOLVED:
        return issue
    if issue.status == Issue.Status.MERGED:
        raise Conflict(_("This issue was merged into another."), code="issue_merged")
    issue.status = Issue.Status.RESOLVED
    issue.settled_at = issue.settled_at or timezone.now()
    if note:
        issue.outcome = note
    issue.save(update_fields=["status", "settled_at", "outcome", "updated_at"])
    record(issue, verbs.ISSUE_RESOLVED, actor=actor, actor_label=actors.COMMUNITY, note=note)
    return issue


@transaction.atomic
def reopen_issue(issue: Issue, *, actor: Any, note: str = "") -> Issue:
    """Residents were not satisfied: the issue goes back to being handled. A matter settled
    where it was (in the grid or the community, without a meeting) returns to whoever holds it
    there, accepted, to settle again; one resolved through action items goes back to them."""
    issue = _locked(issue)
    if issue.status == Issue.Status.MERGED:
        raise Conflict(_("This issue was merged into another."), code="issue_merged")
    if issue.status == Issue.Status.SETTLED:
        issue.status = Issue.Status.ACCEPTED
        issue.settled_at = None
    else:
        issue.status = Issue.Status.IN_ACTION
    issue.round += 1  # residents are asked to rate it again
    issue.save(update_fields=["status", "settled_at", "round", "updated_at"])
    record(issue, verbs.ISSUE_REOPENED, actor=actor, actor_label=actors.RESIDENT, note=note)
    return issue
