from django.conf import settings
from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core import ratelimit


class ProxyHeadersMiddleware:
    """X-Forwarded-Proto is believed only from a trusted proxy (settings.TRUSTED_PROXIES):
    from anyone else it is dropped, so a client cannot claim HTTPS over plain HTTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if "HTTP_X_FORWARDED_PROTO" in request.META and not ratelimit.from_trusted_proxy(request):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


class OutOfRangeMiddleware:
    """A number too large for the database (an id of 30 digits in a URL) is the client's
    mistake: answer 400, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, OverflowError | DataError):
            return HttpResponseBadRequest(_("A number in the request is out of range."))
        return None


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than REQUEST_MAX_BYTES with 413, from its
    Content-Length alone, before anything reads the body (a 200 MB upload costs nothing).

    Sits before every middleware that may read the body (CSRF reads request.POST). A body
    without a Content-Length (chunked) is capped by the front server (client_max_body_size)
    and by Django's DATA_UPLOAD_MAX_MEMORY_SIZE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        limit = settings.REQUEST_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return self.too_large(request, limit)
        return self.get_response(request)

    @staticmethod
    def too_large(request: HttpRequest, limit: int) -> HttpResponse:
        mb = limit // (1024 * 1024)
        message = _(
            "What you sent is too large (at most %(mb)d MB in all). Send fewer or smaller "
            "photos, or send them one at a time."
        ) % {"mb": mb}
        if request.path.startswith("/api/"):
            from yishi.api import error_response  # the API's one error shape and renderer

            return error_response(request, 413, "request_too_large", message)
        html = render_to_string("yishi/request_too_large.html", {"message": message})
        return HttpResponse(html, status=413)
