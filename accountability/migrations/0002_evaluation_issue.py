"""Ratings of every matter settled (民事民评 for every 办结): an evaluation names its issue, and
its action item only when it rates one. Three steps so that PostgreSQL never alters a table
with pending foreign-key checks: add the column, fill it, then require it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0001_initial"),
        ("concerns", "0003_default_categories"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluation",
            name="issue",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evaluations",
                to="concerns.issue",
                verbose_name="issue",
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="action_item",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="evaluations",
                to="accountability.actionitem",
            ),
        ),
    ]
