"""The data migration stores each issue's evaluation round, read from its reopen events."""

import pytest

BEFORE = [("concerns", "0007_issue_public_title"), ("timeline", "0003_outbox")]
AFTER = [("concerns", "0008_issue_evaluation_round")]


@pytest.mark.django_db(transaction=True)
def test_each_issue_gets_the_round_its_reopenings_made(migrate_to):
    apps = migrate_to(BEFORE)
    Area = apps.get_model("places", "Area")
    Issue = apps.get_model("concerns", "Issue")
    Event = apps.get_model("timeline", "Event")
    ContentType = apps.get_model("contenttypes", "ContentType")
    community = Area.objects.create(code="R1", name="轮次社区", kind="community", path="/R1/")
    never, once, twice = (
        Issue.objects.create(community=community, title=t) for t in ("水黄", "路灯", "噪音")
    )
    issue_type, _ = ContentType.objects.get_or_create(app_label="concerns", model="issue")
    area_type, _ = ContentType.objects.get_or_create(app_label="places", model="area")
    for issue, verb in [
        (never, "issue.accepted"),
        (once, "issue.reopened"),
        (twice, "issue.reopened"),
        (twice, "issue.settled"),
        (twice, "issue.reopened"),
    ]:
        Event.objects.create(subject_type=issue_type, subject_id=issue.pk, verb=verb)
    # Another kind of object with the same id and verb is not counted.
    Event.objects.create(subject_type=area_type, subject_id=never.pk, verb="issue.reopened")

    apps = migrate_to(AFTER)
    Issue = apps.get_model("concerns", "Issue")
    rounds = dict(Issue.objects.values_list("pk", "round"))
    assert rounds == {never.pk: 1, once.pk: 2, twice.pk: 3}
