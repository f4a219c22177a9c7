"""Progress photos: re-encoded like residents' photos, public like the item, served as images."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accountability import actions
from accountability.models import ProgressPhoto
from concerns.models import Photo
from conftest import PASSWORD


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "gray").save(buffer, "JPEG")
    return SimpleUploadedFile("IMG_1.jpeg", buffer.getvalue(), content_type="image/jpeg")


def test_a_progress_photo_is_public_and_served_as_an_image(client, world, item, water_rep):
    actions.report_progress(item, actor=water_rep, text="管道冲洗中", photos=[jpeg()])
    photo = ProgressPhoto.objects.get()
    assert photo.image.name.startswith("progress/") and photo.image.name.endswith(".jpg")
    assert "IMG_1" not in photo.image.name
    response = client.get(photo.get_absolute_url())  # anonymous, like the public board
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    wrong = reverse("accountability:photo", args=[photo.pk, "nope.jpg"])
    assert client.get(wrong).status_code == 404


def test_the_item_page_links_the_photo_through_its_view(client, world, item, water_rep):
    actions.report_progress(item, actor=water_rep, text="管道冲洗中", photos=[jpeg()])
    photo = ProgressPhoto.objects.get()
    client.login(username=world.staff.username, password=PASSWORD)
    html = client.get(reverse("accountability:item", args=[item.pk])).content.decode()
    assert f'src="{photo.get_absolute_url()}"' in html
    assert "/media/" not in html


def test_the_progress_form_refuses_a_file_that_is_not_a_photo(client, world, item, water_rep):
    client.login(username=water_rep.username, password=PASSWORD)
    fake = SimpleUploadedFile("x.png", b"<html><script>alert(1)</script>", content_type="image/png")
    response = client.post(
        reverse("accountability:progress", args=[item.pk]), {"text": "进展", "photos": [fake]}
    )
    assert response.status_code == 400
    assert "JPEG" in response.content.decode()
    assert not ProgressPhoto.objects.exists()


@pytest.mark.parametrize(
    ("model", "url_start"),
    [(ProgressPhoto, "/accountability/photos/"), (Photo, "/concerns/photos/")],
)
def test_each_photo_row_names_itself_and_its_address_by_its_random_file_name(model, url_start):
    photo = model(pk=7, image="photos/2026/05/Zx3k9.jpg", caption="")
    assert photo.file_name == "Zx3k9.jpg"
    assert str(photo) == "photos/2026/05/Zx3k9.jpg"
    assert photo.get_absolute_url().startswith(url_start)
    assert photo.get_absolute_url().endswith("/7/Zx3k9.jpg")
    photo.caption = "裂缝"
    assert str(photo) == "裂缝"
