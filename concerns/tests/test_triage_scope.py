"""Who may confirm, move, merge, split and retitle a matter: the community's staff always; the
street officer above it only once the matter has been escalated to the street (README,
"Permissions at a glance": the street changes matters escalated to it)."""

import pytest
from django.core.exceptions import PermissionDenied

from concerns import actions
from concerns.intake.submit import submit_concern
from concerns.models import Issue
from concerns.permissions import can_triage

WEB = "web"


def _issue(world, content: str, phone: str) -> Issue:
    concern = submit_concern(community=world.c1, content=content, phone=phone, channel=WEB)
    return concern.issue


@pytest.mark.django_db
def test_the_street_may_not_retitle_or_merge_a_matter_still_in_the_community(world):
    lamp = _issue(world, "5号楼门口路灯坏了一周", "13912340001")
    dogs = _issue(world, "广场上遛狗不拴绳吓到孩子", "13912340002")
    assert can_triage(world.staff, lamp)
    assert not can_triage(world.street_officer, lamp)
    with pytest.raises(PermissionDenied):
        actions.retitle_issue(lamp, title="街道改的标题", actor=world.street_officer)
    with pytest.raises(PermissionDenied):
        actions.merge_issues(dogs, into=lamp, actor=world.street_officer)
    lamp.refresh_from_db()
    assert lamp.title != "街道改的标题" and Issue.objects.filter(pk=dogs.pk).exists()


@pytest.mark.django_db
def test_the_street_may_retitle_a_matter_escalated_to_it(world):
    lamp = _issue(world, "5号楼门口路灯坏了一周", "13912340001")
    Issue.objects.filter(pk=lamp.pk).update(level=Issue.Level.STREET)
    lamp.refresh_from_db()
    assert can_triage(world.street_officer, lamp)
    actions.retitle_issue(lamp, title="5号楼门口路灯不亮", actor=world.street_officer)
    lamp.refresh_from_db()
    assert lamp.title == "5号楼门口路灯不亮"
    # The district officer only reads.
    assert not can_triage(world.district_officer, lamp)
