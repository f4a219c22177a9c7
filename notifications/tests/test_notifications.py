"""Deliveries: after commit, one per person and channel, through pluggable senders; phone
numbers never logged unmasked; staff may choose a daily digest."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accountability.tests.conftest import publish
from accounts.masking import mask_phone
from accounts.models import Organisation, Role
from concerns.tests.conftest import make_issue
from conftest import make_user
from notifications.models import Delivery, Preference
from notifications.services import deliver_event, plan_waiting, send_digests, send_pending
from notifications.sms import LogSender, MemorySender, SmsError
from timeline.models import Event
from timeline.services import record


@pytest.fixture(autouse=True)
def _memory_sms(settings):
    settings.SMS_SENDER = "notifications.sms.MemorySender"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    MemorySender.outbox = []


@pytest.fixture
def owner(world):
    org = Organisation.objects.create(name="水务公司", kind=Organisation.Kind.UTILITY)
    user = make_user("owner", (Role.Kind.ORG_REPRESENTATIVE, None, org))
    user.email = "owner@example.org"
    user.save()
    return user


def publish_item(world, owner, residents=3):
    issue = make_issue(world.c1, "自来水发黄", residents=residents)
    org = Role.objects.get(user=owner).organisation
    return publish(world, org, title="冲洗管道", days=5, issues=[issue]), issue


def test_nothing_is_sent_before_commit_nor_when_rolled_back(world, owner, transactional_db):
    with transaction.atomic():
        publish_item(world, owner)
        assert not Delivery.objects.exists()
        assert MemorySender.outbox == []
    assert Delivery.objects.filter(channel=Delivery.Channel.SMS).count() == 3
    assert len(MemorySender.outbox) == 3
    try:
        with transaction.atomic():
            issue = make_issue(world.c1, "路灯", residents=2)
            record(issue, "issue.accepted", actor_label="社区")
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert len(MemorySender.outbox) == 3


def test_one_message_per_person_per_event_even_if_heard_twice(
    world, owner, django_capture_on_commit_callbacks
):
    issue = make_issue(world.c1, "自来水发黄", residents=3)
    # The same resident with a second concern is told once.
    first = issue.concerns.order_by("id").first()
    twin = issue.concerns.order_by("id").last()
    twin.resident_key = first.resident_key
    twin.save()
    with django_capture_on_commit_callbacks(execute=True):
        event = record(issue, "issue.accepted", actor_label="社区")
    assert Delivery.objects.filter(event=event, channel="sms").count() == 2
    sent = len(MemorySender.outbox)
    assert deliver_event(event) == 0  # heard again: nothing new
    assert len(MemorySender.outbox) == sent
    assert Delivery.objects.filter(event=event, channel="sms").count() == 2


def test_email_at_once_or_in_a_daily_digest(world, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish_item(world, owner)
    assert [m.to for m in mail.outbox] == [["owner@example.org"]]
    Preference.objects.create(user=owner, email_mode=Preference.EmailMode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        publish_item(world, owner)
        publish_item(world, owner)
    assert len(mail.outbox) == 1
    held = Delivery.objects.filter(user=owner, channel="email", status=Delivery.Status.DIGEST)
    assert held.count() == 2
    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 2
    assert "冲洗管道" in mail.outbox[1].body
    assert send_digests() == 0  # nothing twice
    assert len(mail.outbox) == 2
    # In-app messages are there whatever the email choice.
    assert Delivery.objects.filter(user=owner, channel="in_app").count() == 3


def test_no_email_when_switched_off(world, owner, django_capture_on_commit_callbacks):
    Preference.objects.create(user=owner, email_mode=Preference.EmailMode.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        publish_item(world, owner)
    assert mail.outbox == []
    assert Delivery.objects.filter(user=owner, channel="in_app").count() == 1


def test_sms_log_sender_masks_the_number(caplog):
    with caplog.at_level(logging.INFO, logger="yishi.sms"):
        LogSender().send("13912345678", "您反映的问题有新进展")
    assert "139****5678" in caplog.text
    assert "13912345678" not in caplog.text
    assert mask_phone("13912345678") == "139****5678"


def test_a_refused_sms_is_marked_failed_and_logged_masked(
    world, owner, settings, caplog, django_capture_on_commit_callbacks
):
    settings.SMS_SENDER = "notifications.tests.test_notifications.RefusingSender"
    with (
        caplog.at_level(logging.WARNING, logger="yishi.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _item, issue = publish_item(world, owner, residents=1)
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == Delivery.Status.RETRY  # tried again later, then failed
    assert delivery.error == "gateway down"
    phone = issue.concerns.get().phone
    assert phone not in caplog.text
    assert mask_phone(phone) in caplog.text


class RefusingSender:
    def send(self, phone, text):
        raise SmsError("gateway down")


def test_internal_events_reach_no_resident(world, owner, django_capture_on_commit_callbacks):
    issue = make_issue(world.c1, "路灯", residents=2)
    with django_capture_on_commit_callbacks(execute=True):
        record(issue, "issue.retitled", actor_label="社区")
        record(issue, "issue.accepted", actor_label="社区", public=False)
    assert not Delivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        record(issue, "issue.accepted", actor_label="社区")
    assert Delivery.objects.filter(channel="sms").count() == 2


def test_messages_page_and_preference(world, owner, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish_item(world, owner)
    client.force_login(owner)
    page = client.get(reverse("notifications:messages"))
    assert page.status_code == 200
    assert "冲洗管道" in page.content.decode()
    assert client.get(reverse("notifications:mark_read")).status_code == 405
    client.post(reverse("notifications:mark_read"))
    assert not Delivery.objects.filter(user=owner, read_at__isnull=True, channel="in_app").exists()
    client.post(reverse("notifications:preference"), {"email_mode": "digest"})
    assert Preference.objects.get(user=owner).email_mode == "digest"
    client.post(reverse("notifications:preference"), {"email_mode": "sometimes"})
    assert Preference.objects.get(user=owner).email_mode == "digest"
    client.logout()
    assert client.get(reverse("notifications:messages")).status_code == 302
    # Someone else's messages are not shown.
    client.force_login(world.staff2)
    assert "冲洗管道" not in client.get(reverse("notifications:messages")).content.decode()


def test_deferred_messages_are_sent_by_the_command_once(
    world, owner, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_DEFER = True
    with django_capture_on_commit_callbacks(execute=True):
        publish_item(world, owner, residents=2)
    assert MemorySender.outbox == []
    assert not Delivery.objects.exists()  # the events wait in the outbox
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(MemorySender.outbox) == 2
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 4  # 2 SMS, app, mail
    assert not Delivery.objects.filter(status=Delivery.Status.PENDING).exists()


def test_refused_messages_are_retried_with_backoff_then_failed(
    world, owner, settings, django_capture_on_commit_callbacks
):
    """Refused: tried again 1, 5, 30 and 120 minutes later, then failed for staff to see;
    `--retry-failed` gives it one more try. Never before its time, never twice."""
    settings.SMS_SENDER = "notifications.tests.test_notifications.RefusingSender"
    with django_capture_on_commit_callbacks(execute=True):
        publish_item(world, owner, residents=1)
    row = Delivery.objects.get(channel="sms")
    clock = row.next_attempt_at
    assert (row.status, row.attempts) == (Delivery.Status.RETRY, 1)
    assert clock - timezone.now() == pytest.approx(timedelta(minutes=1), abs=timedelta(seconds=5))
    for wait in (5, 30, 120):
        assert send_pending(now=clock - timedelta(seconds=1)) == 0  # not yet
        assert Delivery.objects.get(pk=row.pk).attempts == row.attempts
        send_pending(now=clock)
        row = Delivery.objects.get(pk=row.pk)
        assert row.status == Delivery.Status.RETRY
        assert row.next_attempt_at - timezone.now() == pytest.approx(
            timedelta(minutes=wait), abs=timedelta(seconds=5)
        )
        clock = row.next_attempt_at
    send_pending(now=clock)
    row = Delivery.objects.get(pk=row.pk)
    assert (row.status, row.attempts, row.next_attempt_at) == (Delivery.Status.FAILED, 5, None)
    send_pending(now=clock + timedelta(days=1))
    assert Delivery.objects.get(pk=row.pk).attempts == 5  # failed stays failed

    settings.SMS_SENDER = "memory"
    call_command("send_notifications", "--retry-failed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("send_notifications", "--retry-failed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(MemorySender.outbox) == 1
    row = Delivery.objects.get(pk=row.pk)
    assert (row.status, row.attempts) == (Delivery.Status.SENT, 6)


def test_the_listener_does_little_work_inside_the_request(
    world, owner, django_assert_num_queries, django_assert_max_num_queries
):
    """Internal steps cost no query; a step residents hear of costs a constant handful
    whatever the number of residents (subject, one bulk insert, one claim)."""
    issue = make_issue(world.c1, "路灯", residents=2)
    internal = record(issue, "issue.retitled", actor_label="社区")
    with django_assert_num_queries(0):
        assert deliver_event(internal) == 0
    # subject, residents, insert; claim = select + update (+ 2 savepoints inside the test)
    told = record(issue, "issue.accepted", actor_label="社区")
    with django_assert_max_num_queries(7):
        assert deliver_event(told) == 2
    crowded = make_issue(world.c1, "噪音", residents=12)
    told = record(crowded, "issue.accepted", actor_label="社区")
    with django_assert_max_num_queries(7):
        assert deliver_event(told) == 12
    assert len(MemorySender.outbox) == 14


def test_deferred_the_request_does_no_notification_work(
    world, owner, settings, django_capture_on_commit_callbacks
):
    """With NOTIFICATIONS_DEFER the listener costs the request nothing: the event waits in the
    timeline's outbox, and the command plans its messages (once) and sends them."""
    settings.NOTIFICATIONS_DEFER = True
    issue = make_issue(world.c1, "路灯", residents=3)
    with django_capture_on_commit_callbacks() as callbacks:
        told = record(issue, "issue.accepted", actor_label="社区")
    with CaptureQueriesContext(connection) as after_commit:
        for callback in callbacks:
            callback()
    # Only the figures marked stale (insights); nothing of notifications.
    assert [q["sql"] for q in after_commit.captured_queries if "insights_" not in q["sql"]] == []
    assert not Delivery.objects.filter(event=told).exists()
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Delivery.objects.filter(event=told, status=Delivery.Status.SENT).count() == 3
    assert len(MemorySender.outbox) == 3
    told.refresh_from_db()
    assert told.dispatched
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(MemorySender.outbox) == 3  # taken once


def test_the_outbox_tells_an_event_told_at_once_nothing_twice(
    world, owner, django_capture_on_commit_callbacks
):
    """Without NOTIFICATIONS_DEFER the event is told after its commit; the command, run later,
    plans nothing new for it (deliveries are unique per event, person and channel)."""
    issue = make_issue(world.c1, "路灯", residents=2)
    with django_capture_on_commit_callbacks(execute=True):
        record(issue, "issue.accepted", actor_label="社区")
    assert len(MemorySender.outbox) == 2
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(MemorySender.outbox) == 2
    assert not Event.objects.filter(dispatched=False).exists()


def test_the_outbox_does_not_tell_stale_news(world, owner, settings):
    """An event left waiting longer than a day (a worker down) is marked done, not sent: a
    resident should not hear of yesterday's step today."""
    settings.NOTIFICATIONS_DEFER = True
    issue = make_issue(world.c1, "路灯", residents=2)
    old = record(issue, "issue.accepted", actor_label="社区")
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    fresh = record(issue, "issue.settled", actor_label="网格员", note="已修好")
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Delivery.objects.filter(event=old).exists()
    assert Delivery.objects.filter(event=fresh, channel="sms").count() == 2
    assert not Event.objects.filter(dispatched=False).exists()


def test_an_event_that_cannot_be_planned_does_not_stop_the_others(
    world, owner, settings, monkeypatch, caplog
):
    from notifications import services

    settings.NOTIFICATIONS_DEFER = True
    issue = make_issue(world.c1, "路灯", residents=1)
    gone = make_issue(world.c1, "噪音", residents=1)
    lost = record(gone, "issue.accepted", actor_label="社区")
    Event.objects.filter(pk=lost.pk).update(subject_id=10**9)  # its subject is no more
    broken = record(issue, "issue.settled", actor_label="社区")
    good = record(issue, "issue.accepted", actor_label="社区")
    plan = services.plan_deliveries

    def failing(event):
        if event.pk == broken.pk:
            raise ValueError("a bug in one message's text")
        return plan(event)

    monkeypatch.setattr(services, "plan_deliveries", failing)
    with caplog.at_level(logging.ERROR, logger="yishi.notifications"):
        call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert f"Could not plan event {broken.pk}" in caplog.text
    assert Delivery.objects.filter(event=good, channel="sms").count() == 1
    assert not Delivery.objects.filter(event__in=[lost, broken]).exists()
    assert not Event.objects.filter(dispatched=False).exists()


def test_email_choices_are_read_in_one_query(world, owner):
    """Staff recipients: one query for everyone's email choice, not one per person."""

    from notifications.services import plan_deliveries

    second = make_user("owner2", *[(r.kind, r.area, r.organisation) for r in owner.roles.all()])
    second.email = "owner2@example.org"
    second.save()
    Preference.objects.create(user=second, email_mode=Preference.EmailMode.OFF)
    publish_item(world, owner, residents=1)
    event = Event.objects.filter(verb="action_item.listed").latest("id")
    with CaptureQueriesContext(connection) as ctx:
        rows = plan_deliveries(event)
    assert sum("notifications_preference" in q["sql"] for q in ctx.captured_queries) == 1
    assert sorted((r.channel, r.address) for r in rows if r.channel != "in_app") == [
        ("email", "owner@example.org"),
        ("sms", issue_phone(event)),
    ]


def issue_phone(event):
    return event.subject.issues.get().concerns.get().phone


def test_one_run_sends_everything_waiting(world, owner, settings):
    """A busy hour leaves thousands of messages: cron's run sends them all, a batch at a time,
    not a first few hundred per minute."""
    settings.NOTIFICATIONS_DEFER = True
    issue = make_issue(world.c1, "路灯", residents=1)
    event = record(issue, "issue.accepted", actor_label="社区")
    Delivery.objects.bulk_create(
        Delivery(event=event, channel="sms", recipient_key=f"r{i}", address="13800138000", body="x")
        for i in range(620)
    )
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Delivery.objects.filter(status=Delivery.Status.PENDING).exists()
    assert len(MemorySender.outbox) == 621  # and the issue's own resident


def test_a_resident_who_came_later_is_not_told_of_an_earlier_step(world, owner, settings):
    """Messages planned a minute late (the outbox) go to the residents the issue had when the
    step was taken, not to one whose concern joined it since."""
    from concerns.models import Concern

    settings.NOTIFICATIONS_DEFER = True
    issue = make_issue(world.c1, "路灯", residents=2)
    accepted = record(issue, "issue.accepted", actor_label="社区")
    late = Concern.objects.create(
        tracking_code="LATE0001",
        issue=issue,
        community=world.c1,
        channel=Concern.Channel.WEB,
        content="路灯也不亮",
        phone="13700137000",
        resident_key="tel:13700137000",
        received_at=timezone.now(),
    )
    settled = record(issue, "issue.settled", actor_label="网格员", note="已修好")
    # A second apart each: the step, the late concern, the next step.
    moment = accepted.created_at
    Concern.objects.filter(pk=late.pk).update(created_at=moment + timedelta(seconds=1))
    Event.objects.filter(pk=settled.pk).update(created_at=moment + timedelta(seconds=2))
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    told = {
        verb: sorted(
            Delivery.objects.filter(event__verb=verb, channel="sms").values_list(
                "address", flat=True
            )
        )
        for verb in ("issue.accepted", "issue.settled")
    }
    assert len(told["issue.accepted"]) == 2 and "13700137000" not in told["issue.accepted"]
    assert "13700137000" in told["issue.settled"] and len(told["issue.settled"]) == 3


def test_a_row_another_worker_holds_is_never_sent_again(
    world, owner, settings, django_capture_on_commit_callbacks
):
    """A row claimed by a worker ("sending") is left alone; one left so by a worker that died
    mid-send is not resent blindly: a sender that cannot confirm leaves it for staff."""
    settings.NOTIFICATIONS_DEFER = True
    with django_capture_on_commit_callbacks(execute=True):
        publish_item(world, owner, residents=1)
    plan_waiting()
    row = Delivery.objects.get(channel="sms")
    claimed = timezone.now()
    Delivery.objects.filter(pk=row.pk).update(
        status=Delivery.Status.SENDING, claimed_at=claimed, attempts=1
    )
    send_pending()  # the owner's in-app message and email go; not the held SMS
    assert send_pending(now=claimed + timedelta(minutes=9)) == 0
    assert MemorySender.outbox == []
    assert Delivery.objects.get(pk=row.pk).status == Delivery.Status.SENDING
    assert send_pending(now=claimed + timedelta(minutes=11)) == 0  # stale: asked, not resent
    assert MemorySender.outbox == []
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.Status.UNSURE, 1)
    call_command("send_notifications", "--retry-failed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert MemorySender.outbox == []


def test_every_resident_message_in_the_registry_fills_its_sms_template():
    """The texts residents are told come from the verb registry (timeline.verbs); each one's
    template kind exists and supplies every value its text names."""
    import re

    from django.utils import translation

    from notifications.messages import EXTRA_VALUES
    from notifications.sms import KINDS
    from timeline import verbs

    told = [v for v in verbs.declared() if v.message]
    assert {v.name for v in told} >= {"concern.received", "issue.settled", "meeting.announced"}
    for verb in told:
        assert verb.sms_kind in KINDS, verb.name
        assert verb.values in EXTRA_VALUES, verb.name
        assert verb.shown_to_residents, verb.name  # told, so shown on their page too
        for language in ("en", "zh-hans"):
            with translation.override(language):
                named = set(re.findall(r"%\((\w+)\)s", str(verb.message)))
            assert named <= set(KINDS[verb.sms_kind]), (verb.name, language, named)
