"""Photos people upload, and how they are served back.

Every upload path (a resident's concern, a grid patrol, a site visit, an action item's
progress, an Open311 partner's `media`) passes its files through `clean_image()`: the type is
read from the bytes by Pillow, never from the name or the declared content type; only JPEG,
PNG and WebP are accepted; the picture is decoded and encoded again without metadata, so a
script hidden in a text chunk, EXIF (with GPS) and anything appended to the file are gone;
and the result gets a random name with the extension of its real type.

`serve_image()` answers a stored photo as `image/*` with `nosniff` and a CSP that runs
nothing, either from Django or, with YISHI_MEDIA_ACCEL_REDIRECT set, by handing the file to
nginx (X-Accel-Redirect to an `internal` location).
"""

import contextlib
import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.errors import ActionError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# 40 megapixels: a 48 MP phone camera's default output is 12 MP; a decompression bomb
# (a small file declaring a huge picture) is refused before it is decoded.
MAX_PIXELS = 40_000_000
# Stored photos are scaled down to this long edge: plenty to read a water meter or a crack
# in a wall, and a grid worker's phone loads the issue page quickly.
MAX_EDGE = 2560


@dataclass(frozen=True)
class Kind:
    extension: str
    content_type: str
    save_as: str  # Pillow's format name for saving


# Pillow's format name → what is stored. MPO is the JPEG many phone cameras write (a JPEG
# with a second, depth or preview picture appended): kept as a plain JPEG.
ACCEPTED = {
    "JPEG": Kind("jpg", "image/jpeg", "JPEG"),
    "MPO": Kind("jpg", "image/jpeg", "JPEG"),
    "PNG": Kind("png", "image/png", "PNG"),
    "WEBP": Kind("webp", "image/webp", "WEBP"),
}
# Pillow opens an MPO through its JPEG reader.
OPEN_AS = ["JPEG", "PNG", "WEBP"]
CONTENT_TYPES = {kind.extension: kind.content_type for kind in ACCEPTED.values()}

NOT_AN_IMAGE = _("This file is not a photo. Choose a JPEG, PNG or WebP picture.")


def _refuse(message: Any, code: str, field: str, status: int = 400) -> ActionError:
    return ActionError(message, code=code, field=field, status=status)


def clean_image(upload: Any, *, field: str = "photos") -> ContentFile:
    """The upload as a re-encoded JPEG, PNG or WebP under a random name, or ActionError
    (`file_too_large`, `not_an_image`, `image_too_large`) with a message a person can act on.
    """
    from PIL import Image, ImageOps

    size = getattr(upload, "size", None)
    if size is None or size > MAX_PHOTO_BYTES:
        raise _refuse(
            _("A photo may be at most %(mb)d MB. Choose a smaller one.")
            % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)},
            "file_too_large",
            field,
        )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Pillow warns (and only raises at twice its own limit) about large pictures:
            # the limit here is ours, checked from the header before anything is decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=OPEN_AS) as image:
                kind = ACCEPTED.get(image.format or "")
                if kind is None:
                    raise _refuse(NOT_AN_IMAGE, "not_an_image", field)
                if image.width * image.height > MAX_PIXELS:
                    raise _refuse(
                        _(
                            "This picture is too large (%(w)d × %(h)d pixels). Send a photo of "
                            "at most %(mp)d megapixels."
                        )
                        % {"w": image.width, "h": image.height, "mp": MAX_PIXELS // 1_000_000},
                        "image_too_large",
                        field,
                    )
                image.seek(0)  # the first frame of an animation or an MPO
                if kind.save_as == "JPEG":
                    # Decode a large JPEG at a reduced scale: a fraction of the memory and time.
                    image.draft("RGB", (MAX_EDGE, MAX_EDGE))
                picture = ImageOps.exif_transpose(image)
                picture.thumbnail((MAX_EDGE, MAX_EDGE))
                data = _encode(picture, kind)
    except ActionError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(
            _("This picture is too large. Send a photo of at most %(mp)d megapixels.")
            % {"mp": MAX_PIXELS // 1_000_000},
            "image_too_large",
            field,
        ) from None
    except Exception:
        # Not an image, a truncated one, or one Pillow cannot decode: all the same to a person.
        raise _refuse(NOT_AN_IMAGE, "not_an_image", field) from None
    finally:
        with contextlib.suppress(ValueError, OSError):  # a closed file: nothing to rewind
            upload.seek(0)
    return ContentFile(data, name=f"{secrets.token_urlsafe(18)}.{kind.extension}")


def _encode(picture: Any, kind: Kind) -> bytes:
    """The pixels alone: no EXIF, ICC profile, XMP, text chunks or trailing bytes."""
    if kind.save_as == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    elif kind.save_as != "JPEG" and picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA" if "A" in picture.getbands() else "RGB")
    # A fresh image carries none of the source's `info` (text chunks, EXIF, XMP, comments).
    clean = picture.copy()
    clean.info = {}
    buffer = io.BytesIO()
    options: dict[str, Any] = {}
    if kind.save_as == "JPEG":
        options = {"quality": 85, "optimize": True}
    elif kind.save_as == "WEBP":
        options = {"quality": 85}
    elif kind.save_as == "PNG":
        options = {"optimize": True}
    clean.save(buffer, format=kind.save_as, **options)
    return buffer.getvalue()


def clean_images(uploads: Any, *, field: str = "photos") -> list[ContentFile]:
    return [clean_image(upload, field=field) for upload in uploads]


# ---- Serving

# Nothing in a photo response may run or load anything, even if a browser were to render it
# as a document.
PHOTO_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def serve_image(request: HttpRequest, file: FieldFile, *, public: bool) -> HttpResponseBase:
    """The stored photo, as `image/<type>` with nosniff, inline, under a CSP that runs nothing.

    Only files stored with the extension of an accepted type are served (a file kept from
    before uploads were re-encoded, named `x.html`, is a 404)."""
    name = file.name or ""
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    if extension == "jpeg":
        extension = "jpg"
    content_type = CONTENT_TYPES.get(extension)
    if content_type is None or not name:
        raise Http404
    accel = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    response: HttpResponseBase
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + name.lstrip("/")
    else:
        try:
            handle = file.storage.open(name, "rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{PurePosixPath(name).name}"'
    response["Content-Security-Policy"] = PHOTO_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # A private photo stays out of shared caches, and is not kept once the session ends.
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


class StoredPhoto(models.Model):
    """What a photo row says of itself: a model with an `image` and a `caption` inherits this
    and names, in `url_name`, the view that serves it by id and file name (the stored name is
    random, so the address cannot be guessed from a counted id alone)."""

    url_name: str
    image: Any
    caption: Any

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.caption or self.image.name

    def get_absolute_url(self) -> str:
        return reverse(self.url_name, args=[self.pk, self.file_name])

    @property
    def file_name(self) -> str:
        return self.image.name.rsplit("/", 1)[-1]
