from django.db import migrations, models
from django.db.models import Count

# The verb as it was stored when this migration was written (migrations freeze their values).
REOPENED = "issue.reopened"


def backfill_rounds(apps, schema_editor):
    """An issue's round was 1 plus its reopen events: store it, issue by issue count."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Event = apps.get_model("timeline", "Event")
    Issue = apps.get_model("concerns", "Issue")
    issue_type = ContentType.objects.filter(app_label="concerns", model="issue").first()
    if issue_type is None:
        return
    reopened = (
        Event.objects.filter(subject_type=issue_type, verb=REOPENED)
        .values("subject_id")
        .annotate(times=Count("id"))
    )
    by_times: dict[int, list[int]] = {}
    for row in reopened:
        by_times.setdefault(row["times"], []).append(row["subject_id"])
    for times, ids in by_times.items():
        for start in range(0, len(ids), 500):
            Issue.objects.filter(pk__in=ids[start : start + 500]).update(round=1 + times)


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0007_issue_public_title"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("timeline", "0003_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="issue",
            name="round",
            field=models.PositiveSmallIntegerField(
                db_default=1, default=1, verbose_name="evaluation round"
            ),
        ),
        migrations.RunPython(backfill_rounds, migrations.RunPython.noop, elidable=True),
    ]
