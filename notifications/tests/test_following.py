"""Following a community by phone: a code confirms the phone, then new topics, meetings and
results come by SMS, each with a one-tap stop link that works without login; hostile input
(forged tokens, other people's phones, floods) gets nowhere; staff see phones masked."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from consultations import actions as consult
from consultations.models import Meeting
from notifications import following
from notifications.models import Delivery, Subscription
from notifications.sms import MemorySender
from notifications.tests.conftest import council

PHONE = "13995017777"


pytestmark = pytest.mark.usefixtures("memory_sms")


def ask(client, phone=PHONE, code="C1", address="10.0.0.1"):
    return client.post(
        reverse("notifications:follow", args=[code]), {"phone": phone}, REMOTE_ADDR=address
    )


def last_code(phone=PHONE):
    text = [t for to, t in MemorySender.outbox if to == phone][-1]
    return re.search(r"\d{6}", text).group()


def confirm(client, code, address="10.0.0.1"):
    return client.post(
        reverse("notifications:follow_confirm", args=["C1"]), {"code": code}, REMOTE_ADDR=address
    )


@pytest.fixture
def follower(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client)
    confirm(client, last_code())
    subscription = Subscription.objects.get(phone=PHONE)
    assert subscription.active
    MemorySender.outbox = []
    return subscription


def test_a_resident_follows_with_the_code_sent_to_their_phone(
    client, world, django_capture_on_commit_callbacks
):
    page = client.get(reverse("yishi:community", args=["C1"])).content.decode()
    assert reverse("notifications:follow", args=["C1"]) in page and 'name="phone"' in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = ask(client, phone="139 9501 7777")
    assert answer.status_code == 302
    assert answer["Location"] == reverse("notifications:follow_confirm", args=["C1"])
    sms = Delivery.objects.get(channel=Delivery.Channel.SMS, kind="follow_code")
    code = last_code()
    assert sms.body == (
        f"您关注一号社区的验证码是{code}，10分钟内有效。如非本人操作，请忽略本短信。"
    )
    assert sms.params == {"community": "一号社区", "code": code, "minutes": "10"}
    subscription = Subscription.objects.get()
    assert subscription.phone == PHONE and not subscription.active
    assert code not in subscription.code_hash  # only a keyed hash is kept

    page = client.get(answer["Location"]).content.decode()
    assert "139****7777" in page and PHONE not in page
    wrong = "000000" if code != "000000" else "111111"
    assert confirm(client, wrong).status_code == 400
    done = confirm(client, code)
    assert done.status_code == 200 and "139****7777" in done.content.decode()
    subscription.refresh_from_db()
    assert subscription.active and subscription.code_hash == ""
    assert confirm(client, code).status_code == 302  # used: back to the first step


def test_followers_hear_of_new_topics_meetings_and_results_with_a_stop_link(
    client, world, follower, django_capture_on_commit_callbacks
):
    stop = "https://yishi.example.cn" + following.stop_path(follower)
    with django_capture_on_commit_callbacks(execute=True):
        topic = consult.create_topic(world.staff, title="加装电梯怎么分摊", area=world.c1)
        consult.create_topic(world.staff, title="内部议题", area=world.c1, public=False)
        consult.create_topic(world.staff2, title="二号社区的议题", area=world.c2)
    texts = [t for to, t in MemorySender.outbox if to == PHONE]
    assert texts == [
        f"一号社区有新议题：“加装电梯怎么分摊”。"
        f"https://yishi.example.cn/consultations/t/{topic.pk}/ 退订：{stop}"
    ]
    starts = timezone.localtime(timezone.now() + timedelta(days=4)).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting = council(world.staff, world.c1, "加装电梯议事会", starts, [topic])
        consult.publish_notice(world.staff, meeting)
    notice = [t for to, t in MemorySender.outbox if to == PHONE][-1]
    assert (
        f"一号社区将召开“加装电梯议事会”，时间{starts:%Y-%m-%d %H:%M}，地点社区议事厅。" in notice
    )
    assert f"/consultations/m/{meeting.pk}/notice/" in notice and notice.endswith(stop)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        consult.publish_result(
            world.staff, Meeting.objects.get(pk=meeting.pk), summary="同意加装，按楼层分摊"
        )
    result = [t for to, t in MemorySender.outbox if to == PHONE][-1]
    assert "“加装电梯议事会”的协商结果已公示" in result
    assert f"/consultations/m/{meeting.pk}/result/" in result and result.endswith(stop)
    assert len([t for to, t in MemorySender.outbox if to == PHONE]) == 3
    assert all(d.kind == "follow_news" for d in Delivery.objects.filter(address=PHONE)[:3])


def test_the_stop_link_stops_with_one_tap_and_can_be_undone(
    client, world, follower, django_capture_on_commit_callbacks
):
    url = following.stop_path(follower)
    page = client.get(url)  # no login, no form: opening it stops
    assert page.status_code == 200 and "139****7777" in page.content.decode()
    follower.refresh_from_db()
    assert not follower.active
    with django_capture_on_commit_callbacks(execute=True):
        consult.create_topic(world.staff, title="停了就不再收到", area=world.c1)
    assert MemorySender.outbox == []
    assert client.get(url).status_code == 200  # again: still stopped, no error
    client.post(url)  # "keep following"
    follower.refresh_from_db()
    assert follower.active
    with django_capture_on_commit_callbacks(execute=True):
        consult.create_topic(world.staff, title="又收到了", area=world.c1)
    assert len(MemorySender.outbox) == 1


@pytest.mark.parametrize(
    "forge",
    [
        lambda pk: str(pk),
        lambda pk: f"{pk}:forged",
        lambda pk: signing.Signer(salt="another.salt").sign(str(pk)),
        lambda pk: signing.Signer(salt=following.STOP_SALT, key="not-the-key").sign(str(pk)),
        lambda pk: following.stop_token(Subscription(pk=pk)) + "x",
        lambda pk: "%00",
        lambda pk: "x" * 300,
    ],
)
def test_a_forged_stop_link_stops_nothing(client, world, follower, forge):
    answer = client.get(reverse("notifications:stop", args=[forge(follower.pk)]))
    assert answer.status_code == 404
    assert "链接无效" in answer.content.decode()
    follower.refresh_from_db()
    assert follower.active


def test_one_followers_link_stops_only_their_own(
    client, world, follower, django_capture_on_commit_callbacks
):
    other = Subscription.objects.create(
        community=world.c1, phone="13995018888", confirmed_at=timezone.now()
    )
    client.get(following.stop_path(other))
    follower.refresh_from_db()
    other.refresh_from_db()
    assert follower.active and not other.active


def test_codes_are_limited_per_phone_and_per_address(client, world):
    for n in range(following.PER_PHONE):
        assert ask(client, address=f"10.0.1.{n}").status_code == 302
    # Another person's phone cannot be flooded, from whatever address.
    flooded = ask(client, address="10.0.9.9")
    assert flooded.status_code == 429 and flooded["Retry-After"]
    for n in range(following.PER_ADDRESS):
        assert ask(client, phone=f"1380000{n:04d}", address="10.0.2.1").status_code == 302
    assert ask(client, phone="13900009999", address="10.0.2.1").status_code == 429
    assert not Subscription.objects.filter(phone="13900009999").exists()


def test_wrong_codes_run_out_and_expire(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _n in range(following.MAX_ATTEMPTS):
        assert confirm(client, wrong).status_code == 400
    assert confirm(client, code).status_code == 400  # the right one, too late
    assert not Subscription.objects.get().active
    # A new code, but ten minutes late.
    with django_capture_on_commit_callbacks(execute=True):
        ask(client)
    Subscription.objects.update(code_sent_at=timezone.now() - timedelta(minutes=11))
    assert confirm(client, last_code()).status_code == 400
    assert not Subscription.objects.get().active


def test_wrong_codes_are_limited_per_address(client, world, monkeypatch):
    monkeypatch.setattr(following, "WRONG_PER_ADDRESS", 2)
    subscriptions = []
    for n in range(3):
        other = client.__class__()
        ask(other, phone=f"1370000000{n}", address=f"10.0.3.{n}")
        subscriptions.append(other)
    assert confirm(subscriptions[0], "abcdef", address="10.0.4.4").status_code == 400
    assert confirm(subscriptions[1], "123", address="10.0.4.4").status_code == 400
    assert confirm(subscriptions[2], "000001", address="10.0.4.4").status_code == 429


def test_asking_for_someone_elses_phone_reveals_nothing_and_follows_nothing(
    client, world, follower, django_capture_on_commit_callbacks
):
    stranger = client.__class__()
    with django_capture_on_commit_callbacks(execute=True):
        answer = ask(stranger, address="10.0.5.5")  # the follower's number
    assert answer.status_code == 302  # the same answer as for a number that follows nobody
    page = stranger.get(answer["Location"]).content.decode()
    assert PHONE not in page and "139****7777" in page
    assert confirm(stranger, "123456", address="10.0.5.5").status_code in (400, 200)
    follower.refresh_from_db()
    assert follower.active  # still following; nothing of theirs changed but a new code


@pytest.mark.parametrize(
    "phone", ["", "12345", "010-88886666", "<script>alert(1)</script>", "1" * 40, "1399501777x"]
)
def test_bad_phones_are_refused(client, world, phone):
    answer = ask(client, phone=phone)
    assert answer.status_code == 400
    assert "11位" in answer.content.decode()
    assert "<script>alert" not in answer.content.decode()
    assert not Subscription.objects.exists()


def test_only_communities_can_be_followed(client, world):
    assert ask(client, code="C1G1").status_code == 404
    assert ask(client, code="S1").status_code == 404
    assert client.get(reverse("notifications:follow_confirm", args=["C1"])).status_code == 302
    assert client.put(reverse("notifications:follow", args=["C1"])).status_code == 405


def test_staff_see_followers_phones_masked(client, world, follower):
    client.force_login(world.admin)
    page = client.get("/admin/notifications/subscription/").content.decode()
    assert "139****7777" in page and PHONE not in page
    detail = client.get(f"/admin/notifications/subscription/{follower.pk}/change/")
    assert PHONE not in detail.content.decode()


def test_a_resident_of_the_matter_who_follows_is_told_once(
    client, world, follower, django_capture_on_commit_callbacks
):
    from concerns.tests.conftest import make_issue

    issue = make_issue(world.c1, "电梯", residents=1)
    issue.concerns.update(phone=PHONE)
    topic = consult.create_topic(world.staff, title="电梯", issues=[issue])
    starts = timezone.now() + timedelta(days=3)
    meeting = council(world.staff, world.c1, "电梯议事会", starts, [topic])
    MemorySender.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        consult.publish_notice(world.staff, meeting)
    assert len([1 for to, _t in MemorySender.outbox if to == PHONE]) == 1


def test_full_width_digits_are_read_as_digits(client, world):
    assert ask(client, phone="１３９ ９５０１ ７７７７").status_code == 302
    assert Subscription.objects.get().phone == PHONE


def test_the_back_office_hides_codes_and_stop_links(
    client, world, follower, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, address="10.0.6.6")
        consult.create_topic(world.staff, title="加装电梯", area=world.c1)
    code = Delivery.objects.filter(kind="follow_code", address=PHONE).first().params["code"]
    assert Delivery.objects.filter(kind="follow_news", address=PHONE).exists()
    client.force_login(world.admin)
    for delivery in Delivery.objects.filter(address=PHONE):
        page = client.get(f"/admin/notifications/delivery/{delivery.pk}/change/").content.decode()
        assert code not in page and following.stop_token(follower) not in page
        assert PHONE not in page


def test_a_phone_that_is_not_a_mobile_is_refused_on_the_form_it_was_typed_in(client, world):
    answer = ask(client, phone="0951-5012345")
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "0951-5012345" in page  # kept in the field, to be corrected
    assert 'id="follow-error"' in page and 'aria-invalid="true"' in page
    assert not Subscription.objects.exists() and not MemorySender.outbox
    assert client.get(reverse("notifications:follow", args=["C1"])).status_code == 200
