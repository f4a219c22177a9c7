import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accountability", "0003_evaluation_issue_backfill")]

    operations = [
        migrations.AlterField(
            model_name="evaluation",
            name="issue",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evaluations",
                to="concerns.issue",
                verbose_name="issue",
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("action_item__isnull", True)),
                fields=("issue", "resident_key", "round"),
                name="evaluation_once_per_matter",
            ),
        ),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(fields=["issue", "round"], name="accountabil_issue_i_efd72b_idx"),
        ),
    ]
