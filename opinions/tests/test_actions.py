"""The report's way through the action functions: submit → adopt → forward → reply → rate,
time limits, return for detail, merge, thematic topic, and who may do what."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from consultations.models import Topic
from core.errors import ActionError, Conflict
from opinions import actions, permissions
from opinions.models import Forwarding, Report, add_working_days
from opinions.tests.conftest import submit
from timeline.models import Event


def verbs(report):
    return list(
        Event.objects.filter(subject_id=report.pk, verb__startswith="opinion.")
        .order_by("id")
        .values_list("verb", flat=True)
    )


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def test_working_days_skip_weekends():
    friday = date(2026, 11, 27)
    assert add_working_days(friday, 1) == date(2026, 11, 30)  # Monday
    assert add_working_days(friday, 15) == date(2026, 12, 18)
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # from a Saturday


def test_submit_adopt_forward_reply_rate(cppcc):
    w = cppcc
    report = submit(w, place="一号社区中心公园")
    assert (report.status, report.district, report.member) == (
        Report.Status.SUBMITTED,
        w.district,
        w.cppcc,
    )

    actions.adopt_report(w.office, report, note="予以采用")
    report.refresh_from_db()
    assert report.status == Report.Status.ADOPTED and report.adopted_at is not None

    monday = at(date(2026, 11, 30))
    (to_sports,) = actions.forward_report(w.office, report, organisations=[w.sports], now=monday)
    assert to_sports.due_on == date(2026, 12, 21)  # 15 working days
    report.refresh_from_db()
    assert report.status == Report.Status.FORWARDED

    # The department sees the report now, and only it replies to its own forwarding.
    assert permissions.get_report_for_user(w.sports_rep, report.pk) == report
    with pytest.raises(PermissionDenied):
        actions.reply_to_report(w.water_rep, to_sports, text="不是我们的")
    actions.reply_to_report(
        w.sports_rep, to_sports, text="拟申报体彩公益金项目建设篮球场。", now=at(date(2026, 12, 10))
    )
    to_sports.refresh_from_db()
    report.refresh_from_db()
    assert to_sports.status == Forwarding.Status.REPLIED and to_sports.replied_on_time
    assert report.status == Report.Status.REPLIED

    with pytest.raises(PermissionDenied):  # only the report's member rates
        actions.rate_reply(w.member2, to_sports, rating="satisfied")
    with pytest.raises(ActionError):
        actions.rate_reply(w.cppcc, to_sports, rating="great")
    actions.rate_reply(w.cppcc, to_sports, rating="basically", comment="还需落实资金")
    to_sports.refresh_from_db()
    assert to_sports.rating == "basically" and to_sports.rated_at is not None
    with pytest.raises(Conflict):
        actions.rate_reply(w.cppcc, to_sports, rating="satisfied")

    assert verbs(report) == [
        "opinion.submitted",
        "opinion.adopted",
        "opinion.forwarded",
        "opinion.replied",
        "opinion.rated",
    ]
    # Internal: a report's steps are never on a public timeline.
    assert not Event.objects.filter(subject_id=report.pk, verb__startswith="opinion.", public=True)


def test_report_waits_for_every_department(cppcc):
    w = cppcc
    report = submit(w)
    actions.adopt_report(w.office, report)
    first, second = actions.forward_report(w.office, report, organisations=[w.sports, w.water])
    actions.reply_to_report(w.sports_rep, first, text="已答复")
    report.refresh_from_db()
    assert report.status == Report.Status.FORWARDED
    actions.reply_to_report(w.water_rep, second, text="已答复")
    report.refresh_from_db()
    assert report.status == Report.Status.REPLIED
    with pytest.raises(Conflict):
        actions.reply_to_report(w.water_rep, second, text="再答复一次")


def test_reply_time_limit_overdue_and_reminded_once(cppcc):
    w = cppcc
    report = submit(w)
    actions.adopt_report(w.office, report)
    monday = at(date(2026, 11, 2))
    (f,) = actions.forward_report(
        w.office, report, organisations=[w.water], due_on=date(2026, 11, 13), now=monday
    )
    on_due_day, day_after = at(date(2026, 11, 13), 23), at(date(2026, 11, 14), 9)
    assert not f.is_overdue_at(on_due_day)
    assert f.is_overdue_at(day_after)
    assert list(Forwarding.objects.overdue(day_after)) == [f]
    assert list(Forwarding.objects.overdue(on_due_day)) == []

    assert actions.remind_overdue(on_due_day) == 0
    assert actions.remind_overdue(day_after) == 1
    assert actions.remind_overdue(day_after + timedelta(days=3)) == 0  # once
    assert verbs(report).count("opinion.reply_overdue") == 1

    actions.reply_to_report(w.water_rep, f, text="迟到的答复", now=at(date(2026, 11, 20)))
    f.refresh_from_db()
    assert not f.replied_on_time
    assert not f.is_overdue_at(day_after)  # replied: no longer overdue


def test_forward_checks(cppcc):
    w = cppcc
    report = submit(w)
    with pytest.raises(Conflict):  # not adopted yet
        actions.forward_report(w.office, report, organisations=[w.sports])
    actions.adopt_report(w.office, report)
    with pytest.raises(ActionError) as exc:  # another district's department
        actions.forward_report(w.office, report, organisations=[w.elsewhere])
    assert exc.value.field == "organisations"
    with pytest.raises(ActionError):  # a property company is no department
        actions.forward_report(w.office, report, organisations=[w.property_company])
    with pytest.raises(ActionError):
        actions.forward_report(w.office, report, organisations=[])
    with pytest.raises(ActionError):
        actions.forward_report(
            w.office, report, organisations=[w.sports], due_on=timezone.localdate()
        )
    actions.forward_report(w.office, report, organisations=[w.sports])
    with pytest.raises(Conflict):
        actions.forward_report(w.office, report, organisations=[w.sports])
    assert report.forwardings.count() == 1


def test_return_for_detail_then_resubmit(cppcc):
    w = cppcc
    report = submit(w)
    with pytest.raises(ActionError):
        actions.return_report(w.office, report, note="  ")
    actions.return_report(w.office, report, note="请补充涉及的小区和人数")
    report.refresh_from_db()
    assert (
        report.status == Report.Status.RETURNED and report.review_note == "请补充涉及的小区和人数"
    )
    with pytest.raises(Conflict):
        actions.adopt_report(w.office, report)
    with pytest.raises(PermissionDenied):  # another member of the district
        actions.revise_report(
            w.member2, report, title="x", observation="x", affected="x", suggestions="x"
        )
    before = report.submitted_at
    actions.revise_report(
        w.cppcc,
        report,
        title=report.title,
        observation=report.observation + "涉及金水园、世茂小区约2万人。",
        affected=report.affected,
        suggestions=report.suggestions,
        place="金水园",
    )
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED and report.place == "金水园"
    assert report.submitted_at > before
    actions.adopt_report(w.office, report)
    with pytest.raises(Conflict):  # adopted: no longer revised
        actions.revise_report(
            w.cppcc, report, title="x", observation="x", affected="x", suggestions="x"
        )
    assert verbs(report) == [
        "opinion.submitted",
        "opinion.returned",
        "opinion.revised",
        "opinion.adopted",
    ]


def test_merge_into_similar_report(cppcc):
    w = cppcc
    kept = submit(w, title="公园缺少健身设施")
    similar = submit(w, member=w.member2, title="公园里没有篮球场")
    with pytest.raises(ActionError):
        actions.merge_report(w.office, similar, into=similar)
    actions.merge_report(w.office, similar, into=kept, note="同一事项")
    similar.refresh_from_db()
    assert similar.status == Report.Status.MERGED and similar.merged_into == kept
    assert list(kept.merged_reports.all()) == [similar]
    with pytest.raises(Conflict):  # decided already
        actions.adopt_report(w.office, similar)
    with pytest.raises(Conflict):  # nothing merges into a merged report
        actions.merge_report(w.office, submit(w, title="第三份"), into=similar)
    # Another district's report is out of the office's sight.
    foreign = submit(w, member=w.other_member, area=w.other_district, title="别的区")
    with pytest.raises(Http404):
        actions.merge_report(w.office, kept, into=foreign)


def test_take_to_topic_new_or_existing(cppcc):
    w = cppcc
    report = submit(w)
    with pytest.raises(Conflict):
        actions.take_to_topic(w.office, report)
    actions.adopt_report(w.office, report)
    topic = actions.take_to_topic(w.office, report, title="增加公园体育健身设施专题协商")
    assert topic.area == w.district and topic.title == "增加公园体育健身设施专题协商"
    report.refresh_from_db()
    assert report.topic == topic and report.status == Report.Status.ADOPTED
    assert Event.objects.filter(subject_id=topic.pk, verb="topic.created").exists()
    with pytest.raises(Conflict):
        actions.take_to_topic(w.office, report)

    # A topic already set is linked, not made twice.
    other = submit(w, title="另一份")
    actions.adopt_report(w.office, other)
    count = Topic.objects.count()
    assert actions.take_to_topic(w.office, other, topic=topic) == topic
    assert Topic.objects.count() == count
    foreign_topic = Topic.objects.create(title="别的区议题", area=w.other_district)
    third = submit(w, title="第三份")
    actions.adopt_report(w.office, third)
    with pytest.raises(ActionError):
        actions.take_to_topic(w.office, third, topic=foreign_topic)


def test_scope_and_roles(cppcc):
    w = cppcc
    report = submit(w)
    # Another district's member and office, a community's staff, a department not
    # forwarded to: nothing (404).
    for outsider in (w.other_member, w.other_office, w.staff, w.street_officer, w.sports_rep):
        with pytest.raises(Http404):
            permissions.get_report_for_user(outsider, report.pk)
        assert not permissions.visible_reports(outsider).exists()
    with pytest.raises(Http404):
        actions.adopt_report(w.other_office, report)
    # Those who may look but not review: 403.
    for looker in (w.district_officer, w.member2, w.cppcc):
        assert permissions.get_report_for_user(looker, report.pk) == report
        with pytest.raises(PermissionDenied):
            actions.adopt_report(looker, report)
    # Submitting: a member in their own district only.
    with pytest.raises(Http404):
        submit(w, member=w.cppcc, area=w.other_district)
    with pytest.raises(PermissionDenied):
        submit(w, member=w.district_officer)
    with pytest.raises(PermissionDenied):
        submit(w, member=w.office)
    # The office role changes nothing outside reports (read-only elsewhere).
    from accounts.permissions import can_change_area

    assert not can_change_area(w.office, w.c1)


def test_submit_validates_text_and_issue(cppcc):
    w = cppcc
    with pytest.raises(ActionError) as exc:
        submit(w, title=" ")
    assert exc.value.field == "title"
    with pytest.raises(ActionError):
        submit(w, suggestions="")
    with pytest.raises(ActionError):
        submit(w, title="长" * 121)
    from concerns.models import Issue

    issue = Issue.objects.create(community=w.c2, title="二号社区路灯不亮")
    with pytest.raises(ActionError):  # the issue lies outside the area reported on
        submit(w, area=w.c1, issue=issue)
    report = submit(w, area=w.c2, issue=issue)
    assert report.issue == issue
