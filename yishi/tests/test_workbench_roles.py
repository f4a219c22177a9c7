"""Each role's workbench opens on what that role does first (the demo's accounts, demo data)."""

import pytest

from accounts.labels import role_lines
from accounts.models import Role, User


def workbench(client, username: str) -> str:
    client.force_login(User.objects.get(username=username))
    response = client.get("/workbench/")
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") :]


def sections(html: str) -> list[str]:
    return [
        h for h in ("诉求与问题", "协商议事", "挂牌事项", "社情民意") if f"<h2>{h}</h2>" in html
    ]


# (username, what the first screen shows, in order; what it must not show)
FIRST_SCREENS = [
    ("grid_jclw", ["我的待办", "本网格未办结", "我的网格"], ["反映人数最多的问题", "协商议事"]),
    (
        "secretary_jclw",
        ["反映人数最多的问题", "本周会议", "两周内到期"],
        ["我的网格", "我的待办", "单位代表"],
    ),
    ("street_cczl", ["辖区内逾期", "已上报街道或职能部门"], ["我的网格", "我的待办"]),
    ("district_jf", ["辖区内逾期", "已上报街道或职能部门"], ["我的网格", "本周会议"]),
    ("cppcc_jf", ["本区议题", "专题协商调研", "写社情民意"], ["我的网格", "诉求与问题"]),
    ("cppcc_office_jf", ["本区议题", "社情民意"], ["我的网格", "诉求与问题"]),
    ("property_jclw", ["由您办理", "小区出入口设置减速带"], ["我的网格", "诉求与问题", "协商议事"]),
    ("water_yc", ["挂牌事项"], ["我的网格", "诉求与问题", "协商议事"]),
]


@pytest.mark.parametrize(("username", "shown", "hidden"), FIRST_SCREENS, ids=lambda v: str(v))
def test_each_role_opens_on_its_own_first_screen(whole_demo, db, client, username, shown, hidden):
    html = workbench(client, username)
    at = -1
    for text in shown:
        assert text in html, f"{username}: {text} missing"
        assert html.index(text) > at, f"{username}: {text} out of order"
        at = html.index(text)
    for text in hidden:
        assert text not in html, f"{username}: {text} shown"


def test_first_panels_follow_the_role(whole_demo, db, client):
    assert sections(workbench(client, "property_jclw"))[0] == "挂牌事项"
    assert sections(workbench(client, "cppcc_jf"))[0] == "协商议事"
    assert "社情民意" in sections(workbench(client, "cppcc_jf"))
    assert sections(workbench(client, "secretary_jclw"))[:3] == [
        "诉求与问题",
        "协商议事",
        "挂牌事项",
    ]


def test_the_grid_worker_sees_their_queue_and_not_other_grids(whole_demo, db, client):
    html = workbench(client, "grid_jclw")
    grid = User.objects.get(username="grid_jclw").roles.get().area
    from concerns.models import Issue

    other = Issue.objects.exclude(grid=grid).filter(status__in=Issue.OPEN_STATUSES).first()
    mine = Issue.objects.filter(grid=grid, status__in=Issue.OPEN_STATUSES, level="grid").first()
    assert mine is not None and mine.title in html
    if other is not None:
        assert f"/concerns/issues/{other.pk}/" not in html


def test_the_secretary_is_one_office_not_also_an_organisation_representative(whole_demo, db):
    user = User.objects.get(username="secretary_jclw")
    assert Role.objects.filter(user=user, kind=Role.Kind.ORG_REPRESENTATIVE).exists()
    lines = role_lines(Role.objects.filter(user=user).select_related("area", "organisation"))
    assert lines == ["社区党组织书记 · 金城蓝湾社区 · 金城蓝湾社区党支部"]


def test_a_plain_representative_is_labelled_as_one(whole_demo, db):
    user = User.objects.get(username="property_jclw")
    lines = role_lines(Role.objects.filter(user=user).select_related("area", "organisation"))
    assert lines == ["单位代表 · 金城蓝湾物业服务中心"]
