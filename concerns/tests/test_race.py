"""Similar concerns arriving at the same moment: one issue, the right resident count.

Runs real threads against a transactional database: on PostgreSQL a join counts itself in
one UPDATE that holds only while the issue's terms are those it read (another join first
makes it look again), and the community lock serialises the opening of issues; on SQLite
the immediate write transactions do.
"""

import threading

import pytest
from django.db import connection

from concerns.intake import model
from concerns.intake.submit import submit_concern
from concerns.models import Concern, Issue

TEXTS = [
    "自来水发黄，没法用",
    "水龙头放出来是黄水",
    "家里的水黄了",
    "自来水颜色发黄像铁锈",
    "水质太差，水是黄的",
    "我家自来水也发黄",
]


def _needs_a_real_server() -> None:
    # SQLite's shared in-memory test database answers "table is locked" at once instead of
    # waiting (the busy timeout does not apply to shared-cache locks): threads cannot share it.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need PostgreSQL or a file database (CI runs this on PostgreSQL)")


def _submit_together(world, phones: list[str]) -> list[BaseException]:
    barrier = threading.Barrier(len(phones))
    errors: list[BaseException] = []

    def run(i: int, phone: str) -> None:
        try:
            barrier.wait(timeout=10)
            submit_concern(
                community=world.c1, content=TEXTS[i % len(TEXTS)], phone=phone, channel="web"
            )
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(phones)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_simultaneous_similar_concerns_leave_one_issue_with_the_right_count(world):
    _needs_a_real_server()
    # The first concern opens the issue; six more arrive at once, two from the same phone.
    submit_concern(community=world.c1, content="自来水发黄", phone="13800000000", channel="web")
    phones = [
        "13800000001",
        "13800000002",
        "13800000003",
        "13800000003",
        "13800000004",
        "13800000000",
    ]
    errors = _submit_together(world, phones)
    assert not errors, errors
    assert Concern.objects.count() == 7
    issue = Issue.objects.get()
    assert issue.concerns_count == 7
    assert issue.residents_count == 5
    # No concern was lost from the issue's profile: a join that met another's first looked
    # again, so the stored profile is the fold of all seven.
    folded = ""
    for concern in Concern.objects.order_by("pk"):
        folded = model.fold(folded, model.read(concern.content))
    assert model.probability(
        model.read(Concern.objects.first().content), issue.terms, model.idf(7, {})
    ) == pytest.approx(
        model.probability(model.read(Concern.objects.first().content), folded, model.idf(7, {})),
        abs=0.05,
    )


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_concerns_open_a_single_issue(world):
    _needs_a_real_server()
    errors = _submit_together(world, ["13800000011", "13800000012", "13800000013"])
    assert not errors, errors
    issue = Issue.objects.get()
    assert issue.residents_count == 3 and issue.concerns_count == 3


@pytest.mark.django_db(transaction=True)
def test_opening_an_issue_does_not_hold_up_a_concern_filed_in_the_community(world):
    """The opener's community lock and a joiner's insert of its concern (a reference to the
    community) do not wait for each other: else the opener, waiting for the issue the joiner
    holds, and the joiner deadlock."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    from django.db import transaction

    from concerns.intake import store

    first = submit_concern(
        community=world.c1, content="自来水发黄", phone="13800000020", channel="web"
    )
    locked, done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            with transaction.atomic():
                store.lock_community(world.c1.pk)
                locked.set()
                done.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=opener)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            try:
                joined = submit_concern(
                    community=world.c1, content="自来水发黄", phone="13800000021", channel="web"
                )
                assert joined.issue_id == first.issue_id
            except BaseException as error:  # a lock timeout: the insert waited for the lock
                errors.append(error)
    finally:
        done.set()
        thread.join(timeout=10)
    assert not errors, errors
