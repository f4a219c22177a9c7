import pytest
from django.db import transaction

from timeline.models import Event
from timeline.services import event_committed, events_for, record

pytestmark = pytest.mark.django_db


def test_record_and_read_back_in_order(world):
    record(world.c1, "issue.accepted", actor=world.staff, actor_label="社区", note="第一条")
    record(world.c2, "issue.accepted", note="别的社区")
    record(world.c1, "issue.accepted", note="内部", public=False)
    notes = [e.note for e in events_for([world.c1])]
    assert notes == ["第一条", "内部"]
    assert [e.note for e in events_for([world.c1], public_only=True)] == ["第一条"]
    assert {e.note for e in events_for([world.c1, world.c2])} == {"第一条", "内部", "别的社区"}
    assert Event.objects.get(note="第一条").actor == world.staff


def test_anonymous_actor_is_stored_as_none(world):
    from django.contrib.auth.models import AnonymousUser

    event = record(world.c1, "issue.accepted", actor=AnonymousUser(), actor_label="居民")
    assert event.actor is None and event.actor_label == "居民"


def test_listeners_hear_only_after_commit(world, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, event, **kwargs):
        heard.append(event.verb)

    event_committed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            record(world.c1, "issue.accepted")
            assert heard == []
        assert heard == ["issue.accepted"]
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    record(world.c1, "issue.settled")
                    raise RuntimeError("undo")
            except RuntimeError:
                pass
        assert heard == []
    finally:
        event_committed.disconnect(listener)


def test_listeners_read_the_subject_without_loading_it_again(world, django_assert_num_queries):
    event = record(world.c1, "issue.accepted")
    with django_assert_num_queries(0):
        assert event.subject is world.c1
    assert (event.subject_type.model_class(), event.subject_id) == (type(world.c1), world.c1.pk)


def test_record_many_writes_once_and_announces_in_order(
    world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from timeline.services import events_committed, record_many

    heard, batches = [], []

    def listener(sender, event, **kwargs):
        heard.append((event.verb, event.subject))

    def batch_listener(sender, events, **kwargs):
        batches.append([e.verb for e in events])

    event_committed.connect(listener)
    events_committed.connect(batch_listener)
    try:
        with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(1):
            events = record_many(
                (world.c1, "issue.accepted", {"note": "一", "actor": world.staff}),
                (world.c2, "issue.site_visit", {"public": False}),
            )
        assert [e.pk is not None for e in events] == [True, True]
        assert heard == [("issue.accepted", world.c1), ("issue.site_visit", world.c2)]
        assert batches == [["issue.accepted", "issue.site_visit"]]
        stored = {e.verb: e for e in Event.objects.filter(pk__in=[e.pk for e in events])}
        assert (
            stored["issue.accepted"].actor == world.staff and stored["issue.accepted"].note == "一"
        )
        assert (
            stored["issue.site_visit"].public is False
            and stored["issue.site_visit"].subject == world.c2
        )
    finally:
        event_committed.disconnect(listener)
        events_committed.disconnect(batch_listener)
