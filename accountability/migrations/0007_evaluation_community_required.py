import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accountability", "0006_evaluation_community_backfill")]

    operations = [
        migrations.AlterField(
            model_name="evaluation",
            name="community",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="places.area",
            ),
        ),
    ]
