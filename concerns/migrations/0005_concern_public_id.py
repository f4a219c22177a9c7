"""Every concern gets a random public id; existing ones are given theirs here."""

import secrets

from django.db import migrations, models

import concerns.codes


def backfill(apps, schema_editor) -> None:
    Concern = apps.get_model("concerns", "Concern")
    given: set[str] = set()
    batch = []
    for pk in Concern.objects.filter(public_id__isnull=True).values_list("pk", flat=True):
        public_id = secrets.token_hex(8)
        while public_id in given:
            public_id = secrets.token_hex(8)
        given.add(public_id)
        batch.append(Concern(pk=pk, public_id=public_id))
        if len(batch) >= 1000:
            Concern.objects.bulk_update(batch, ["public_id"])
            batch = []
    Concern.objects.bulk_update(batch, ["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0004_only_used_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="public_id",
            field=models.CharField(
                editable=False, max_length=16, null=True, verbose_name="public id"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="concern",
            name="public_id",
            field=models.CharField(
                default=concerns.codes.new_public_id,
                editable=False,
                max_length=16,
                unique=True,
                verbose_name="public id",
            ),
        ),
    ]
