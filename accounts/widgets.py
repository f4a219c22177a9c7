"""Pickers with a search box (accounts/static/accounts/pickers.js filters them; pages that use
one load that script). No multi-select list box: several choices are checkboxes, grouped."""

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

CHECKED = format_html(" {}", "checked")


def _search_box(target_id: str, label: str) -> SafeString:
    return format_html(
        '<input type="search" class="picker-filter" data-picker-filter="{}" '
        'placeholder="{}" aria-label="{}" autocomplete="off">',
        target_id,
        _("Type to search"),
        label,
    )


class SearchSelect(forms.Select):
    """A select (grouped by kind) with a search box above it."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        attrs = dict(attrs or {})
        target = attrs.get("id") or f"id_{name}"
        attrs["id"] = target
        select = super().render(name, value, attrs, renderer)
        box = _search_box(target, _("Search the list"))
        return format_html('<div class="picker">{}{}</div>', box, select)


class SearchCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes grouped by kind, with a search box: several choices without Ctrl-click."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        attrs = dict(attrs or {})
        target = attrs.get("id") or f"id_{name}"
        chosen = {str(v) for v in (value or [])}
        groups = self._grouped()
        parts = []
        for n, (group, options) in enumerate(groups):
            items = format_html_join(
                "",
                '<div><label><input type="checkbox" name="{}" value="{}" id="{}_{}_{}"{}> {}'
                "</label></div>",
                (
                    (
                        name,
                        key,
                        target,
                        n,
                        i,
                        CHECKED if str(key) in chosen else "",
                        label,
                    )
                    for i, (key, label) in enumerate(options)
                ),
            )
            legend = format_html("<legend>{}</legend>", group) if group else ""
            parts.append(
                format_html('<fieldset class="picker-group">{}{}</fieldset>', legend, items)
            )
        if not parts:
            parts.append(format_html('<p class="muted">{}</p>', _("Nothing to choose from.")))
        box = _search_box(target, _("Search the list"))
        body = format_html_join("", "{}", ((part,) for part in parts))
        return format_html(
            '<div class="picker">{}<div class="picker-boxes" id="{}">{}</div></div>',
            box,
            target,
            body,
        )

    def _grouped(self) -> list[tuple[str, list[tuple[Any, Any]]]]:
        result: list[tuple[str, list[tuple[Any, Any]]]] = []
        loose: list[tuple[Any, Any]] = []
        for key, label in self.choices:
            if isinstance(label, list | tuple):
                result.append((str(key), [(k, v) for k, v in label]))
            elif key not in ("", None):
                loose.append((key, label))
        if loose:
            result.insert(0, ("", loose))
        return result

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return ""
