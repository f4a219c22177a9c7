"""Links a later app offers on an earlier app's page (写社情民意 on an issue, the report behind
a topic), so the earlier app links forward without importing the later one. Each setting
lists functions (request, obj) returning (label, url) or None."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string


def offered_links(setting: str, request: HttpRequest, obj: Any) -> list[tuple[str, str]]:
    links = []
    for dotted in getattr(settings, setting, []):
        try:
            offer = import_string(dotted)
        except ImportError:
            continue  # that part of the workflow is not installed in this build
        link = offer(request, obj)
        if link:
            links.append(link)
    return links
