import secrets

from django.db import migrations, models

import concerns.models


def fill(apps, schema_editor):
    ActionItem = apps.get_model("accountability", "ActionItem")
    for pk in ActionItem.objects.order_by("pk").values_list("pk", flat=True).iterator():
        ActionItem.objects.filter(pk=pk).update(story_token=secrets.token_urlsafe(16))


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0007_evaluation_community_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionitem",
            name="story_token",
            field=models.CharField(
                max_length=32, null=True, unique=True, verbose_name="story address"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="actionitem",
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
