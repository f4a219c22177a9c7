"""The title rule for a concern's words (concerns/titles.py): whole, with the place and the
problem, never cut inside a word, never with a phone number, never with "…"."""

import jieba
import pytest

from concerns.titles import make_title

LONG_FORMAL = (
    "来电人反映：金城蓝湾二期3号楼2单元楼道内的声控灯已经损坏一个多星期，晚上上下楼非常不方便，"
    "老人孩子容易摔倒，希望物业尽快维修。联系电话13912345678。"
)


def whole_words(title: str, source: str) -> bool:
    """Whether `title` ends where one of jieba's words of `source` ends."""
    at = source.index(title) if title in source else -1
    if at < 0:
        return True  # a title joined from two clauses: each part is checked by its own case
    ends = set()
    position = 0
    for word in jieba.cut(source):
        position += len(word)
        ends.add(position)
    return at + len(title) in ends


def test_a_long_formal_hotline_record_keeps_the_place_and_the_problem():
    title = make_title(LONG_FORMAL)
    assert title == "金城蓝湾二期3号楼2单元楼道内的声控灯已经损坏一个多星期"
    assert "来电" not in title and "13912345678" not in title and "…" not in title


@pytest.mark.parametrize(
    ("content", "title"),
    [
        ("楼道灯坏了", "楼道灯坏了"),
        ("水又黄了！！", "水又黄了"),
        ("我们楼道灯坏了", "楼道灯坏了"),
        (
            "你好，二期6号楼门口的休息座椅木条断了，坐上去容易划伤，希望尽快修一下",
            "二期6号楼门口的休息座椅木条断了",
        ),
    ],
)
def test_short_colloquial_messages_stay_as_they_are_said(content, title):
    assert make_title(content) == title


def test_the_place_and_the_problem_from_separate_clauses():
    content = "金城蓝湾社区西门口，最近总有电动车逆行，速度很快，晚上没有路灯，差点撞到散步的老人"
    assert make_title(content) == "金城蓝湾社区西门口：总有电动车逆行"
    # A sentence that fits is kept whole.
    assert make_title("西门口，总有电动车逆行，速度很快") == "西门口，总有电动车逆行，速度很快"


def test_the_place_a_resident_names_as_their_home():
    title = make_title("我是五里水乡小区8号楼的住户，我们楼下的垃圾桶满了好几天没人清运，臭味很大")
    assert title == "五里水乡小区8号楼：楼下的垃圾桶满了好几天没人清运"


def test_a_list_within_a_clause_stays_together():
    title = make_title(
        "您好，我想反映一下，我们小区沿街营业房门前乱堆乱放、跨门经营的问题十分严重，"
        "已经影响到居民正常通行了，请社区协调解决"
    )
    assert "乱堆乱放、跨门经营" in title and title.startswith("小区沿街营业房")


def test_a_long_run_without_punctuation_ends_on_a_whole_word():
    content = (
        "金城蓝湾一期小广场的健身器材有好几个已经坏掉了很长时间都没有人来修理小孩玩的时候很危险"
    )
    title = make_title(content)
    assert len(title) <= 30 and content.startswith(title) and "…" not in title
    assert whole_words(title, content)
    assert title.startswith("金城蓝湾一期小广场的健身器材")


def test_the_limit_holds_and_no_word_is_cut_for_every_length():
    for limit in range(8, 40):
        title = make_title(LONG_FORMAL, limit=limit)
        assert 0 < len(title) <= limit, (limit, title)
        assert "…" not in title
        assert whole_words(title, LONG_FORMAL.replace("来电人反映：", "")), (limit, title)


def test_numbers_never_reach_a_title():
    assert "13800138000" not in make_title("我电话13800138000，水黄了")
    assert make_title("13912345678")  # only a number: a neutral title, not an empty one
    assert "139" not in make_title("13912345678")


def test_titles_cut_by_the_old_rule_become_whole_and_staff_titles_stay(world):
    from importlib import import_module

    from django.apps import apps

    from concerns.models import Concern, Issue

    migration = import_module("concerns.migrations.0010_whole_titles")
    cut = migration._old_title(LONG_FORMAL)
    assert cut.endswith("…")
    issues: list[Issue] = []
    for title in (cut, "楼道灯修理（社区定）…"):
        issue = Issue.objects.create(community=world.c1, title=title)
        Concern.objects.create(
            issue=issue,
            community=world.c1,
            content=LONG_FORMAL,
            tracking_code=f"T{len(issues):07d}",
            resident_key=f"k{len(issues)}",
        )
        issues.append(issue)
    migration.whole_titles(apps, None)
    first, by_staff = (Issue.objects.get(pk=i.pk) for i in issues)
    assert first.title == make_title(LONG_FORMAL) and "…" not in first.title
    assert by_staff.title == "楼道灯修理（社区定）…"


def test_names_and_contacts_stay_out_and_the_home_address_is_the_place():
    title = make_title("我是张伟，住花园小区3号楼2单元501室，电话13812345678，家里自来水发黄")
    assert title == "花园小区3号楼2单元501室：家里自来水发黄"
    assert make_title("我电话13800138000，水黄了") == "水黄了"
