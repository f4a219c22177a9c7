"""Every action of topics and meetings: what it does, what it refuses, and who may do it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from concerns.models import Issue
from concerns.tests.conftest import make_issue
from consultations import actions
from consultations.models import Meeting, Motion, Participant, Resolution, Statement, Topic, Vote
from consultations.tests.conftest import plan_meeting
from core.errors import ActionError, Conflict
from timeline.models import Event

pytestmark = pytest.mark.django_db


def participants(meeting):
    return {p.name: p for p in meeting.participants.all()}


# ---- Topics


def test_topic_from_issues_counts_residents_together_and_marks_issues(world):
    a = make_issue(world.c1, "黄水", residents=3, grid=world.g1)
    b = make_issue(world.c1, "水有异味", residents=2, grid=world.g2)
    topic = actions.create_topic(world.staff, title="自来水发黄", issues=[a, b])
    assert topic.source == Topic.Source.ISSUES
    assert topic.area == world.c1
    assert topic.residents_count == 5
    assert set(topic.issues.all()) == {a, b}
    a.refresh_from_db()
    assert a.status == Issue.Status.IN_CONSULTATION
    assert Event.objects.filter(verb="topic.created", subject_id=topic.pk).exists()


def test_an_issue_goes_on_one_open_topic_only(world):
    issue = make_issue(world.c1, "黄水", residents=2)
    actions.create_topic(world.staff, title="自来水发黄", issues=[issue])
    with pytest.raises(Conflict):
        actions.create_topic(world.staff, title="再来一次", issues=[issue])
    assert Topic.objects.count() == 1


def test_topic_needs_issues_of_one_community(world):
    a = make_issue(world.c1, "黄水")
    b = make_issue(world.c2, "停车难")
    with pytest.raises(ActionError) as err:
        actions.create_topic(world.admin, title="混合", issues=[a, b])
    assert err.value.field == "issues"
    assert not Topic.objects.exists()


def test_closed_issue_cannot_become_a_topic(world):
    issue = make_issue(world.c1, "已解决的事")
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.RESOLVED)
    with pytest.raises(Conflict):
        actions.create_topic(world.staff, title="旧事", issues=[issue])
    assert not Topic.objects.exists()


def test_direct_thematic_topic_for_a_district_by_cppcc_representative(world):
    from accounts.models import Organisation, Role

    cppcc = Organisation.objects.create(name="测试区政协", kind=Organisation.Kind.CPPCC)
    cppcc.areas.add(world.district)
    Role.objects.create(user=world.cppcc, kind=Role.Kind.ORG_REPRESENTATIVE, organisation=cppcc)
    topic = actions.create_topic(world.cppcc, title="推进全面依法治县", area=world.district)
    assert topic.source == Topic.Source.DIRECT
    # Without representing the CPPCC, a CPPCC member only looks.
    with pytest.raises(PermissionDenied):
        actions.create_topic(world.district_officer, title="另一个", area=world.district)


@pytest.mark.parametrize(
    "who, error",
    [
        ("staff2", Http404),
        ("outsider", Http404),
        ("district_officer", PermissionDenied),
        ("cppcc", PermissionDenied),
        ("street_officer", PermissionDenied),
        ("grid_worker", Http404),
        ("nobody", Http404),
    ],
)
def test_only_the_communitys_staff_make_topics(world, who, error):
    with pytest.raises(error):
        actions.create_topic(getattr(world, who), title="议题", area=world.c1)
    assert not Topic.objects.exists()


def test_accept_and_shelve_with_reason(world, topic):
    with pytest.raises(ActionError):
        actions.shelve_topic(world.staff, topic, reason="  ")
    actions.accept_topic(world.secretary, topic)
    topic = actions.shelve_topic(world.staff, topic, reason="已由物业自行解决")
    assert topic.status == Topic.Status.SHELVED
    assert topic.shelved_reason == "已由物业自行解决"
    with pytest.raises(Conflict):
        actions.accept_topic(world.staff, topic)
    with pytest.raises(PermissionDenied):
        actions.accept_topic(world.district_officer, topic)


def test_residents_support_a_topic_once(world, topic):
    actions.support_topic(topic, phone="138 0000 1111")
    with pytest.raises(Conflict):
        actions.support_topic(topic, phone="13800001111")
    topic = actions.support_topic(topic, phone="13900002222")
    assert topic.supporters_count == 2
    assert topic.supports.count() == 2
    assert "13800001111" not in topic.supports.first().resident_key
    with pytest.raises(ActionError):
        actions.support_topic(topic, phone="12345")


# ---- Meetings


def test_schedule_refuses_a_meeting_in_the_past(world, topic, venue):
    with pytest.raises(ActionError) as err:
        plan_meeting(
            world,
            title="过去的会",
            starts_at=timezone.now() - timedelta(hours=1),
            venue=venue,
            topics=[topic],
        )
    assert err.value.field == "starts_at"
    assert not Meeting.objects.exists()


def test_notice_goes_out_days_ahead_and_schedules_topics(world, topic, venue):
    start = timezone.now() + timedelta(days=2)
    meeting = plan_meeting(
        world, title="议事会", starts_at=start, venue=venue, notice_days=3, topics=[topic]
    )
    with pytest.raises(ActionError) as err:
        actions.publish_notice(world.staff, meeting)  # only two days ahead
    assert (err.value.code, err.value.field) == ("notice_too_late", "starts_at")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT
    later = timezone.now() - timedelta(days=2)
    actions.publish_notice(world.staff, meeting, now=later)
    meeting.refresh_from_db()
    topic.refresh_from_db()
    assert meeting.status == Meeting.Status.ANNOUNCED
    assert topic.status == Topic.Status.SCHEDULED


def test_publishing_a_meeting_now_in_the_past_is_refused(world, topic, venue):
    meeting = plan_meeting(world, title="议事会", venue=venue, notice_days=0, topics=[topic])
    with pytest.raises(ActionError) as err:
        actions.publish_notice(world.staff, meeting, now=timezone.now() + timedelta(hours=2))
    assert err.value.field == "starts_at"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT


@pytest.mark.parametrize(
    "who, error",
    [
        ("staff2", Http404),
        ("street_officer", PermissionDenied),
        ("district_officer", PermissionDenied),
        ("cppcc", PermissionDenied),
        ("grid_worker", Http404),
        ("org_rep", Http404),
    ],
)
def test_only_the_conveners_community_staff_change_a_meeting(world, announced, who, error):
    user = getattr(world, who)
    with pytest.raises(error):
        actions.invite_participant(user, announced, party="resident", name="张三")
    with pytest.raises(error):
        actions.hold_meeting(user, announced)
    assert not announced.participants.exists()


def test_sign_in_by_code_wrong_and_reused_refused(world, announced):
    p = actions.invite_participant(world.staff, announced, party="resident", name="王大爷")
    with pytest.raises(ActionError) as err:
        actions.sign_in_with_code(announced, "000000" if p.sign_in_code != "000000" else "111111")
    assert err.value.field == "code"
    actions.sign_in_with_code(announced, p.sign_in_code)
    with pytest.raises(Conflict):
        actions.sign_in_with_code(announced, p.sign_in_code)
    announced.refresh_from_db()
    assert announced.status == Meeting.Status.HELD
    assert Participant.objects.filter(signed_in_at__isnull=False).count() == 1


def test_sign_in_opens_on_the_day(world, topic, venue):
    meeting = plan_meeting(
        world,
        title="下周的会",
        starts_in=timedelta(days=7),
        venue=venue,
        notice_days=3,
        topics=[topic],
    )
    actions.publish_notice(world.staff, meeting)
    p = actions.invite_participant(world.staff, meeting, party="resident", name="王大爷")
    with pytest.raises(Conflict):
        actions.sign_in_with_code(meeting, p.sign_in_code)
    p.refresh_from_db()
    assert p.signed_in_at is None


def test_invite_twice_returns_the_same_invitation(world, announced):
    a = actions.invite_participant(world.staff, announced, party="resident", name="王大爷")
    b = actions.invite_participant(world.staff, announced, party="resident", name="王大爷")
    assert a.pk == b.pk
    actions.record_reply(world.staff, a, Participant.Reply.ACCEPTED)
    a.refresh_from_db()
    assert a.reply == Participant.Reply.ACCEPTED


def test_participant_adds_only_their_own_statement(world, held, topic):
    people = participants(held)
    resident, company = people["王大爷"], people["物业经理"]
    actions.add_statement(held, text="楼道杂物影响消防通道", topic=topic, speaker=resident)
    with pytest.raises(ActionError) as err:
        actions.add_statement(held, text="冒名发言", participant=company, speaker=resident)
    assert err.value.status == 403
    # Staff take the minutes for anyone.
    actions.add_statement(
        held,
        text="物业负责清运",
        participant=company,
        actor=world.staff,
        kind=Statement.Kind.PROPOSAL,
    )
    with pytest.raises(PermissionDenied):
        actions.add_statement(held, text="旁观者", participant=company, actor=world.street_officer)
    assert list(held.statements.values_list("text", flat=True)) == [
        "楼道杂物影响消防通道",
        "物业负责清运",
    ]


def test_vote_once_and_not_after_closing_then_counted_against_quorum(world, held, topic):
    people = participants(held)
    motion = actions.open_motion(world.staff, held, text="由物业每周清运一次", topic=topic)
    actions.cast_vote(motion, "for", participant=people["王大爷"], speaker=people["王大爷"])
    with pytest.raises(Conflict):
        actions.cast_vote(motion, "against", participant=people["王大爷"], actor=world.staff)
    actions.cast_vote(motion, "abstain", participant=people["物业经理"], actor=world.staff)
    motion = actions.close_motion(world.staff, motion)
    assert (motion.votes_for, motion.votes_abstain, motion.present) == (1, 1, 2)
    assert motion.outcome == Motion.Outcome.REJECTED  # 1 of 2 is not more than half
    with pytest.raises(Conflict):
        actions.cast_vote(motion, "for", participant=people["物业经理"], actor=world.staff)
    assert Vote.objects.filter(motion=motion).count() == 2


def test_vote_without_quorum_is_void(world, held, topic):
    Meeting.objects.filter(pk=held.pk).update(quorum=5)
    motion = actions.open_motion(world.staff, held, text="表决", topic=topic)
    actions.cast_vote(motion, "for", participant=participants(held)["王大爷"], actor=world.staff)
    motion = actions.close_motion(world.staff, motion)
    assert motion.outcome == Motion.Outcome.NO_QUORUM


def test_secret_vote_hides_who_voted(world, held, topic):
    resident = participants(held)["王大爷"]
    motion = actions.open_motion(world.staff, held, text="无记名表决", topic=topic, secret=True)
    with pytest.raises(ActionError):
        actions.cast_vote(motion, "for", participant=resident, actor=world.staff)
    actions.cast_vote(motion, "for", participant=resident, speaker=resident)
    vote = Vote.objects.get(motion=motion)
    assert vote.participant is None
    with pytest.raises(Conflict):
        actions.cast_vote(motion, "against", participant=resident, speaker=resident)


def test_consensus_then_resolution_needs_a_topic(world, held, topic):
    motion = actions.open_motion(
        world.staff, held, text="一致同意清理", method="consensus", topic=topic
    )
    with pytest.raises(ActionError):
        actions.cast_vote(
            motion, "for", participant=participants(held)["王大爷"], actor=world.staff
        )
    motion = actions.close_motion(world.staff, motion, agreed=True)
    assert motion.outcome == Motion.Outcome.ADOPTED
    with pytest.raises(ActionError) as err:
        actions.record_resolution(world.staff, held, topic=None, text="清理楼道")
    assert err.value.field == "topic"
    assert not Resolution.objects.exists()
    resolution = actions.record_resolution(
        world.staff,
        held,
        topic=topic,
        text="物业三日内清理楼道",
        motion=motion,
        organisations=[world.property_company],
        target_date=timezone.localdate() + timedelta(days=3),
    )
    topic.refresh_from_db()
    assert topic.status == Topic.Status.DECIDED
    assert list(resolution.responsible_organisations.all()) == [world.property_company]


def test_close_and_publish(world, held, topic):
    motion = actions.open_motion(world.staff, held, text="清理", method="consensus", topic=topic)
    with pytest.raises(Conflict):
        actions.close_meeting(world.staff, held)
    with pytest.raises(Conflict):
        actions.publish_result(world.staff, held)
    actions.close_motion(world.staff, motion)
    actions.record_resolution(world.staff, held, topic=topic, text="物业清理楼道")
    actions.close_meeting(world.staff, held)
    with pytest.raises(PermissionDenied):
        actions.publish_result(world.district_officer, held)
    meeting = actions.publish_result(world.staff, held, summary="经协商一致同意清理楼道。")
    assert meeting.status == Meeting.Status.PUBLISHED
    assert Event.objects.filter(verb="meeting.published", public=True).exists()
    with pytest.raises(Conflict):
        actions.add_statement(meeting, text="迟到的发言", actor=world.staff)


def test_reschedule_draft_then_announced_keeps_notice(world, topic, venue):
    meeting = plan_meeting(
        world,
        title="议事会",
        starts_in=timedelta(days=2),
        venue=venue,
        notice_days=3,
        topics=[topic],
    )
    with pytest.raises(ActionError):
        actions.publish_notice(world.staff, meeting)
    later = timezone.now() + timedelta(days=5)
    actions.reschedule_meeting(world.staff, meeting, starts_at=later)
    actions.publish_notice(world.staff, meeting)
    with pytest.raises(ActionError) as err:  # moving it closer would cut the notice short
        actions.reschedule_meeting(
            world.staff, meeting, starts_at=timezone.now() + timedelta(days=1)
        )
    assert (err.value.code, err.value.field) == ("notice_too_late", "starts_at")
    with pytest.raises(PermissionDenied):
        actions.reschedule_meeting(
            world.street_officer, meeting, starts_at=later + timedelta(days=1)
        )
    meeting.refresh_from_db()
    assert meeting.starts_at == later
    assert Event.objects.filter(verb="meeting.rescheduled").count() == 1
