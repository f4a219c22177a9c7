"""People are told: a grid worker of a concern arriving in their grid (in-app at once, by SMS
when they chose it), and everyone invited to a meeting (residents by phone, staff invited by
name through their account) with when, where and their own sign-in code."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from concerns.intake import submit as concerns
from concerns.models import Concern
from conftest import make_user
from consultations import actions as consult
from consultations.models import Participant
from notifications.models import Delivery, Preference
from notifications.sms import MemorySender
from notifications.tests.conftest import council
from places.models import Compound

pytestmark = pytest.mark.usefixtures("memory_sms")


@pytest.fixture
def gate(world):
    return Compound.objects.create(name="金城蓝湾", grid=world.g1)


def submit(world, gate, text="3号楼电梯坏了，老人下不了楼", phone="13995011111", actor=None):
    return concerns.submit_concern(
        community=world.c1,
        content=text,
        channel=Concern.Channel.WEB if actor is None else Concern.Channel.PATROL,
        phone=phone,
        compound=gate,
        actor=actor,
    )


def test_a_concern_arriving_tells_its_grid_worker_in_app_at_once(
    world, gate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        concern = submit(world, gate, text="3号楼电梯坏了，13995011111 老人下不了楼")
    row = Delivery.objects.get(user=world.grid_worker, channel=Delivery.Channel.IN_APP)
    assert row.status == Delivery.Status.SENT and row.event.verb == "concern.received"
    assert row.subject == "【议事】您的网格有新诉求"
    assert "一号社区第一网格" in row.body and "3号楼电梯坏了" in row.body
    assert "13995011111" not in row.body  # the resident's number is not repeated
    assert row.url == reverse("concerns:issue", args=[concern.issue_id])
    assert row.url not in row.body  # the message links there itself
    # Not chosen: no SMS to the grid worker; the worker of the other grid hears nothing.
    assert not Delivery.objects.filter(
        user=world.grid_worker, channel=Delivery.Channel.SMS
    ).exists()
    assert not Delivery.objects.filter(user=world.grid_worker2).exists()
    # The resident still gets their receipt, and only they get their code.
    assert [to for to, _t in MemorySender.outbox] == ["13995011111"]


def test_a_grid_worker_who_chose_sms_gets_one(world, gate, django_capture_on_commit_callbacks):
    world.grid_worker.phone = "13800000001"
    world.grid_worker.save()
    Preference.objects.create(user=world.grid_worker, sms_new_concerns=True)
    with django_capture_on_commit_callbacks(execute=True):
        concern = submit(world, gate)
    sms = Delivery.objects.get(user=world.grid_worker, channel=Delivery.Channel.SMS)
    assert sms.status == Delivery.Status.SENT and sms.kind == "grid_concern"
    assert sms.address == "13800000001"
    texts = dict(MemorySender.outbox)
    text = texts["13800000001"]
    assert text == sms.body
    assert text.startswith("您的网格（一号社区第一网格）有新诉求：“3号楼电梯坏了")
    link = f"https://yishi.example.cn/concerns/issues/{concern.issue_id}/"
    assert link in text
    assert concern.tracking_code not in text  # the resident's secret is theirs alone
    assert sms.params["grid"] == "一号社区第一网格" and sms.params["path"] in link


def test_the_grid_worker_who_registered_it_is_not_told(
    world, gate, django_capture_on_commit_callbacks
):
    Preference.objects.create(user=world.grid_worker, sms_new_concerns=True)
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, gate, actor=world.grid_worker)
    assert not Delivery.objects.filter(user=world.grid_worker).exists()


def test_the_sms_choice_is_on_the_messages_page(world, client):
    client.force_login(world.grid_worker)
    page = client.get(reverse("notifications:messages")).content.decode()
    assert 'name="sms_new_concerns"' in page
    client.post(
        reverse("notifications:preference"), {"email_mode": "off", "sms_new_concerns": "on"}
    )
    preference = Preference.objects.get(user=world.grid_worker)
    assert preference.sms_new_concerns and preference.email_mode == "off"
    assert (
        'name="sms_new_concerns" id="id_sms_new_concerns" checked'
        in client.get(reverse("notifications:messages")).content.decode()
    )
    client.post(reverse("notifications:preference"), {"email_mode": "off"})  # unticked
    assert not Preference.objects.get(user=world.grid_worker).sms_new_concerns
    # Not offered to someone who works no grid.
    client.force_login(world.staff2)
    assert "sms_new_concerns" not in client.get(reverse("notifications:messages")).content.decode()


def meeting_for(world, **extra):
    topic = consult.create_topic(world.staff, title="加装电梯", area=world.c1)
    starts = timezone.localtime(timezone.now() + timedelta(days=5)).replace(
        hour=14, minute=30, second=0, microsecond=0
    )
    ends = starts + timedelta(hours=1, minutes=30)
    return council(world.staff, world.c1, "电梯加装议事会", starts, [topic], ends_at=ends, **extra)


def test_everyone_invited_hears_of_the_notice_with_when_where_and_their_code(
    world, django_capture_on_commit_callbacks
):
    member = make_user("member_zhang", (Role.Kind.CPPCC_MEMBER, world.district, None))
    member.full_name = "张委员"
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_for(world)
        resident = consult.invite_participant(
            world.staff,
            meeting,
            party=Participant.Party.RESIDENT,
            name="李阿姨",
            phone="13995012222",
        )
        # Staff invited by name, without the account picked: found by name and role.
        cppcc = consult.invite_participant(
            world.staff, meeting, party=Participant.Party.CPPCC_MEMBER, name="张委员"
        )
        assert not Delivery.objects.exists()  # a draft: nobody is told yet
        consult.publish_notice(world.staff, meeting)
    day = timezone.localtime(meeting.starts_at)
    when = f"{day:%Y-%m-%d} 14:30–16:00"
    join = f"https://yishi.example.cn/consultations/m/{meeting.pk}/join/"

    sms = Delivery.objects.get(address="13995012222", channel=Delivery.Channel.SMS)
    assert sms.kind == "invitation" and sms.status == Delivery.Status.SENT
    assert sms.body == (
        f"您受邀参加“电梯加装议事会”，时间{when}，地点社区议事厅。"
        f"您的签到码是{resident.sign_in_code}，会议当天请在 {join} 输入签到。"
    )
    assert (sms.address, sms.body) in MemorySender.outbox
    assert sms.params["code"] == resident.sign_in_code and sms.params["when"] == when

    in_app = Delivery.objects.get(user=member, channel=Delivery.Channel.IN_APP)
    assert in_app.subject == "【议事】会议邀请"
    assert cppcc.sign_in_code in in_app.body and "社区议事厅" in in_app.body and when in in_app.body
    assert resident.sign_in_code not in in_app.body  # each hears their own code only
    assert in_app.url == reverse("consultations:join", args=[meeting.pk])
    assert "发布会议公告" not in in_app.body + sms.body


def test_someone_invited_after_the_notice_is_told_at_once(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_for(world)
        consult.publish_notice(world.staff, meeting)
    with django_capture_on_commit_callbacks(execute=True):
        late = consult.invite_participant(
            world.staff,
            meeting,
            party=Participant.Party.PROPERTY_COMPANY,
            name="王经理",
            organisation=world.property_company,
            phone="13995013333",
        )
    assert MemorySender.outbox[-1][0] == "13995013333"
    assert late.sign_in_code in MemorySender.outbox[-1][1]
    # Only the one invited: nobody else is told again.
    assert Delivery.objects.filter(event__verb="meeting.invited").count() == 1


def test_a_name_shared_by_two_accounts_is_not_guessed(world, django_capture_on_commit_callbacks):
    for username in ("zhang1", "zhang2"):
        twin = make_user(username, (Role.Kind.CPPCC_MEMBER, world.district, None))
        twin.full_name = "张伟"
        twin.save()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_for(world)
        consult.invite_participant(
            world.staff, meeting, party=Participant.Party.CPPCC_MEMBER, name="张伟"
        )
        consult.publish_notice(world.staff, meeting)
    assert not Delivery.objects.filter(user__full_name="张伟").exists()


def test_a_draft_meetings_invitation_tells_nobody(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_for(world)
        consult.invite_participant(
            world.staff, meeting, party=Participant.Party.RESIDENT, name="李", phone="13995014444"
        )
    assert MemorySender.outbox == []
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("has_account", "shown", "hidden"),
    [(False, "形成协商决议", "记录协商成果"), (True, "记录协商成果", "形成协商决议")],
)
def test_a_resident_at_the_table_reads_residents_words_staff_read_theirs(
    db, has_account, shown, hidden
):
    """A resident invited to a meeting has no account: the resolution reaches them in residents'
    wording, never the staff step's name; staff with accounts read the staff label."""
    from types import SimpleNamespace

    from consultations.verbs import RESOLUTION_RECORDED
    from notifications.audiences import Recipient
    from notifications.messages import compose_message
    from timeline.models import Event

    event = Event(verb=RESOLUTION_RECORDED, note="")
    subject = SimpleNamespace(title="电梯加装议事会")
    user = make_user("someone_staff") if has_account else None
    recipient = Recipient(key="p1", user=user, phone="13995012222", sign_in_code="4821")
    _line, body, _kind, values = compose_message(event, subject, recipient)
    assert body == f"电梯加装议事会：{shown}"
    assert hidden not in body and values["label"] == shown
