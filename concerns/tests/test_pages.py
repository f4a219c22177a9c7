"""The pages: the resident's form, tracking, the staff forms, lists, issue detail, scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from concerns.actions import accept_issue
from concerns.intake.submit import submit_concern
from concerns.models import Concern, Issue
from conftest import PASSWORD

WEB = Concern.Channel.WEB


def png(size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "yellow").save(buffer, "PNG")
    return SimpleUploadedFile("water.png", buffer.getvalue(), content_type="image/png")


def login(client, user):
    client.login(username=user.username, password=PASSWORD)


def form_data(**kw):
    return {"community": "C1", "content": "自来水发黄", "phone": "13800138000"} | kw


def test_resident_form_registers_and_redirects_to_tracking(client, world, places):
    page = client.get(reverse("concerns:submit") + "?community=C1")
    assert page.status_code == 200
    assert "花园小区 3号楼" in page.content.decode()
    data = form_data(building=places["b"][3].pk, address="2单元501", photos=[png(), png()])
    response = client.post(reverse("concerns:submit"), data)
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert response["Location"] == reverse("concerns:track_code", args=[concern.tracking_code])
    assert concern.photos.count() == 2 and concern.grid == world.g1


@pytest.mark.parametrize(
    ("data", "field_id"),
    [
        (form_data(content=""), "field-content"),
        (form_data(content="水" * 20_001), "field-content"),
        (form_data(phone="123"), "field-phone"),
        (form_data(community="NOPE"), "field-community"),
        (form_data(content="<script>alert('x')</script>\x08"), "field-content"),
    ],
)
def test_resident_form_bad_input_is_shown_beside_the_field(client, world, data, field_id):
    response = client.post(reverse("concerns:submit"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="{field_id}"' in html
    section = html.split(f'id="{field_id}"', 1)[1].split('class="field', 1)[0]
    assert "errorlist" in section
    assert "<script>alert" not in html  # shown back escaped
    assert Concern.objects.count() == 0 and Issue.objects.count() == 0


def test_a_file_that_is_not_an_image_is_refused(client, world):
    fake = SimpleUploadedFile("x.png", b"not really a png", content_type="image/png")
    response = client.post(reverse("concerns:submit"), form_data(photos=[fake]))
    assert response.status_code == 400
    assert Concern.objects.count() == 0


def test_a_photo_over_10_mb_is_refused(client, world, monkeypatch):
    from core import uploads

    monkeypatch.setattr(uploads, "MAX_PHOTO_BYTES", 100)  # a 10 MB body would slow the suite
    response = client.post(reverse("concerns:submit"), form_data(photos=[png((64, 64))]))
    assert response.status_code == 400
    assert "10" in response.content.decode()
    assert Concern.objects.count() == 0


def test_anonymous_submits_are_rate_limited_per_phone(client, world, settings):
    settings.CONCERN_SUBMIT_PER_PHONE = 2
    for _ in range(2):
        assert client.post(reverse("concerns:submit"), form_data()).status_code == 302
    response = client.post(reverse("concerns:submit"), form_data())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Concern.objects.count() == 2


def test_tracking_page_shows_status_and_no_personal_data(client, world):
    concern = submit_concern(
        community=world.c1,
        content="路灯坏了",
        phone="13912345678",
        name="王大妈",
        address="3号楼",
        channel=WEB,
    )
    accept_issue(concern.issue, actor=world.staff)
    response = client.get(reverse("concerns:track") + f"?code={concern.tracking_code.lower()}")
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert concern.tracking_code in html and "已受理" in html
    assert "13912345678" not in html and "王大妈" not in html and "3号楼" not in html
    assert client.get(reverse("concerns:track") + "?code=ZZZZZZZZ").status_code == 404
    # The whole story (meetings, action items, rating) is one link away.
    story = reverse("accountability:story_code", args=[concern.tracking_code])
    assert f'href="{story}"' in html
    assert client.get(story).status_code == 200


def test_staff_register_form(client, world, places):
    login(client, world.staff)
    assert client.get(reverse("concerns:register")).status_code == 200
    response = client.post(
        reverse("concerns:register"),
        {
            "community": "C1",
            "channel": "phone",
            "received_at": "2026-11-20T09:30",
            "name": "李先生",
            "phone": "13700000000",
            "building": places["b"][2].pk,
            "content": "楼道里堆满杂物",
            "urgency": "normal",
        },
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.channel == "phone" and concern.created_by == world.staff
    assert concern.received_at.day == 20


def test_patrol_form_for_a_grid_worker(client, world):
    login(client, world.grid_worker)
    assert client.get(reverse("concerns:patrol")).status_code == 200
    response = client.post(reverse("concerns:patrol"), {"content": "绿地围栏倒了"})
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.channel == "patrol" and concern.grid == world.g1


def _many_issues(world, places, n=6):
    for i in range(n):
        submit_concern(
            community=world.c1,
            channel=WEB,
            phone=f"1380000{i:04d}",
            content=[
                "自来水发黄",
                "电动车太快",
                "宠物医院很臭",
                "半夜装修吵",
                "路灯不亮",
                "井盖坏了",
            ][i % 6],
            building=places["b"][1 + i % 3],
        )


def test_board_query_count_is_constant(client, world, places, django_assert_num_queries):
    login(client, world.staff)
    _many_issues(world, places, 3)
    client.get(reverse("concerns:issues"))  # warm caches (content types, session)
    with django_assert_num_queries(7) as small:
        client.get(reverse("concerns:issues") + "?sort=oldest")
    _many_issues(world, places, 6)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("concerns:issues") + "?sort=oldest&channel=web")
    assert response.status_code == 200


def test_queue_query_count_is_constant(client, world, places, django_assert_num_queries):
    login(client, world.grid_worker)
    _many_issues(world, places, 2)
    client.get(reverse("concerns:queue"))
    with django_assert_num_queries(5) as small:
        client.get(reverse("concerns:queue"))
    _many_issues(world, places, 6)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("concerns:queue"))
    assert "电动车太快" in response.content.decode()


def test_board_filters_and_overdue_flag(client, world, places):
    login(client, world.staff)
    _many_issues(world, places, 6)
    Issue.objects.filter(title__contains="井盖").update(accept_due_at="2020-01-01T00:00Z")
    html = client.get(reverse("concerns:issues") + "?overdue=on").content.decode()
    assert "井盖" in html and "电动车太快" not in html and "badge overdue" in html
    html = client.get(reverse("concerns:issues") + "?category=water").content.decode()
    assert "自来水" in html and "路灯" not in html


def test_issue_detail_masks_phones_for_read_only_roles(client, world):
    concern = submit_concern(
        community=world.c1, content="路灯坏了", phone="13912345678", channel=WEB
    )
    url = reverse("concerns:issue", args=[concern.issue_id])
    login(client, world.staff)
    assert "13912345678" in client.get(url).content.decode()
    client.logout()
    login(client, world.district_officer)
    html = client.get(url).content.decode()
    assert "139****5678" in html and "13912345678" not in html


def test_scope_404_and_403(client, world):
    concern = submit_concern(
        community=world.c1, content="路灯坏了", phone="13912345678", channel=WEB
    )
    issue = concern.issue
    detail = reverse("concerns:issue", args=[issue.pk])
    accept = reverse("concerns:issue_action", args=[issue.pk, "accept"])
    login(client, world.staff2)
    assert client.get(detail).status_code == 404
    assert client.post(accept).status_code == 404
    client.logout()
    login(client, world.cppcc)
    assert client.get(detail).status_code == 200
    assert client.post(accept).status_code == 403
    issue.refresh_from_db()
    assert issue.status == Issue.Status.NEW
    assert client.get(accept).status_code == 405


def test_public_section_and_workbench_panel(client, world):
    submit_concern(community=world.c1, content="路灯坏了", phone="13912345678", channel=WEB)
    html = client.get(reverse("yishi:community", args=["C1"])).content.decode()
    assert "13912345678" not in html and "路灯" not in html
    login(client, world.staff)
    html = client.get(reverse("yishi:workbench")).content.decode()
    assert "路灯坏了" in html


def test_administrators_edit_categories_in_the_back_office(client, world):
    client.force_login(world.admin)
    assert client.get("/admin/concerns/category/").status_code == 200
    assert client.get("/admin/concerns/issue/").status_code == 200


def test_staff_triage_through_the_pages(client, world):
    water = submit_concern(
        community=world.c1, content="自来水发黄", phone="13900000001", channel=WEB
    )
    other = submit_concern(
        community=world.c1, content="小区路灯不亮", phone="13900000003", channel=WEB
    )
    # Two matters in one message: it joins one issue and may move to the other.
    lamp = submit_concern(
        community=world.c1, content="自来水发黄，路灯也不亮", phone="13900000002", channel=WEB
    )
    login(client, world.staff)
    issue = water.issue
    assert other.issue_id != issue.pk
    # htmx: the issues the concern could move to, ranked with their similarity.
    partial = client.get(
        reverse("concerns:concern_candidates", args=[lamp.pk]), HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 200 and "相似度" in partial.content.decode()
    act = lambda name, **data: client.post(  # noqa: E731
        reverse("concerns:issue_action", args=[issue.pk, name]), data
    )
    assert act("move", concern=lamp.pk, to=other.issue_id).status_code == 302
    assert Issue.objects.get(pk=other.issue_id).residents_count == 2
    assert act("confirm", concern=water.pk).status_code == 302
    water.refresh_from_db()
    assert water.grouping_confirmed
    response = act("settle", outcome="")
    assert response.status_code == 302  # refused with a message, nothing changed
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.NEW
    act("settle", outcome="物业冲洗了管道")
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SETTLED
    assert client.post(reverse("concerns:issue_action", args=[issue.pk, "nope"])).status_code == 404
