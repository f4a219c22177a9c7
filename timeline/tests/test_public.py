"""The one rule for public text: which notes the public read, and masking in free text."""

import pytest
from django.utils import translation

from timeline.public import mask_public_text, public_events, public_note
from timeline.services import record
from timeline.verbs import note_is_public, public_notes, registered


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # Mobiles, however they are typed.
        ("我的电话13812345678，请尽快处理", "我的电话138****5678，请尽快处理"),
        ("联系人王女士 138 1234 5678", "联系人王女士 138****5678"),
        ("电话：138-1234-5678。", "电话：138****5678。"),
        ("+86 139 0000 1111 白天都在", "139****1111 白天都在"),
        ("手机１３８１２３４５６７８", "手机１３８****５６７８"),
        ("座机（０９５１）５０１２３４５", "座机０９５１-****２３４５"),
        # Landlines with their area code, and extensions.
        ("物业电话0951-5012345转8", "物业电话0951-****2345"),
        ("(010) 6666 8888", "010-****8888"),
        ("打010-66668888找李师傅", "打010-****8888找李师傅"),
        # 18-digit ID numbers, with an X or grouped.
        ("身份证号110101199003071234", "身份证号110***********1234"),
        ("证件 11010119900307123X 已核对", "证件 110***********123X 已核对"),
        ("身份证 110101 19900307 1234", "身份证 110***********1234"),
        # Rooms and door numbers: the building may stay, the unit and room may not.
        ("金城蓝湾二期3栋2单元501室漏水", "金城蓝湾二期3栋*单元***室漏水"),
        ("12号楼3单元502家里停水三天", "12号楼*单元***家里停水三天"),
        ("3-2-501的老人没人照顾", "3-*-***的老人没人照顾"),
        ("楼上1201室天天装修", "楼上***室天天装修"),
        ("2单元501门口堆满杂物", "*单元***门口堆满杂物"),
        ("5号楼1201室的水管爆了", "5号楼***室的水管爆了"),
        ("6幢-302房", "6幢***房"),
        (
            "我是张伟，住3栋2单元501室，电话138 1234 5678，身份证110101199003071234",
            "我是张伟，住3栋*单元***室，电话138****5678，身份证110***********1234",
        ),
    ],
)
def test_mask_public_text_masks_phones_ids_and_rooms(text, masked):
    assert mask_public_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "2026-05-01下午三点在社区议事厅开会",
        "小区共有300户居民，3栋住了200人",
        "维修费用100-200元，由物业承担",
        "12号楼门口的路灯不亮",
        "已于3月5日清理完毕，共清运垃圾12车",
        "138****5678",  # masked already: the same again
        "明年在金水园（容水公园）小广场建设多功能篮球场。",  # full-width punctuation kept
    ],
)
def test_mask_public_text_leaves_ordinary_text_alone(text):
    assert mask_public_text(text) == text


def test_mask_public_text_of_nothing():
    assert mask_public_text("") == "" and mask_public_text(None) == ""


def test_staff_notes_are_internal_and_residents_statements_public():
    for verb in ("issue.accepted", "issue.site_visit", "issue.escalated", "issue.handed_back"):
        assert not note_is_public(verb)
    assert not note_is_public("issue.opened")  # the first resident's own words
    assert not note_is_public("issue.retitled")  # the working title
    assert not note_is_public("something.new")  # a verb added later stays internal
    assert note_is_public("issue.settled")


def test_every_public_note_verb_is_a_registered_verb(db):
    # A typo in the table would silently hide a statement meant for residents.
    assert public_notes() <= registered()


def test_public_note_masks_and_hides(world):
    settled = record(world.c1, "issue.settled", note="已疏通，联系电话13812345678")
    accepted = record(world.c1, "issue.accepted", note="其妻称遭家暴，电话13812345678")
    hidden = record(world.c1, "issue.settled", note="内部", public=False)
    assert public_note(settled) == "已疏通，联系电话138****5678"
    assert public_note(accepted) == ""
    assert public_note(hidden) == ""


def test_public_events_keep_only_public_events_and_public_notes(world):
    record(world.c1, "issue.accepted", actor_label="网格员", note="其妻称遭家暴")
    record(world.c1, "issue.site_visit", actor_label="网格员", note="3栋2单元501室")
    record(world.c1, "issue.grouping_confirmed", note="内部", public=False)
    record(world.c1, "issue.settled", actor_label="网格员", note="已调解，双方签字")
    events = public_events([world.c1])
    assert [e.verb for e in events] == ["issue.accepted", "issue.site_visit", "issue.settled"]
    assert [e.note for e in events] == ["", "", "已调解，双方签字"]
    assert events[0].by == "网格员" and events[0].subject_type == "area"


def test_internal_steps_stay_internal_even_when_recorded_as_public(world):
    # Renaming and grouping are the office's bookkeeping, whatever the event says.
    record(world.c1, "issue.retitled", note="工作标题", public=True)
    record(world.c1, "issue.concern_added", public=True)
    record(world.c1, "issue.accepted", note="其妻称遭家暴")
    retitled = record(world.c1, "issue.public_title_set", note="公开标题", public=True)
    with translation.override("zh-hans"):
        events = public_events([world.c1])
    assert [e.verb for e in events] == ["issue.accepted"]
    # Residents read the step in their own words, not the staff label.
    assert [e.label for e in events] == ["已受理，正在办理"]
    assert public_note(retitled) == ""


def test_actor_labels_are_translated_and_stored_in_the_site_language(world):
    from timeline.actors import COMMUNITY

    with translation.override("en"):
        event = record(world.c1, "issue.accepted", actor_label=COMMUNITY)
    event.refresh_from_db()
    assert event.actor_label == "社区"
    with translation.override("en"):
        assert str(COMMUNITY) == "Community"
