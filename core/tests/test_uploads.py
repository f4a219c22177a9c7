"""core.uploads: only photos are accepted, re-encoded without anything hidden in them, and
served back as images that cannot run."""

import io
import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from core import uploads
from core.errors import ActionError


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring a huge picture with almost no data: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def refused(data: bytes, name: str = "photo.png") -> ActionError:
    with pytest.raises(ActionError) as error:
        uploads.clean_image(upload(data, name))
    assert error.value.status == 400
    assert error.value.field == "photos"
    return error.value


def test_a_png_with_a_script_in_a_text_chunk_comes_out_as_pixels_only():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>fetch('/api/v1/issues')</script>")
    data = encoded(Image.new("RGB", (30, 20), "red"), "PNG", pnginfo=info) + b"<script>x</script>"
    clean = uploads.clean_image(upload(data, "x.html", "text/html"))
    assert isinstance(clean, ContentFile)
    assert clean.name.endswith(".png")
    assert clean.name != "x.html" and len(clean.name) > 20
    stored = clean.read()
    assert b"<script" not in stored and b"tEXt" not in stored
    with Image.open(io.BytesIO(stored)) as again:
        assert again.format == "PNG" and again.size == (30, 20)
        assert not again.text
        assert again.getpixel((0, 0)) == (255, 0, 0)


def test_two_uploads_of_one_file_get_different_random_names():
    data = encoded(Image.new("RGB", (4, 4)), "PNG")
    assert uploads.clean_image(upload(data)).name != uploads.clean_image(upload(data)).name


def test_a_jpeg_is_turned_upright_and_loses_its_exif_and_gps():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was held on its side
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[2] = (39.0, 54.0, 27.0)  # GPSLatitude
    data = encoded(Image.new("RGB", (40, 20), "blue"), "JPEG", exif=exif.tobytes())
    clean = uploads.clean_image(upload(data, "IMG_0001.JPG", "image/jpeg"))
    assert clean.name.endswith(".jpg")
    stored = clean.read()
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as again:
        assert again.format == "JPEG"
        assert again.size == (20, 40)  # rotated upright
        assert not again.getexif()


@pytest.mark.parametrize(
    ("image", "fmt", "extension"),
    [
        (Image.new("RGB", (10, 10)), "WEBP", "webp"),
        (Image.new("CMYK", (10, 10)), "JPEG", "jpg"),
        (Image.new("P", (10, 10)), "PNG", "png"),
        (Image.new("RGBA", (10, 10), (0, 0, 0, 0)), "PNG", "png"),
        (Image.new("L", (10, 10)), "PNG", "png"),
    ],
)
def test_jpeg_png_and_webp_are_accepted_whatever_the_name(image, fmt, extension):
    clean = uploads.clean_image(upload(encoded(image, fmt), "whatever.gif", "text/plain"))
    assert clean.name.endswith("." + extension)
    with Image.open(io.BytesIO(clean.read())) as again:
        assert again.format == fmt


def test_a_large_photo_is_scaled_down():
    data = encoded(Image.new("RGB", (5000, 1000)), "JPEG")
    with Image.open(io.BytesIO(uploads.clean_image(upload(data)).read())) as again:
        assert again.size == (uploads.MAX_EDGE, 512)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "x.png"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.png"),
        (encoded(Image.new("RGB", (4, 4)), "GIF"), "x.gif"),
        (encoded(Image.new("RGB", (4, 4)), "BMP"), "x.png"),
        (encoded(Image.effect_noise((64, 64), 60), "PNG")[:300], "cut.png"),  # truncated
        (b"", "empty.png"),
    ],
)
def test_anything_but_a_jpeg_png_or_webp_is_refused(data, name):
    error = refused(data, name)
    assert error.code == "not_an_image"
    assert "JPEG" in error.message


def test_a_picture_over_the_pixel_limit_is_refused_before_it_is_decoded():
    error = refused(png_header_only(8000, 6000))  # 48 megapixels, a tiny file
    assert error.code == "image_too_large"
    assert "8000" in error.message


def test_a_decompression_bomb_pillow_itself_would_refuse_is_a_clean_refusal():
    error = refused(png_header_only(100_000, 100_000))
    assert error.code == "image_too_large"


def test_a_file_over_the_byte_limit_is_refused_without_being_opened(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PHOTO_BYTES", 100)
    opened = []
    monkeypatch.setattr(Image, "open", lambda *a, **k: opened.append(a))
    error = refused(encoded(Image.new("RGB", (64, 64), "white"), "BMP"))
    assert error.code == "file_too_large"
    assert opened == []


# ---- Serving


class Stored:
    """A stored photo's FieldFile, as far as serve_image looks at it."""

    def __init__(self, name: str, storage) -> None:
        self.name = name
        self.storage = storage


@pytest.fixture
def stored_png(settings):
    from django.core.files.storage import default_storage

    name = default_storage.save(
        "photos/2026/12/abc.png", ContentFile(encoded(Image.new("RGB", (4, 4)), "PNG"))
    )
    return Stored(name, default_storage)


def test_a_photo_is_served_as_an_image_that_cannot_run(rf, stored_png):
    response = uploads.serve_image(rf.get("/"), stored_png, public=False)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="abc.png"'
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\x89PNG")


def test_with_accel_redirect_nginx_sends_the_file(rf, stored_png, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    response = uploads.serve_image(rf.get("/"), stored_png, public=True)
    assert response["X-Accel-Redirect"] == "/protected-media/photos/2026/12/abc.png"
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response.content == b""


@pytest.mark.parametrize("name", ["photos/2026/12/x.html", "photos/2026/12/x.svg", "photos/x"])
def test_a_file_kept_from_before_under_another_extension_is_not_served(rf, name):
    from django.core.files.storage import default_storage
    from django.http import Http404

    default_storage.save(name, ContentFile(b"<script>alert(1)</script>"))
    with pytest.raises(Http404):
        uploads.serve_image(rf.get("/"), Stored(name, default_storage), public=True)


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_and_still_turned_upright():
    exif = Image.Exif()
    exif[0x0112] = 8  # rotated the other way
    data = encoded(Image.new("RGB", (6000, 4000), "green"), "JPEG", exif=exif.tobytes())
    with Image.open(io.BytesIO(uploads.clean_image(upload(data)).read())) as again:
        assert max(again.size) <= uploads.MAX_EDGE
        assert again.size[1] > again.size[0]  # portrait, as the camera was held
