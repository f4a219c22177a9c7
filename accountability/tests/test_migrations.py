"""The data migration gives every rating recorded before matters could be rated its issue."""

from datetime import date

import pytest

# Concerns as they were then too (before they had a public id).
BEFORE = [("accountability", "0002_evaluation_issue"), ("concerns", "0004_only_used_indexes")]
AFTER = [("accountability", "0004_evaluation_issue_required")]
KEPT_COMMUNITY = [("accountability", "0007_evaluation_community_required")]


@pytest.mark.django_db(transaction=True)
def test_existing_ratings_get_the_issue_of_their_concern(migrate_to):
    apps = migrate_to(BEFORE)
    Area = apps.get_model("places", "Area")
    Organisation = apps.get_model("accounts", "Organisation")
    Issue = apps.get_model("concerns", "Issue")
    Concern = apps.get_model("concerns", "Concern")
    ActionItem = apps.get_model("accountability", "ActionItem")
    Evaluation = apps.get_model("accountability", "Evaluation")
    community = Area.objects.create(code="M1", name="迁移社区", kind="community", path="/M1/")
    org = Organisation.objects.create(name="物业", kind="property_company")
    water, lights, moved = (
        Issue.objects.create(community=community, title=t) for t in ("水黄", "路灯", "别处")
    )

    def concern(code, issue):
        return Concern.objects.create(
            tracking_code=code, issue=issue, community=community, channel="phone"
        )

    item = ActionItem.objects.create(
        community=community, title="冲洗", owner_organisation=org, deadline=date(2026, 12, 1)
    )
    item.issues.set([water, lights])
    on_water = Evaluation.objects.create(
        action_item=item,
        concern=concern("M0000001", lights),
        resident_key="a",
        rating="satisfied",
    )
    # This concern has since been moved to an issue not behind the item.
    elsewhere = Evaluation.objects.create(
        action_item=item,
        concern=concern("M0000002", moved),
        resident_key="b",
        rating="basically",
    )
    apps = migrate_to(AFTER)
    Evaluation = apps.get_model("accountability", "Evaluation")
    assert Evaluation.objects.get(pk=on_water.pk).issue_id == lights.pk
    assert Evaluation.objects.get(pk=elsewhere.pk).issue_id == water.pk  # the item's first
    apps = migrate_to(KEPT_COMMUNITY)
    Evaluation = apps.get_model("accountability", "Evaluation")
    assert set(Evaluation.objects.values_list("community_id", flat=True)) == {community.pk}
