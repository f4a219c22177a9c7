import secrets

from django.db import migrations, models

import concerns.models

OTHER = "居民反映事项"


def fill(apps, schema_editor):
    """Existing issues get a neutral public title (their first concern's compound, or their
    community, and their category) and an unguessable story address."""
    Issue = apps.get_model("concerns", "Issue")
    Concern = apps.get_model("concerns", "Concern")
    rows = Issue.objects.select_related("community", "category").order_by("pk")
    for issue in rows.iterator(chunk_size=500):
        first = (
            Concern.objects.filter(issue_id=issue.pk, compound__isnull=False)
            .select_related("compound")
            .order_by("received_at")
            .first()
        )
        place = first.compound.name if first is not None else issue.community.name
        kind = issue.category.name if issue.category_id else OTHER
        Issue.objects.filter(pk=issue.pk).update(
            public_title=f"{place} · {kind}"[:120], story_token=secrets.token_urlsafe(16)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0006_photo_published"),
    ]

    operations = [
        migrations.AddField(
            model_name="issue",
            name="public_title",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=120, verbose_name="public title"
            ),
        ),
        migrations.AddField(
            model_name="issue",
            name="public_title_confirmed_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="public title confirmed"
            ),
        ),
        migrations.AddField(
            model_name="issue",
            name="story_published_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="story published"),
        ),
        migrations.AddField(
            model_name="issue",
            name="story_token",
            field=models.CharField(
                max_length=32, null=True, unique=True, verbose_name="story address"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="issue",
            name="story_token",
            field=models.CharField(
                default=concerns.models.new_story_token,
                max_length=32,
                null=True,
                unique=True,
                verbose_name="story address",
            ),
        ),
    ]
