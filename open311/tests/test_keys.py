"""API keys: created by a command that prints the key once, stored hashed, revocable."""

import io

import pytest
from django.core.management import CommandError, call_command

from open311.models import ApiKey

V2 = "/open311/v2"


def create(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_open311_key", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_create_prints_the_key_once_and_keeps_only_its_hash(world):
    key, note = create(
        world.property_company.name, "--area", "C1", "--area", "C2", "--name", "小程序"
    )
    api_key = ApiKey.objects.get()
    assert key.startswith("o311_") and len(key) > 40
    assert api_key.key_hash == ApiKey.hash(key) and key not in api_key.key_hash
    assert api_key.prefix == key[:12] and api_key.prefix in note and key not in note
    assert {a.code for a in api_key.areas.all()} == {"C1", "C2"}
    assert api_key.organisation == world.property_company
    assert ApiKey.authenticate(key) == api_key
    assert ApiKey.authenticate(key + "x") is None


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["没有这个单位", "--area", "C1"], "No active organisation"),
        (["测试物业公司", "--area", "C9"], "C9"),
    ],
)
def test_create_refuses_unknown_names(world, args, words):
    with pytest.raises(CommandError, match=words):
        create(*args)
    assert not ApiKey.objects.exists()


def test_revoke_by_prefix_stops_the_key(client, world):
    key, _note = create(world.property_company.name, "--area", "C1")
    out = io.StringIO()
    call_command("revoke_open311_key", key[:12], stdout=out)
    assert ApiKey.authenticate(key) is None
    response = client.post(f"{V2}/requests.json", {"api_key": key, "service_code": "noise"})
    assert response.status_code == 403
    with pytest.raises(CommandError):
        call_command("revoke_open311_key", key[:12])


def test_a_key_of_an_inactive_organisation_is_refused(world):
    key, _note = create(world.property_company.name, "--area", "C1")
    world.property_company.active = False
    world.property_company.save()
    assert ApiKey.authenticate(key) is None
