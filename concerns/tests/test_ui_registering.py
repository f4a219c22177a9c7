"""QA fixes on the staff pages: who is offered 来信来访登记, what the form offers a grid
worker, the answer read-only roles get, the banner after each action and the labels."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from concerns import views
from concerns.forms import PatrolForm, ResidentConcernForm
from concerns.intake.submit import submit_concern
from concerns.models import Concern, Issue
from conftest import PASSWORD

pytestmark = pytest.mark.django_db
REGISTER = reverse("concerns:register")


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def registration(building, **kw):
    return {
        "channel": "grid_phone",
        "received_at": "2026-11-20T09:30",
        "building": building.pk,
        "content": "楼道灯坏了",
        "urgency": "normal",
    } | kw


@pytest.mark.parametrize("who", ["grid_worker", "volunteer"])
def test_grid_workers_register_in_their_own_grid(client, world, places, who):
    user = world.users[who]
    page = login(client, user).get(REGISTER)
    assert page.status_code == 200
    offered = {value for value, _label in page.context["form"].fields["building"].choices}
    assert str(places["b"][1].pk) in offered  # 花园小区, grid g1
    assert str(places["east1"].pk) not in offered  # 东苑 lies in grid g2
    assert page.context["community"] == world.c1 and page.context["grid"] == world.g1
    # A building of another grid is refused beside the field, nothing written.
    refused = client.post(REGISTER, registration(places["east1"]))
    assert refused.status_code == 400 and Concern.objects.count() == 0
    response = client.post(REGISTER, registration(places["b"][1]))
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.created_by == user and concern.issue.grid == world.g1
    for url in (reverse("concerns:queue"), reverse("concerns:issues"), reverse("yishi:workbench")):
        assert f'href="{REGISTER}"' in client.get(url).content.decode()


def test_organisation_representatives_are_not_offered_registering(client, world):
    login(client, world.org_rep)
    assert client.get(REGISTER).status_code == 404
    for url in (reverse("concerns:queue"), reverse("yishi:workbench")):
        assert f'href="{REGISTER}"' not in client.get(url).content.decode()


@pytest.mark.parametrize("who", ["cppcc", "district_officer"])
def test_read_only_roles_get_403_before_typing(client, world, who):
    login(client, world.users[who])
    assert client.get(REGISTER).status_code == 403
    assert client.get(REGISTER + "?community=C1").status_code == 403
    for url in (reverse("concerns:issues"), reverse("yishi:workbench")):
        assert f'href="{REGISTER}"' not in client.get(url).content.decode()


def test_staff_register_outside_their_community_is_404(client, world):
    login(client, world.staff)
    assert client.get(REGISTER + "?community=C2").status_code == 404
    assert client.get(REGISTER + "?community=C1").status_code == 200


def test_each_action_says_what_happened(client, world, places):
    concern = submit_concern(
        community=world.c1,
        content="楼道灯坏了",
        phone="13912345678",
        channel=Concern.Channel.WEB,
        building=places["b"][1],
    )
    issue = concern.issue
    assert issue.level == Issue.Level.GRID
    login(client, world.grid_worker)
    said = []
    for action, data in [
        ("accept", {}),
        ("visit", {"notes": "灯管坏了"}),
        ("settle", {"outcome": "换了灯管"}),
    ]:
        response = client.post(reverse("concerns:issue_action", args=[issue.pk, action]), data)
        assert response.status_code == 302
        said.append(str(list(get_messages(response.wsgi_request))[-1]))
    assert said == [
        "已受理，请在时限内办理。",
        "已记录实地查看。",
        "已办结，居民可凭查询码查看办理结果。",
    ]
    assert set(views.ACTION_DONE) == set(views.ISSUE_ACTIONS)


def test_labels_have_no_question_mark_and_colons_are_full_width(client, world):
    for form in (ResidentConcernForm(), PatrolForm()):
        for field in form:
            assert "？" not in field.label_tag() and "?" not in field.label_tag()
    concern = submit_concern(
        community=world.c1, content="路灯坏了", phone="13912345678", channel=Concern.Channel.WEB
    )
    html = client.get(reverse("concerns:track_code", args=[concern.tracking_code])).content
    text = html.decode()
    assert "查询码：<span" in text and "查询码:" not in text and "状态：" in text
