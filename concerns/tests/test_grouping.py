"""Grouping on Chinese as residents write it: short, colloquial, with typos and addresses."""

import pytest

from concerns import grouping, titles
from concerns.intake import submit as intake

PLACES = ["花园小区", "东苑", "一号社区"]


def sim(a: str, b: str) -> float:
    fa = grouping.features(a, PLACES).weights
    fb = grouping.features(b, PLACES).weights
    return grouping.similarity(fa, fb)


SAME = [
    ("家里自来水发黄，没法用", "3号楼水龙头放出来是黄水"),
    ("水又黄了！！！", "自来水颜色发黄像铁锈"),
    ("我们楼的水黄了好几天了能不能管管", "水质太差洗衣服都黄了"),
    ("小区里电瓶车骑得飞快", "电动车在小区里横冲直撞太危险"),
    ("楼道里堆满杂物", "单元楼道乱堆乱放，过不去人"),
    ("楼上半夜装修太吵了", "晚上装修噪音扰民睡不着"),
    ("宠物医院门口狗粪没人清理", "宠物店卫生太差，味道很大"),
    ("路灯坏了晚上黑灯瞎火", "小区路灯不亮"),
    ("电梯又坏了困人了", "电梯经常坏，上次把人关在里面"),
    ("暖气不热，家里才十五度", "供暖温度太低，暖气片是凉的"),
    ("3号楼楼道灯坏了一个星期", "楼道的声控灯不亮了，晚上很黑"),
    ("单元门锁坏了关不上", "门禁坏了，陌生人随便进"),
]

APART = [
    ("花园小区3号楼自来水发黄", "花园小区3号楼电动车骑得太快"),
    ("2单元501家里水黄了", "2单元501楼上装修太吵"),
    ("门口商铺把货堆到门外", "楼道里堆满杂物"),
    ("宠物医院卫生太差", "楼上装修太吵"),
    ("路灯不亮", "自来水发黄"),
    ("电梯坏了", "暖气不热"),
    ("13912345678 水黄了", "13912345678 车乱停"),
    ("3号楼门口电动车乱停", "小区里电动车骑得飞快"),
    ("楼上装修太吵", "广场舞音响太吵"),
    ("电瓶车在楼道里飞线充电", "电动车骑得太快"),
    # "坏了" says in what state, not what: a broken door lock is not a broken light.
    ("二期3号楼单元门禁坏了，门一直关不上", "3号楼楼道灯坏了一个星期"),
    ("电梯坏了", "围栏倒了"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_the_same_matter_in_other_words_is_grouped(a, b):
    assert sim(a, b) >= grouping.JOIN_THRESHOLD, (a, b, sim(a, b))


@pytest.mark.parametrize(("a", "b"), APART)
def test_different_matters_stay_apart_even_with_the_same_address(a, b):
    assert sim(a, b) < grouping.JOIN_THRESHOLD, (a, b, sim(a, b))


def test_addresses_numbers_and_place_names_are_removed():
    clean = grouping.normalise("花园小区12号楼3单元501室 电话13800138000", PLACES)
    assert "花园" not in clean and "12" not in clean and "138" not in clean


def test_fullwidth_and_case_are_normalised():
    assert (
        grouping.features("ＡＢＣ自来水发黄").weights == grouping.features("abc自来水发黄").weights
    )


def test_an_issue_keeps_its_core_concepts_as_concerns_accumulate():
    stored = ""
    for text in ["自来水发黄", "水是黄的有味道", "水龙头出黄水", "水黄了"]:
        stored = grouping.add_terms(stored, grouping.features(text).weights)
    new = grouping.features("我家的水也发黄").weights
    assert grouping.similarity_to(new, grouping._norm(new), stored) >= grouping.JOIN_THRESHOLD


def test_candidates_are_ranked_with_their_similarity():
    rows = [
        (1, "路灯不亮", grouping.dump_terms(grouping.features("路灯不亮").weights), 3),
        (2, "自来水发黄", grouping.dump_terms(grouping.features("自来水发黄").weights), 12),
        (3, "水压小", grouping.dump_terms(grouping.features("自来水水压小").weights), 2),
    ]
    ranked = grouping.rank(grouping.features("家里水龙头放黄水").weights, rows)
    assert ranked[0].issue_id == 2
    assert all(0 < c.similarity <= 1 for c in ranked)
    assert 1 not in [c.issue_id for c in ranked]


def test_titles_never_carry_phone_numbers():
    assert "13800138000" not in titles.make_title("我电话13800138000，水黄了")


def test_refresh_grouping_terms_rebuilds_stale_features_of_open_issues(world):
    from io import StringIO

    from django.core.management import call_command

    from concerns.models import Concern, Issue

    first = intake.submit_concern(
        community=world.c1, channel="web", phone="13800000001", content="家里自来水发黄，没法用"
    )
    issue = Issue.objects.get(pk=first.issue_id)
    fresh = issue.terms
    Issue.objects.filter(pk=issue.pk).update(terms="w:旧词=1.0")  # built by an older vocabulary
    settled = intake.submit_concern(
        community=world.c2, channel="web", phone="13800000002", content="楼道堆满杂物"
    )
    Issue.objects.filter(pk=settled.issue_id).update(status=Issue.Status.SETTLED, terms="x=1")
    out = StringIO()
    call_command("refresh_grouping_terms", stdout=out)
    assert out.getvalue().startswith("1 open issues")
    issue.refresh_from_db()
    assert issue.terms == fresh
    assert Issue.objects.get(pk=settled.issue_id).terms == "x=1"  # closed issues are left alone
    again = intake.submit_concern(
        community=world.c1, channel="web", phone="13800000003", content="水龙头放出来是黄水"
    )
    assert again.issue_id == issue.pk
    assert Concern.objects.filter(issue=issue).count() == 2
