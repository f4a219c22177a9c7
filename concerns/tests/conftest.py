"""Fixtures of the concerns tests: places inside the shared `world`."""

import pytest

from concerns.intake.submit import submit_concern
from places.models import Area, Building, Compound


@pytest.fixture
def places(world):
    """Two compounds of community c1: 花园小区 (grid g1) and 东苑 (grid g2), one in c2."""
    garden = Compound.objects.create(name="花园小区", grid=world.g1)
    east = Compound.objects.create(name="东苑", grid=world.g2)
    other = Compound.objects.create(name="二号社区小区", grid=world.g3)
    buildings = {n: Building.objects.create(compound=garden, name=f"{n}号楼") for n in range(1, 13)}
    return {
        "garden": garden,
        "east": east,
        "other": other,
        "b": buildings,
        "east1": Building.objects.create(compound=east, name="1号楼"),
        "other1": Building.objects.create(compound=other, name="1号楼"),
    }


def concern_in_building(world, **fields):
    """A concern of community c1 from 金城蓝湾二期 3号楼 (grid g1)."""
    compound = Compound.objects.create(name="金城蓝湾二期", grid=world.g1)
    building = Building.objects.create(compound=compound, name="3号楼")
    return submit_concern(community=world.c1, building=building, **fields)


def fill_contacts(world, office_hours: str = "周一至周五 8:30—18:00") -> None:
    """What the contact cards print: c1's phone, hours and 公众号, g1's and g2's workers."""
    Area.objects.filter(pk=world.c1.pk).update(
        public_phone="0951-5012345",
        office_hours=office_hours,
        wechat_name="一号社区",
        wechat_link="http://weixin.qq.com/r/abcDEF123",
    )
    Area.objects.filter(pk=world.g1.pk).update(grid_worker="赵丽娟", grid_phone="13895010001")
    Area.objects.filter(pk=world.g2.pk).update(grid_worker="张建国", grid_phone="13895010002")
