"""Submitting a concern: validation, grid placement, grouping, counting, idempotency."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from concerns.intake.submit import submit_concern
from concerns.models import Category, Concern, Issue
from core.errors import ActionError
from timeline.models import Event

WEB = Concern.Channel.WEB


def submit(world, content, phone="13800138000", **kw):
    kw.setdefault("channel", WEB)
    return submit_concern(community=world.c1, content=content, phone=phone, **kw)


def test_default_categories_are_loaded_with_time_limits(db):
    names = set(Category.objects.values_list("name", flat=True))
    assert {"物业服务", "噪音扰民", "供水", "矛盾纠纷", "其他"} <= names
    assert len(names) == 11
    water = Category.objects.get(code="water")
    assert water.accept_hours <= 24 and water.resolve_days == 1


def test_a_concern_opens_an_issue_with_a_code_and_timeline(world, places):
    concern = submit(world, "家里自来水发黄，没法用", building=places["b"][3], address="2单元501")
    issue = concern.issue
    assert len(concern.tracking_code) == 8
    assert not set(concern.tracking_code) & set("01OIL")
    assert concern.grid == world.g1 and issue.grid == world.g1
    assert issue.level == Issue.Level.GRID
    assert issue.residents_count == 1 and issue.concerns_count == 1
    assert issue.category.code == "water"  # guessed from the words
    assert issue.accept_due_at is not None and issue.resolve_due_at is not None
    verbs = set(Event.objects.values_list("verb", flat=True))
    assert {"concern.received", "issue.opened", "issue.concern_added"} <= verbs


def test_no_place_lands_at_the_community(world):
    concern = submit(world, "社区活动室的灯坏了")
    assert concern.grid is None and concern.issue.level == Issue.Level.COMMUNITY


def test_similar_concerns_join_one_issue_and_count_residents(world, places):
    a = submit(world, "自来水发黄，没法做饭", phone="13800000001")
    b = submit(world, "3号楼水龙头放出来是黄水", phone="13800000002")
    c = submit(world, "我家的水又黄了！！", phone="13800000001")  # same phone again
    assert a.issue_id == b.issue_id == c.issue_id
    issue = Issue.objects.get(pk=a.issue_id)
    assert issue.concerns_count == 3
    assert issue.residents_count == 2


def test_same_household_counts_once(world, places):
    building = places["b"][5]
    submit(world, "自来水发黄", phone="13800000001", building=building, address="1单元302")
    c = submit(world, "水是黄的", phone="13900000009", building=building, address="1单元302室")
    assert Issue.objects.get(pk=c.issue_id).residents_count == 1


def test_unrelated_concerns_from_the_same_compound_stay_apart(world, places):
    water = submit(world, "花园小区3号楼自来水发黄", building=places["b"][3])
    bikes = submit(
        world, "花园小区3号楼门口电动车骑得飞快", phone="13800000002", building=places["b"][3]
    )
    assert water.issue_id != bikes.issue_id


def test_idempotency_key_returns_the_first_concern(world):
    first = submit(world, "路灯坏了", idempotency_key="abc-1")
    again = submit(world, "路灯坏了", idempotency_key="abc-1")
    assert again.pk == first.pk
    assert Concern.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("content", {"content": ""}),
        ("content", {"content": "   "}),
        ("content", {"content": "水" * 20_001}),
        ("content", {"content": "水黄\x00"}),
        ("content", {"content": "水黄\x9f"}),
        ("phone", {"phone": "12345"}),
        ("phone", {"phone": ""}),
        ("phone", {"phone": "2380013800"}),
        ("name", {"name": "张三\x07"}),
        ("channel", {"channel": "carrier-pigeon"}),
    ],
)
def test_bad_input_writes_nothing(world, field, kwargs):
    args = {"content": "路灯坏了", "phone": "13800138000"} | kwargs
    with pytest.raises(ActionError) as caught:
        submit(world, **args)
    assert caught.value.field == field
    assert 400 <= caught.value.status < 500
    assert Concern.objects.count() == 0 and Issue.objects.count() == 0
    assert Event.objects.count() == 0


def test_building_outside_the_community_is_refused(world, places):
    with pytest.raises(ActionError) as caught:
        submit(world, "水黄", building=places["other1"])
    assert caught.value.field == "building"
    assert Concern.objects.count() == 0


def test_building_of_another_compound_is_refused(world, places):
    with pytest.raises(ActionError):
        submit(world, "水黄", building=places["east1"], compound=places["garden"])


def test_phone_formats_are_normalised(world):
    assert submit(world, "路灯坏了", phone="+86 138-0013-8000").phone == "13800138000"
    assert submit(world, "路灯不亮", phone="0951-5012345").phone == "09515012345"


def test_staff_channels_need_staff(world):
    with pytest.raises(ActionError) as caught:
        submit(world, "路灯坏了", channel=Concern.Channel.PHONE)
    assert caught.value.status == 403
    concern = submit(
        world, "路灯坏了", channel=Concern.Channel.PATROL, phone="", actor=world.grid_worker
    )
    assert concern.created_by == world.grid_worker and concern.issue.residents_count == 1


def test_staff_outside_scope_get_404_and_readonly_403(world):
    with pytest.raises(Http404):
        submit(world, "路灯坏了", channel=Concern.Channel.PHONE, actor=world.staff2)
    with pytest.raises(PermissionDenied):
        submit(world, "路灯坏了", channel=Concern.Channel.PHONE, actor=world.district_officer)


def test_a_concern_without_a_category_counts_under_its_issues(world):
    first = submit(world, "家里自来水发黄，没法用")
    assert first.issue.category is not None
    assert first.category == first.issue.category
    # A category chosen by the reporter or staff is kept as it is.
    noise = Category.objects.get(code="noise")
    chosen = submit(world, "门口有人吵架", phone="13800138001", category=noise)
    assert chosen.category == noise


def test_a_community_is_kept_until_a_place_changes(world, django_assert_num_queries):
    from concerns.intake.store import community_by_code, place_names

    assert community_by_code(world.c1.code) == world.c1
    assert world.c1.name in place_names(world.c1)
    with django_assert_num_queries(0):  # kept
        assert community_by_code(world.c1.code) == world.c1
        place_names(world.c1)
    old = world.c1.code
    world.c1.code, world.c1.name = "C1-NEW", "新名社区"
    world.c1.save()
    assert community_by_code(old) is None  # a saved place forgets what was kept
    assert community_by_code("C1-NEW") == world.c1
    assert "新名社区" in place_names(world.c1)
    assert community_by_code(world.g1.code) is None  # a grid is no community
