"""Navigation by role, built in one place for the base template."""

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import COMMUNITY_ROLES, GRID_ROLES, READ_ONLY_ROLES, scope_of

# The site's red (app.css --red): browser bars, the manifest, the icons.
THEME_COLOUR = "#b4232a"
# What a shared link says when its page has no description of its own.
SITE_DESCRIPTION = _(
    "Residents raise what troubles them, all parties talk it over, and what is agreed is "
    "publicly listed, carried out and rated by the residents."
)

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


def sharing(request: HttpRequest) -> dict:
    """Absolute addresses for the preview card a shared link gets (WeChat, Open Graph).

    YISHI_SITE_URL when set (behind a proxy the Host header may be an internal name), else the
    host of the request, which ALLOWED_HOSTS has already checked. The query string is left out
    of og:url: a shared card should not carry filters or codes someone typed into the address.
    """
    base = getattr(settings, "SITE_URL", "").rstrip("/") or request.build_absolute_uri("/")[:-1]
    return {
        "share_url": base + request.path,
        "share_image": base + static("yishi/icon-512.png"),
        "share_description": SITE_DESCRIPTION,
        "theme_colour": THEME_COLOUR,
    }
