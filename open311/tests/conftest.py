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
    kinds = ServiceAttribute.Datatype
    questions = [
        (
            "colour",
            kinds.SINGLEVALUELIST,
            True,
            "水是什么颜色？",
            {"yellow": "发黄", "brown": "发褐"},
        ),
        ("since", kinds.DATETIME, False, "从什么时候开始？", {}),
        (
            "taps",
            kinds.MULTIVALUELIST,
            False,
            "哪些水龙头？",
            {"kitchen": "厨房", "bath": "卫生间"},
        ),
    ]
    for order, (code, datatype, required, description, values) in enumerate(questions, 1):
        ServiceAttribute.objects.create(
            category=category,
            code=code,
            datatype=datatype,
            required=required,
            order=order,
            description=description,
            values=[{"key": key, "name": name} for key, name in values.items()],
        )
    return category


def request_form(partner: Partner, **fields) -> dict:
    """What a partner posts for a new request: a noise complaint in 一号社区 with a phone,
    `fields` added or changed, those given as None left out."""
    data = {
        "api_key": partner.key,
        "service_code": "noise",
        "address_string": "一号社区",
        "description": "楼下广场舞音响太吵",
        "phone": "13800138000",
        **fields,
    }
    return {k: v for k, v in data.items() if v is not None}


# A request in the water category, answering its one required question.
YELLOW_WATER = {
    "service_code": "water",
    "description": "自来水发黄，有沉淀",
    "attribute[colour]": "yellow",
}
