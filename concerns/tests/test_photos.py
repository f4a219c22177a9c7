"""Residents' and site-visit photos: stored re-encoded, seen by staff in scope on the issue
page, served as images, published (and taken back) by those who handle the issue."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from PIL import Image

from concerns import actions
from concerns.intake import submit as intake
from concerns.models import Concern, Photo
from conftest import PASSWORD
from timeline.models import Event


def png(colour: str = "yellow", name: str = "water.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def login(client, user) -> None:
    client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def concern(world, places) -> Concern:
    return intake.submit_concern(
        community=world.c1,
        content="家里自来水发黄，没法用",
        channel=Concern.Channel.WEB,
        phone="13800138000",
        building=places["b"][3],  # grid g1
        photos=[png()],
    )


@pytest.fixture
def photo(concern) -> Photo:
    return concern.photos.get()


def test_a_residents_photo_is_stored_re_encoded_under_a_random_name(photo):
    assert photo.image.name.startswith("photos/")
    assert photo.image.name.endswith(".png") and "water" not in photo.image.name
    assert photo.published is False
    assert photo.get_absolute_url() == f"/concerns/photos/{photo.pk}/{photo.file_name}"


@pytest.mark.parametrize("who", ["grid_worker", "staff", "street_officer", "district_officer"])
def test_staff_whose_scope_covers_the_issue_see_the_photo(client, world, photo, who):
    login(client, getattr(world, who))
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize("who", [None, "grid_worker2", "staff2", "outsider", "nobody"])
def test_an_unpublished_photo_is_404_outside_the_scope(client, world, photo, who):
    if who:
        login(client, getattr(world, who))
    assert client.get(photo.get_absolute_url()).status_code == 404


def test_the_id_alone_does_not_find_a_photo(client, world, photo):
    login(client, world.staff)
    wrong = reverse("concerns:photo", args=[photo.pk, "aaaaaaaaaaaaaaaaaaaaaaaa.png"])
    assert client.get(wrong).status_code == 404
    assert (
        client.get(reverse("concerns:photo", args=[photo.pk + 1, photo.file_name])).status_code
        == 404
    )


def test_media_are_not_served_from_a_folder(client, world, photo):
    login(client, world.staff)
    assert client.get("/media/" + photo.image.name).status_code == 404


def test_the_grid_worker_sees_the_photo_on_the_issue_page(client, world, concern, photo):
    login(client, world.grid_worker)
    html = client.get(reverse("concerns:issue", args=[concern.issue_id])).content.decode()
    assert f'src="{photo.get_absolute_url()}"' in html
    assert f'href="{photo.get_absolute_url()}"' in html
    assert "/media/" not in html
    assert reverse("concerns:issue_action", args=[concern.issue_id, "publish_photo"]) in html


def test_a_read_only_officer_sees_the_photo_but_no_publish_button(client, world, concern, photo):
    login(client, world.district_officer)
    html = client.get(reverse("concerns:issue", args=[concern.issue_id])).content.decode()
    assert photo.get_absolute_url() in html
    assert "publish_photo" not in html


def test_publishing_makes_the_photo_public_and_taking_it_back_private(
    client, world, concern, photo
):
    login(client, world.grid_worker)
    url = reverse("concerns:issue_action", args=[concern.issue_id, "publish_photo"])
    assert client.post(url, {"photo": photo.pk}).status_code == 302
    photo.refresh_from_db()
    assert photo.published
    event = Event.objects.get(verb="issue.photo_published")
    assert event.subject == concern.issue and event.actor == world.grid_worker
    assert event.public is False and event.data["photo"] == photo.pk

    client.logout()
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"].startswith("public")

    login(client, world.staff)
    url = reverse("concerns:issue_action", args=[concern.issue_id, "unpublish_photo"])
    assert client.post(url, {"photo": photo.pk}).status_code == 302
    photo.refresh_from_db()
    assert not photo.published
    assert Event.objects.filter(verb="issue.photo_unpublished").count() == 1
    client.logout()
    assert client.get(photo.get_absolute_url()).status_code == 404


def test_publishing_twice_records_one_row(world, photo):
    actions.publish_photo(photo, actor=world.staff)
    actions.publish_photo(photo, actor=world.staff)
    assert Event.objects.filter(verb="issue.photo_published").count() == 1


def test_a_read_only_officer_may_not_publish(client, world, concern, photo):
    login(client, world.district_officer)
    url = reverse("concerns:issue_action", args=[concern.issue_id, "publish_photo"])
    assert client.post(url, {"photo": photo.pk}).status_code == 403
    photo.refresh_from_db()
    assert not photo.published


def test_publishing_outside_the_scope_is_404(client, world, concern, photo):
    login(client, world.staff2)
    url = reverse("concerns:issue_action", args=[concern.issue_id, "publish_photo"])
    assert client.post(url, {"photo": photo.pk}).status_code == 404
    with pytest.raises(Http404):
        actions.publish_photo(photo, actor=world.staff2)


def test_a_photo_of_another_issue_cannot_be_published_through_this_one(
    client, world, places, photo
):
    other = intake.submit_concern(
        community=world.c1,
        content="电梯坏了三天",
        channel=Concern.Channel.WEB,
        phone="13900139000",
        building=places["b"][5],
    )
    login(client, world.staff)
    url = reverse("concerns:issue_action", args=[other.issue_id, "publish_photo"])
    assert other.issue_id != photo.concern.issue_id
    client.post(url, {"photo": photo.pk})
    photo.refresh_from_db()
    assert not photo.published


def test_site_visit_photos_are_shown_and_served_the_same_way(client, world, concern):
    login(client, world.grid_worker)
    url = reverse("concerns:issue_action", args=[concern.issue_id, "visit"])
    response = client.post(
        url, {"notes": "现场查看，水确实发黄", "photos": [png("brown", "v.webp")]}
    )
    assert response.status_code == 302
    visit = Photo.objects.get(issue=concern.issue)
    assert visit.image.name.endswith(".png")
    html = client.get(reverse("concerns:issue", args=[concern.issue_id])).content.decode()
    assert visit.get_absolute_url() in html
    assert client.get(visit.get_absolute_url())["Content-Type"] == "image/png"
    client.logout()
    assert client.get(visit.get_absolute_url()).status_code == 404


def test_a_site_visit_with_a_file_that_is_not_a_photo_changes_nothing(client, world, concern):
    login(client, world.grid_worker)
    url = reverse("concerns:issue_action", args=[concern.issue_id, "visit"])
    fake = SimpleUploadedFile("v.png", b"<svg onload=alert(1)>", content_type="image/png")
    client.post(url, {"notes": "现场查看", "photos": [fake]}, follow=True)
    assert not Photo.objects.filter(issue=concern.issue).exists()
    assert not Event.objects.filter(verb="issue.site_visit").exists()


def test_the_issue_page_query_count_does_not_grow_with_photos(
    client, world, places, concern, django_assert_num_queries, django_assert_max_num_queries
):
    login(client, world.staff)
    url = reverse("concerns:issue", args=[concern.issue_id])
    client.get(url)
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    for n in range(3):
        intake.submit_concern(
            community=world.c1,
            content="家里自来水发黄，没法用",
            channel=Concern.Channel.WEB,
            phone=f"1380013801{n}",
            building=places["b"][3],
            photos=[png(), png()],
        )
    assert Photo.objects.filter(concern__issue=concern.issue).count() == 7
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


# ---- API


def api(client, method: str, path: str, user=None):
    from accounts.models import ApiToken

    headers = {}
    if user is not None:
        _token, key = ApiToken.issue(user, "test")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return getattr(client, method)(f"/api/v1{path}", **headers)


def test_the_api_lists_an_issues_photos_for_staff_in_scope(client, world, concern, photo):
    response = api(client, "get", f"/issues/{concern.issue_id}/photos", world.grid_worker)
    assert response.status_code == 200
    [row] = response.json()["items"]
    assert row["id"] == photo.pk and row["concern"] == concern.pk
    assert row["url"] == photo.get_absolute_url() and row["published"] is False
    assert api(client, "get", f"/issues/{concern.issue_id}/photos", world.staff2).status_code == 404
    assert api(client, "get", f"/issues/{concern.issue_id}/photos").status_code == 401


def test_the_api_publishes_and_takes_back_a_photo(client, world, concern, photo):
    base = f"/issues/{concern.issue_id}/photos/{photo.pk}"
    assert api(client, "post", f"{base}/publish", world.district_officer).status_code == 403
    assert api(client, "post", f"{base}/publish", world.staff2).status_code == 404
    response = api(client, "post", f"{base}/publish", world.staff)
    assert response.status_code == 200 and response.json()["published"] is True
    assert client.get(photo.get_absolute_url()).status_code == 200  # anonymous
    response = api(client, "post", f"{base}/unpublish", world.staff)
    assert response.json()["published"] is False
    assert client.get(photo.get_absolute_url()).status_code == 404
    other = f"/issues/{concern.issue_id}/photos/{photo.pk + 99}/publish"
    assert api(client, "post", other, world.staff).status_code == 404


def test_the_tracking_page_shows_a_photo_once_staff_publish_it(client, world, concern, photo):
    page = reverse("concerns:track_code", args=[concern.tracking_code])
    assert photo.get_absolute_url() not in client.get(page).content.decode()
    actions.publish_photo(photo, actor=world.staff)
    html = client.get(page).content.decode()
    assert 'data-testid="public-photos"' in html
    assert photo.get_absolute_url() in html
    assert client.get(photo.get_absolute_url()).status_code == 200
