"""The pages: staff list and item page, forms, the public board, the community section."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability import actions
from accountability.models import ActionItem, ProgressUpdate
from accountability.tests.conftest import codes_of, publish
from concerns.tests.conftest import make_issue
from conftest import PASSWORD


def many_items(world, water_company, n):
    items = []
    for k in range(n):
        issue = make_issue(world.c1, f"问题{k}", residents=2)
        items.append(
            actions.publish_action_item(
                actor=world.staff,
                community=world.c1,
                title=f"事项{k}",
                deadline=timezone.localdate() + timedelta(days=k),
                owner_organisation=water_company,
                issues=[issue],
            )
        )
    return items


def test_board_is_public_without_personal_data_and_keeps_closed_items(
    world, client, done_item, issue, water_company
):
    actions.verify_item(done_item, actor=world.staff)
    actions.close_item(done_item, actor=world.staff)
    done_item.refresh_from_db()
    other = make_issue(world.c1, "路灯不亮", residents=2)
    publish(world, water_company, title="修复路灯", issues=[other], days=3)
    response = client.get(reverse("accountability:board", args=[world.c1.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "修复路灯" in html and "冲洗管道和水箱" in html
    assert water_company.name in html
    assert (
        done_item.closed_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in html
    )
    for concern in issue.concerns.all():
        assert concern.phone not in html
        assert concern.reporter_name not in html
        assert concern.tracking_code not in html
    assert "water_rep" not in html  # no staff names either
    assert client.get(reverse("accountability:board", args=[world.g1.code])).status_code == 404


def test_board_query_count_does_not_grow_with_items(
    world, client, water_company, django_assert_num_queries
):
    many_items(world, water_company, 3)
    url = reverse("accountability:board", args=[world.c1.code])
    with django_assert_num_queries(2) as small:  # the community, its items
        client.get(url)
    many_items(world, water_company, 12)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("board-item") == 15


def test_staff_list_query_count_and_scope(world, client, water_company, django_assert_num_queries):
    many_items(world, water_company, 3)
    client.force_login(world.staff)
    url = reverse("accountability:items")
    client.get(url)
    with django_assert_num_queries(8) as small:  # session, user, roles, items, resolutions,
        # issues, communities, evaluation rule
        client.get(url)
    many_items(world, water_company, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url + "?status=all")
    assert response.content.decode().count("/accountability/") >= 13
    client.force_login(world.staff2)
    assert "事项0" not in client.get(url + "?status=all").content.decode()


def test_community_page_shows_the_board_summary_from_the_home_page(world, client, item):
    home = client.get(reverse("yishi:home")).content.decode()
    community_url = reverse("yishi:community", args=[world.c1.code])
    assert community_url in home
    page = client.get(community_url).content.decode()
    board_url = reverse("accountability:board", args=[world.c1.code])
    assert board_url in page
    assert item.title in page


@pytest.mark.parametrize(
    "who, status",
    [
        ("staff", 200),
        ("water_rep", 200),
        ("district_officer", 200),
        ("staff2", 404),
        ("org_rep", 404),
    ],
)
def test_item_page_visibility(world, client, item, water_rep, who, status):
    user = water_rep if who == "water_rep" else getattr(world, who)
    client.force_login(user)
    assert client.get(reverse("accountability:item", args=[item.pk])).status_code == status


def test_anonymous_is_sent_to_login(client, item):
    response = client.get(reverse("accountability:item", args=[item.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_owner_reports_progress_through_the_form(world, client, item, water_rep):
    client.force_login(water_rep)
    page = client.get(reverse("accountability:item", args=[item.pk])).content.decode()
    assert 'id="progress-form"' in page
    url = reverse("accountability:progress", args=[item.pk])
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.get(url).status_code == 405
    response = client.post(url, {"text": "开始冲洗"})
    assert response.status_code == 302
    assert ProgressUpdate.objects.filter(action_item=item).count() == 1
    # Community staff see the item but may not report for the owner.
    client.force_login(world.staff)
    page = client.get(reverse("accountability:item", args=[item.pk])).content.decode()
    assert 'id="progress-form"' not in page
    assert client.post(url, {"text": "代报"}).status_code == 403
    assert ProgressUpdate.objects.filter(action_item=item).count() == 1


def test_verify_close_and_reopen_through_the_pages(world, client, done_item):
    client.force_login(world.staff)
    close = reverse("accountability:close", args=[done_item.pk])
    response = client.post(close)
    assert response.status_code == 409  # not verified: shown on the page
    assert "msg-error" in response.content.decode()
    assert client.post(reverse("accountability:verify", args=[done_item.pk])).status_code == 302
    assert client.post(close, {"note": "销号"}).status_code == 302
    done_item.refresh_from_db()
    assert done_item.status == ActionItem.Status.CLOSED
    reopen = reverse("accountability:reopen", args=[done_item.pk])
    assert client.post(reopen, {"note": ""}).status_code == 400
    client.force_login(world.district_officer)
    assert client.post(reopen, {"note": "复查"}).status_code == 403
    client.force_login(world.staff)
    assert client.post(reopen, {"note": "复查仍有问题"}).status_code == 302
    done_item.refresh_from_db()
    assert done_item.status == ActionItem.Status.REOPENED


def test_listing_page_from_an_issue(world, client, issue, water_company):
    client.force_login(world.staff)
    url = reverse("accountability:publish_item") + f"?issue={issue.pk}"
    page = client.get(reverse("accountability:items")).content.decode()
    assert page.index(f'<option value="{issue.pk}">') > page.index("<main")
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "title": "冲洗",
        "owner_organisation": water_company.pk,
        "deadline": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "idempotency_key": "abc",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert not ActionItem.objects.exists()
    data["deadline"] = (timezone.localdate() + timedelta(days=7)).isoformat()
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double submit lists once
    assert ActionItem.objects.count() == 1
    client.force_login(world.staff2)
    assert client.get(url).status_code == 404
    client.force_login(world.district_officer)
    assert client.get(url).status_code == 403


def test_story_lookup_and_wrong_code(client, item, issue):
    assert client.get(reverse("accountability:story_lookup")).status_code == 200
    code = codes_of(issue)[0]
    response = client.get(reverse("accountability:story_lookup") + f"?code={code.lower()}")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    wrong = client.get(reverse("accountability:story_code", args=["ZZZZ0000"]))
    assert wrong.status_code == 404


def test_rating_a_not_done_item_by_post_is_refused(client, item, issue):
    code = codes_of(issue)[0]
    response = client.post(
        reverse("accountability:story_code", args=[code]), {"item": item.pk, "rating": "satisfied"}
    )
    assert response.status_code == 400
    assert not item.evaluations.exists()


def test_workbench_panels(world, client, item, water_rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.report_progress(item, actor=water_rep, text="开始冲洗")
    client.login(username="water_rep", password=PASSWORD)
    page = client.get(reverse("yishi:workbench")).content.decode()
    assert 'id="accountability-panel"' in page and item.title in page
    client.force_login(world.staff)
    page = client.get(reverse("yishi:workbench")).content.decode()
    assert 'id="notifications-panel"' in page
    assert "开始冲洗" in page or item.title in page


def test_resolutions_waiting_to_be_listed_and_listing_one(world, client, issue, water_company):
    from accountability.tests.conftest import hold_consultation

    resolution = hold_consultation(world.staff, world.c1, issue, parties=[water_company])
    client.force_login(world.staff)
    page = client.get(reverse("accountability:items")).content.decode()
    link = reverse("accountability:publish_item") + f"?resolution={resolution.pk}"
    assert page.index(link) > page.index("<main")
    form = client.get(link)
    assert form.status_code == 200
    assert resolution.text in form.content.decode()
    response = client.post(
        link,
        {
            "title": resolution.text,
            "owner_organisation": water_company.pk,
            "deadline": resolution.target_date.isoformat(),
            "community": world.c1.code,
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert item.resolution == resolution and list(item.issues.all()) == [issue]
    assert link not in client.get(reverse("accountability:items")).content.decode()
    # Another community's staff cannot publish it for their own community.
    client.force_login(world.staff2)
    assert link not in client.get(reverse("accountability:items")).content.decode()


def test_a_resolution_of_another_area_cannot_be_listed(world, issue, water_company):
    from accountability.tests.conftest import hold_consultation
    from core.errors import ActionError

    resolution = hold_consultation(world.staff, world.c1, issue, parties=[water_company])
    with pytest.raises(ActionError) as error:
        publish(
            world,
            water_company,
            actor=world.staff2,
            community=world.c2,
            title="借用",
            resolution=resolution,
            days=3,
        )
    assert error.value.field == "resolution"
    assert not ActionItem.objects.exists()


def test_story_page_query_count_does_not_grow(
    world, client, issue, water_company, water_rep, django_assert_max_num_queries
):
    code = codes_of(issue)[0]
    url = reverse("accountability:story_code", args=[code])

    def add_item(n):
        item = publish(world, water_company, title=f"事项{n}", issues=[issue], days=3)
        actions.report_progress(item, actor=water_rep, text="进展")
        actions.mark_done(item, actor=water_rep)
        return item

    add_item(0)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(1, 6):
        item = add_item(n)
        actions.rate_item(item, tracking_code=codes_of(issue)[1], rating="satisfied")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('name="item"') == 6


def test_board_pages_long_lists(world, client, water_company, settings):
    from accountability import views

    many_items(world, water_company, 3)
    original = views.BOARD_PAGE
    views.BOARD_PAGE = 2
    try:
        url = reverse("accountability:board", args=[world.c1.code])
        first = client.get(url).content.decode()
        second = client.get(url + "?page=2").content.decode()
    finally:
        views.BOARD_PAGE = original
    assert "事项0" in first and "事项1" in first and "事项2" not in first
    assert "事项2" in second and "?page=1" in second


def test_story_url_template_tag(item, issue):
    from django.template import Context, Template

    html = Template(
        "{% load accountability %}{% story_url a %}|{% story_url b %}|{% story_url c %}"
    )
    rendered = html.render(Context({"a": item, "b": issue, "c": "nothing"}))
    assert rendered == (
        f"{reverse('accountability:story_public', args=[item.story_token])}|"
        f"{reverse('accountability:story_public', args=[issue.story_token])}|"
    )
    assert str(item.pk) not in rendered.split("/")


def test_community_sets_its_evaluation_rule(world, client):
    from accountability.models import EvaluationRule
    from timeline.models import Event

    url = reverse("accountability:rule", args=[world.c1.code])
    client.force_login(world.staff)
    page = client.get(reverse("accountability:items")).content.decode()
    assert page.index("reopen_above_percent") > page.index("<main")
    client.post(url, {"reopen_above_percent": "abc"})
    client.post(url, {"reopen_above_percent": "100"})
    assert not EvaluationRule.objects.exists()
    assert client.post(url, {"reopen_above_percent": "30"}).status_code == 302
    assert EvaluationRule.percent_for(world.c1) == 30
    assert Event.objects.filter(verb="evaluation_rule.set", public=False).count() == 1
    client.force_login(world.district_officer)
    assert client.post(url, {"reopen_above_percent": "10"}).status_code == 403
    client.force_login(world.staff2)
    assert client.post(url, {"reopen_above_percent": "10"}).status_code == 404
    assert EvaluationRule.percent_for(world.c1) == 30


def test_an_item_reported_done_stays_among_the_items_not_yet_closed(
    world, client, done_item, water_rep
):
    """未销号 means not closed: the owner who reported it done and the community that still has
    to verify it both find it in the default list and in the workbench count; closed, it
    leaves them."""
    for user in (water_rep, world.staff):
        client.force_login(user)
        html = client.get(reverse("accountability:items")).content.decode()
        assert done_item.title in html, user
        workbench = client.get("/workbench/").content.decode()
        assert "1 项未销号" in workbench, user
    actions.verify_item(done_item, actor=world.staff)
    actions.close_item(done_item, actor=world.staff)
    html = client.get(reverse("accountability:items")).content.decode()
    assert done_item.title not in html
    assert "0 项未销号" in client.get("/workbench/").content.decode()
