"""The CPPCC side of the test world: a member and an office in `world`'s district, a member
of the other district, two departments serving the district (each with a representative),
and a CPPCC committee whose representative the office is (it sets thematic topics)."""

import pytest

from accounts.models import Organisation, Role
from conftest import make_user
from opinions import actions


@pytest.fixture
def cppcc(world):
    committee = Organisation.objects.create(name="测试区政协", kind=Organisation.Kind.CPPCC)
    committee.areas.add(world.district)
    sports = Organisation.objects.create(
        name="测试区文体局", kind=Organisation.Kind.GOVERNMENT_DEPARTMENT
    )
    sports.areas.add(world.district)
    water = Organisation.objects.create(name="测试市自来水公司", kind=Organisation.Kind.UTILITY)
    water.areas.add(world.district)
    elsewhere = Organisation.objects.create(
        name="别的区住建局", kind=Organisation.Kind.GOVERNMENT_DEPARTMENT
    )
    elsewhere.areas.add(world.other_district)
    world.users.update(
        office=make_user(
            "office",
            (Role.Kind.CPPCC_OFFICE, world.district, None),
            (Role.Kind.ORG_REPRESENTATIVE, None, committee),
        ),
        member2=make_user("member2", (Role.Kind.CPPCC_MEMBER, world.district, None)),
        other_member=make_user(
            "other_member", (Role.Kind.CPPCC_MEMBER, world.other_district, None)
        ),
        other_office=make_user(
            "other_office", (Role.Kind.CPPCC_OFFICE, world.other_district, None)
        ),
        sports_rep=make_user("sports_rep", (Role.Kind.ORG_REPRESENTATIVE, None, sports)),
        water_rep=make_user("water_rep", (Role.Kind.ORG_REPRESENTATIVE, None, water)),
    )
    world.sports, world.water, world.elsewhere, world.committee = (
        sports,
        water,
        elsewhere,
        committee,
    )
    return world


def submit(world, *, member=None, area=None, title="公园缺少健身设施", **kwargs):
    return actions.submit_report(
        member or world.cppcc,
        area=area or world.c1,
        title=title,
        observation=kwargs.pop("observation", "一号社区公园只有绿化，没有健身器材。"),
        affected=kwargs.pop("affected", "周边小区居民和上班族。"),
        suggestions=kwargs.pop("suggestions", "在公园广场建设篮球场、安装健身器材。"),
        **kwargs,
    )
