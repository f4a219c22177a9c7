import pytest

from consultations import actions as consult
from consultations.models import Meeting
from notifications.sms import MemorySender


@pytest.fixture
def memory_sms(settings):
    """SMS kept in MemorySender.outbox (emptied first), with links to the site's address."""
    settings.SMS_SENDER = "notifications.sms.MemorySender"
    settings.SITE_URL = "https://yishi.example.cn"
    MemorySender.outbox = []


def council(staff, area, title, starts_at, topics, **extra):
    """A council meeting (议事会) in the community hall, announced a day ahead unless `extra`
    says otherwise."""
    return consult.schedule_meeting(
        staff,
        area=area,
        title=title,
        form=Meeting.Form.COUNCIL,
        starts_at=starts_at,
        place="社区议事厅",
        topics=topics,
        **{"notice_days": 1, **extra},
    )
