"""What one submit costs in SQL statements, pinned so that it cannot creep back up.

Measured through the API (rate limit, grouping, insert, count, timeline, and the listeners
run after commit: notifications, insights). A submit is the one write every resident makes, so
each statement it adds is paid on every concern: an Idempotency-Key costs nothing on a first
submit, and the resident's receipt is planned in the outbox, not sent inside the request.

Since the term index and the learnt IDF (issue 17), three statements more per submit, each one
round trip and none of them a commit: the district's term counts read for the concern's terms
(one indexed SELECT), the issue filed under the concern's keys (one INSERT … ON CONFLICT DO
NOTHING), and the terms counted (one upsert, last, so the district's rows are locked only
while the submit commits). They replace no statement: the candidates' read is still one (now
over the term index, whatever the number of open issues, where it was capped at the 200 most
recent). A single upsert giving the counts back (RETURNING) would save the SELECT, but run
before the submit's transaction it cost a commit of its own (a WAL flush per submit), and
inside it kept every submit of the district waiting on the district's row."""

import json
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from concerns.intake.submit import submit_concern
from concerns.models import Concern, Issue
from timeline.models import Event

URL = "/api/v1/concerns"


def post(client, **kw):
    body = {"community": "C1", "content": "自来水发黄了", "phone": "13800138000"} | kw
    key = f"key-{body['phone']}-{body['content']}"
    return client.post(
        URL, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def statements_of_a_join(client, places, capture_on_commit) -> list[str]:
    """The statements of a second resident's submit joining the first's issue, the listeners
    after its commit included."""
    post(client, building=places["b"][3].pk)
    with CaptureQueriesContext(connection) as joining, capture_on_commit(execute=True):
        answer = post(client, phone="13900139000", content="水龙头出来的水是黄的")
    assert answer.json()["issue"]["residents_count"] == 2
    return [q["sql"] for q in joining.captured_queries]


def test_a_submit_runs_a_bounded_number_of_statements(
    client, world, places, settings, django_capture_on_commit_callbacks
):
    settings.SMS_SENDER = "notifications.sms.MemorySender"
    joining = statements_of_a_join(client, places, django_capture_on_commit_callbacks)
    with (
        CaptureQueriesContext(connection) as opening,
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = post(client, phone="13900139001", content="楼道里堆满了杂物")
    assert answer.json()["issue"]["residents_count"] == 1
    assert Issue.objects.count() == 2
    sql = joining + [q["sql"] for q in opening.captured_queries]
    rate_limit = [q for q in sql if "ratelimit|" in q]
    assert len(rate_limit) == 2  # one upsert per submit
    deliveries = [q for q in sql if "notifications_delivery" in q]
    # insert, claim (select + update), and sent once the gateway answered, per submit
    assert len(deliveries) == 8
    insights = [q for q in sql if "insights_" in q]
    assert len(insights) == 2  # one small update per submit, none reading the subject again
    # 15 and 18 before the term counts and the term index (three statements each: see above)
    assert len(joining) <= 18
    assert len(opening.captured_queries) <= 21
    assert len([q for q in sql if "concerns_termcount" in q]) == 4  # read, upsert per submit
    assert len([q for q in sql if "INTO concerns_issuekey" in q]) == 2  # one insert per submit


def test_the_same_idempotency_key_answers_with_the_first_concern(world):
    same = {"content": "自来水发黄了", "channel": "web", "phone": "13800138000"}
    first = submit_concern(community=world.c1, idempotency_key="k-1", **same)
    again = submit_concern(community=world.c1, idempotency_key="k-1", **same)
    assert again.pk == first.pk
    assert Concern.objects.count() == 1
    assert Issue.objects.get().residents_count == 1
    assert Issue.objects.get().concerns_count == 1


def test_a_new_issue_counts_its_first_concern(world, django_assert_max_num_queries):
    """A concern opening an issue: the issue is created counting it (no second update)."""
    concern = submit_concern(
        community=world.c1, content="路灯坏了好几天", channel="web", phone="13800138000"
    )
    issue = concern.issue
    assert (issue.residents_count, issue.concerns_count) == (1, 1)
    assert "路灯" in issue.terms
    with django_assert_max_num_queries(12):
        # term counts, candidates, lock, candidates again, category, issue, concern, its index
        # keys, the events, the terms counted, and the savepoint around them (9 before the
        # term counts and the index)
        other = submit_concern(
            community=world.c1,
            content="东边花坛的月季被人挖走了",
            channel="web",
            phone="13900139000",
        )
    assert other.issue_id != issue.pk


def test_deferred_a_submit_does_no_notification_work(
    client, world, places, settings, django_capture_on_commit_callbacks
):
    """As in production (NOTIFICATIONS_DEFER): the events wait in the timeline's outbox and the
    request writes nothing for the messages."""
    settings.NOTIFICATIONS_DEFER = True
    sql = statements_of_a_join(client, places, django_capture_on_commit_callbacks)
    assert not [q for q in sql if "notifications_" in q]
    # rate limit, phone's allowance, the district's term counts, (savepoint), candidates, the
    # join counted, the concern, its index keys, its events, the terms counted, (release),
    # the figures marked stale (9 before the term counts and the term index)
    assert len(sql) <= 12, sql  # the community is kept (concerns.intake.store.community_by_code)


def test_a_join_is_recorded_alike_on_every_database(world, django_capture_on_commit_callbacks):
    """A join counted in one UPDATE before the concern's insert: the rows, the events and the
    answer are what they were when the issue was locked and read first."""
    first = submit_concern(
        community=world.c1, content="自来水发黄了", channel="web", phone="13800138000"
    )
    with (
        CaptureQueriesContext(connection) as joined,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        second = submit_concern(
            community=world.c1,
            content="水龙头出来的水是黄的",
            channel="web",
            phone="13900139000",
            urgency="urgent",
        )
    assert callbacks  # the events' listeners are told after the commit
    writes = [q["sql"] for q in joined.captured_queries if "concerns_issue " in q["sql"]]
    assert len(writes) == 2  # the candidates, the join counted (no locking read)
    issue = Issue.objects.get()
    assert second.issue == issue and second.issue.residents_count == 2 == issue.residents_count
    assert issue.concerns_count == 2
    assert issue.accept_due_at == second.received_at + timedelta(hours=2)  # urgent
    assert Concern.objects.get(pk=second.pk).category_id == issue.category_id
    received = Event.objects.get(verb="concern.received", subject_id=second.pk)
    assert received.data == {"issue": issue.pk} and received.actor_label == "居民"
    added = Event.objects.filter(verb="issue.concern_added", subject_id=issue.pk).latest("id")
    assert added.data == {"concern": second.pk, "similarity": second.similarity}
    assert not added.public and not added.dispatched
    assert second.similarity is not None and first.similarity is None
