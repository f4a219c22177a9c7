"""`{% page_url "issue_story" issue as url %}`: a later step's page for obj, in templates of
earlier apps (core.links.page_url; "" when no installed step offers it)."""

from typing import Any

from django import template

from core import links

register = template.Library()


@register.simple_tag
def page_url(name: str, obj: Any) -> str:
    return links.page_url(name, obj)
