from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from yishi.api import api
from yishi.manifests import MANIFESTS

admin.site.site_header = _("Yishi back office")
admin.site.site_title = _("Yishi back office")
admin.site.index_title = _("Areas, organisations, accounts and categories")

urlpatterns: list = [
    # The API first: Django tries patterns in order, and a resident's submit should not be
    # compared with every page's on its way (a tenth of a millisecond per request).
    path("api/v1/", api.urls),
    path("", include("yishi.site_urls")),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Each workflow app's pages, from its manifest.
urlpatterns += [
    path(manifest.url_prefix, include(manifest.urls))
    for manifest in MANIFESTS
    if manifest.urls is not None
]

# Uploaded media are never served as files from a folder: each photo has a view that checks
# who may see it and answers it as an image (concerns.views.photo, accountability.views).
