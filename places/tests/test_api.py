import pytest

from places.models import Building, Compound

pytestmark = pytest.mark.django_db


@pytest.fixture
def compounds(world):
    one = Compound.objects.create(name="一号院", grid=world.g1, address="一号路")
    Building.objects.create(compound=one, name="1号楼")
    Building.objects.create(compound=one, name="2号楼", grid=world.g2)
    three = Compound.objects.create(name="三号院", grid=world.g3)
    Building.objects.create(compound=three, name="1号楼")
    return one, three


def test_compounds_within_an_area(client, compounds):
    items = client.get("/api/v1/compounds?area=C1").json()["items"]
    assert items == [
        {
            "id": compounds[0].id,
            "name": "一号院",
            "address": "一号路",
            "grid": "C1G1",
            "community": "C1",
        }
    ]
    assert client.get("/api/v1/compounds?area=S1").json()["count"] == 2
    assert client.get("/api/v1/compounds?q=三号").json()["items"][0]["community"] == "C2"
    assert client.get("/api/v1/compounds?area=nowhere").json()["count"] == 0


def test_buildings_carry_their_own_grid(client, compounds, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        items = client.get(f"/api/v1/buildings?compound={compounds[0].id}").json()["items"]
    assert [(b["name"], b["grid"]) for b in items] == [("1号楼", "C1G1"), ("2号楼", "C1G2")]
    assert client.get("/api/v1/buildings?area=C2").json()["count"] == 1


def test_error_answers_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json()
    assert "Error" in document["components"]["schemas"]
    me = document["paths"]["/api/v1/me"]["get"]["responses"]
    assert {"200", "401", "403", "422"} <= set(me)
    areas = document["paths"]["/api/v1/areas"]["get"]["responses"]
    assert areas["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error422"
    }
    assert "/api/v1/compounds" in document["paths"]


def test_buildings_in_natural_order(client, world):
    compound = Compound.objects.create(name="院", grid=world.g1)
    for name in ("10号楼", "2号楼", "1号楼"):
        Building.objects.create(compound=compound, name=name)
    items = client.get(f"/api/v1/buildings?compound={compound.id}").json()["items"]
    assert [b["name"] for b in items] == ["1号楼", "2号楼", "10号楼"]
