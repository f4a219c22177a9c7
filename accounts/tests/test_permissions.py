"""The permission module: users inside and outside each scope, read-only roles."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.permissions import (
    area_filter,
    can_change_area,
    can_view_area,
    found,
    get_area_for_user,
    get_object_for_user,
    holds_role_over,
    require,
    scope_of,
    visible_areas,
    visible_or_404,
)
from places.models import Area, Compound

pytestmark = pytest.mark.django_db


@pytest.fixture
def compounds(world):
    return {
        "g1": Compound.objects.create(name="一号院", grid=world.g1),
        "g2": Compound.objects.create(name="二号院", grid=world.g2),
        "g3": Compound.objects.create(name="三号院", grid=world.g3),
    }


@pytest.mark.parametrize(
    ("username", "sees", "changes"),
    [
        ("grid_worker", {"g1"}, {"g1"}),
        ("volunteer", {"g1"}, {"g1"}),
        ("staff", {"g1", "g2"}, {"g1", "g2"}),
        ("secretary", {"g1", "g2"}, {"g1", "g2"}),
        ("staff2", {"g3"}, {"g3"}),
        ("street_officer", {"g1", "g2", "g3"}, {"g1", "g2", "g3"}),
        ("district_officer", {"g1", "g2", "g3"}, set()),
        ("cppcc", {"g1", "g2", "g3"}, set()),
        ("org_rep", set(), set()),
        ("outsider", set(), set()),
        ("nobody", set(), set()),
        ("admin", {"g1", "g2", "g3"}, {"g1", "g2", "g3"}),
    ],
)
def test_scope_by_role(world, compounds, username, sees, changes):
    user = world.users[username]
    for key, compound in compounds.items():
        if key in sees:
            found = get_object_for_user(
                Compound.objects.all(), user, area_field="grid", pk=compound.pk
            )
            assert found == compound
        else:
            with pytest.raises(Http404):
                get_object_for_user(Compound.objects.all(), user, area_field="grid", pk=compound.pk)
        if key in sees and key not in changes:
            with pytest.raises(PermissionDenied):
                get_object_for_user(
                    Compound.objects.all(), user, area_field="grid", write=True, pk=compound.pk
                )
        if key in changes:
            get_object_for_user(
                Compound.objects.all(), user, area_field="grid", write=True, pk=compound.pk
            )
    visible = set(Compound.objects.filter(area_filter(user, "grid")).values_list("name", flat=True))
    assert visible == {compounds[k].name for k in sees}


def test_anonymous_has_no_scope(world, compounds):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not scope_of(anonymous).is_staff
    assert not can_view_area(anonymous, world.c1)
    with pytest.raises(Http404):
        get_area_for_user(anonymous, "C1")


def test_area_lookup_404_outside_and_403_read_only(world):
    assert get_area_for_user(world.staff, "C1G1") == world.g1
    with pytest.raises(Http404):
        get_area_for_user(world.staff, "C2")
    with pytest.raises(Http404):
        get_area_for_user(world.staff, "no-such-code")
    assert get_area_for_user(world.district_officer, "C2") == world.c2
    with pytest.raises(PermissionDenied):
        get_area_for_user(world.district_officer, "C2", write=True)


def test_roles_are_read_once_per_request(world, django_assert_num_queries):
    user = type(world.staff).objects.get(pk=world.staff.pk)
    with django_assert_num_queries(1):
        for area in (world.g1, world.g2, world.g3, world.c1):
            can_view_area(user, area)
            can_change_area(user, area)
        holds_role_over(user, world.g1, {"community_staff"})


def test_finer_rules_read_the_role_held(world):
    assert holds_role_over(world.staff, world.g1, {"community_staff"})
    assert not holds_role_over(world.grid_worker, world.g1, {"community_staff"})
    assert not holds_role_over(world.staff, world.g3, {"community_staff"})


def test_visible_areas(world):
    codes = set(visible_areas(world.staff).values_list("code", flat=True))
    assert codes == {"C1", "C1G1", "C1G2"}
    grids = set(visible_areas(world.street_officer, Area.Kind.GRID).values_list("code", flat=True))
    assert grids == {"C1G1", "C1G2", "C2G1"}
    assert visible_areas(world.nobody).count() == 0


def test_visible_or_404_hides_what_is_out_of_sight_and_refuses_a_mere_look(world, compounds):
    seen = Compound.objects.filter(area_filter(world.staff, "grid"))
    assert visible_or_404(seen, compounds["g1"].pk) == compounds["g1"]
    with pytest.raises(Http404):  # another community's: as if it did not exist
        visible_or_404(seen, compounds["g3"].pk)
    with pytest.raises(Http404):
        visible_or_404(seen, compounds["g3"].pk, may=lambda compound: True)
    with pytest.raises(PermissionDenied):
        visible_or_404(seen, compounds["g1"].pk, may=lambda compound: False)
    assert visible_or_404(seen, compounds["g2"].pk, may=lambda c: c.grid == world.g2)


def test_require_refuses_404_before_403_and_asks_the_rule_only_once_seen():
    asked = []

    def rule():
        asked.append(True)
        return False

    with pytest.raises(Http404):
        require(False, rule)
    assert asked == []  # what is out of sight is not even checked
    with pytest.raises(PermissionDenied):
        require(True, rule)
    assert asked == [True]
    with pytest.raises(PermissionDenied):
        require(True, False)
    require(True, True)
    require(True)


def test_found_returns_what_is_there_and_refuses_what_is_not():
    with pytest.raises(Http404):
        found(None)
    with pytest.raises(Http404):
        found(None, lambda seen: True)
    with pytest.raises(PermissionDenied):
        found("the row", lambda seen: seen != "the row")
    assert found("the row") == "the row"
    assert found("the row", lambda seen: seen == "the row") == "the row"
