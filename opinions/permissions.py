"""Who may see and change public-opinion reports, built on accounts/permissions.py.

- Seeing a report: CPPCC members, the CPPCC office and district officers whose district
  holds the report's area, and the representatives of the departments it was forwarded to.
  Everyone else, a community's staff included, gets 404: a report is the CPPCC's own paper
  until it is forwarded.
- Submitting: a CPPCC member, in an area of their district. Revising: its member only.
- Reviewing (adopt, return, merge), forwarding and taking to a topic: the district's CPPCC
  office (政协办公室). Members and officers who can see a report get 403.
- Replying: a representative of the department the forwarding names. Rating the reply: the
  report's member.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Organisation, Role
from accounts.permissions import found, holds_role_over, require, scope_of
from opinions.models import Forwarding, Report
from places.models import Area

MEMBER_ROLES: set[str] = {str(Role.Kind.CPPCC_MEMBER)}
OFFICE_ROLES: set[str] = {str(Role.Kind.CPPCC_OFFICE)}
# Roles that see every report of their district.
DISTRICT_VIEW_ROLES: set[str] = {
    str(Role.Kind.CPPCC_MEMBER),
    str(Role.Kind.CPPCC_OFFICE),
    str(Role.Kind.DISTRICT_OFFICER),
}
# Organisations a report may be forwarded to (职能部门 in the broad sense).
DEPARTMENT_KINDS = (
    Organisation.Kind.GOVERNMENT_DEPARTMENT,
    Organisation.Kind.LAW_ENFORCEMENT,
    Organisation.Kind.UTILITY,
    Organisation.Kind.MANAGEMENT_COMMITTEE,
    Organisation.Kind.STREET_OFFICE,
)
MAX_ID = 2**63 - 1

VIEW = "view"
REVISE = "revise"
REVIEW = "review"  # adopt, return, merge, forward, take to a topic


def visible_reports(user: Any) -> QuerySet[Report]:
    scope = scope_of(user)
    if scope.is_admin:
        return Report.objects.all()
    condition = Q(pk__in=[])
    for kind, path in scope.grants:
        if kind in DISTRICT_VIEW_ROLES:
            condition |= Q(area__path__startswith=path)
    if scope.organisation_ids:
        forwarded = Forwarding.objects.filter(organisation_id__in=scope.organisation_ids)
        condition |= Q(pk__in=forwarded.values("report_id"))
    return Report.objects.filter(condition)


def owed_replies(user: Any, limit: int) -> list[Forwarding]:
    """The replies the user's departments owe, the soonest due first."""
    organisation_ids = scope_of(user).organisation_ids
    if not organisation_ids:
        return []
    return list(
        Forwarding.objects.pending()
        .filter(organisation_id__in=organisation_ids)
        .select_related("report", "organisation")
        .order_by("due_on", "id")[:limit]
    )


def member_districts(user: Any) -> QuerySet[Area]:
    """The districts (or cities) where the user serves as a CPPCC member."""
    scope = scope_of(user)
    paths = [path for kind, path in scope.grants if kind in MEMBER_ROLES]
    return Area.objects.filter(path__in=paths).order_by("path")


def office_districts(user: Any) -> QuerySet[Area]:
    scope = scope_of(user)
    if scope.is_admin:
        return Area.objects.filter(kind__in=(Area.Kind.DISTRICT, Area.Kind.CITY))
    paths = [path for kind, path in scope.grants if kind in OFFICE_ROLES]
    return Area.objects.filter(path__in=paths).order_by("path")


def district_of(user: Any, area: Area) -> Area | None:
    """The member's district (or city) that holds `area`, or None: where they may report."""
    if not is_member(user):
        return None  # no query for everyone else (the dashboard asks on every page)
    for district in member_districts(user):
        if area.path.startswith(district.path):
            return district
    return None


def is_member(user: Any) -> bool:
    return bool(MEMBER_ROLES.intersection(scope_of(user).roles))


def is_office(user: Any, report: Report) -> bool:
    return holds_role_over(user, report.district, OFFICE_ROLES)


def is_office_anywhere(user: Any) -> bool:
    scope = scope_of(user)
    return scope.is_admin or bool(OFFICE_ROLES.intersection(scope.roles))


def is_author(user: Any, report: Report) -> bool:
    return report.member_id == getattr(user, "pk", None)


def is_department(user: Any, forwarding: Forwarding) -> bool:
    scope = scope_of(user)
    return scope.is_admin or forwarding.organisation_id in scope.organisation_ids


def can(user: Any, report: Report, action: str) -> bool:
    if action == VIEW:
        return visible_reports(user).filter(pk=report.pk).exists()
    if action == REVISE:
        return is_author(user, report)
    if action == REVIEW:
        return is_office(user, report)
    raise ValueError(action)


def _existing(pk: int) -> int:
    if not 0 < pk <= MAX_ID:
        raise Http404
    return pk


def check(user: Any, report: Report, action: str) -> None:
    """404 where the user may not see the report, 403 where they may look but not act."""
    require(
        visible_reports(user).filter(pk=report.pk).exists(),
        lambda: action == VIEW or can(user, report, action),
    )


def get_report_for_user(user: Any, pk: int, action: str = VIEW) -> Report:
    report = (
        visible_reports(user)
        .select_related("member", "district", "area", "issue", "merged_into", "topic")
        .filter(pk=_existing(pk))
        .first()
    )
    return found(report, lambda seen: action == VIEW or can(user, seen, action))


def get_forwarding_for_user(user: Any, pk: int) -> Forwarding:
    """A forwarding of a report the user may see (404 otherwise); the caller checks who acts."""
    forwarding = (
        Forwarding.objects.select_related("report__district", "organisation")
        .filter(pk=_existing(pk), report__in=visible_reports(user))
        .first()
    )
    if forwarding is None:
        raise Http404
    return forwarding


def check_submit_in(user: Any, area: Area) -> Area:
    """The member's district holding `area`: 404 for an area outside every district of the
    user, 403 for a user who is not a CPPCC member there."""
    district = district_of(user, area)
    if district is not None:
        return district
    scope = scope_of(user)
    if any(area.path.startswith(path) for path in scope.read_paths) or scope.is_admin:
        raise PermissionDenied
    raise Http404


def check_reply(user: Any, forwarding: Forwarding) -> None:
    if not is_department(user, forwarding):
        raise PermissionDenied


def check_rate(user: Any, forwarding: Forwarding) -> None:
    if not is_author(user, forwarding.report):
        raise PermissionDenied


def departments_for(district: Area) -> QuerySet[Organisation]:
    """The departments that serve the district: a report is forwarded to one of these."""
    served = Q(areas__in=district.ancestors(include_self=True)) | Q(
        areas__path__startswith=district.path
    )
    return (
        Organisation.objects.filter(served, kind__in=DEPARTMENT_KINDS, active=True)
        .distinct()
        .order_by("kind", "name")
    )
