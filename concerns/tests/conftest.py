"""Fixtures of the concerns tests: places inside the shared `world`; and issues with
residents behind them, which the later apps' tests build on too."""

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from concerns.intake.submit import submit_concern
from concerns.models import Concern, Issue
from places.models import Area, Building, Compound

_codes = count(1)


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


def make_issue(community, title, *, residents=1, grid=None, days_old=10, phones=True):
    """An accepted issue with `residents` concerns from different people (each with a phone
    unless `phones` is false), first received `days_old` days ago."""
    received = timezone.now() - timedelta(days=days_old)
    issue = Issue.objects.create(
        community=community,
        grid=grid,
        title=title,
        status=Issue.Status.ACCEPTED,
        level=Issue.Level.COMMUNITY,
        residents_count=residents,
        concerns_count=residents,
        first_received_at=received,
    )
    for n in range(residents):
        number = next(_codes)
        Concern.objects.create(
            tracking_code=f"A{number:07d}",
            issue=issue,
            community=community,
            grid=grid,
            channel=Concern.Channel.PHONE,
            content=f"{title}（第{n + 1}户）",
            reporter_name=f"居民{n + 1}",
            phone=f"1390000{number:04d}" if phones else "",
            resident_key=f"tel:{title}:{n}",
            received_at=received,
        )
    return issue
