"""The seed's stories, as a resident and a community worker would tell them."""

import pytest

from accounts.models import Organisation
from concerns import actions
from concerns.intake import submit as intake
from concerns.models import Concern, Issue
from places.models import Area, Compound


@pytest.fixture
def jclw(demo):
    """金城蓝湾社区 with its compounds, organisations and staff (the demo places/accounts)."""
    from accounts.models import User

    community = Area.objects.get(code="640106001001")
    return {
        "community": community,
        "phase2": Compound.objects.get(grid__parent=community, name="金城蓝湾二期"),
        "shops": Compound.objects.get(grid__parent=community, name="金城蓝湾沿街营业房"),
        "phase1": Compound.objects.get(grid__parent=community, name="金城蓝湾一期"),
        "staff": User.objects.get(username="staff_jclw"),
        "grid_worker": User.objects.get(username="grid_jclw"),
        "grid_worker1": User.objects.get(username="grid_jclw1"),
        "secretary": User.objects.get(username="secretary_jclw"),
    }


# Twelve households, each in their own words, by phone, WeChat and the grid phone.
HOUSEHOLDS = [
    ("1号楼", "13995010001", Concern.Channel.PHONE, "家里自来水发黄，没法做饭"),
    ("2号楼", "13995010002", Concern.Channel.WECHAT, "水龙头放出来是黄水，好几天了"),
    ("3号楼", "13995010003", Concern.Channel.GRID_PHONE, "水黄黄的，孩子不敢喝"),
    ("4号楼", "13995010004", Concern.Channel.PHONE, "自来水颜色不对，像铁锈水"),
    ("5号楼", "13995010005", Concern.Channel.WECHAT, "我们楼的水又黄了！！烧开有黄渣"),
    ("6号楼", "13995010006", Concern.Channel.GRID_PHONE, "早上开龙头出来的水发黄，有味道"),
    ("7号楼", "13995010007", Concern.Channel.PHONE, "二期自来水浑浊发黄，希望社区管管"),
    ("8号楼", "13995010008", Concern.Channel.WECHAT, "水质太差，净水器滤芯一周就黄了"),
    ("9号楼", "13995010009", Concern.Channel.GRID_PHONE, "家里的水发黄，能不能喝啊"),
    ("10号楼", "13995010010", Concern.Channel.PHONE, "自来水出黄水，物业送检说正常可还是黄"),
    ("11号楼", "13995010011", Concern.Channel.WECHAT, "11号楼水管里流出来的是黄水"),
    ("12号楼", "13995010012", Concern.Channel.GRID_PHONE, "顶楼水最黄，楼顶水箱是不是脏了"),
]


def report(jclw, building, phone, channel, text, **kw):
    actor = jclw["grid_worker"] if channel == Concern.Channel.GRID_PHONE else jclw["staff"]
    return intake.submit_concern(
        community=jclw["community"],
        content=text,
        channel=channel,
        phone=phone,
        building=jclw["phase2"].buildings.get(name=building) if building else None,
        actor=actor,
        **kw,
    )


def test_story_1_twelve_households_report_yellow_water_and_the_community_sees_one_issue(jclw):
    concerns = [report(jclw, *household) for household in HOUSEHOLDS]

    issues = {c.issue_id for c in concerns}
    assert len(issues) == 1, "twelve reports of yellow water are one matter"
    issue = Issue.objects.get(pk=issues.pop())
    assert issue.residents_count == 12
    assert issue.category.code == "water"  # resolved within 24 hours
    assert (issue.resolve_due_at - issue.first_received_at).days <= 1
    assert {c.channel for c in concerns} == {
        Concern.Channel.PHONE,
        Concern.Channel.WECHAT,
        Concern.Channel.GRID_PHONE,
    }
    assert len({c.tracking_code for c in concerns}) == 12

    # The same resident calls again: still twelve residents, thirteen concerns.
    again = report(
        jclw, "1号楼", "13995010001", Concern.Channel.PHONE, "上次说的自来水发黄还没解决"
    )
    issue.refresh_from_db()
    assert again.issue_id == issue.pk
    assert (issue.residents_count, issue.concerns_count) == (12, 13)

    # The board ranks it first by residents affected (大家普遍关心的问题).
    report(jclw, None, "13995019999", Concern.Channel.PHONE, "小区东门路灯不亮")
    top = Issue.objects.filter(community=jclw["community"]).order_by("-residents_count")[0]
    assert top.pk == issue.pk

    # The grid cannot settle it alone: samples normal, flushing did not help → community.
    actions.accept_issue(issue, actor=jclw["grid_worker"])
    actions.record_site_visit(
        issue, actor=jclw["grid_worker"], notes="物业取水样送检，结果正常；自来水公司冲洗后仍发黄"
    )
    issue = actions.escalate_to_community(
        issue, actor=jclw["grid_worker"], reason="需要自来水公司、物业和市政用水管理处协商"
    )
    assert issue.level == Issue.Level.COMMUNITY and issue.is_open


def test_two_unrelated_concerns_from_the_same_compound_stay_apart(jclw):
    water = report(
        jclw, "3号楼", "13995010003", Concern.Channel.PHONE, "金城蓝湾二期3号楼自来水发黄"
    )
    noise = report(
        jclw, "3号楼", "13995010004", Concern.Channel.PHONE, "金城蓝湾二期3号楼楼上半夜装修太吵"
    )
    parking = report(
        jclw, "3号楼", "13995010005", Concern.Channel.PHONE, "3号楼门口电动车乱停，堵住消防通道"
    )
    assert len({water.issue_id, noise.issue_id, parking.issue_id}) == 3


def test_story_2_three_phone_reports_become_three_issues_settled_after_a_site_visit(jclw):
    staff = jclw["staff"]
    calls = [
        ("13995020001", "shops", "沿街商铺把货物堆到门外，还跨门经营，人都走不过去"),
        ("13995020002", "phase1", "小区里电瓶车骑得飞快，差点撞到老人"),
        ("13995020003", "shops", "宠物医院门口狗粪便没人清理，味道很大，卫生太差"),
    ]
    taken = [
        intake.submit_concern(
            community=jclw["community"],
            channel=Concern.Channel.PHONE,
            phone=phone,
            actor=staff,
            compound=jclw[compound],
            content=content,
        )
        for phone, compound, content in calls
    ]
    _shops, _bikes, pets = taken
    issues = [Issue.objects.get(pk=c.issue_id) for c in taken]
    assert len({i.pk for i in issues}) == 3, "three different matters"
    assert [i.category.code for i in issues] == ["clutter", "vehicles", "animals"]

    # Site inspection, then the meeting with residents, the property company and 综合执法局.
    enforcement = Organisation.objects.get(name="金凤区综合执法局")
    for issue in issues:
        actions.record_site_visit(issue, actor=staff, notes="实地查看，情况属实")
    onward = actions.escalate_onward(
        issues[0],
        actor=jclw["secretary"],
        reason="占道经营需综合执法局处理",
        to=Issue.Level.DEPARTMENT,
        organisation=enforcement,
    )
    assert onward.escalated_to == enforcement
    outcomes = [
        "商户货物撤回店内，执法局定期巡查",
        "小区入口设减速带和限速牌",
        "宠物医院整改，每日清理消毒",
    ]
    for issue, outcome in zip(issues, outcomes, strict=True):
        actions.settle_issue(issue, actor=staff, outcome=outcome)
    for issue in issues:
        issue.refresh_from_db()
        assert issue.status == Issue.Status.SETTLED and issue.outcome
    # The residents who phoned see the outcome behind their codes.
    from concerns.display import public_story

    _issue, story = public_story(pets)
    assert story[-1].note == outcomes[2]
    assert "13995020003" not in str([e.__dict__ for e in story])


def test_move_merge_split_keep_counts_right(jclw):
    a = report(jclw, "1号楼", "13900000001", Concern.Channel.PHONE, "自来水发黄")
    b = report(jclw, "2号楼", "13900000002", Concern.Channel.PHONE, "楼道堆满杂物")
    staff = jclw["staff"]
    own_issue = b.issue_id
    assert own_issue != a.issue_id
    actions.move_concern(b, to=a.issue, actor=staff)
    first = Issue.objects.get(pk=a.issue_id)
    emptied = Issue.objects.get(pk=own_issue)
    assert first.residents_count == 2 and first.concerns_count == 2
    assert emptied.concerns_count == 0 and emptied.status == Issue.Status.MERGED
    b.refresh_from_db()
    assert b.issue_id == first.pk
    new = actions.split_issue(first, concern_ids=[b.pk], actor=staff, title="楼道杂物")
    first.refresh_from_db()
    assert (first.residents_count, new.residents_count) == (1, 1)
    merged = actions.merge_issues(new, into=first, actor=staff)
    assert merged.residents_count == 2
    assert Issue.objects.get(pk=new.pk).status == Issue.Status.MERGED
    # A concern of the merged issue is still followed by its code.
    from concerns.display import public_story

    shown, _story = public_story(Concern.objects.get(pk=b.pk))
    assert shown.pk == first.pk


def test_grid_worker_of_another_grid_cannot_handle(jclw):
    issue = report(jclw, "3号楼", "13900000001", Concern.Channel.PHONE, "自来水发黄").issue
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(Http404):
        actions.accept_issue(issue, actor=jclw["grid_worker1"])  # 第一网格: not their grid
    actions.accept_issue(issue, actor=jclw["grid_worker"])
    from accounts.models import User

    with pytest.raises(PermissionDenied):
        actions.settle_issue(issue, actor=User.objects.get(username="district_jf"), outcome="x")


def test_a_grid_settled_matter_reopened_by_residents_goes_back_to_its_grid_worker(jclw, client):
    from django.urls import reverse

    worker = jclw["grid_worker"]
    concern = intake.submit_concern(
        community=jclw["community"],
        channel=Concern.Channel.PATROL,
        actor=worker,
        compound=jclw["phase2"],
        content="二期3号楼楼道灯不亮，晚上黑灯瞎火",
    )
    issue = Issue.objects.get(pk=concern.issue_id)
    actions.accept_issue(issue, actor=worker)
    actions.settle_issue(issue, actor=worker, outcome="已更换灯泡")

    assert issue.round == 1
    reopened = actions.reopen_issue(issue, actor=None, note="还是不亮")
    assert reopened.status == Issue.Status.ACCEPTED and reopened.settled_at is None
    assert reopened.round == 2 and Issue.objects.get(pk=issue.pk).round == 2
    client.force_login(worker)
    assert reopened.title in client.get(reverse("concerns:queue")).content.decode()
    again = actions.settle_issue(reopened, actor=worker, outcome="更换了声控开关")
    assert again.status == Issue.Status.SETTLED and again.outcome == "更换了声控开关"
    actions.reopen_issue(again, actor=None, note="又不亮了")
    assert Issue.objects.get(pk=issue.pk).round == 3  # each reopening asks residents again
