from django.db import migrations, models

# The staff search's full-text index (concerns.search): PostgreSQL only; SQLite searches the
# same column with LIKE and needs nothing. The expression is the one SearchVector writes, so
# the planner can use it.
CREATE = (
    "CREATE INDEX IF NOT EXISTS issue_search_fts ON concerns_issue "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
)
DROP = "DROP INDEX IF EXISTS issue_search_fts"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0008_issue_evaluation_round"),
    ]

    operations = [
        migrations.AddField(
            model_name="issue",
            name="search_indexed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="issue",
            name="search_text",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
