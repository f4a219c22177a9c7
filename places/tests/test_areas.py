import pytest

from places.models import Area


@pytest.mark.django_db
def test_path_and_subtree(world, django_assert_num_queries):
    assert world.g1.path == "/D1/S1/C1/C1G1/"
    assert world.g1.depth == 3
    with django_assert_num_queries(1):
        codes = sorted(world.street.subtree().values_list("code", flat=True))
    assert codes == ["C1", "C1G1", "C1G2", "C2", "C2G1", "S1"]
    with django_assert_num_queries(1):
        communities = list(world.district.subtree().filter(kind=Area.Kind.COMMUNITY))
    assert {a.code for a in communities} == {"C1", "C2"}


@pytest.mark.django_db
def test_subtree_query_count_does_not_grow_with_the_tree(world, django_assert_num_queries):
    for n in range(30):
        Area.objects.create(
            code=f"C1G{n + 10}", name=f"格{n}", kind=Area.Kind.GRID, parent=world.c1
        )
    with django_assert_num_queries(1):
        assert world.district.subtree().count() == 7 + 30


@pytest.mark.django_db
def test_moving_a_street_rewrites_its_descendants(world):
    world.street.parent = world.other_district
    world.street.save()
    world.g1.refresh_from_db()
    assert world.g1.path == "/D2/S1/C1/C1G1/"
    assert world.g1.depth == 3
    assert set(world.other_district.subtree().values_list("code", flat=True)) >= {"C1G1", "C2G1"}


@pytest.mark.django_db
def test_ancestors_and_community(world):
    assert [a.code for a in world.g1.ancestors()] == ["D1", "S1", "C1"]
    assert world.g1.community == world.c1
    assert world.c1.community == world.c1
    assert world.street.community is None


@pytest.mark.django_db
def test_kind_rules_are_validated(world):
    from django.core.exceptions import ValidationError

    bad = Area(code="X", name="x", kind=Area.Kind.GRID, parent=world.street)
    with pytest.raises(ValidationError):
        bad.full_clean()
    loop = Area.objects.get(pk=world.street.pk)
    loop.parent = world.c1
    with pytest.raises(ValidationError):
        loop.full_clean()
