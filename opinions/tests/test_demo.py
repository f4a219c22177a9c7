"""Story 5 begins with 王庆民's report on the 阅海湾商务区 parks."""

import io

from django.core.management import call_command

from consultations.demo import STORY5_MEETING
from consultations.models import Meeting, Topic
from opinions.demo import PARK_REPORT, SORTING_REPORT, STORY5_TOPIC
from opinions.models import Report


def test_story5_is_preceded_by_the_report(db):
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # again: nothing twice
    report = Report.objects.get(title=PARK_REPORT)
    assert report.member.username == "cppcc_jf"
    assert report.status == Report.Status.REPLIED
    (forwarding,) = report.forwardings.all()
    assert forwarding.organisation.name == "金凤区文化旅游体育广电局"
    assert forwarding.replied_on_time and forwarding.rating == "satisfied"
    # Linked to the topic story 5 already has, not a second one.
    assert Topic.objects.filter(title=STORY5_TOPIC).count() == 1
    assert report.topic == Meeting.objects.get(title=STORY5_MEETING).topics.get()
    assert report.submitted_at < report.topic.created_at
    assert Report.objects.get(title=SORTING_REPORT).status == Report.Status.SUBMITTED
    assert Report.objects.count() == 2
