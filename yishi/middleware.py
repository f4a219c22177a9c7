from django.db import DataError
from django.http import HttpRequest, HttpResponseBadRequest
from django.utils.translation import gettext as _

from yishi import ratelimit


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
