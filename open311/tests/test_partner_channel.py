"""A partner system raises concerns through the API channel; nobody else may claim it."""

import pytest

from concerns.models import Concern
from open311.tests.test_post_requests import V2, body

pytestmark = pytest.mark.django_db


def test_partner_may_post_without_a_phone(client, partner):
    response = client.post(f"{V2}/requests.json", body(partner, phone=None))
    assert response.status_code == 200, response.content
    concern = Concern.objects.get()
    assert concern.channel == Concern.Channel.API
    assert concern.phone == ""


def test_anonymous_json_api_cannot_claim_the_partner_channel(client, world):
    response = client.post(
        "/api/v1/concerns",
        {"community": "C1", "content": "楼下太吵", "phone": "13800138000", "channel": "api"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "staff_channel"
    assert not Concern.objects.exists()
