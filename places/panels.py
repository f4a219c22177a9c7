"""The workbench panel: the area profiles this staff member keeps, and when each last changed."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts.permissions import scope_of
from places.models import Area, AreaProfile
from places.permissions import EDITORS


def workbench_panel(request: HttpRequest) -> str:
    scope = scope_of(request.user)
    # The areas the user holds a profile-editing role in (an administrator has them all and
    # reaches them from each community's page instead).
    paths = [
        path for kind, path in scope.grants if any(kind in kinds for kinds in EDITORS.values())
    ]
    areas = list(Area.objects.filter(path__in=paths, kind__in=AreaProfile.KINDS).order_by("path"))
    areas = [a for a in areas if any((kind, a.path) in scope.grants for kind in EDITORS[a.kind])]
    if not areas:
        return ""
    updated = dict(AreaProfile.objects.filter(area__in=areas).values_list("area_id", "updated_at"))
    rows = [(area, updated.get(area.pk)) for area in areas]
    return render_to_string("places/panel.html", {"rows": rows}, request=request)
