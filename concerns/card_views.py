"""Pages of the contact cards (居民联系卡): the staff page and the printable notices."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import can_view_area, scope_of, visible_areas
from concerns import cards
from concerns.forms import CardContactsForm, GridContactForm
from concerns.permissions import (
    card_compounds,
    get_card_community,
    may_edit_card,
    may_edit_grid_contact,
    may_print_card,
)
from core.errors import ActionError
from core.uploads import serve_image
from places.models import Area

CONTACT_FIELDS = ["public_phone", "office_hours", "wechat_name", "wechat_link"]
GRID_FIELDS = ["grid_worker", "grid_phone"]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The communities whose cards the user may see; straight to the one if there is one."""
    if not scope_of(request.user).is_staff:
        raise Http404
    grids = visible_areas(request.user, Area.Kind.GRID)
    communities = Area.objects.filter(kind=Area.Kind.COMMUNITY).filter(
        pk__in=visible_areas(request.user, Area.Kind.COMMUNITY).values("pk")
    ) | Area.objects.filter(pk__in=grids.values("parent"))
    communities = communities.distinct().select_related("parent").order_by("path")
    if len(communities) == 1:
        return redirect("concerns:cards", code=communities[0].code)
    return render(request, "concerns/cards/index.html", {"communities": communities})


def _page(
    request: HttpRequest,
    community: Area,
    *,
    contacts_form: CardContactsForm | None = None,
    grid_forms: dict[int, GridContactForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    compounds = cards.with_last_print(card_compounds(user, community)).select_related("grid")
    grids = Area.objects.filter(parent=community, kind=Area.Kind.GRID).order_by("path")
    if not can_view_area(user, community):
        grids = grids.filter(pk__in=visible_areas(user, Area.Kind.GRID).values("pk"))
    may_edit = may_edit_card(user, community)
    if may_edit and contacts_form is None:
        contacts_form = CardContactsForm(initial={f: getattr(community, f) for f in CONTACT_FIELDS})
    if contacts_form is not None and not community.wechat_qr:
        contacts_form.fields.pop("remove_wechat_qr", None)  # nothing to remove
    grid_forms = grid_forms or {}
    grid_rows = []
    for grid in grids:
        form = grid_forms.get(grid.pk)
        if form is None and may_edit_grid_contact(user, grid):
            form = GridContactForm(
                initial={f: getattr(grid, f) for f in GRID_FIELDS}, prefix=f"grid{grid.pk}"
            )
        grid_rows.append((grid, form))
    rows = [(c, may_print_card(user, c)) for c in compounds.order_by("grid__path", "name")]
    return render(
        request,
        "concerns/cards/cards.html",
        {
            "community": community,
            "contacts_form": contacts_form if may_edit else None,
            "grid_rows": grid_rows,
            "rows": rows,
            "may_print_all": any(printable for _c, printable in rows),
        },
        status=status,
    )


@login_required
def community_cards(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, get_card_community(request.user, code))


def _saved(request: HttpRequest, form: Any, update: Callable[..., Any], area: Area) -> bool:
    """Save a contacts form through its action (cards.update_*); False leaves the form
    with its errors, to be shown again."""
    if not form.is_valid():
        return False
    try:
        update(area, actor=request.user, **form.cleaned_data)
    except ActionError as exc:
        exc.show_on(form)
        return False
    messages.success(request, _("The contact cards now show the new details."))
    return True


@login_required
@require_POST
def card_contacts(request: HttpRequest, code: str) -> HttpResponse:
    community = get_card_community(request.user, code)
    if not may_edit_card(request.user, community):
        raise PermissionDenied
    form = CardContactsForm(request.POST, request.FILES)
    if _saved(request, form, cards.update_card_contacts, community):
        return redirect("concerns:cards", code=community.code)
    return _page(request, community, contacts_form=form, status=400)


@login_required
@require_POST
def grid_contact(request: HttpRequest, code: str) -> HttpResponse:
    grid = Area.objects.filter(code=code, kind=Area.Kind.GRID).select_related("parent").first()
    if grid is None or grid.parent is None or not can_view_area(request.user, grid):
        raise Http404
    if not may_edit_grid_contact(request.user, grid):
        raise PermissionDenied
    form = GridContactForm(request.POST, prefix=f"grid{grid.pk}")
    if _saved(request, form, cards.update_grid_contact, grid):
        return redirect("concerns:cards", code=grid.parent.code)
    return _page(request, grid.parent, grid_forms={grid.pk: form}, status=400)


def card_print(request: HttpRequest, code: str, compound: int | None = None) -> HttpResponse:
    """The printable notices, one A4 page per compound. GET shows them (anyone who may see
    them); POST is the 打印 button: it records the print and opens the print dialog."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    community = get_card_community(request.user, code)
    compounds = card_compounds(request.user, community).select_related("grid")
    if compound is not None:
        compounds = compounds.filter(pk=compound)
        if not compounds.exists():
            raise Http404
    if request.method == "POST":
        cards.record_prints(list(compounds), actor=request.user)
        return redirect(f"{request.path}?print=1")
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    shown = cards.cards_for(request, community, compounds)
    return render(
        request,
        "concerns/cards/print.html",
        {
            "community": community,
            "cards": shown,
            "single": compound is not None,
            "may_print": bool(shown)
            and all(may_print_card(request.user, c.compound) for c in shown),
            "autoprint": request.GET.get("print") == "1",
        },
    )


@login_required
def wechat_qr(request: HttpRequest, code: str) -> HttpResponseBase:
    """The uploaded picture of the community's 公众号 QR code, for those who see its cards."""
    community = get_card_community(request.user, code)
    if not community.wechat_qr:
        raise Http404
    return serve_image(request, community.wechat_qr, public=False)
