"""Story pages: reachable by an unguessable address, only for public matters; by id only for
staff who may see the object."""

import pytest
from django.urls import reverse

from accountability.story import is_public_matter
from concerns.actions import set_public_title
from concerns.tests.conftest import make_issue
from consultations import actions as consult
from timeline.services import record

pytestmark = pytest.mark.django_db

INTERNAL = "其妻称遭家暴，丈夫电话13812345678"


def story(client, obj):
    return client.get(reverse("accountability:story_public", args=[obj.story_token]))


def test_every_issue_and_item_has_its_own_random_token(world, item, issue):
    other = make_issue(world.c1, "路灯不亮")
    tokens = {issue.story_token, other.story_token, item.story_token}
    assert len(tokens) == 3 and all(len(t) >= 20 for t in tokens)
    assert str(issue.pk) != issue.story_token


def test_a_matter_that_is_not_public_is_a_404_to_the_public(client, world, issue):
    assert not is_public_matter(issue)
    assert story(client, issue).status_code == 404
    client.force_login(world.outsider)
    assert story(client, issue).status_code == 404
    # Staff of its community may preview what the public would see, and are told so.
    client.force_login(world.staff)
    response = story(client, issue)
    assert response.status_code == 200 and response.context["preview"]
    assert "工作人员预览" in response.content.decode()


def test_a_token_that_names_nothing_is_a_404(client, db):
    assert client.get(reverse("accountability:story_public", args=["x" * 22])).status_code == 404


@pytest.mark.parametrize("how", ["published", "topic", "item"])
def test_a_matter_becomes_public_by_decision(client, world, issue, water_company, how):
    if how == "published":
        set_public_title(issue, title="花园小区 · 自来水发黄", actor=world.staff, publish=True)
    elif how == "topic":
        consult.create_topic(world.staff, title="自来水发黄怎么办", issues=[issue])
    else:
        from accountability.actions import publish_action_item
        from accountability.models import today

        publish_action_item(
            actor=world.staff,
            community=world.c1,
            title="冲洗管道",
            deadline=today(),
            owner_organisation=water_company,
            issues=[issue],
        )
    assert is_public_matter(issue)
    response = story(client, issue)
    assert response.status_code == 200 and not response.context["preview"]


def test_a_staff_only_topic_does_not_make_it_public(client, world, issue):
    consult.create_topic(world.staff, title="内部研判", issues=[issue], public=False)
    assert not is_public_matter(issue)
    assert story(client, issue).status_code == 404


def test_the_public_story_shows_the_public_title_and_no_internal_note(client, world, item, issue):
    accept_issue_note = record(issue, "issue.accepted", actor_label="社区", note=INTERNAL)
    record(issue, "issue.site_visit", actor_label="网格员", note="3栋2单元501室，13900001111")
    record(issue, "issue.settled", actor_label="社区", note="已冲洗，回访电话13700002222")
    html = story(client, item).content.decode()
    assert accept_issue_note.label in html  # the step is public, its note is not
    for secret in ("其妻", "13812345678", "单元501", "13900001111", "13700002222", issue.title):
        assert secret not in html
    assert "已冲洗，回访电话137****2222" in html
    assert issue.title_for_public in html
    # The same through the issue's own token.
    assert "其妻" not in story(client, issue).content.decode()


def test_by_id_only_staff_in_scope(client, world, item, issue):
    record(issue, "issue.accepted", actor_label="社区", note=INTERNAL)
    urls = [
        reverse("accountability:story", args=["issue", issue.pk]),
        reverse("accountability:story", args=["item", item.pk]),
    ]
    for user in (None, world.nobody, world.outsider):
        if user is not None:
            client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    client.force_login(world.staff)
    html = client.get(urls[0]).content.decode()
    assert INTERNAL in html and issue.title in html  # the staff version, notes included


def test_board_and_community_page_link_stories_by_token(client, world, item):
    for url in (
        reverse("accountability:board", args=[world.c1.code]),
        reverse("yishi:community", args=[world.c1.code]),
    ):
        html = client.get(url).content.decode()
        assert f"/story/m/{item.story_token}/" in html, url
        assert f"/story/item/{item.pk}/" not in html, url


def test_a_grid_worker_previews_an_issue_of_their_grid(client, world, issue):
    client.force_login(world.grid_worker)
    assert story(client, issue).status_code == 200
    client.force_login(world.grid_worker2)
    assert story(client, issue).status_code == 404
