"""Dashboards, monthly reports, ledgers out and registers in. Views stay thin: the figures
come from insights.metrics, the files from insights.ledgers and insights.imports."""

import io
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import can_view_area
from core.errors import ActionError
from insights import cache, charts, exports, imports, ledgers, metrics, opinions
from insights.models import LedgerExport
from insights.permissions import (
    default_area,
    get_area_for_insights,
    get_community_for_import,
)
from opinions.permissions import district_of
from places.models import Area

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _trail(request: HttpRequest, area: Area) -> list[Area]:
    """The area's ancestors the user may open, for the breadcrumbs."""
    return [a for a in area.ancestors() if can_view_area(request.user, a)]


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str | None = None) -> HttpResponse:
    if code is None:
        # /insights/ opens the widest area the user oversees.
        home = default_area(request.user)
        if home is None:
            raise Http404
        return redirect("insights:dashboard", code=home.code)
    area = get_area_for_insights(request.user, code)
    start, end = request.GET.get("start", ""), request.GET.get("end", "")
    context: dict = {"area": area, "trail": _trail(request, area), "start": start, "end": end}
    try:
        period = metrics.Period.parse(start or None, end or None)
    except ActionError as error:
        context["error"] = error
        return render(request, "insights/dashboard.html", context, status=400)
    figures = cache.dashboard(area, period)
    panels = charts.panels(figures)
    found = opinions.opinions_for(area, period)
    if found is not None:
        context["opinions"] = found
        panels.append(charts.opinions_panel(found))
    context.update(
        period=period,
        figures=figures,
        panels=panels,
        ledger_kinds=[
            ledger
            for ledger in ledgers.LEDGERS.values()
            if ledger.key != "opinions" or "opinions" in context
        ],
        can_write_opinion=district_of(request.user, area) is not None,
        can_import=area.kind == Area.Kind.COMMUNITY and _may_import(request, area),
        start=period.start.isoformat(),
        end=period.end.isoformat(),
    )
    return render(request, "insights/dashboard.html", context)


def _may_import(request: HttpRequest, area: Area) -> bool:
    try:
        get_community_for_import(request.user, area.code)
    except (Http404, PermissionDenied):
        return False
    return True


@login_required
@require_GET
def monthly_report(request: HttpRequest, code: str) -> HttpResponse:
    """A printable page for one area and month (?month=YYYY-MM, default: last month)."""
    area = get_area_for_insights(request.user, code)
    raw = request.GET.get("month", "")
    today = timezone.localdate()
    context: dict = {"area": area, "trail": _trail(request, area), "month": raw}
    if raw:
        try:
            year, month = (int(part) for part in raw.split("-"))
            first = date(year, month, 1)
        except ValueError:
            context["error"] = _("Give the month as YYYY-MM, for example 2026-03.")
            return render(request, "insights/report.html", context, status=400)
        if first > today:
            context["error"] = _("This month has not begun yet.")
            return render(request, "insights/report.html", context, status=400)
    else:
        last = today.replace(day=1) - timedelta(days=1)
        year, month = last.year, last.month
    period = metrics.Period.month(year, month)
    figures = cache.dashboard(area, period)
    context.update(period=period, figures=figures, month=f"{year:04d}-{month:02d}")
    return render(request, "insights/report.html", context)


@login_required
@require_GET
def ledger(request: HttpRequest, code: str, kind: str) -> HttpResponseBase:
    """The ledger as .xlsx, written to a temporary file and streamed from it."""
    area = get_area_for_insights(request.user, code)
    if kind not in ledgers.LEDGERS:
        raise Http404
    try:
        period = metrics.Period.parse(
            request.GET.get("start") or None, request.GET.get("end") or None
        )
    except ActionError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    if exports.estimated_rows(kind, area, period) > exports.inline_limit():
        export = exports.request_export(request.user, area, kind, period)
        return redirect("insights:export", pk=export.pk)
    out = ledgers.ledger_file(kind, area, period, reader=request.user)
    return FileResponse(
        out,
        as_attachment=True,
        filename=ledgers.filename(kind, area, period),
        content_type=XLSX,
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponseBase:
    out = io.BytesIO()
    imports.template_workbook(out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=_("concern-register-template") + ".xlsx",
        content_type=XLSX,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_register(request: HttpRequest, code: str) -> HttpResponse:
    community = get_community_for_import(request.user, code)
    context: dict = {"area": community, "trail": _trail(request, community)}
    if request.method == "GET":
        return render(request, "insights/import.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["errors"] = [imports.RowError(0, "", _("Choose the .xlsx file to import."))]
        return render(request, "insights/import.html", context, status=400)
    try:
        result = imports.import_register(upload, community=community, actor=request.user)
    except imports.ImportFailed as failed:
        context["errors"] = failed.errors
        return render(request, "insights/import.html", context, status=400)
    context["result"] = result
    return render(request, "insights/import.html", context)


def _own_export(request: HttpRequest, pk: int) -> LedgerExport:
    """Only the person who asked may see or download an export (404 for anyone else)."""
    export = (
        LedgerExport.objects.select_related("area")
        .filter(pk=pk, user_id=request.user.pk or 0)
        .first()
    )
    if export is None or not can_view_area(request.user, export.area):
        raise Http404
    return export


@login_required
@require_GET
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    return render(request, "insights/export.html", {"export": export, "area": export.area})


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    export = _own_export(request, pk)
    if export.status != LedgerExport.Status.DONE or not export.file:
        raise Http404
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=export.filename, content_type=XLSX
    )
