"""Contact cards (居民联系卡): who sees and changes them, what a card shows, print records, and
the resident form they open with the community and compound already chosen."""

import io
import re
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from concerns.cards import CONTACTS_CHANGED, PRINTED
from concerns.models import Concern
from concerns.tests.conftest import fill_contacts
from conftest import PASSWORD
from places.models import Area, Building
from timeline.models import Event


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def contacts(world, places):
    fill_contacts(world)
    return places


def urls(world, places):
    garden = places["garden"].pk
    return {
        "page": reverse("concerns:cards", args=["C1"]),
        "print_all": reverse("concerns:card_print_all", args=["C1"]),
        "print_one": reverse("concerns:card_print", args=["C1", garden]),
        "contacts": reverse("concerns:card_contacts", args=["C1"]),
        "grid": reverse("concerns:grid_contact", args=["C1G1"]),
    }


CONTACTS = {
    "public_phone": "0951-5099999",
    "office_hours": "周一至周六 9:00—17:00",
    "wechat_name": "一号社区服务",
    "wechat_link": "http://weixin.qq.com/r/newQR",
}


# ---- Who may look and who may change


def test_anonymous_is_sent_to_login(client, world, contacts):
    for name, url in urls(world, contacts).items():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        response = client.post(url, CONTACTS)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    assert not Event.objects.filter(verb=PRINTED).exists()


@pytest.mark.parametrize("who", ["staff2", "outsider", "nobody", "org_rep"])
def test_another_communitys_staff_get_404(client, world, contacts, who):
    login(client, world.users[who])
    for name, url in urls(world, contacts).items():
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, CONTACTS | {"grid_phone": "1"}).status_code == 404, name
    index = client.get(reverse("concerns:cards_index"))
    assert "一号社区" not in index.content.decode() and "/C1/" not in index.get("Location", "")
    c1 = Area.objects.get(pk=world.c1.pk)
    assert c1.public_phone == "0951-5012345"
    assert not Event.objects.filter(verb=PRINTED).exists()


@pytest.mark.parametrize("who", ["district_officer", "cppcc", "street_officer"])
def test_read_only_roles_may_look_but_not_change(client, world, contacts, who):
    login(client, world.users[who])
    u = urls(world, contacts)
    page = client.get(u["page"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "0951-5012345" in html and "花园小区" in html and "东苑" in html
    assert 'name="public_phone"' not in html  # no form to fill
    assert client.get(u["print_all"]).status_code == 200
    assert client.post(u["contacts"], CONTACTS).status_code == 403
    assert client.post(u["grid"], {"grid1-grid_phone": "13900000000"}).status_code == 403
    assert client.post(u["print_one"]).status_code == 403
    assert client.post(u["print_all"]).status_code == 403
    assert Area.objects.get(pk=world.c1.pk).public_phone == "0951-5012345"
    assert not Event.objects.filter(verb=PRINTED).exists()


def test_wrong_methods(client, world, contacts):
    login(client, world.secretary)
    u = urls(world, contacts)
    assert client.get(u["contacts"]).status_code == 405
    assert client.get(u["grid"]).status_code == 405
    assert client.put(u["print_one"]).status_code == 405


# ---- Changing what the cards show


def test_staff_change_the_communitys_lines_with_a_timeline_row(client, world, contacts):
    login(client, world.secretary)
    response = client.post(urls(world, contacts)["contacts"], CONTACTS)
    assert response.status_code == 302
    c1 = Area.objects.get(pk=world.c1.pk)
    assert (c1.public_phone, c1.office_hours, c1.wechat_name, c1.wechat_link) == tuple(
        CONTACTS.values()
    )
    event = Event.objects.get(verb=CONTACTS_CHANGED)
    assert event.actor == world.secretary and not event.public
    assert event.data["changed"]["public_phone"] == ["0951-5012345", "0951-5099999"]
    # The card shows the new details at once: it is drawn from the data.
    card = client.get(urls(world, contacts)["print_one"]).content.decode()
    assert "0951-5099999" in card and "0951-5012345" not in card


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("public_phone", "call me maybe"),
        ("public_phone", "12"),
        ("office_hours", "周一至周五\x00"),
        ("wechat_link", "https://evil.example/r/abc"),
        ("wechat_link", "javascript:alert(1)"),
        ("wechat_link", "http://weixin.qq.com.evil.example/r/abc"),
        ("wechat_name", "x" * 51),
    ],
)
def test_hostile_or_wrong_details_are_refused(client, world, contacts, field, value):
    login(client, world.staff)
    response = client.post(urls(world, contacts)["contacts"], CONTACTS | {field: value})
    assert response.status_code == 400
    assert f'id="field-{field}"' in response.content.decode()
    assert "has-error" in response.content.decode()
    assert Area.objects.get(pk=world.c1.pk).public_phone == "0951-5012345"
    assert not Event.objects.filter(verb=CONTACTS_CHANGED).exists()


def test_a_grid_worker_keeps_their_own_grids_line_only(client, world, contacts):
    login(client, world.grid_worker)  # grid g1
    u = urls(world, contacts)
    page = client.get(u["page"]).content.decode()
    assert "花园小区" in page and "东苑" not in page  # only their grid's compounds
    assert f'name="grid{world.g1.pk}-grid_phone"' in page
    assert 'name="public_phone"' not in page
    prefix = f"grid{world.g1.pk}-"
    response = client.post(
        u["grid"], {prefix + "grid_worker": "赵丽", prefix + "grid_phone": "13895019999"}
    )
    assert response.status_code == 302
    g1 = Area.objects.get(pk=world.g1.pk)
    assert (g1.grid_worker, g1.grid_phone) == ("赵丽", "13895019999")
    other_grid = reverse("concerns:grid_contact", args=["C1G2"])
    assert client.post(other_grid, {}).status_code == 404  # not in their scope
    assert client.post(u["contacts"], CONTACTS).status_code == 403
    # Their own compound's card can be printed; the other grid's is not theirs to see.
    assert client.post(u["print_one"]).status_code == 302
    east = reverse("concerns:card_print", args=["C1", contacts["east"].pk])
    assert client.get(east).status_code == 404
    assert client.post(east).status_code == 404


def test_a_volunteer_may_look_at_their_grids_card_but_not_print_it(client, world, contacts):
    login(client, world.volunteer)
    u = urls(world, contacts)
    assert client.get(u["print_one"]).status_code == 200
    assert client.post(u["print_one"]).status_code == 403
    assert client.post(u["grid"], {}).status_code == 403


# ---- What a card shows


def test_a_card_shows_the_channels_the_grids_and_a_qr_code(client, world, contacts, settings):
    settings.SITE_URL = "https://yishi.example.gov.cn/"
    garden = contacts["garden"]
    # One building of 花园小区 lies in the second grid: both grids are on its card.
    Building.objects.filter(pk=contacts["b"][12].pk).update(grid=world.g2)
    login(client, world.staff)
    html = client.get(urls(world, contacts)["print_one"]).content.decode()
    assert "一号社区" in html and "居民联系卡" in html and "花园小区" in html
    assert "有事好商量" in html
    assert "0951-5012345" in html and "周一至周五 8:30—18:00" in html
    assert "赵丽娟" in html and "13895010001" in html
    assert "张建国" in html and "13895010002" in html
    assert "一号社区" in html and "关注社区公众号" in html
    expected = "https://yishi.example.gov.cn/concerns/?" + urlencode(
        {"community": "C1", "compound": garden.pk}
    )
    assert f'data-url="{expected.replace("&", "&amp;")}"' in html
    assert len(re.findall(r'<img src="data:image/svg\+xml', html)) == 2  # form and 公众号
    assert html.count('class="sheet"') == 1
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # no inline script (CSP)


def test_without_a_site_url_the_qr_code_points_at_the_requests_host(client, world, contacts):
    login(client, world.staff)
    html = client.get(urls(world, contacts)["print_one"], HTTP_HOST="testserver").content.decode()
    assert 'data-url="http://testserver/concerns/?community=C1&amp;compound=' in html


def test_the_whole_community_prints_one_sheet_per_compound(client, world, contacts):
    login(client, world.secretary)
    html = client.get(urls(world, contacts)["print_all"]).content.decode()
    assert html.count('class="sheet"') == 2
    assert "二号社区小区" not in html  # another community's compound


def test_no_wechat_line_when_the_community_has_none(client, world, contacts):
    Area.objects.filter(pk=world.c1.pk).update(wechat_name="", wechat_link="")
    login(client, world.staff)
    html = client.get(urls(world, contacts)["print_one"]).content.decode()
    assert "关注社区公众号" not in html
    assert len(re.findall(r'<img src="data:image/svg\+xml', html)) == 1


# ---- Print records


def test_printing_is_recorded_and_listed_on_the_staff_page(client, world, contacts):
    login(client, world.secretary)
    u = urls(world, contacts)
    page = client.get(u["page"]).content.decode()
    assert page.count("未打印") == 2
    response = client.post(u["print_one"])
    assert response.status_code == 302 and response["Location"] == u["print_one"] + "?print=1"
    event = Event.objects.get(verb=PRINTED)
    assert event.subject == contacts["garden"] and event.actor == world.secretary
    assert not event.public
    today = timezone.localdate().isoformat()
    page = client.get(u["page"]).content.decode()
    garden_row = re.search(rf'data-compound="{contacts["garden"].pk}".*?</tr>', page, re.S)
    assert garden_row and f"上次打印： {today} secretary" in garden_row.group(0)
    assert page.count("未打印") == 1
    # The print view opened after the button asks the browser to print (from a static file).
    printed = client.get(u["print_one"] + "?print=1").content.decode()
    assert 'data-autoprint="1"' in printed and "concerns/cards.js" in printed
    # Printing the whole community records every compound; the latest print is shown.
    login(client, world.staff)
    client.post(u["print_all"])
    assert Event.objects.filter(verb=PRINTED).count() == 3
    page = client.get(u["page"]).content.decode()
    assert page.count(f"上次打印： {today} staff") == 2


def test_the_staff_page_costs_the_same_queries_for_more_compounds(
    client, world, contacts, django_assert_max_num_queries
):
    from places.models import Compound

    login(client, world.secretary)
    url = urls(world, contacts)["page"]
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(8):
        Compound.objects.create(name=f"新小区{n}", grid=world.g1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# ---- The resident form the QR code opens


def test_the_form_opens_with_community_and_compound_chosen(client, world, contacts):
    garden = contacts["garden"]
    html = client.get(f"/concerns/?community=C1&compound={garden.pk}").content.decode()
    assert re.search(r'<option value="C1" selected>', html)
    assert re.search(rf'<option value="{garden.pk}" selected>花园小区</option>', html)
    response = client.post(
        "/concerns/",
        {"community": "C1", "compound": garden.pk, "content": "楼道灯坏了", "phone": "13800138000"},
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.compound == garden and concern.grid == world.g1


def test_a_compound_of_another_community_is_not_offered(client, world, contacts):
    other = contacts["other"]
    html = client.get(f"/concerns/?community=C1&compound={other.pk}").content.decode()
    assert (
        "二号社区小区" not in html and " selected>" not in html.split('id="id_compound"')[1][:300]
    )
    response = client.post(
        "/concerns/",
        {"community": "C1", "compound": other.pk, "content": "楼道灯坏了", "phone": "13800138000"},
    )
    assert response.status_code == 400 and not Concern.objects.exists()
    # Junk in the address is ignored, not an error.
    assert client.get("/concerns/?community=C1&compound=abc").status_code == 200


# ---- The 公众号's QR code as a picture


def qr_png(text: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def test_an_uploaded_qr_picture_is_cleaned_printed_and_served_in_scope(client, world, contacts):
    import zxingcpp
    from PIL import Image

    login(client, world.secretary)
    u = urls(world, contacts)
    upload = SimpleUploadedFile(
        "qr.png", qr_png("http://weixin.qq.com/r/uploaded") + b"<script>x</script>", "image/png"
    )
    response = client.post(u["contacts"], CONTACTS | {"wechat_qr": upload})
    assert response.status_code == 302
    c1 = Area.objects.get(pk=world.c1.pk)
    assert c1.wechat_qr.name.startswith("wechat/") and c1.wechat_qr.name.endswith(".png")
    served = reverse("concerns:card_wechat_qr", args=["C1"])
    card = client.get(u["print_one"]).content.decode()
    assert f'<img src="{served}"' in card  # the picture, not the code drawn from the link
    picture = client.get(served)
    assert picture["Content-Type"] == "image/png"
    data = b"".join(picture.streaming_content)
    assert b"<script>" not in data  # re-encoded by the shared cleaner
    texts = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))]
    assert texts == ["http://weixin.qq.com/r/uploaded"]
    # Another community's staff and strangers do not get it.
    client.logout()
    assert client.get(served).status_code == 302
    login(client, world.staff2)
    assert client.get(served).status_code == 404
    # Removing it brings back the code drawn from the link.
    login(client, world.staff)
    client.post(u["contacts"], CONTACTS | {"remove_wechat_qr": "on"})
    assert not Area.objects.get(pk=world.c1.pk).wechat_qr
    assert client.get(served).status_code == 404
    card = client.get(u["print_one"]).content.decode()
    assert len(re.findall(r'<img src="data:image/svg\+xml', card)) == 2


def test_a_file_that_is_not_a_picture_is_refused(client, world, contacts):
    login(client, world.secretary)
    upload = SimpleUploadedFile("qr.png", b"<html><script>alert(1)</script>", "image/png")
    response = client.post(urls(world, contacts)["contacts"], CONTACTS | {"wechat_qr": upload})
    assert response.status_code == 400
    assert 'id="field-wechat_qr"' in response.content.decode()
    assert not Area.objects.get(pk=world.c1.pk).wechat_qr


def test_remove_the_picture_is_offered_only_when_there_is_one(client, world, contacts):
    login(client, world.secretary)
    assert (
        'name="remove_wechat_qr"' not in client.get(urls(world, contacts)["page"]).content.decode()
    )
    Area.objects.filter(pk=world.c1.pk).update(wechat_qr="wechat/x.png")
    assert 'name="remove_wechat_qr"' in client.get(urls(world, contacts)["page"]).content.decode()
