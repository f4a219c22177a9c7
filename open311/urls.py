"""GeoReport v2 under /open311/: the format is the URL's extension, as the spec does."""

from django.urls import path, re_path

from open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>xml|json)"
# A code, id or token: anything but a slash, up to the format extension.
ID = r"[^/]+?"

urlpatterns = [
    re_path(rf"^discovery{FMT}$", views.discovery, name="discovery"),
    # The endpoint URL clients append "/services.xml" … to (named in discovery).
    path("v2/", views.not_found, {"fmt": "xml"}, name="root"),
    re_path(rf"^v2/services{FMT}$", views.service_list, name="services"),
    re_path(
        rf"^v2/services/(?P<service_code>{ID}){FMT}$", views.service_definition, name="service"
    ),
    re_path(rf"^v2/requests{FMT}$", views.requests, name="requests"),
    re_path(
        rf"^v2/requests/(?P<service_request_id>{ID}){FMT}$", views.request_detail, name="request"
    ),
    re_path(rf"^v2/tokens/(?P<token>{ID}){FMT}$", views.token, name="token"),
    # Anything else under /open311/ is a spec-format 404, never an HTML page.
    re_path(r"^.*\.(?P<fmt>json)$", views.not_found),
    re_path(r"^.*$", views.not_found, {"fmt": "xml"}),
]
