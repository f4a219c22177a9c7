"""Each existing rating gets the community of its issue (one UPDATE)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    Evaluation = apps.get_model("accountability", "Evaluation")
    Issue = apps.get_model("concerns", "Issue")
    Evaluation.objects.filter(community__isnull=True).update(
        community_id=Subquery(Issue.objects.filter(pk=OuterRef("issue_id")).values("community_id"))
    )


class Migration(migrations.Migration):
    dependencies = [("accountability", "0005_evaluation_community")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
