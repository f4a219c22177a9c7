import re

from django.core.management.base import BaseCommand

from accountability.models import ProgressPhoto
from concerns.models import Photo
from core.errors import ActionError
from core.uploads import clean_image

# The name clean_image gives: already re-encoded, left as it is.
CLEAN_NAME = re.compile(r"^[A-Za-z0-9_-]{24}\.(jpg|png|webp)$")


class Command(BaseCommand):
    help = (
        "Re-encode photos stored before uploads were cleaned (run once after upgrading): each "
        "becomes a JPEG, PNG or WebP without metadata under a random name; a stored file that "
        "is not a photo is deleted with its row. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what would be done")

    def handle(self, *args, dry_run: bool, **options):
        counts = {"kept": 0, "re-encoded": 0, "deleted": 0, "missing": 0}
        for model in (Photo, ProgressPhoto):
            for photo in model.objects.order_by("pk").iterator():
                counts[self._clean(photo, dry_run)] += 1
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(("Would do: " if dry_run else "Photos: ") + summary)

    def _clean(self, photo, dry_run: bool) -> str:
        old = photo.image.name
        if CLEAN_NAME.match(old.rsplit("/", 1)[-1]):
            return "kept"
        storage = photo.image.storage
        if not storage.exists(old):
            self.stderr.write(f"{type(photo).__name__} {photo.pk}: {old} is missing")
            return "missing"
        try:
            with storage.open(old, "rb") as stored:
                cleaned = clean_image(stored)
        except ActionError as refused:
            self.stdout.write(f"{type(photo).__name__} {photo.pk}: {old} deleted ({refused.code})")
            if not dry_run:
                photo.delete()
                storage.delete(old)
            return "deleted"
        if not dry_run:
            photo.image.save(cleaned.name, cleaned, save=True)
            storage.delete(old)
        return "re-encoded"
