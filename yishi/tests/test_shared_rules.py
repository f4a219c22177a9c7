"""Each shared rule is defined once and every surface answers the same: a phone however it is
spelled, text with control characters. (Tracking codes typed with spaces and in lower case:
yishi/tests/attacks/test_tracking_codes.py, test_every_surface_reads_a_typed_code_the_same_way.)"""

import inspect
import json
from datetime import timedelta

import pytest
from django import forms
from django.utils import timezone

from concerns import cards
from concerns.models import Concern
from consultations import actions as consultations
from consultations.models import Meeting, Participant
from core.errors import ActionError
from core.text import PlainTextField
from wechat.actions import set_phone
from wechat.models import Follower, OfficialAccount

SPELLINGS = [
    "13912345678",
    "139 1234 5678",
    "139-1234-5678",
    "+86 139 1234 5678",
    "１３９１２３４５６７８",
]
STORED = "13912345678"
API = "/api/v1"


def _submit(client, world, phone: str, content: str = "楼道灯坏了，晚上看不见路"):
    body = {"community": world.c1.code, "content": content, "phone": phone}
    return client.post(f"{API}/concerns", json.dumps(body), content_type="application/json")


def _meeting(world):
    """A meeting residents can be invited to, with a phone."""
    return consultations.schedule_meeting(
        world.staff,
        area=world.c1,
        title="楼道议事会",
        form=Meeting.Form.COUNCIL,
        starts_at=timezone.now() + timedelta(days=3),
        notice_days=0,
        place="社区二楼活动室",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_phone_is_one_number_on_every_surface(client, world, spelling):
    # 民事民提: the API a resident submits through.
    assert _submit(client, world, spelling).status_code == 201
    assert Concern.objects.get().phone == STORED
    # 民事民议: a participant invited to a meeting.
    meeting = _meeting(world)
    participant = consultations.invite_participant(
        world.staff, meeting, party=Participant.Party.RESIDENT, name="王阿姨", phone=spelling
    )
    assert participant.phone == STORED
    # The WeChat account: the number a follower gives.
    account = OfficialAccount.objects.create(community=world.c1, name="一号社区", app_id="wx1")
    follower = Follower.objects.create(account=account, openid="o-1")
    assert set_phone(follower, spelling).phone == STORED
    # The contact card keeps the number as typed, but by the same rule.
    assert cards.check_phone(spelling, "public_phone") == spelling.strip()


@pytest.mark.django_db
def test_a_wrong_number_gets_one_answer_on_every_surface(client, world):
    wrong = "139 1234 567"
    answer = _submit(client, world, wrong)
    assert answer.status_code in (400, 422)
    assert answer.json()["error"]["code"] == "invalid_phone"
    meeting = _meeting(world)
    account = OfficialAccount.objects.create(community=world.c1, name="一号社区", app_id="wx1")
    follower = Follower.objects.create(account=account, openid="o-1")
    for surface in (
        lambda: consultations.invite_participant(
            world.staff, meeting, party=Participant.Party.RESIDENT, name="王阿姨", phone=wrong
        ),
        lambda: set_phone(follower, wrong),
        lambda: cards.check_phone(wrong, "public_phone"),
    ):
        with pytest.raises(ActionError) as refused:
            surface()
        assert refused.value.code == "invalid_phone"
        assert refused.value.message == answer.json()["error"]["message"]


def _form_classes() -> list[type[forms.BaseForm]]:
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        if not config.name.isidentifier() or "." in config.name:
            continue  # Django's own apps
        try:
            module = __import__(f"{config.name}.forms", fromlist=["*"])
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def test_every_free_text_field_of_every_form_is_plain_text():
    """A CharField that is not a PlainTextField would trim or keep control characters its own
    way; choice, e-mail, URL and password fields are not free text."""
    classes = _form_classes()
    assert len(classes) > 15
    # Phones, codes and links are read by their own rules (core.phones, concerns.codes, the
    # card's link check), not as free text.
    own_rule = ("phone", "code", "link")
    loose = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes
        for name, field in cls.base_fields.items()
        if type(field) is forms.CharField
        and not isinstance(field.widget, forms.PasswordInput)
        and not name.endswith(own_rule)
    ]
    assert loose == []


def test_every_plain_text_field_refuses_control_characters_as_the_api_does(client, world):
    fields = [
        field
        for cls in _form_classes()
        for field in cls.base_fields.values()
        if isinstance(field, PlainTextField)
    ]
    assert len(fields) > 20
    api_answer = _submit(client, world, "13912345678", content="楼道灯\x07坏了").json()["error"]
    assert api_answer["code"] == "control_characters"
    for field in fields:
        with pytest.raises(forms.ValidationError) as refused:
            field.clean("楼道灯\x07坏了")
        assert refused.value.code == "control_characters"
        assert refused.value.messages == [api_answer["message"]]
