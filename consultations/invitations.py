"""Who a bulk invitation reaches: a party (every organisation of that kind serving the
meeting's area, CPPCC members of its district, the building heads and volunteers of its
grids), chosen organisations, or every resident behind the issues on the agenda.

An organisation is invited through its representatives' accounts (each told in the app), or
when it has none as the organisation itself. Residents are invited by the phone they gave
with their concern, which only those who see residents' phones in full may do
(accounts.masking): anyone else is refused rather than shown the numbers.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.masking import masking_for
from accounts.models import Organisation, Role, User
from accounts.pickers import organisations_serving
from concerns.models import Concern, Issue
from consultations.models import Meeting, Participant
from core import phones
from core.errors import ActionError
from places.models import Area

# The party an organisation speaks for at a meeting.
PARTY_OF_KIND: dict[str, str] = {
    Organisation.Kind.PROPERTY_COMPANY: Participant.Party.PROPERTY_COMPANY,
    Organisation.Kind.OWNERS_COMMITTEE: Participant.Party.OWNERS_COMMITTEE,
    Organisation.Kind.GOVERNMENT_DEPARTMENT: Participant.Party.DEPARTMENT,
    Organisation.Kind.LAW_ENFORCEMENT: Participant.Party.DEPARTMENT,
    Organisation.Kind.UTILITY: Participant.Party.DEPARTMENT,
    Organisation.Kind.MANAGEMENT_COMMITTEE: Participant.Party.DEPARTMENT,
    Organisation.Kind.SERVICE_PROVIDER: Participant.Party.DEPARTMENT,
    Organisation.Kind.OTHER: Participant.Party.DEPARTMENT,
    Organisation.Kind.CPPCC: Participant.Party.CPPCC_MEMBER,
    Organisation.Kind.RESIDENTS_COMMITTEE: Participant.Party.COMMUNITY,
    Organisation.Kind.STREET_OFFICE: Participant.Party.COMMUNITY,
    Organisation.Kind.PARTY_BRANCH: Participant.Party.COMMUNITY,
    Organisation.Kind.PRACTICE_STATION: Participant.Party.VOLUNTEER,
}
# The parties offered for a bulk invitation (residents have a choice of their own).
BULK_PARTIES = [
    Participant.Party.PROPERTY_COMPANY,
    Participant.Party.OWNERS_COMMITTEE,
    Participant.Party.DEPARTMENT,
    Participant.Party.CPPCC_MEMBER,
    Participant.Party.COMMUNITY,
    Participant.Party.VOLUNTEER,
]


@dataclass
class Invitee:
    party: str
    name: str
    organisation: Organisation | None = None
    user: User | None = None
    phone: str = ""
    may_vote: bool = True


def _mobile(phone: str) -> str:
    try:
        number = phones.normalise(phone)
    except ActionError:
        return ""
    return number if phones.is_mobile(number) else ""


def _community_area(meeting: Meeting) -> Area:
    area = meeting.area
    return area.parent if area.kind == Area.Kind.GRID and area.parent else area


def of_organisations(organisations: Iterable[Organisation]) -> list[Invitee]:
    """Each organisation through its representatives, or itself when it has none."""
    organisations = list(organisations)
    reps: dict[int, list[User]] = {}
    for role in Role.objects.filter(
        kind=Role.Kind.ORG_REPRESENTATIVE,
        organisation__in=organisations,
        user__is_active=True,
    ).select_related("user"):
        assert role.organisation_id is not None
        reps.setdefault(role.organisation_id, []).append(role.user)
    people: list[Invitee] = []
    for org in organisations:
        party = PARTY_OF_KIND.get(org.kind, Participant.Party.DEPARTMENT)
        users = reps.get(org.pk, [])
        for user in users:
            people.append(Invitee(party, user.display_name[:50], org, user, _mobile(user.phone)))
        if not users:
            people.append(Invitee(party, _("Representative"), org, None, _mobile(org.phone)))
    return people


def of_party(meeting: Meeting, party: str) -> list[Invitee]:
    area = _community_area(meeting)
    if party == Participant.Party.CPPCC_MEMBER:
        return _cppcc_members(area)
    if party in (
        Participant.Party.VOLUNTEER,
        Participant.Party.BUILDING_HEAD,
        Participant.Party.PARTY_MEMBER,
    ):
        return _volunteers(area, party)
    kinds = [kind for kind, p in PARTY_OF_KIND.items() if p == party]
    return of_organisations(organisations_serving(area).filter(kind__in=kinds))


def _cppcc_members(area: Area) -> list[Invitee]:
    """CPPCC members holding their role in the area or above it, with their committee."""
    above = [a.pk for a in area.ancestors(include_self=True)]
    roles = Role.objects.filter(
        kind=Role.Kind.CPPCC_MEMBER, area__in=above, user__is_active=True
    ).select_related("user")
    served = {o.pk: o for o in organisations_serving(area).filter(kind=Organisation.Kind.CPPCC)}
    committees = {
        r.user_id: served[r.organisation_id]
        for r in Role.objects.filter(
            kind=Role.Kind.ORG_REPRESENTATIVE, organisation__in=list(served)
        )
        if r.organisation_id in served
    }
    return [
        Invitee(
            Participant.Party.CPPCC_MEMBER,
            r.user.display_name[:50],
            committees.get(r.user_id),
            r.user,
            _mobile(r.user.phone),
        )
        for r in roles
    ]


def _volunteers(area: Area, party: str) -> list[Invitee]:
    """Building heads, volunteers and party members of the area's grids (one role)."""
    users = User.objects.filter(
        is_active=True,
        roles__kind=Role.Kind.VOLUNTEER,
        roles__area__path__startswith=area.path,
    ).distinct()
    return [Invitee(party, u.display_name[:50], None, u, _mobile(u.phone)) for u in users]


def agenda_issues(meeting: Meeting) -> list[Issue]:
    return list(
        Issue.objects.filter(topics__meetings=meeting)
        .select_related("community", "grid")
        .distinct()
    )


def residents_behind(meeting: Meeting, actor: Any) -> list[Invitee]:
    """Every resident (once) behind the agenda's issues who gave a mobile number. Refused to
    anyone who would not see those residents' phones in full."""
    issues = agenda_issues(meeting)
    if any(not masking_for(actor, issue).full_phone for issue in issues):
        raise ActionError(
            _(
                "Only the staff who call these residents back may invite them all by phone; "
                "invite residents' representatives by name instead."
            ),
            field="residents",
            status=403,
            code="forbidden",
        )
    people: list[Invitee] = []
    seen: set[str] = set()
    concerns = (
        Concern.objects.filter(issue__in=issues)
        .exclude(Q(phone="") | Q(resident_key=""))
        .order_by("received_at", "pk")
    )
    for concern in concerns:
        phone = _mobile(concern.phone)
        if not phone or concern.resident_key in seen:
            continue
        seen.add(concern.resident_key)
        name = concern.reporter_name.strip() or _("Resident (ending %(tail)s)") % {
            "tail": phone[-4:]
        }
        people.append(Invitee(Participant.Party.RESIDENT, name[:50], None, None, phone))
    return people


def count_residents_behind(meeting: Meeting) -> int:
    """How many residents with a phone are behind the agenda's issues (for the form)."""
    return (
        Concern.objects.filter(issue__in=agenda_issues(meeting))
        .exclude(Q(phone="") | Q(resident_key=""))
        .values("resident_key")
        .distinct()
        .count()
    )
