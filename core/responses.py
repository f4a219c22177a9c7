"""Responses shared by every app's pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def too_many_requests(
    request: HttpRequest, wait: int, *, message: str = "", note: str = ""
) -> HttpResponse:
    """The page a throttled HTML request gets: 429, Retry-After, and when to try again, with
    the limit's own message and why the limit is there, if the caller has them."""
    context = {"minutes": max(1, (wait + 59) // 60), "message": message, "note": note}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
