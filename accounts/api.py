from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from typing_extensions import TypeAliasType

from accounts.api_auth import staff_auth
from accounts.models import Organisation, Role
from accounts.permissions import scope_of

router = Router(tags=["organisations"])

# The OpenAPI document names an enum after its class, and several models have a Kind or a
# Status: a named alias gives each its own component (tested in yishi/tests/test_openapi.py).
OrganisationKind = TypeAliasType("OrganisationKind", Organisation.Kind)


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: OrganisationKind
    areas: list[str] = Field(..., description="codes of the areas it serves")

    @staticmethod
    def resolve_areas(obj: Organisation) -> list[str]:
        return [area.code for area in obj.areas.all()]


@router.get("/organisations", response=list[OrganisationOut], summary="List organisations")
@paginate
def list_organisations(
    request: HttpRequest,
    kind: OrganisationKind | None = None,
    area: str | None = None,
    q: str | None = None,
) -> QuerySet[Organisation]:
    """Public: the parties to consultations (names and kinds, no contacts). `area` keeps those
    serving the area with that code; `q` matches part of the name."""
    organisations = Organisation.objects.filter(active=True).prefetch_related("areas")
    if kind:
        organisations = organisations.filter(kind=kind)
    if area:
        organisations = organisations.filter(areas__code=area).distinct()
    if q:
        organisations = organisations.filter(name__icontains=q)
    return organisations.order_by("kind", "name")


class RoleOut(Schema):
    kind: str
    area: str | None = Field(None, alias="area.code")
    organisation: str | None = Field(None, alias="organisation.name")


class MeOut(Schema):
    username: str
    full_name: str
    is_admin: bool
    roles: list[RoleOut]


@router.get("/me", response=MeOut, auth=staff_auth, tags=["accounts"], summary="Who am I")
def me(request: HttpRequest) -> dict:
    """The authenticated staff user with their roles and scopes (session or bearer token)."""
    user = request.user
    return {
        "username": user.get_username(),
        "full_name": getattr(user, "full_name", ""),
        "is_admin": scope_of(user).is_admin,
        "roles": list(
            Role.objects.filter(user_id=user.pk or 0).select_related("area", "organisation")
        ),
    }
