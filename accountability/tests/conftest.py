"""Helpers for the accountability tests: issues with residents (`make_issue`, shared with the
other apps' tests), a consultation that ends in a resolution, and an item listed from it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accountability import actions
from concerns.tests.conftest import make_issue
from consultations import actions as consult
from consultations.models import Meeting, Participant
from notifications.sms import MemorySender


def codes_of(issue):
    return list(issue.concerns.order_by("id").values_list("tracking_code", flat=True))


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.SMS_SENDER = "notifications.sms.MemorySender"
    MemorySender.outbox = []
    yield MemorySender.outbox


def hold_consultation(staff, area, issue, *, parties=(), title=None):
    """Topic → announced council in the community hall, a resident representative invited and
    signed in → resolution (`parties` invited and responsible); returns the resolution. The
    meeting is named after `title`, by default the issue's."""
    title = title or issue.title
    topic = consult.create_topic(staff, title=f"{title}议题", issues=[issue])
    meeting = consult.schedule_meeting(
        staff,
        area=area,
        title=f"{title}协商议事会",
        form=Meeting.Form.COUNCIL,
        starts_at=timezone.now() + timedelta(hours=1),
        place="社区议事厅",
        notice_days=0,
        quorum=1,
        topics=[topic],
    )
    consult.publish_notice(staff, meeting)
    resident = consult.invite_participant(
        staff, meeting, party=Participant.Party.RESIDENT, name="居民代表", phone="13800001111"
    )
    for organisation in parties:
        consult.invite_participant(
            staff,
            meeting,
            party=Participant.Party.DEPARTMENT,
            name="代表",
            organisation=organisation,
        )
    consult.sign_in_with_code(meeting, resident.sign_in_code)
    meeting.refresh_from_db()
    return consult.record_resolution(
        staff,
        meeting,
        topic=topic,
        text="冲洗二次供水管道和楼顶水箱",
        organisations=list(parties),
        target_date=timezone.localdate() + timedelta(days=30),
    )


@pytest.fixture
def issue(world):
    return make_issue(world.c1, "自来水发黄", residents=5, grid=world.g1)


def publish(world, owner_organisation, *, title="冲洗管道和水箱", days=20, **terms):
    """挂牌 by c1's staff, due in `days` days; `terms` add to or override any of it."""
    terms = {"actor": world.staff, "community": world.c1, **terms}
    deadline = timezone.localdate() + timedelta(days=days)
    return actions.publish_action_item(
        title=title, deadline=deadline, owner_organisation=owner_organisation, **terms
    )


@pytest.fixture
def item(world, issue, water_company, water_rep):
    return publish(world, water_company, issues=[issue])


@pytest.fixture
def done_item(world, item, water_rep):
    actions.report_progress(item, actor=water_rep, text="已开始冲洗")
    actions.mark_done(item, actor=water_rep)
    item.refresh_from_db()
    return item
