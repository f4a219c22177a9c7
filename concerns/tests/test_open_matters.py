"""Residents see a community's open matters: public titles, status, how many residents and
since when, paginated; never anyone's words, name, phone, address or tracking code."""

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns.models import Issue
from concerns.public import PAGE_SIZE
from concerns.tests.conftest import make_issue

pytestmark = pytest.mark.django_db


def test_the_community_page_lists_open_matters_without_personal_data(client, world):
    lift = make_issue(world.c1, "张三说5号楼电梯坏了 13912345678", residents=3)
    lift.public_title = "花园小区5号楼电梯故障，联系13912345678"  # staff slip: masked anyway
    lift.save()
    make_issue(world.c1, "李四：路灯不亮", residents=1)
    done = make_issue(world.c1, "已解决的井盖", residents=2)
    Issue.objects.filter(pk=done.pk).update(status=Issue.Status.SETTLED)
    make_issue(world.c2, "二号社区的垃圾站", residents=4)

    page = client.get(reverse("yishi:community", args=["C1"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "花园小区5号楼电梯故障" in html and "139****5678" in html
    assert "3位居民反映" in html and "受理" in html
    assert f"{timezone.localtime(lift.first_received_at):%Y-%m-%d}起" in html
    assert "一号社区" in html  # the neutral title of the matter without a public title
    # Nobody's words, names, phones or codes; nothing settled or of another community.
    for private in ("张三", "李四", "13912345678", "第1户", "居民1", "二号社区的垃圾站"):
        assert private not in html
    for concern in lift.concerns.all():
        assert concern.tracking_code not in html and concern.phone not in html
    assert "已解决的井盖" not in html
    assert reverse("concerns:open_matters", args=["C1"]) in html


def test_the_open_matters_page_is_paginated_and_counted(
    client, world, django_assert_max_num_queries
):
    for n in range(PAGE_SIZE + 3):
        make_issue(world.c1, f"第{n}件事", residents=1 + n % 4)
    make_issue(world.c2, "别的社区", residents=9)
    url = reverse("concerns:open_matters", args=["C1"])
    with django_assert_max_num_queries(6):
        first = client.get(url)
    html = first.content.decode()
    assert first.status_code == 200
    assert f"{PAGE_SIZE + 3}件居民反映的事项正在办理" in html
    assert html.count('class="open-matter"') == PAGE_SIZE
    assert "4位居民反映" in html.split('class="open-matter"')[1]  # most residents first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('class="open-matter"') == 3
    assert "件事" not in html + second  # working titles (a resident's words) never shown
    assert client.get(url, {"page": "x' OR 1=1"}).status_code == 200  # first page, no error


def test_only_communities_have_an_open_matters_page(client, world):
    assert client.get(reverse("concerns:open_matters", args=["C1G1"])).status_code == 404
    assert client.get(reverse("concerns:open_matters", args=["nope"])).status_code == 404
    assert client.get(reverse("concerns:open_matters", args=["C2"])).status_code == 200


def test_a_published_story_is_linked_by_its_unguessable_address(client, world):
    issue = make_issue(world.c1, "楼道堆物", residents=2)
    html = client.get(reverse("concerns:open_matters", args=["C1"])).content.decode()
    assert "/accountability/story/" not in html
    Issue.objects.filter(pk=issue.pk).update(story_published_at=timezone.now())
    html = client.get(reverse("concerns:open_matters", args=["C1"])).content.decode()
    assert reverse("accountability:story_public", args=[issue.story_token]) in html
    assert f"/issues/{issue.pk}/" not in html
