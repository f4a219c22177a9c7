"""The intake's store: the term index the candidates come from, the districts' term counts,
the one resident-counting and urgent-deadline rules, and staff's labelled pairs."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from concerns import actions
from concerns.intake import store
from concerns.intake.submit import submit_concern
from concerns.models import Concern, GroupingLabel, Issue, IssueKey, TermCount
from core.errors import ActionError
from timeline.models import Event


def submit(world, content, phone, community=None, **kw):
    return submit_concern(
        community=community or world.c1, content=content, channel="web", phone=phone, **kw
    )


def keys_of(issue_id):
    return set(IssueKey.objects.filter(issue_id=issue_id).values_list("key", flat=True))


# ---- The term index


def test_an_issue_is_filed_under_its_concerns_keys_while_it_is_open(world):
    first = submit(world, "家里自来水发黄，没法用", "13800000001")
    opened = keys_of(first.issue_id)
    assert opened and all(
        community == world.c1.pk
        for community in IssueKey.objects.values_list("community_id", flat=True)
    )
    second = submit(world, "水龙头放出来是黄水，好几天了", "13800000002")
    assert second.issue_id == first.issue_id
    assert keys_of(first.issue_id) > opened  # the joining concern's words are filed too
    issue = Issue.objects.get(pk=first.issue_id)
    issue = actions.accept_issue(issue, actor=world.staff)
    actions.settle_issue(issue, actor=world.staff, outcome="换了水管")
    assert not keys_of(issue.pk)  # settled: no longer a candidate
    third = submit(world, "自来水又发黄了", "13800000003")
    assert third.issue_id != issue.pk  # a settled matter is not joined
    actions.reopen_issue(issue, actor=world.staff, note="又黄了")
    assert keys_of(issue.pk) >= opened  # back among the candidates


def test_a_merged_issue_leaves_the_index_and_its_keys_go_to_the_other(world):
    water = submit(world, "家里自来水发黄，没法用", "13800000001")
    lights = submit(world, "楼道的感应灯坏了，晚上漆黑", "13800000002")
    assert water.issue_id != lights.issue_id
    lights_keys = keys_of(lights.issue_id)
    actions.merge_issues(lights.issue, into=water.issue, actor=world.staff)
    assert not keys_of(lights.issue_id)
    assert keys_of(water.issue_id) >= lights_keys


def test_candidates_come_from_every_open_issue_not_only_the_recent_ones(world):
    """The oldest open issue is found among 250 newer ones (the old query read only the 200
    most recently active); the index is filled for issues made without the intake by
    `manage.py refresh_grouping_terms`."""
    long_ago = timezone.now() - timedelta(days=300)
    water = Issue.objects.create(community=world.c1, title="自来水发黄", first_received_at=long_ago)
    Issue.objects.filter(pk=water.pk).update(last_received_at=long_ago)
    newer = Issue.objects.bulk_create(
        Issue(community=world.c1, title=f"第{n}仓库门口堆放杂物") for n in range(250)
    )
    Concern.objects.bulk_create(
        [
            Concern(
                tracking_code=f"T{n:09d}",
                public_id=f"t{n:015d}",
                issue=issue,
                community=world.c1,
                channel="web",
                content=text,
                resident_key=f"tel:1390000{n:04d}",
                received_at=long_ago,
            )
            for n, (issue, text) in enumerate(
                [(water, "家里自来水发黄，没法用")] + [(i, i.title) for i in newer]
            )
        ]
    )
    assert not IssueKey.objects.exists()
    call_command("refresh_grouping_terms", stdout=StringIO())
    assert keys_of(water.pk)
    joined = submit(world, "水龙头放出来是黄水", "13800000009")
    assert joined.issue_id == water.pk
    rows = store.candidates(world.c1.pk, ["w:仓库", "#堆放"])
    assert len(rows) == store.MAX_CANDIDATES  # however many open issues share the keys


def test_candidates_of_one_form_are_one_statement_with_their_own_keys(world, monkeypatch):
    """The statement depends on how many rare and common keys there are, not on which: each
    form is written once and prepared once (a statement new to the database is planned anew);
    the keys and weights are parameters, and each set of keys finds its own issues."""
    water = submit(world, "家里自来水发黄，没法用", "13800000001").issue_id
    lift = submit(world, "电梯又坏了，把人困在里面", "13800000002").issue_id
    statements = []
    rows = store.sql.rows

    def seen(statement, params=()):
        statements.append(statement)
        return rows(statement, params)

    monkeypatch.setattr(store.sql, "rows", seen)
    found = {}
    for name, keys in (("water", ["_自来水", "#水质"]), ("lift", ["_电梯", "#电梯"])):
        rows_found = store.candidates(
            world.c1.pk, keys, weights=dict.fromkeys(keys, 1000), rare={keys[0]}
        )
        found[name] = [row[0] for row in rows_found]
    store.candidates(world.c1.pk, ["_电梯", "#电梯", "_坏了", "_困在"], rare={"_电梯"})
    first, second, third = statements
    assert first is second and first != third
    assert found == {"water": [water], "lift": [lift]}


# ---- The districts' term counts


def test_each_submit_counts_its_terms_in_its_district(world):
    submit(world, "家里自来水发黄", "13800000001")
    submit(world, "自来水发黄了", "13800000002", community=world.c2)
    district = world.district.pk
    assert TermCount.objects.get(district_id=district, term="").documents == 2
    assert TermCount.objects.get(district_id=district, term="#水质").documents == 2
    documents, frequencies = store.term_counts(district, ["#水质", "w:没有的词"])
    assert documents == 2 and frequencies == {"#水质": 2}
    assert not TermCount.objects.exclude(district_id=district).exists()


def test_count_terms_counts_one_more_concern_and_its_terms(world):
    district = world.district.pk
    store.count_terms(district, ["w:井盖", "w:丢失"])
    store.count_terms(district, ["w:井盖"])
    assert store.term_counts(district, ["w:井盖", "w:丢失"]) == (2, {"w:井盖": 2, "w:丢失": 1})


def test_a_submit_that_fails_counts_no_terms(world):
    with pytest.raises(ActionError):
        submit(world, "自来水发黄", "12345")
    assert not TermCount.objects.exists()


# ---- The two rules


def test_one_resident_is_one_phone_or_one_household_linked_through_either():
    rows = [
        (1, "tel:1", "b1:-501"),
        (2, "tel:2", "b1:-501"),  # same household as 1
        (3, "tel:2", ""),  # same phone as 2, so the same resident as 1
        (4, "tel:4", "b1:-502"),
        (5, "anon:x", ""),
    ]
    assert store.residents_among(rows) == 3


def test_an_urgent_concern_is_accepted_within_two_hours_on_a_new_issue_and_a_joined_one(world):
    received = timezone.now()
    accept, resolve = store.due_dates(None, received, "urgent")
    assert accept == received + timedelta(hours=2) and resolve == received + timedelta(days=7)
    assert store.accept_due("normal", received) is None
    first = submit(world, "家里自来水发黄，没法用", "13800000001")
    later = submit(world, "水龙头放出来是黄水", "13800000002", urgency="urgent")
    issue = Issue.objects.get(pk=first.issue_id)
    assert later.issue_id == issue.pk
    assert issue.accept_due_at == later.received_at + timedelta(hours=2)


# ---- Staff's labelled pairs


def test_each_staff_correction_is_a_labelled_pair_with_its_texts(world):
    water = submit(world, "家里自来水发黄，没法用", "13800000001")
    yellow = submit(world, "水龙头放出来是黄水", "13800000002")
    lights = submit(world, "楼道的感应灯坏了，晚上漆黑", "13800000003")
    dark = submit(world, "单元门口的路灯不亮", "13800000004")
    assert water.issue_id == yellow.issue_id
    staff = world.staff

    actions.confirm_grouping(yellow, actor=staff)
    confirm = GroupingLabel.objects.get(kind="confirm")
    assert (confirm.concern, confirm.issue_id, confirm.same) == (yellow, water.issue_id, True)
    assert confirm.concern_text == "水龙头放出来是黄水"
    assert confirm.issue_texts == ["家里自来水发黄，没法用"]
    assert confirm.actor == staff and confirm.district == world.district

    if dark.issue_id != lights.issue_id:
        was = dark.issue_id
        actions.move_concern(dark, to=Issue.objects.get(pk=lights.issue_id), actor=staff)
        moved = GroupingLabel.objects.filter(kind="move").order_by("pk")
        assert [(m.issue_id, m.same) for m in moved] == [(was, False), (lights.issue_id, True)]
        assert moved[1].issue_texts == ["楼道的感应灯坏了，晚上漆黑"]

    lights_issue = Issue.objects.get(pk=lights.issue_id)
    new = actions.split_issue(lights_issue, concern_ids=[lights.pk], actor=staff)
    split = GroupingLabel.objects.get(kind="split")
    assert (split.concern, split.issue_id, split.same) == (lights, lights_issue.pk, False)
    assert split.issue_texts == ["单元门口的路灯不亮"]

    actions.merge_issues(new, into=Issue.objects.get(pk=water.issue_id), actor=staff)
    merge = GroupingLabel.objects.get(kind="merge")
    assert (merge.concern, merge.issue_id, merge.same) == (lights, water.issue_id, True)
    assert merge.issue_texts == ["家里自来水发黄，没法用", "水龙头放出来是黄水"]

    # Every correction is also on the timeline.
    verbs = set(Event.objects.values_list("verb", flat=True))
    assert {"issue.grouping_confirmed", "issue.split", "issue.merged"} <= verbs
    pairs = store.labelled_pairs("D1")
    assert len(pairs) == GroupingLabel.objects.count() >= 3
    assert pairs[0] == ("水龙头放出来是黄水", ["家里自来水发黄，没法用"], True)
    assert store.labelled_pairs(world.other_district.code) == []
    assert store.labelled_pairs() == pairs


@pytest.mark.parametrize(
    ("who", "error"), [("district_officer", PermissionDenied), ("outsider", Http404)]
)
def test_a_refused_correction_leaves_no_label(world, who, error):
    water = submit(world, "家里自来水发黄，没法用", "13800000001")
    with pytest.raises(error):
        actions.confirm_grouping(water, actor=getattr(world, who))
    assert not GroupingLabel.objects.exists()


# ---- manage.py grouping_report


def _label(world, text, texts, same, kind="move"):
    concern = submit(world, text, f"1380000{GroupingLabel.objects.count():04d}")
    GroupingLabel.objects.create(
        community=world.c1,
        district=world.district,
        concern=concern,
        issue=concern.issue,
        same=same,
        kind=kind,
        concern_text=text,
        issue_texts=texts,
    )


def test_grouping_report_prints_the_communitys_precision_and_recall(world):
    _label(world, "家里自来水发黄，没法用", ["水龙头放出来是黄水"], True)  # joined rightly
    _label(world, "楼道的感应灯坏了", ["家里自来水发黄"], False)  # kept apart rightly
    _label(world, "电梯又坏了，把人困在里面", ["家里自来水发黄"], True)  # kept apart wrongly
    _label(world, "门口垃圾没人清运", [], True, kind="confirm")  # nothing to compare with
    out = StringIO()
    call_command("grouping_report", community="C1", stdout=out)
    text = out.getvalue()
    assert "C1 一号社区: 4 labelled pairs from staff, 3 rated" in text
    assert "precision 1.000  recall 0.500" in text
    assert "joined rightly 1, joined wrongly 0, kept apart wrongly 1, kept apart rightly 1" in text
    empty = StringIO()
    call_command("grouping_report", community="C2", stdout=empty)
    assert "No pair to rate yet" in empty.getvalue()
