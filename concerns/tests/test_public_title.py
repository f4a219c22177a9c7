"""Public titles: neutral from the place and category until staff set or confirm one; the
working title (the first resident's words) stays on staff pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from concerns.actions import (
    accept_issue,
    record_site_visit,
    set_public_title,
    settle_issue,
    split_issue,
)
from concerns.intake.submit import submit_concern
from concerns.models import Concern, Issue
from conftest import PASSWORD
from core.errors import ActionError
from timeline.models import Event

pytestmark = pytest.mark.django_db

RAW = "我是张伟，住花园小区3号楼2单元501室，电话13812345678，家里自来水发黄"


def submit(world, content=RAW, phone="13812345678", **kw):
    kw.setdefault("channel", Concern.Channel.WEB)
    return submit_concern(community=world.c1, content=content, phone=phone, **kw)


def test_a_new_issue_gets_a_neutral_public_title(world, places):
    issue = submit(world, building=places["b"][3]).issue
    # The working title, for staff: the place and the problem, no name and no number.
    assert issue.title == "花园小区3号楼2单元501室：家里自来水发黄"
    assert issue.public_title == "花园小区 · 供水"
    assert not issue.public_title_confirmed
    assert issue.title_for_public == "花园小区 · 供水"


def test_without_a_place_or_category_the_community_names_it(world):
    issue = submit(world, content="说不清是什么事情，麻烦来看看").issue
    assert issue.category is None
    assert issue.public_title == "一号社区 · 居民反映事项"


def test_a_split_issue_gets_its_own_neutral_title(world, places):
    first = submit(world, building=places["b"][3])
    second = submit(
        world, content="花园小区自来水发黄好几天了", phone="13900001111", compound=places["east"]
    )
    assert second.issue_id == first.issue_id
    new = split_issue(first.issue, concern_ids=[second.pk], actor=world.staff)
    assert new.public_title == "东苑 · 供水"
    assert "张伟" not in new.public_title


def test_staff_set_the_public_title_with_a_timeline_row(world):
    issue = submit(world).issue
    set_public_title(issue, title="花园小区3号楼自来水发黄", actor=world.staff)
    issue.refresh_from_db()
    assert issue.public_title == "花园小区3号楼自来水发黄"
    assert issue.public_title_confirmed and not issue.story_published
    event = Event.objects.get(verb="issue.public_title_set", subject_id=issue.pk)
    assert event.public and event.note == "花园小区3号楼自来水发黄"
    set_public_title(issue, title=issue.public_title, actor=world.staff, publish=True)
    issue.refresh_from_db()
    assert issue.story_published
    set_public_title(issue, title=issue.public_title, actor=world.staff, publish=False)
    issue.refresh_from_db()
    assert not issue.story_published


@pytest.mark.parametrize("title", ["3单元501室漏水", "联系13812345678", ""])
def test_a_public_title_names_no_phone_or_room(world, title):
    issue = submit(world).issue
    with pytest.raises(ActionError):
        set_public_title(issue, title=title, actor=world.staff)
    issue.refresh_from_db()
    assert not issue.public_title_confirmed


@pytest.mark.parametrize("user", ["outsider", "staff2", "district_officer", "org_rep"])
def test_only_staff_who_handle_or_triage_set_it(world, user):
    issue = submit(world).issue
    with pytest.raises((PermissionDenied, Http404)):
        set_public_title(issue, title="花园小区 · 供水", actor=getattr(world, user))


def test_the_issue_page_has_the_form_and_marks_what_residents_read(client, world):
    issue = submit(world).issue
    accept_issue(issue, actor=world.staff, note="其妻称遭家暴")
    client.login(username="staff", password=PASSWORD)
    page = client.get(reverse("concerns:issue", args=[issue.pk])).content.decode()
    assert 'name="public_title"' in page and "居民可见" in page
    assert "内部备注" in page  # beside the accept note, and on the accept form
    response = client.post(
        reverse("concerns:issue_action", args=[issue.pk, "public_title"]),
        {"public_title": "花园小区 · 自来水发黄", "publish": "1", "publish_shown": "1"},
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.public_title == "花园小区 · 自来水发黄" and issue.story_published


def test_the_api_sets_the_public_title(client, world):
    issue = submit(world).issue
    client.login(username="staff", password=PASSWORD)
    url = f"/api/v1/issues/{issue.pk}/public-title"
    response = client.post(url, {"title": "花园小区 · 供水问题"}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["public_title"] == "花园小区 · 供水问题" and body["public_title_confirmed"]
    bad = client.post(url, {"title": "501室漏水"}, content_type="application/json")
    assert bad.status_code == 400


def test_another_residents_words_never_reach_the_tracking_page(client, world):
    first = submit(world)
    second = submit(world, content="自来水发黄，已经三天了", phone="13900001111")
    assert second.issue_id == first.issue_id
    accept_issue(first.issue, actor=world.staff, note="其妻称遭家暴，电话13700001111")
    issue = Issue.objects.get(pk=first.issue_id)
    record_site_visit(issue, actor=world.staff, notes="到3号楼2单元501室查看")
    settle_issue(issue, actor=world.staff, outcome="已冲洗管道，有问题请打13700002222")
    page = client.get(reverse("concerns:track_code", args=[second.tracking_code])).content.decode()
    api = client.get(f"/api/v1/concerns/{second.tracking_code}").json()
    for text in (page, str(api)):
        for secret in ("张伟", "13812345678", "单元501", "其妻", "13700001111", "13700002222"):
            assert secret not in text
    assert "已冲洗管道" in page and "137****2222" in page
    assert api["title"] == issue.title_for_public
    assert [e["note"] for e in api["timeline"] if e["note"]] == [
        "已冲洗管道，有问题请打137****2222"
    ]


def test_the_submit_answer_gives_the_public_title(client, world):
    first = submit(world)
    response = client.post(
        "/api/v1/concerns",
        {"community": "C1", "content": "自来水发黄，已经三天了", "phone": "13900001111"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["issue"]["id"] == first.issue_id
    assert body["issue"]["title"] == first.issue.title_for_public
    assert "张伟" not in str(body)


def test_renaming_the_working_title_is_internal(world):
    from concerns.actions import retitle_issue

    issue = submit(world).issue
    retitle_issue(issue, title="张伟家自来水发黄", actor=world.staff)
    event = Event.objects.get(verb="issue.retitled", subject_id=issue.pk)
    assert not event.public
    issue.refresh_from_db()
    assert issue.title_for_public == "一号社区 · 供水"


def test_the_neutral_title_is_stored_in_the_sites_language(world):
    from django.utils import translation

    with translation.override("en"):
        issue = submit(world, content="说不清是什么事情，麻烦来看看").issue
    assert issue.public_title == "一号社区 · 居民反映事项"
