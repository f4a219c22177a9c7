"""The back office lists and opens action items, their progress and residents' ratings, shows
residents only masked, and changes nothing (the actions own every change)."""

import pytest
from django.contrib.auth.models import Permission

from accountability import actions
from accountability.models import ActionItem, Evaluation, ProgressUpdate
from accountability.tests.conftest import codes_of

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


@pytest.fixture
def rated(issue, done_item):
    concern = issue.concerns.order_by("id").first()
    concern.resident_key = f"tel:{PHONE}"
    concern.save(update_fields=["resident_key"])
    code = codes_of(issue)[0]
    actions.rate_item(done_item, tracking_code=code, rating="satisfied", comment="水清了")
    return Evaluation.objects.get()


def pages(item: ActionItem, evaluation: Evaluation) -> list[str]:
    update = ProgressUpdate.objects.filter(action_item=item).first()
    assert update is not None
    return [
        "/admin/accountability/actionitem/",
        f"/admin/accountability/actionitem/{item.pk}/change/",
        "/admin/accountability/progressupdate/",
        f"/admin/accountability/progressupdate/{update.pk}/change/",
        "/admin/accountability/evaluation/",
        f"/admin/accountability/evaluation/{evaluation.pk}/change/",
    ]


def test_an_administrator_lists_and_opens_them(client, world, done_item, rated):
    client.force_login(world.admin)
    for url in pages(done_item, rated):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert PHONE not in text, url
        assert rated.concern.tracking_code not in text, url
    listing = client.get("/admin/accountability/actionitem/?q=冲洗&status=done").content.decode()
    assert done_item.title in listing
    ratings = client.get("/admin/accountability/evaluation/").content.decode()
    assert "139****5678" in ratings


def test_the_status_cannot_be_changed_here(client, world, done_item):
    client.force_login(world.admin)
    url = f"/admin/accountability/actionitem/{done_item.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="status"' not in page and 'name="_save"' not in page
    response = client.post(url, {"status": "closed", "title": "改名"})
    assert response.status_code == 403
    done_item.refresh_from_db()
    assert done_item.status == ActionItem.Status.DONE and done_item.title == "冲洗管道和水箱"
    assert client.get("/admin/accountability/actionitem/add/").status_code == 403
    delete = f"/admin/accountability/actionitem/{done_item.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ActionItem.objects.filter(pk=done_item.pk).exists()


def test_others_do_not_get_in(client, world, done_item, rated):
    client.force_login(world.staff)  # community staff: an account, not the back office
    for url in pages(done_item, rated):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    world.staff.is_staff = True  # let into the admin, without the permission to view these
    world.staff.save(update_fields=["is_staff"])
    world.staff.user_permissions.set(Permission.objects.filter(codename="view_evaluationrule"))
    for url in pages(done_item, rated):
        assert client.get(url).status_code == 403, url
