"""The site's own pages: home, the staff workbench, the communities' public pages."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from accounts.labels import role_lines
from accounts.models import Role
from accounts.permissions import scope_of
from places.models import Area
from yishi.context import SITE_DESCRIPTION, THEME_COLOUR
from yishi.manifests import MANIFESTS


def home(request: HttpRequest) -> HttpResponse:
    communities = (
        Area.objects.filter(kind=Area.Kind.COMMUNITY).select_related("parent").order_by("path")
    )
    return render(request, "yishi/home.html", {"communities": communities})


def communities(request: HttpRequest) -> HttpResponse:
    areas = Area.objects.exclude(kind=Area.Kind.GRID).order_by("path")
    return render(request, "yishi/communities.html", {"areas": areas})


def community_page(request: HttpRequest, code: str) -> HttpResponse:
    """A community's public page: each workflow app contributes a section, no personal data."""
    community = get_object_or_404(Area, code=code)
    if community.kind != Area.Kind.COMMUNITY:
        raise Http404
    sections = [
        html
        for manifest in MANIFESTS
        for section in manifest.community_sections
        if (html := section(request, community))
    ]
    return render(
        request,
        "yishi/community.html",
        {"community": community, "ancestors": community.ancestors(), "sections": sections},
    )


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """Where staff land after logging in: their roles, scopes and what waits for them."""
    scope = scope_of(request.user)
    roles = role_lines(
        Role.objects.filter(user_id=request.user.pk or 0)
        .select_related("area", "organisation")
        .order_by("pk")
    )
    panels = [
        html
        for manifest in MANIFESTS
        for panel in manifest.workbench_panels
        if (html := panel(request))
    ]
    return render(
        request, "yishi/workbench.html", {"scope": scope, "roles": roles, "panels": panels}
    )


STATIC_DIR = Path(__file__).resolve().parent / "static" / "yishi"


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> FileResponse:
    """/favicon.ico, which browsers and WeChat ask for whatever the page's <link> says."""
    return FileResponse((STATIC_DIR / "favicon.ico").open("rb"), content_type="image/x-icon")


@require_safe
@cache_control(public=True, max_age=3600)
def web_manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: lets a phone add the site to its home screen as 议事."""
    icons = [
        {"src": static("yishi/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("yishi/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("yishi/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": static("yishi/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    manifest = {
        "name": gettext("Yishi"),
        "short_name": gettext("Yishi"),
        "description": str(SITE_DESCRIPTION),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    return JsonResponse(
        manifest,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
