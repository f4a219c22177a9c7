"""Navigation by role, built in one place for the base template."""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import COMMUNITY_ROLES, GRID_ROLES, READ_ONLY_ROLES, scope_of

# (label, url name, who sees it: "public", "staff", or a set of role kinds)
NAVIGATION = [
    (_("Raise a concern"), "concerns:submit", "public"),
    (_("Track by code"), "concerns:track", "public"),
    (_("Communities"), "yishi:communities", "public"),
    (_("Workbench"), "yishi:workbench", "staff"),
    (_("My grid"), "concerns:queue", GRID_ROLES),
    (_("Issues"), "concerns:issues", COMMUNITY_ROLES | {"street_officer"}),
    (_("Topics"), "consultations:topics", COMMUNITY_ROLES | {"street_officer", "cppcc_member"}),
    (_("Meetings"), "consultations:meetings", "staff"),
    (_("Action items"), "accountability:items", "staff"),
    (
        _("Public-opinion reports"),
        "opinions:reports",
        {"cppcc_member", "cppcc_office", "district_officer"},
    ),
    (_("Dashboard"), "insights:dashboard", COMMUNITY_ROLES | READ_ONLY_ROLES | {"street_officer"}),
]


def navigation(request: HttpRequest) -> dict:
    scope = scope_of(getattr(request, "user", None))
    items = []
    for label, url_name, audience in NAVIGATION:
        if audience == "staff":
            allowed = scope.is_staff
        elif audience == "public":
            allowed = not scope.is_staff or url_name == "yishi:communities"
        else:
            allowed = scope.is_admin or bool(scope.roles & set(audience))
        if not allowed:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # that part of the workflow is not built yet
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items, "user_scope": scope}
