"""Fixtures of the concerns tests: places inside the shared `world`."""

import pytest

from places.models import Building, Compound


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
