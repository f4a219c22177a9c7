"""Every transition guarded: bad input and the wrong people are refused and nothing is written."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from accountability import actions
from accountability.models import (
    ActionItem,
    Evaluation,
    EvaluationRule,
    ProgressUpdate,
    Reminder,
)
from accountability.reminders import claim_due_reminders
from accountability.tests.conftest import codes_of, publish
from accounts.models import Organisation, Role
from concerns.models import Issue
from concerns.tests.conftest import make_issue
from conftest import make_user
from core.errors import ActionError, Conflict
from notifications.models import Delivery
from timeline.models import Event


def item_events(item):
    return list(Event.objects.filter(subject_id=item.pk, verb__startswith="action_item."))


# ---- listing


def test_deadline_before_listing_is_refused_and_nothing_written(world, issue, water_company):
    with pytest.raises(ActionError) as error:
        actions.publish_action_item(
            actor=world.staff,
            community=world.c1,
            title="冲洗",
            deadline=timezone.localdate() - timedelta(days=1),
            owner_organisation=water_company,
            issues=[issue],
        )
    assert error.value.field == "deadline"
    assert not ActionItem.objects.exists()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.ACCEPTED


def test_listing_on_the_deadline_day_is_allowed(world, issue, water_company):
    item = actions.publish_action_item(
        actor=world.staff,
        community=world.c1,
        title="当天完成",
        deadline=timezone.localdate(),
        owner_organisation=water_company,
        issues=[issue],
        milestones=[("准备", timezone.localdate())],
    )
    assert item.status == ActionItem.Status.LISTED
    assert item.milestones.count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": "  "}, "title"),
        ({"issues": []}, "issues"),
        ({"milestones": [("", timezone.localdate())]}, "milestones"),
        ({"milestones": [("太晚", timezone.localdate() + timedelta(days=99))]}, "milestones"),
    ],
)
def test_listing_bad_input(world, issue, water_company, change, field):
    arguments = {
        "actor": world.staff,
        "community": world.c1,
        "title": "冲洗",
        "deadline": timezone.localdate() + timedelta(days=10),
        "owner_organisation": water_company,
        "issues": [issue],
        **change,
    }
    with pytest.raises(ActionError) as error:
        actions.publish_action_item(**arguments)
    assert error.value.field == field
    assert not ActionItem.objects.exists()


def test_issue_of_another_community_and_owner_outside_the_organisation(
    world, water_company, water_rep
):
    other = make_issue(world.c2, "别处的问题")
    with pytest.raises(ActionError):
        publish(world, water_company, title="冲洗", issues=[other], days=3)
    mine = make_issue(world.c1, "本社区问题")
    with pytest.raises(ActionError) as error:
        publish(world, world.property_company, title="冲洗", owner=water_rep, issues=[mine], days=3)
    assert error.value.field == "owner"
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize(
    "who, error",
    [
        ("staff2", Http404),  # another community's staff
        ("street_officer", PermissionDenied),
        ("district_officer", PermissionDenied),
        ("grid_worker", Http404),  # sees only the grid
        ("org_rep", Http404),
        ("nobody", Http404),
    ],
)
def test_only_the_communitys_staff_list(world, issue, water_company, who, error):
    with pytest.raises(error):
        publish(
            world, water_company, actor=getattr(world, who), title="冲洗", issues=[issue], days=3
        )
    assert not ActionItem.objects.exists()


def test_listing_twice_with_the_same_key_lists_once(world, issue, water_company):
    arguments = {
        "actor": world.staff,
        "community": world.c1,
        "title": "冲洗",
        "deadline": timezone.localdate() + timedelta(days=3),
        "owner_organisation": water_company,
        "issues": [issue],
        "idempotency_key": "k1",
    }
    first = actions.publish_action_item(**arguments)
    second = actions.publish_action_item(**arguments)
    assert first.pk == second.pk
    assert ActionItem.objects.count() == 1


# ---- progress, done, verify, close


def test_only_the_owner_reports_progress(world, item):
    for who, error in [
        ("staff", PermissionDenied),
        ("district_officer", PermissionDenied),
        ("org_rep", Http404),  # the property company does not own it
        ("staff2", Http404),
    ]:
        with pytest.raises(error):
            actions.report_progress(item, actor=getattr(world, who), text="进展")
    assert not ProgressUpdate.objects.exists()


def test_progress_needs_text_and_not_a_closed_item(world, done_item, water_rep):
    with pytest.raises(Conflict):
        actions.report_progress(done_item, actor=water_rep, text="又做了一些")
    actions.verify_item(done_item, actor=world.staff)
    actions.close_item(done_item, actor=world.staff)
    count = ProgressUpdate.objects.count()
    with pytest.raises(Conflict):
        actions.report_progress(done_item, actor=water_rep, text="关闭后的进展")
    with pytest.raises(ActionError) as error:
        actions.report_progress(done_item, actor=water_rep, text=" ")
    assert error.value.field == "text"
    assert ProgressUpdate.objects.count() == count


def test_progress_with_photos_and_milestone(world, issue, water_company, water_rep):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = publish(
        world,
        water_company,
        title="冲洗",
        issues=[issue],
        milestones=[("管道冲洗", timezone.localdate() + timedelta(days=5))],
        days=10,
    )
    png = _png()
    photo = SimpleUploadedFile("p.png", png, content_type="image/png")
    milestone = item.milestones.get()
    update = actions.report_progress(
        item, actor=water_rep, text="管道冲洗完成", photos=[photo], milestone=milestone
    )
    item.refresh_from_db()
    milestone.refresh_from_db()
    assert update.photos.count() == 1
    assert milestone.reached_at is not None
    assert item.status == ActionItem.Status.IN_PROGRESS
    assert item.latest_progress == "管道冲洗完成"


def test_closing_unverified_is_refused(world, done_item):
    with pytest.raises(Conflict) as error:
        actions.close_item(done_item, actor=world.staff)
    assert "Verify" in error.value.message or "验收" in error.value.message
    done_item.refresh_from_db()
    assert done_item.status == ActionItem.Status.DONE
    assert not Event.objects.filter(verb="action_item.closed").exists()


def test_closing_a_listed_item_is_refused(world, item):
    with pytest.raises(Conflict):
        actions.close_item(item, actor=world.staff)
    with pytest.raises(Conflict):
        actions.verify_item(item, actor=world.staff)


@pytest.mark.parametrize(
    "who, error",
    [
        ("staff2", Http404),
        ("street_officer", PermissionDenied),  # sees the street, is not the listing community
        ("district_officer", PermissionDenied),
        ("cppcc", PermissionDenied),
        ("grid_worker", Http404),
        ("outsider", Http404),
    ],
)
def test_only_the_listing_community_verifies_and_closes(world, done_item, water_rep, who, error):
    user = getattr(world, who)
    with pytest.raises(error):
        actions.verify_item(done_item, actor=user)
    actions.verify_item(done_item, actor=world.secretary)
    with pytest.raises(error):
        actions.close_item(done_item, actor=user)
    with pytest.raises(PermissionDenied):
        actions.close_item(done_item, actor=water_rep)  # the owner cannot close its own item
    done_item.refresh_from_db()
    assert done_item.status == ActionItem.Status.DONE


def test_closing_the_last_item_resolves_the_issue(world, issue, water_company, water_rep):
    deadline = timezone.localdate() + timedelta(days=5)
    first, second = (
        actions.publish_action_item(
            actor=world.staff,
            community=world.c1,
            title=title,
            deadline=deadline,
            owner_organisation=water_company,
            issues=[issue],
        )
        for title in ("冲洗管道", "清洗水箱")
    )
    for item in (first, second):
        actions.mark_done(item, actor=water_rep)
        actions.verify_item(item, actor=world.staff)
    actions.close_item(first, actor=world.staff)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_ACTION
    actions.close_item(second, actor=world.staff)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.RESOLVED


# ---- rating


def test_rating_by_wrong_code_twice_or_too_early_is_refused(world, item, issue):
    code = codes_of(issue)[0]
    with pytest.raises(Conflict):
        actions.rate_item(
            item, tracking_code=code, rating=Evaluation.Rating.SATISFIED
        )  # not done yet
    item.status = ActionItem.Status.DONE
    item.save()
    other = make_issue(world.c1, "别的问题")
    for wrong in ("NOPE1234", codes_of(other)[0], ""):
        with pytest.raises(ActionError) as error:
            actions.rate_item(item, tracking_code=wrong, rating=Evaluation.Rating.SATISFIED)
        assert error.value.code == "wrong_code"
    with pytest.raises(ActionError) as error:
        actions.rate_item(item, tracking_code=code, rating="excellent")
    assert error.value.field == "rating"
    actions.rate_item(item, tracking_code=code.lower(), rating=Evaluation.Rating.SATISFIED)
    with pytest.raises(Conflict) as error:
        actions.rate_item(item, tracking_code=code, rating=Evaluation.Rating.DISSATISFIED)
    assert error.value.code == "already_rated"
    assert Evaluation.objects.count() == 1


def test_the_same_resident_with_two_concerns_rates_once(world, done_item, issue):
    first = issue.concerns.order_by("id").first()
    twin = issue.concerns.order_by("id").last()
    twin.resident_key = first.resident_key
    twin.save()
    actions.rate_item(
        done_item, tracking_code=first.tracking_code, rating=Evaluation.Rating.SATISFIED
    )
    with pytest.raises(Conflict):
        actions.rate_item(
            done_item, tracking_code=twin.tracking_code, rating=Evaluation.Rating.SATISFIED
        )


def test_a_dissatisfied_majority_reopens_the_item_with_comments(world, done_item, issue):
    codes = codes_of(issue)  # five residents behind it
    actions.rate_item(done_item, tracking_code=codes[0], rating=Evaluation.Rating.SATISFIED)
    actions.rate_item(
        done_item, tracking_code=codes[1], rating=Evaluation.Rating.DISSATISFIED, comment="还是黄"
    )
    actions.rate_item(done_item, tracking_code=codes[2], rating=Evaluation.Rating.DISSATISFIED)
    done_item.refresh_from_db()
    assert done_item.status == ActionItem.Status.DONE  # two of five: not yet a majority
    actions.rate_item(
        done_item, tracking_code=codes[3], rating=Evaluation.Rating.DISSATISFIED, comment="有异味"
    )
    done_item.refresh_from_db()
    issue.refresh_from_db()
    assert done_item.status == ActionItem.Status.REOPENED
    assert done_item.round == 2
    reopened = Event.objects.get(verb="action_item.reopened")
    assert "还是黄" in reopened.note and "有异味" in reopened.note
    assert reopened.actor_label == "居民"
    assert Event.objects.filter(verb="issue.reopened", note=reopened.note).exists()
    assert issue.status == Issue.Status.IN_ACTION
    # The item is rated afresh when it is done again.
    with pytest.raises(Conflict):
        actions.rate_item(done_item, tracking_code=codes[4], rating=Evaluation.Rating.SATISFIED)


def test_a_dissatisfied_minority_lets_the_community_close(world, done_item, issue):
    codes = codes_of(issue)
    actions.rate_item(done_item, tracking_code=codes[0], rating=Evaluation.Rating.DISSATISFIED)
    actions.rate_item(done_item, tracking_code=codes[1], rating=Evaluation.Rating.BASICALLY)
    actions.rate_item(done_item, tracking_code=codes[2], rating=Evaluation.Rating.SATISFIED)
    actions.verify_item(done_item, actor=world.staff)
    actions.close_item(done_item, actor=world.staff)
    done_item.refresh_from_db()
    assert done_item.status == ActionItem.Status.CLOSED


def test_closing_against_the_raters_is_refused(world, done_item, issue):
    codes = codes_of(issue)
    actions.rate_item(done_item, tracking_code=codes[0], rating=Evaluation.Rating.DISSATISFIED)
    actions.verify_item(done_item, actor=world.staff)
    with pytest.raises(Conflict):
        actions.close_item(done_item, actor=world.staff)


def test_the_rule_is_configurable_per_community(world, done_item, issue):
    EvaluationRule.objects.create(community=world.c1, reopen_above_percent=30)
    codes = codes_of(issue)
    actions.rate_item(done_item, tracking_code=codes[0], rating=Evaluation.Rating.DISSATISFIED)
    done_item.refresh_from_db()
    assert done_item.status == ActionItem.Status.DONE  # 1 of 5 = 20 %
    actions.rate_item(done_item, tracking_code=codes[1], rating=Evaluation.Rating.DISSATISFIED)
    done_item.refresh_from_db()
    assert done_item.status == ActionItem.Status.REOPENED  # 2 of 5 = 40 % > 30 %


def test_staff_reopen_needs_a_reason_and_a_done_or_closed_item(world, item, water_rep):
    with pytest.raises(Conflict):
        actions.reopen_item(item, actor=world.staff, note="再看看")
    actions.mark_done(item, actor=water_rep)
    with pytest.raises(ActionError):
        actions.reopen_item(item, actor=world.staff, note="  ")
    with pytest.raises(PermissionDenied):
        actions.reopen_item(item, actor=world.district_officer, note="不行")
    actions.reopen_item(item, actor=world.staff, note="现场复查仍有黄水")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.REOPENED
    actions.report_progress(item, actor=water_rep, text="再次冲洗")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.IN_PROGRESS


def test_every_transition_is_recorded(world, done_item):
    actions.verify_item(done_item, actor=world.staff)
    actions.close_item(done_item, actor=world.staff)
    verbs = [e.verb for e in item_events(done_item)]
    assert verbs == [
        "action_item.listed",
        "action_item.progress",
        "action_item.done",
        "action_item.verified",
        "action_item.closed",
    ]


# ---- story 5: the basketball court, and reminders


@pytest.fixture
def court(world):
    sports = Organisation.objects.create(
        name="金凤区文化旅游体育广电局", kind=Organisation.Kind.GOVERNMENT_DEPARTMENT
    )
    make_user("sports", (Role.Kind.ORG_REPRESENTATIVE, None, sports))
    issue = make_issue(world.c1, "商务区缺少运动场地", residents=3)
    next_year = timezone.localdate().replace(month=6, day=30, year=timezone.localdate().year + 1)
    return actions.publish_action_item(
        actor=world.staff,
        community=world.c1,
        title="金水园广场多功能篮球场",
        deadline=next_year,
        owner_organisation=sports,
        issues=[issue],
    )


def test_story_5_court_stays_listed_and_turns_overdue_after_the_deadline(world, court):
    assert court.status == ActionItem.Status.LISTED
    assert not court.is_overdue
    assert not ActionItem.objects.overdue().exists()
    after = timezone.now() + (court.deadline - timezone.localdate()) + timedelta(days=1)
    assert court.is_overdue_at(after)
    assert list(ActionItem.objects.overdue(after)) == [court]
    with mock.patch("django.utils.timezone.now", return_value=after):
        assert court.is_overdue
    # A closed item is never overdue.
    court.status = ActionItem.Status.CLOSED
    assert not court.is_overdue_at(after)


def test_reminder_command_run_twice_sends_nothing_twice(
    world, court, django_capture_on_commit_callbacks
):
    sports_rep = Role.objects.get(
        kind=Role.Kind.ORG_REPRESENTATIVE, organisation__name__contains="文化"
    ).user
    after = timezone.now() + (court.deadline - timezone.localdate()) + timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=after):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Reminder.objects.filter(kind=Reminder.Kind.OVERDUE).count() == 1
    assert Event.objects.filter(verb="action_item.overdue").count() == 1
    told = Delivery.objects.filter(event__verb="action_item.overdue", channel="in_app")
    assert set(told.values_list("user", flat=True)) == {
        sports_rep.pk,
        world.staff.pk,
        world.secretary.pk,
    }
    # Another run the next day still sends nothing new for the same deadline.
    assert claim_due_reminders(after + timedelta(days=1)) == []


def test_due_soon_then_overdue_each_once(world, court):
    soon = timezone.now() + (court.deadline - timezone.localdate()) - timedelta(days=2)
    assert [r.kind for r in claim_due_reminders(soon)] == [Reminder.Kind.DUE_SOON]
    assert claim_due_reminders(soon) == []
    late = soon + timedelta(days=5)
    assert [r.kind for r in claim_due_reminders(late)] == [Reminder.Kind.OVERDUE]
    assert claim_due_reminders(late) == []


def test_a_reminder_claimed_by_a_parallel_run_is_not_sent_again(world, court):
    from accountability.reminders import _claim

    late = timezone.now() + (court.deadline - timezone.localdate()) + timedelta(days=1)
    # Another run inserted the row between our look-up and our insert: the unique key wins.
    Reminder.objects.create(action_item=court, kind=Reminder.Kind.OVERDUE, deadline=court.deadline)
    assert _claim(court, Reminder.Kind.OVERDUE, late) is None
    assert not Event.objects.filter(verb="action_item.overdue").exists()
    # A new deadline earns its own reminder.
    court.deadline += timedelta(days=30)
    court.save()
    later = late + timedelta(days=31)
    assert [r.kind for r in claim_due_reminders(later)] == [Reminder.Kind.OVERDUE]


def test_a_listed_issue_keeps_the_publicly_agreed_deadline(world, issue, water_company):
    """Once listed, an issue is overdue when the agreed deadline passes, not its category's
    seven days: a basketball court promised for next year is not late this month."""
    from datetime import datetime, time
    from unittest import mock

    issue.resolve_due_at = timezone.now() - timedelta(days=1)
    issue.save(update_fields=["resolve_due_at"])
    assert issue.is_overdue
    deadline = timezone.localdate() + timedelta(days=200)
    actions.publish_action_item(
        actor=world.staff,
        community=world.c1,
        title="明年建成篮球场",
        deadline=deadline,
        owner_organisation=water_company,
        issues=[issue],
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_ACTION
    assert not issue.is_overdue
    assert timezone.localtime(issue.resolve_due_at).date() == deadline
    # A second item with an earlier deadline does not pull the issue's deadline forward.
    publish(world, water_company, title="先装儿童设施", issues=[issue], days=30)
    issue.refresh_from_db()
    assert timezone.localtime(issue.resolve_due_at).date() == deadline
    later = timezone.make_aware(datetime.combine(deadline + timedelta(days=1), time(9)))
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert issue.is_overdue


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    return buffer.getvalue()


def test_an_item_counts_residents_as_its_issues_do(world, water_company):
    """One household writing from two phones about two matters is one resident behind the
    item, as it is one resident behind each issue (the intake's rule: phone ∪ household), not
    two as a count of distinct phones would say."""
    from concerns.intake.submit import submit_concern
    from places.models import Building, Compound

    compound = Compound.objects.create(name="花园小区", grid=world.g1)
    building = Building.objects.create(compound=compound, name="3号楼")
    water = submit_concern(
        community=world.c1,
        content="自来水发黄，没法用",
        channel="web",
        phone="13800000001",
        building=building,
        address="3号楼2单元501",
    )
    lights = submit_concern(
        community=world.c1,
        content="楼道的感应灯坏了",
        channel="web",
        phone="13800000002",
        building=building,
        address="3号楼2单元501室",
    )
    other = submit_concern(
        community=world.c1, content="楼道的灯不亮了", channel="web", phone="13800000003"
    )
    assert water.issue_id != lights.issue_id
    assert other.issue_id == lights.issue_id
    assert Issue.objects.get(pk=lights.issue_id).residents_count == 2
    item = publish(
        world, water_company, title="换水管，修灯", issues=[water.issue, lights.issue], days=30
    )
    assert item.residents_count == 2  # the household (two phones) and the third resident


@pytest.mark.parametrize(
    ("percent", "dissatisfied", "base", "reopens"),
    [(50, 2, 4, False), (50, 3, 4, True), (50, 1, 0, False), (30, 2, 6, True), (30, 1, 6, False)],
)
def test_the_community_rule_reopens_only_above_its_share(
    world, percent, dissatisfied, base, reopens
):
    EvaluationRule.objects.create(community=world.c1, reopen_above_percent=percent)
    assert EvaluationRule.reopens(world.c1, dissatisfied, base) is reopens
    assert EvaluationRule.reopens(world.c2, 3, 4) is True  # no rule of its own: a majority
