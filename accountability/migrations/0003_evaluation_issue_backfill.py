"""Each existing rating (all of action items) gets the issue of the concern whose code was
used, or the item's first issue if that concern has since moved to an issue not behind it."""

from django.db import migrations


def backfill(apps, schema_editor):
    Evaluation = apps.get_model("accountability", "Evaluation")
    rows = Evaluation.objects.filter(issue__isnull=True).select_related("concern")
    for evaluation in rows.iterator():
        issue_id = evaluation.concern.issue_id
        if evaluation.action_item_id is not None:
            item_issues = list(
                evaluation.action_item.issues.order_by("pk").values_list("pk", flat=True)
            )
            if item_issues and issue_id not in item_issues:
                issue_id = item_issues[0]
        Evaluation.objects.filter(pk=evaluation.pk).update(issue_id=issue_id)


class Migration(migrations.Migration):
    dependencies = [("accountability", "0002_evaluation_issue")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
