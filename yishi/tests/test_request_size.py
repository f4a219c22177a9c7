"""A request declaring a body over REQUEST_MAX_BYTES is refused with 413 before anything reads
the body; the API answers in its JSON error shape, pages with a page a person can act on."""

import pytest
from django.conf import settings

MB = 1024 * 1024


class UnreadBody:
    """A request body that fails the test if anything reads it."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, *args):
        self.reads += 1
        raise AssertionError("the body was read")

    readline = read


def post_declaring(client, path: str, length: int, body: UnreadBody, **extra):
    return client.generic(
        "POST",
        path,
        data=b"x",
        content_type="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": body},
        **extra,
    )


def refused_unread(client, path, **headers):
    """A 200 MB post to `path`: refused with 413 without a byte of its body read."""
    body = UnreadBody()
    response = post_declaring(client, path, 200 * MB, body, **headers)
    assert response.status_code == 413
    assert body.reads == 0
    return response


def test_the_cap_is_above_several_photos_and_below_what_costs_the_server():
    assert 12 * MB <= settings.REQUEST_MAX_BYTES <= 64 * MB
    middleware = settings.MIDDLEWARE
    cap = middleware.index("yishi.middleware.RequestSizeLimitMiddleware")
    # Before CSRF, which reads the form of every POST.
    assert cap < middleware.index("django.middleware.csrf.CsrfViewMiddleware")


@pytest.mark.django_db
def test_a_200_mb_form_post_is_refused_before_the_body_is_read(client):
    response = refused_unread(client, "/concerns/")
    html = response.content.decode()
    assert "25 MB" in html and 'data-testid="message"' in html


@pytest.mark.django_db
def test_an_api_request_over_the_cap_gets_the_api_error_shape(client):
    response = refused_unread(client, "/api/v1/concerns")
    error = response.json()["error"]
    assert error["code"] == "request_too_large"
    assert "25 MB" in error["message"]
    assert error["fields"] == {}


@pytest.mark.django_db
def test_the_cap_comes_from_the_setting(client, settings):
    settings.REQUEST_MAX_BYTES = 1000
    response = client.post(
        "/api/v1/concerns", {"content": "x" * 2000}, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


@pytest.mark.django_db
def test_a_request_within_the_cap_goes_through(client, world):
    response = client.post(
        "/api/v1/concerns",
        {"community": "C1", "content": "路灯坏了", "phone": "13800138000"},
        content_type="application/json",
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_a_413_page_speaks_the_visitors_language(client):
    response = refused_unread(client, "/concerns/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "太大" in response.content.decode()


@pytest.mark.django_db
def test_more_files_than_django_reads_is_a_400_with_a_code_not_a_500(client, world):
    """Django stops reading a form at DATA_UPLOAD_MAX_NUMBER_FILES; the API says so."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import ApiToken

    _token, key = ApiToken.issue(world.staff, "files")
    count = settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1
    photos = [SimpleUploadedFile(f"p{n}.jpg", b"x", "image/jpeg") for n in range(count)]
    response = client.post(
        "/api/v1/action-items/1/progress-with-photos",
        {"text": "进展", "photos": photos},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"
