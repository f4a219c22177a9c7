"""Set-up: configuration errors name the setting; the demo loader adds nothing twice."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from accounts.models import Organisation, Role, User
from places.models import Area, Building, Compound
from yishi.settings import database_from_url, env_bool, env_int


def test_database_url_parsing():
    pg = database_from_url("postgresql://yishi:s%40cret@db.example:5433/yishi")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "yishi",
        "yishi",
        "s@cret",
        "db.example",
        "5433",
    )
    socket = database_from_url("postgresql://postgres@/yishi?host=/tmp/pg")
    assert socket["HOST"] == "/tmp/pg"
    assert database_from_url("sqlite:///x.db")["NAME"].endswith("/x.db")


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("mysql://x/y", "DATABASE_URL scheme"),
        ("postgresql://host/", "DATABASE_URL: name the database"),
        ("sqlite://", "DATABASE_URL: a sqlite URL"),
    ],
)
def test_bad_database_url_names_the_setting(url, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        database_from_url(url)


def test_bad_values_name_the_setting(monkeypatch):
    monkeypatch.setenv("YISHI_DEBUG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="YISHI_DEBUG"):
        env_bool("YISHI_DEBUG", True)
    monkeypatch.setenv("YISHI_LOGIN_FAILURE_LIMIT", "five")
    with pytest.raises(ImproperlyConfigured, match="YISHI_LOGIN_FAILURE_LIMIT"):
        env_int("YISHI_LOGIN_FAILURE_LIMIT", 5)


def test_production_without_secret_key_refuses_to_start(monkeypatch):
    import subprocess
    import sys

    env = {
        "YISHI_ALLOWED_HOSTS": "yishi.example.gov.cn",
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "yishi.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "YISHI_SECRET_KEY" in result.stderr


def _counts():
    return (
        Area.objects.count(),
        Compound.objects.count(),
        Building.objects.count(),
        Organisation.objects.count(),
        User.objects.count(),
        Role.objects.count(),
    )


@pytest.mark.django_db
def test_demo_loader_twice_duplicates_nothing():
    call_command("load_demo", stdout=io.StringIO())
    first = _counts()
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == first
    assert Area.objects.get(code="640106001001").name == "金城蓝湾社区"
    assert Compound.objects.filter(name="春晖小区", grid__path__startswith="/6402/").exists()
    assert User.objects.filter(username="grid_jclw", roles__kind="grid_worker").exists()


@pytest.mark.django_db
def test_demo_loader_if_empty_leaves_data_alone(world):
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert not Area.objects.filter(code="640106001001").exists()
    assert "already has data" in out.getvalue()


@pytest.mark.django_db
def test_admin_is_in_chinese(client, world):
    client.force_login(world.admin)
    page = client.get("/admin/").content.decode()
    assert "议事平台后台管理" in page
    assert "区域" in page and "单位" in page
    assert client.get("/admin/places/area/").status_code == 200
    assert client.get("/admin/accounts/organisation/add/").status_code == 200
