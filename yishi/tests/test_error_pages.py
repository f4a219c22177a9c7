"""The site's own error pages, in Chinese by default, with nothing of the site's inside."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import include, path

from core.responses import too_many_requests

pytestmark = pytest.mark.django_db


def forbidden(request: HttpRequest):
    raise PermissionDenied("internal reason: role grid_worker lacks issue.settle")


urlpatterns = [path("forbidden/", forbidden), path("", include("yishi.urls"))]


@pytest.mark.urls(__name__)
def test_403_is_the_sites_page_without_the_reason(client):
    response = client.get("/forbidden/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in page and "internal reason" not in page


def test_429_says_when_to_try_again():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = too_many_requests(request, 125)
    assert response.status_code == 429
    assert response["Retry-After"] == "125"
    assert "请等待 3 分钟后再试" in response.content.decode()
