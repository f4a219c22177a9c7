"""Issues titled by the old rule (the first sentence cut at 30 characters with "…") get a
whole title by the new one (concerns/titles.py). A title staff wrote is left alone: only a
title equal to what the old rule made of the issue's first concern changes."""

import re

from django.db import migrations


def _old_title(content: str, limit: int = 30) -> str:
    # The rule as it was, to recognise the titles it made.
    text = re.sub(r"\d{7,}", "…", re.sub(r"\s+", " ", content)).strip()
    first = re.split(r"[。！？!?\n；;]", text, maxsplit=1)[0].strip() or text
    return first[:limit] + ("…" if len(first) > limit else "")


def whole_titles(apps, schema_editor):
    from concerns.titles import make_title

    Issue = apps.get_model("concerns", "Issue")
    Concern = apps.get_model("concerns", "Concern")
    for issue in Issue.objects.filter(title__contains="…").iterator():
        first = Concern.objects.filter(issue_id=issue.pk).order_by("received_at", "pk").first()
        if first is None or _old_title(first.content) != issue.title:
            continue
        Issue.objects.filter(pk=issue.pk).update(title=make_title(first.content))


class Migration(migrations.Migration):
    dependencies = [("concerns", "0009_issue_search_text")]

    operations = [migrations.RunPython(whole_titles, migrations.RunPython.noop)]
