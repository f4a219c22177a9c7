"""Story 1, told by text message: twelve households of 金城蓝湾二期 report yellow water, and
each hears of their matter six times, from receipt to the matter resolved — no more.

received (with the tracking code) → accepted → the meeting's notice → its public result →
the item listed (owner, deadline) → resolved, with the invitation to rate (请评价) and the
link to the tracking page. The site visit, the escalation, the consultation, the resolution
recorded, progress, done and closing stay on the tracking page."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from accountability import actions as items
from accountability.tests.conftest import hold_consultation
from accounts.models import Organisation, Role
from concerns import actions as concerns
from concerns.intake import submit as intake
from concerns.models import Concern, Issue
from concerns.tests.test_stories import HOUSEHOLDS  # story 1's twelve households
from conftest import make_user
from consultations import actions as consult
from notifications.models import Delivery
from notifications.sms import MemorySender
from notifications.tests.conftest import council
from places.models import Area, Compound

REPRESENTATIVE = "13800001111"


@pytest.fixture(autouse=True)
def _sms(memory_sms, settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_story_1_each_resident_gets_six_meaningful_messages(
    demo, django_capture_on_commit_callbacks
):
    from accounts.models import User

    community = Area.objects.get(code="640106001001")
    phase2 = Compound.objects.get(grid__parent=community, name="金城蓝湾二期")
    staff = User.objects.get(username="staff_jclw")
    grid_worker = User.objects.get(username="grid_jclw")
    secretary = User.objects.get(username="secretary_jclw")
    water = Organisation.objects.create(name="金凤区自来水公司", kind=Organisation.Kind.UTILITY)
    water_rep = make_user("water_rep", (Role.Kind.ORG_REPRESENTATIVE, None, water))

    with django_capture_on_commit_callbacks(execute=True):
        # 民事民提: twelve households, by phone, WeChat and the grid phone.
        codes = {}
        for building, phone, channel, text in HOUSEHOLDS:
            concern = intake.submit_concern(
                community=community,
                content=text,
                channel=channel,
                phone=phone,
                building=phase2.buildings.get(name=building),
                actor=grid_worker if channel == Concern.Channel.GRID_PHONE else staff,
            )
            codes[phone] = concern.tracking_code
        issue = Issue.objects.get(concerns__tracking_code=codes["13995010001"])
        assert issue.residents_count == 12
        # The grid accepts it, looks, and sends it up: it needs several parties.
        concerns.accept_issue(issue, actor=grid_worker)
        concerns.record_site_visit(issue, actor=grid_worker, notes="物业送检正常，冲洗后仍发黄")
        concerns.escalate_to_community(issue, actor=grid_worker, reason="需多方协商")

        # 民事民议/民决: a topic, the meeting announced, held, decided, its result published.
        resolution = hold_consultation(
            staff, community, issue, parties=[water], title="二期自来水发黄"
        )
        meeting = resolution.meeting
        representative = meeting.participants.get(phone=REPRESENTATIVE)
        consult.close_meeting(staff, meeting)
        consult.publish_result(staff, meeting)

        # 民事民办: listed, carried out, verified and closed; the issue is resolved.
        item = items.publish_action_item(
            actor=staff,
            community=community,
            title="冲洗二次供水管道和楼顶水箱",
            deadline=resolution.target_date,
            owner_organisation=water,
            resolution=resolution,
        )
        items.report_progress(item, actor=water_rep, text="已冲洗1-6号楼管道")
        items.mark_done(item, actor=water_rep, note="水质检测正常")
        items.verify_item(item, actor=staff, note="现场取样验收")
        items.close_item(item, actor=secretary, note="销号")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.RESOLVED

    # Exactly six messages each, one per step that matters to them.
    expected = [
        "concern.received",
        "issue.accepted",
        "meeting.announced",
        "meeting.published",
        "action_item.listed",
        "issue.resolved",
    ]
    sent = Counter(phone for phone, _text in MemorySender.outbox)
    for phone, code in codes.items():
        assert sent[phone] == 6, phone
        verbs = list(
            Delivery.objects.filter(address=phone, channel=Delivery.Channel.SMS)
            .order_by("id")
            .values_list("event__verb", flat=True)
        )
        assert verbs == expected, phone
        texts = [text for to, text in MemorySender.outbox if to == phone]
        received, accepted, notice, result, listed, resolved = texts
        assert code in received and "“" in received
        assert "收到" in received
        assert "受理" in accepted
        assert "二期自来水发黄协商议事会" in notice and "社区议事厅" in notice
        assert "公示" in result
        assert "金凤区自来水公司" in listed and resolution.target_date.isoformat() in listed
        assert "请" in resolved and "评价" in resolved
        assert f"https://yishi.example.cn/concerns/t/{code}/" in resolved
        # Nobody else's data: no other phone number, no other tracking code, no name.
        for other_phone, other_code in codes.items():
            if other_phone != phone:
                assert all(other_code not in t and other_phone not in t for t in texts)
        assert all(phone not in t and "居民代表" not in t for t in texts)
    # The resident representative, invited once the notice was out, heard as a participant:
    # their invitation (when, where, their sign-in code), then the resolution and result.
    assert sent[REPRESENTATIVE] == 4
    invitation = next(t for to, t in MemorySender.outbox if to == REPRESENTATIVE)
    assert representative.sign_in_code in invitation and "社区议事厅" in invitation
    assert f"https://yishi.example.cn/consultations/m/{meeting.pk}/join/" in invitation
    # Nothing else went to anyone by SMS.
    assert sum(sent.values()) == 12 * 6 + 4


def test_the_receipt_names_the_residents_words_cut_at_a_word_with_an_ellipsis(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        concern = intake.submit_concern(
            community=world.c1,
            content="小区东门的路灯已经坏了整整两个星期晚上出门特别不安全希望尽快修好",
            channel=Concern.Channel.WEB,
            phone="13912340000",
        )
    [(phone, text)] = MemorySender.outbox
    assert phone == "13912340000"
    assert concern.tracking_code in text
    assert text.split("http")[0].count(concern.tracking_code) == 1  # not again as a "title"
    assert str(concern.get_channel_display()) not in text  # the channel is not a note
    words = text.split("“")[1].split("”")[0]
    assert words.endswith("…")
    assert "小区东门的路灯".startswith(words[:7]) or words.startswith("小区东门")
    assert "https://yishi.example.cn/concerns/t/" in text


def test_a_moved_meeting_corrects_the_notice_once_it_is_out(
    world, django_capture_on_commit_callbacks
):
    from concerns.tests.conftest import make_issue

    issue = make_issue(world.c1, "电梯噪音", residents=2)
    topic = consult.create_topic(world.staff, title="电梯噪音议题", issues=[issue])
    first = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = council(
            world.staff, world.c1, "电梯噪音协商会", first, [topic], notice_days=0, quorum=1
        )
        consult.reschedule_meeting(world.staff, meeting, starts_at=first + timedelta(hours=1))
    assert MemorySender.outbox == []  # a draft moves silently
    with django_capture_on_commit_callbacks(execute=True):
        consult.publish_notice(world.staff, meeting)
    assert len(MemorySender.outbox) == 2
    moved = first + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        consult.reschedule_meeting(world.staff, meeting, starts_at=moved)
    assert len(MemorySender.outbox) == 4
    when = f"{timezone.localtime(moved):%Y-%m-%d %H:%M}"
    for code in issue.concerns.values_list("tracking_code", flat=True):
        [text] = [t for _p, t in MemorySender.outbox[2:] if code in t]
        assert when in text and "改期" in text
