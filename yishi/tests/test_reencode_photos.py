"""manage.py reencode_photos: photos stored before uploads were cleaned are re-encoded under
random names; stored files that are not photos are deleted with their row."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image, PngImagePlugin

from concerns.intake.submit import submit_concern
from concerns.models import Concern, Photo


def polyglot() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


@pytest.mark.django_db
def test_old_photos_are_re_encoded_and_non_photos_deleted(world):
    concern = submit_concern(
        community=world.c1, content="路灯坏了", channel=Concern.Channel.WEB, phone="13800138000"
    )
    old = Photo.objects.create(concern=concern, image="photos/2026/01/x.html")
    default_storage.save("photos/2026/01/x.html", ContentFile(polyglot()))
    fake = Photo.objects.create(concern=concern, image="photos/2026/01/y.png")
    default_storage.save("photos/2026/01/y.png", ContentFile(b"<svg onload=alert(1)>"))

    out = io.StringIO()
    call_command("reencode_photos", "--dry-run", stdout=out)
    assert "1 re-encoded, 1 deleted" in out.getvalue()
    assert Photo.objects.count() == 2 and default_storage.exists("photos/2026/01/x.html")

    call_command("reencode_photos", stdout=io.StringIO())
    old.refresh_from_db()
    assert old.image.name.endswith(".png") and "x.html" not in old.image.name
    with old.image.open("rb") as stored:
        assert b"<script" not in stored.read()
    assert not default_storage.exists("photos/2026/01/x.html")
    assert not Photo.objects.filter(pk=fake.pk).exists()
    assert not default_storage.exists("photos/2026/01/y.png")

    out = io.StringIO()
    call_command("reencode_photos", stdout=out)  # again: nothing left to do
    assert "1 kept, 0 re-encoded, 0 deleted" in out.getvalue()
