"""Area profiles: each figure with its date and source, history kept, edited by the people
who hold the area, shown on the community page and served by the API."""

import json
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import PASSWORD
from core.errors import ActionError
from places import actions
from places.models import AreaFacility, AreaFigure, AreaProfile, Building, Compound
from places.profiles import card_for, format_figure
from timeline.models import Event

pytestmark = pytest.mark.django_db
JAN, JUNE = date(2026, 1, 31), date(2026, 6, 30)


def text(response) -> str:
    """The page as a reader sees it: tags and whitespace gone."""
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", response.content.decode()))


def population(world, user, value, as_of, source="社区入户统计", **kw):
    return actions.record_figure(
        user,
        world.c1,
        kind=AreaFigure.Kind.RESIDENT_POPULATION,
        value=value,
        as_of=as_of,
        source=source,
        **kw,
    )


def test_a_new_count_adds_a_row_and_the_card_shows_the_latest(world):
    population(world, world.staff, 5000, JAN)
    population(world, world.secretary, 5200, JUNE, source="第七次人口普查")
    # Entered later but counted earlier: history, not the latest.
    population(world, world.staff, 4800, date(2025, 12, 31))

    card = card_for(world.c1)
    assert [(f.kind, f.value, f.as_of, f.source) for f in card.figures] == [
        (AreaFigure.Kind.RESIDENT_POPULATION, 5200, JUNE, "第七次人口普查")
    ]
    assert AreaFigure.objects.filter(profile__area=world.c1).count() == 3
    events = Event.objects.filter(verb="profile.figure_recorded")
    assert events.count() == 3
    assert not events.filter(public=True).exists()
    assert "5200" in events.get(data__value=5200).note


def test_figures_read_as_the_source_writes_them():
    assert (
        format_figure(AreaFigure.Kind.RESIDENT_POPULATION, 20000, AreaFigure.Qualifier.NEARLY)
        == "近2万人"
    )
    assert format_figure(AreaFigure.Kind.COMPANIES, 2738, AreaFigure.Qualifier.OVER) == "2738余家"
    assert format_figure(AreaFigure.Kind.OFFICE_BUILDINGS, 45) == "45栋"
    assert format_figure(AreaFigure.Kind.HOUSEHOLDS, 1530, AreaFigure.Qualifier.ABOUT) == "约1530户"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"as_of": None}, "as_of"),
        ({"as_of": timezone.localdate() + timedelta(days=1)}, "as_of"),
        ({"source": "   "}, "source"),
        ({"value": -1}, "value"),
        ({"value": 10**9}, "value"),
        ({"kind": "pets"}, "kind"),
        ({"qualifier": "roughly"}, "qualifier"),
    ],
)
def test_a_figure_needs_a_date_a_source_and_a_sane_value(world, changes, field):
    fields = {
        "kind": AreaFigure.Kind.HOUSEHOLDS,
        "value": 1500,
        "as_of": JUNE,
        "source": "社区统计",
        **changes,
    }
    with pytest.raises(ActionError) as caught:
        actions.record_figure(world.staff, world.c1, **fields)
    assert caught.value.field == field
    assert not AreaFigure.objects.exists()


@pytest.mark.parametrize(
    ("username", "code", "allowed"),
    [
        ("staff", "C1", True),
        ("secretary", "C1", True),
        ("street_officer", "S1", True),
        ("admin", "C1", True),
        ("street_officer", "C1", False),  # oversees it, does not hold it
        ("district_officer", "C1", False),
        ("cppcc", "S1", False),
        ("staff2", "C1", False),
        ("grid_worker", "C1", False),
        ("staff", "S1", False),
    ],
)
def test_who_may_record_a_figure(world, username, code, allowed):
    area = {"C1": world.c1, "S1": world.street}[code]
    record = lambda: actions.record_figure(  # noqa: E731
        getattr(world, username),
        area,
        kind=AreaFigure.Kind.SHOPS,
        value=40,
        as_of=JUNE,
        source="摸排",
    )
    if allowed:
        record()
        assert AreaFigure.objects.filter(profile__area=area).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            record()
        assert not AreaFigure.objects.exists()


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("staff", "C1", 200),
        ("street_officer", "S1", 200),
        ("street_officer", "C1", 403),
        ("district_officer", "C1", 403),
        ("cppcc", "C1", 403),
        ("staff2", "C1", 404),
        ("grid_worker", "C1", 404),
        ("outsider", "C1", 404),
        ("nobody", "C1", 404),
        ("staff", "S1", 404),
        ("admin", "C1G1", 404),  # grids keep no profile
        ("admin", "D1", 404),
        ("admin", "nowhere", 404),
    ],
)
def test_edit_page_answers_by_scope(client, world, username, code, status):
    client.force_login(getattr(world, username))
    assert client.get(f"/places/a/{code}/profile/edit/").status_code == status
    form = {"form": "figure", "figure-kind": AreaFigure.Kind.SHOPS, "figure-value": "40"}
    form |= {"figure-as_of": "2026-06-30", "figure-source": "摸排"}
    response = client.post(f"/places/a/{code}/profile/edit/", form)
    assert response.status_code == (302 if status == 200 else status)
    assert AreaFigure.objects.exists() == (status == 200)


def test_edit_page_asks_a_stranger_to_log_in(client, world):
    response = client.get("/places/a/C1/profile/edit/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(
        "/places/a/C1/profile/edit/", {"form": "describe", "describe-covers": "x"}
    )
    assert response.status_code == 302
    assert not AreaProfile.objects.exists()


def test_staff_edit_figures_and_facilities_through_the_page(client, world):
    client.force_login(world.staff)
    url = "/places/a/C1/profile/edit/"
    figure = {"form": "figure", "figure-kind": AreaFigure.Kind.HOUSEHOLDS, "figure-value": "1530"}
    figure |= {"figure-qualifier": "about", "figure-as_of": "2026-06-30"}
    assert client.post(url, {**figure, "figure-source": "入户"}).status_code == 302
    # A figure without a source is refused beside its field.
    response = client.post(url, {**figure, "figure-source": ""})
    assert response.status_code == 400
    html = response.content.decode()
    after_source = html[html.index('id="id_figure-source"') :]
    assert after_source.index('class="errorlist"') < after_source.index("</form>")
    facility = {"form": "facility", "facility-kind": "park", "facility-name": "一号公园"}
    facility |= {"facility-as_of": "2026-06-30", "facility-source": "社区"}
    assert client.post(url, facility).status_code == 302
    park = AreaFacility.objects.get()
    describe = {"form": "describe", "describe-covers": "一号片区"}
    describe |= {"describe-summary": "老旧小区为主。"}
    assert client.post(url, describe).status_code == 302
    page = text(client.get(url))
    assert "约1530户" in page and "一号公园" in page and "一号片区" in page

    assert client.post(url, {"form": "remove", "facility": park.pk}).status_code == 302
    assert client.post(url, {"form": "remove", "facility": park.pk}).status_code == 302
    park.refresh_from_db()
    assert park.removed_on == timezone.localdate()
    verbs = list(Event.objects.order_by("id").values_list("verb", flat=True))
    assert verbs == [
        "profile.figure_recorded",
        "profile.facility_added",
        "profile.described",
        "profile.facility_removed",
    ]
    public = text(client.get("/places/a/C1/profile/"))
    assert "一号公园" in public  # among the facilities no longer there
    assert "一号公园" not in text(client.get("/c/C1/"))
    # Another community's facility cannot be removed from this page.
    client.force_login(world.staff2)
    assert client.post("/places/a/C1/profile/edit/", {"form": "remove"}).status_code == 404


def test_the_community_page_shows_the_card(client, world):
    population(world, world.staff, 5200, JUNE)
    actions.add_facility(
        world.staff, world.c1, kind="clinic", name="一号社区卫生服务站", as_of=JUNE, source="社区"
    )
    compound = Compound.objects.create(name="一号院", grid=world.g1)
    Building.objects.create(compound=compound, name="1号楼")
    Building.objects.create(compound=compound, name="2号楼")

    page = text(client.get("/c/C1/"))  # a stranger
    assert "区域概况" in page
    assert "常住人口5200人2026-06·社区入户统计" in page
    assert "小区1个" in page and "住宅楼栋2栋" in page  # counted from the register
    assert "一号社区卫生服务站" in page
    assert "编辑概况" not in page  # no edit link for a stranger
    assert "staff" not in page  # who recorded it is not public
    client.force_login(world.staff)
    assert "/places/a/C1/profile/edit/" in client.get("/c/C1/").content.decode()


def test_the_community_page_without_a_profile_shows_no_card(client, world):
    assert "区域概况" not in text(client.get("/c/C2/"))
    client.force_login(world.staff2)
    assert "/places/a/C2/profile/edit/" in client.get("/c/C2/").content.decode()


def test_the_public_profile_page_lists_the_history(client, world):
    population(world, world.staff, 5000, JAN)
    population(world, world.staff, 5200, JUNE)
    page = text(client.get("/places/a/C1/profile/"))
    assert "2026-01-31" in page and "2026-06-30" in page
    assert client.get("/places/a/C1G1/profile/").status_code == 404
    assert client.post("/places/a/C1/profile/").status_code == 405


# ---- API --------------------------------------------------------------------------------


def post(client, url, data):
    return client.post("/api/v1" + url, json.dumps(data), content_type="application/json")


def test_api_profile_is_public_and_names_no_staff(client, world):
    population(world, world.staff, 5000, JAN)
    population(world, world.staff, 5200, JUNE)
    body = client.get("/api/v1/areas/C1/profile").json()
    assert body["area"] == "C1"
    assert [(f["kind"], f["value"], f["as_of"]) for f in body["figures"]] == [
        ("resident_population", 5200, "2026-06-30")
    ]
    assert [f["value"] for f in body["history"]] == [5200, 5000]
    assert "staff" not in json.dumps(body) and "recorded_by" not in json.dumps(body)
    empty = client.get("/api/v1/areas/C2/profile").json()
    assert empty["figures"] == [] and empty["history"] == []
    for code in ("C1G1", "D1", "nowhere"):
        assert client.get(f"/api/v1/areas/{code}/profile").status_code == 404


def test_api_staff_record_figures_and_facilities(client, world):
    figure = {"kind": "companies", "value": 120, "qualifier": "over", "as_of": "2026-06-30"}
    assert (
        post(client, "/areas/C1/profile/figures", {**figure, "source": "市场监管所"}).status_code
        == 401
    )
    client.login(username="staff", password=PASSWORD)
    response = post(client, "/areas/C1/profile/figures", {**figure, "source": "市场监管所"})
    assert response.status_code == 201, response.content
    assert response.json()["figures"][0]["display"] == "120余家"
    bad = post(
        client, "/areas/C1/profile/figures", {**figure, "as_of": "2999-01-01", "source": "x"}
    )
    assert bad.status_code == 400 and "as_of" in bad.json()["error"]["fields"]
    assert post(client, "/areas/C1/profile/figures", {**figure, "source": ""}).status_code == 422
    facility = {"kind": "school", "name": "一号小学", "as_of": "2026-06-30", "source": "教育局"}
    response = post(client, "/areas/C1/profile/facilities", facility)
    assert response.status_code == 201
    pk = response.json()["facilities"][0]["id"]
    removed = post(client, f"/areas/C1/profile/facilities/{pk}/remove", {})
    assert removed.status_code == 200 and removed.json()["facilities"] == []
    assert post(client, f"/areas/C1/profile/facilities/{pk}/remove", {}).status_code == 409
    assert post(client, "/areas/C1/profile/facilities/999999/remove", {}).status_code == 404


@pytest.mark.parametrize(("username", "status"), [("district_officer", 403), ("staff2", 404)])
def test_api_edit_refused_by_scope(client, world, username, status):
    client.login(username=username, password=PASSWORD)
    figure = {"kind": "shops", "value": 1, "as_of": "2026-06-30", "source": "摸排"}
    response = post(client, "/areas/C1/profile/figures", figure)
    assert response.status_code == status
    assert response.json()["error"]["code"] == {403: "forbidden", 404: "not_found"}[status]
    assert not AreaFigure.objects.exists()


def test_openapi_documents_the_profile_answers(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"200", "404"} <= set(
        map(str, paths["/api/v1/areas/{code}/profile"]["get"]["responses"])
    )
    answers = paths["/api/v1/areas/{code}/profile/figures"]["post"]["responses"]
    assert {"201", "401", "403", "404", "422"} <= set(map(str, answers))


def test_phone_numbers_typed_into_a_profile_are_masked_in_public(client, world):
    actions.record_figure(
        world.staff,
        world.c1,
        kind=AreaFigure.Kind.SHOPS,
        value=40,
        as_of=JUNE,
        source="网格员小李 13812345678",
    )
    actions.describe_area(world.staff, world.c1, covers="", summary="咨询电话13812345678")
    for page in (text(client.get("/c/C1/")), text(client.get("/places/a/C1/profile/"))):
        assert "13812345678" not in page and "138****5678" in page
    body = json.dumps(client.get("/api/v1/areas/C1/profile").json(), ensure_ascii=False)
    assert "13812345678" not in body and "138****5678" in body


def test_the_workbench_lists_the_profiles_a_staff_member_keeps(client, world):
    population(world, world.staff, 5000, JAN)
    client.force_login(world.staff)
    page = client.get("/workbench/").content.decode()
    assert 'id="area-profiles-panel"' in page and "/places/a/C1/profile/edit/" in page
    client.force_login(world.street_officer)
    page = client.get("/workbench/").content.decode()
    assert "/places/a/S1/profile/edit/" in page and "/places/a/C1/profile/edit/" not in page
    for username in ("district_officer", "grid_worker"):
        client.force_login(getattr(world, username))
        assert 'id="area-profiles-panel"' not in client.get("/workbench/").content.decode()
