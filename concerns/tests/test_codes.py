"""Tracking codes and public ids (concerns.codes): one normalisation, masking, throttled
lookups, idempotency keys bound to their sender, and the public ids given to old rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory

from concerns import codes
from concerns.intake import submit as intake
from concerns.models import Concern
from core.errors import ActionError, RateLimited


def submit(world, phone="13800138000", **extra):
    return intake.submit_concern(
        community=world.c1, content="楼道灯坏了", channel=Concern.Channel.WEB, phone=phone, **extra
    )


def test_a_typed_code_is_read_one_way():
    assert codes.normalise(" ab12 cd34 ") == "AB12CD34"
    assert codes.normalise("ab12-cd34") == "AB12CD34"
    assert codes.normalise("AB12–CD34\n") == "AB12CD34"
    assert codes.normalise(None) == ""


def test_public_ids_are_random_and_never_look_like_a_code(world):
    first, second = submit(world), submit(world, phone="13800138001")
    assert first.public_id != second.public_id
    for concern in (first, second):
        assert len(concern.public_id) == 16
        assert set(concern.public_id) <= set("0123456789abcdef")
        assert concern.tracking_code not in concern.public_id
        assert codes.find(concern.public_id) is None
        assert str(concern) == concern.public_id
    assert codes.find(first.tracking_code.lower()) == first


def test_mask_hides_codes_in_text_and_leaves_words_alone():
    text = "您的诉求（ABCD2345）已受理：https://x.cn/concerns/t/ABCD2345/ accepted 13800138000"
    masked = codes.mask(text)
    assert "ABCD2345" not in masked
    assert masked.count("AB******") == 2
    assert "accepted 13800138000" in masked


def _request(ip="10.1.1.1"):
    return RequestFactory().get("/", REMOTE_ADDR=ip)


def test_lookups_count_per_address_and_misses_weigh_most(world, settings):
    settings.CODE_LOOKUPS_PER_IP = 5
    settings.CODE_MISSES_PER_IP = 2
    concern = submit(world)
    for _n in range(2):
        with pytest.raises(codes.CodeNotFound):
            codes.lookup(_request(), "ZZZZZZZZ")
    with pytest.raises(RateLimited) as refused:
        codes.lookup(_request(), concern.tracking_code)  # even the right one, from there
    assert refused.value.retry_after > 0
    assert codes.lookup(_request("10.1.1.2"), concern.tracking_code) == concern
    for _n in range(5):
        codes.lookup(_request("10.1.1.3"), concern.tracking_code)
    with pytest.raises(RateLimited):
        codes.lookup(_request("10.1.1.3"), concern.tracking_code)


def test_idempotency_keys_are_bound_to_their_sender(world):
    resident = intake.scoped_idempotency_key("k", phone="138 0013 8000")
    assert resident == intake.scoped_idempotency_key("k", phone="+8613800138000")
    assert resident != intake.scoped_idempotency_key("k", phone="13800138001")
    assert resident != intake.scoped_idempotency_key("k", phone="13800138000", actor=world.staff)
    assert intake.scoped_idempotency_key("  ") is None
    first = submit(world, idempotency_key=resident)
    assert submit(world, idempotency_key=resident) == first
    with pytest.raises(ActionError) as reused:
        intake.submit_concern(
            community=world.c1,
            content="别的事",
            channel=Concern.Channel.WEB,
            phone="13800138000",
            idempotency_key=resident,
        )
    assert (reused.value.status, reused.value.code) == (422, "idempotency_key_reused")
    assert Concern.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_concerns_a_public_id():
    before = [("concerns", "0004_only_used_indexes")]
    after = [("concerns", "0005_concern_public_id")]
    executor = MigrationExecutor(connection)
    leaf = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        apps = executor.loader.project_state(before).apps
        Area = apps.get_model("places", "Area")
        Issue = apps.get_model("concerns", "Issue")
        OldConcern = apps.get_model("concerns", "Concern")
        community = Area.objects.create(code="M1", name="迁移社区", kind="community", path="/M1/")
        issue = Issue.objects.create(community=community, title="路灯")
        for n in range(3):
            OldConcern.objects.create(
                tracking_code=f"M{n:07d}", issue=issue, community=community, channel="phone"
            )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        apps = executor.loader.project_state(after).apps
        ids = list(
            apps.get_model("concerns", "Concern").objects.values_list("public_id", flat=True)
        )
        assert len(ids) == 3 and len(set(ids)) == 3
        assert all(len(i) == 16 for i in ids)
    finally:
        MigrationExecutor(connection).migrate(leaf)
