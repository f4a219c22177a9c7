"""Fixtures for the Open311 tests: a partner organisation with a key over community c1 of
the `world` fixture, and a category that asks for extra fields."""

from dataclasses import dataclass

import pytest

from accounts.models import Organisation
from concerns.models import Category
from open311.models import ApiKey, ServiceAttribute


@dataclass
class Partner:
    organisation: Organisation
    api_key: ApiKey
    key: str


@pytest.fixture
def partner(world) -> Partner:
    organisation = Organisation.objects.create(
        name="12345热线", kind=Organisation.Kind.GOVERNMENT_DEPARTMENT
    )
    api_key, key = ApiKey.issue(name="hotline", organisation=organisation, areas=[world.c1])
    return Partner(organisation, api_key, key)


@pytest.fixture
def water(db) -> Category:
    """The seed's yellow-water category, asking which tap and since when."""
    # Made here as well as by the concerns data migration: transactional tests flush it.
    category, _created = Category.objects.get_or_create(
        code="water",
        defaults={"name": "供水", "keywords": "自来水 水质 发黄 黄水", "resolve_days": 1},
    )
    ServiceAttribute.objects.create(
        category=category,
        code="colour",
        datatype=ServiceAttribute.Datatype.SINGLEVALUELIST,
        required=True,
        order=1,
        description="水是什么颜色？",
        values=[{"key": "yellow", "name": "发黄"}, {"key": "brown", "name": "发褐"}],
    )
    ServiceAttribute.objects.create(
        category=category,
        code="since",
        datatype=ServiceAttribute.Datatype.DATETIME,
        required=False,
        order=2,
        description="从什么时候开始？",
    )
    ServiceAttribute.objects.create(
        category=category,
        code="taps",
        datatype=ServiceAttribute.Datatype.MULTIVALUELIST,
        order=3,
        description="哪些水龙头？",
        values=[{"key": "kitchen", "name": "厨房"}, {"key": "bath", "name": "卫生间"}],
    )
    return category
