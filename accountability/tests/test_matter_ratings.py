"""民事民评 for every 办结: a matter settled in the grid (or by the community, or resolved when
its items are closed) is rated by the residents behind it, once per round, from their
tracking page or the API; a dissatisfied majority reopens it; 满意率 counts these ratings."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability import actions
from accountability.models import Evaluation, EvaluationRule
from accountability.tests.conftest import codes_of, publish
from accountability.tests.test_api import API, bearer, post
from concerns import actions as concerns
from concerns.intake import submit as intake
from concerns.models import Concern, Issue
from concerns.tests.conftest import make_issue
from core.errors import ActionError, Conflict
from insights import metrics
from notifications.sms import MemorySender


def grid_settled(world, *, residents=3, title="宠物医院门口卫生差"):
    """An issue of grid g1 settled by its grid worker after a site visit (小事不出网格)."""
    issue = make_issue(world.c1, title, residents=residents, grid=world.g1)
    Issue.objects.filter(pk=issue.pk).update(level=Issue.Level.GRID)
    issue.refresh_from_db()
    concerns.record_site_visit(issue, actor=world.grid_worker, notes="实地查看，情况属实")
    return concerns.settle_issue(
        issue, actor=world.grid_worker, outcome="宠物医院整改，每日清理消毒"
    )


def rate_url(code):
    return reverse("accountability:rate", args=[code])


def test_story_2_a_pet_hospital_report_settled_in_the_grid_and_rated_by_the_resident(
    world, client, django_capture_on_commit_callbacks, settings
):
    """Story 2: a resident phones about the pet hospital's hygiene; the grid worker goes to
    look, the hospital cleans up, the grid settles it; the resident is asked to rate and does
    so from the tracking page on their phone."""
    settings.SITE_URL = "https://yishi.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        concern = intake.submit_concern(
            community=world.c1,
            content="宠物医院门口狗粪便没人清理，味道很大，卫生太差",
            channel=Concern.Channel.GRID_PHONE,
            phone="13995020003",
            actor=world.grid_worker,
        )
        issue = concern.issue
        assert (issue.grid, issue.level) == (world.g1, Issue.Level.GRID)
        concerns.accept_issue(issue, actor=world.grid_worker)
        concerns.record_site_visit(issue, actor=world.grid_worker, notes="门口确有粪便")
        concerns.settle_issue(issue, actor=world.grid_worker, outcome="宠物医院整改，每日清理消毒")
    issue.refresh_from_db()
    assert issue.settled_in_grid
    code = concern.tracking_code
    # The last message invites the resident to rate, with their tracking page.
    invitation = MemorySender.outbox[-1][1]
    assert "评价" in invitation and f"https://yishi.example.cn/concerns/t/{code}/" in invitation

    # The tracking page loads the rating box (htmx), or links to it without JavaScript.
    page = client.get(reverse("concerns:track_code", args=[code])).content.decode()
    assert f'hx-get="{rate_url(code)}"' in page
    assert 'data-testid="rate-link"' in page
    box = client.get(rate_url(code), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="rate-box"' in box and f'name="issue" value="{issue.pk}"' in box
    assert "<html" not in box  # a fragment for htmx
    assert "13995020003" not in box

    # 满意: the resident rates it; the box thanks them and the rating is recorded.
    response = client.post(
        rate_url(code),
        {"issue": issue.pk, "rating": "satisfied", "comment": "门口干净了"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'data-testid="rated"' in response.content.decode()
    evaluation = Evaluation.objects.get()
    assert (evaluation.issue, evaluation.action_item, evaluation.round) == (issue, None, 1)
    assert (evaluation.concern, evaluation.rating) == (concern, Evaluation.Rating.SATISFIED)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SETTLED  # satisfied: it stays settled

    # Twice: refused with a clear message, nothing written.
    again = client.post(rate_url(code), {"issue": issue.pk, "rating": "dissatisfied"})
    assert again.status_code == 409
    assert "already rated" in again.content.decode() or "已经评价" in again.content.decode()
    assert Evaluation.objects.count() == 1


def test_plain_form_post_returns_to_the_tracking_page(world, client):
    issue = grid_settled(world)
    code = codes_of(issue)[0]
    page = client.get(rate_url(code))  # the page of its own, without JavaScript
    assert page.status_code == 200 and "<html" in page.content.decode()
    response = client.post(rate_url(code), {"issue": issue.pk, "rating": "basically"})
    assert response.status_code == 302
    assert response["Location"] == reverse("concerns:track_code", args=[code])
    followed = client.get(response["Location"])
    assert "谢谢" in followed.content.decode() or "Thank you" in followed.content.decode()
    assert Evaluation.objects.get().rating == Evaluation.Rating.BASICALLY
    # The whole-story page sums the matter's ratings; the tracking page has no line per rating.
    story = client.get(reverse("accountability:story_code", args=[code])).content.decode()
    assert "基本满意 1" in story or "Basically satisfied 1" in story
    assert "rate-matter-link" in story
    # Without a rating chosen: 400, nothing written.
    other = codes_of(issue)[1]
    assert client.post(rate_url(other), {"issue": issue.pk}).status_code == 400
    assert client.put(rate_url(other)).status_code == 405
    assert Evaluation.objects.count() == 1


def test_a_code_rates_only_its_own_matter(world, client):
    issue = grid_settled(world)
    other = grid_settled(world, title="楼道灯不亮")
    code = codes_of(issue)[0]
    assert (
        client.post(rate_url(code), {"issue": other.pk, "rating": "satisfied"}).status_code == 404
    )
    assert client.post(rate_url(code), {"issue": "x", "rating": "satisfied"}).status_code == 404
    assert client.get(rate_url("NOSUCH00")).status_code == 404
    with pytest.raises(ActionError) as refused:
        actions.rate_matter(other, tracking_code=code, rating="satisfied")
    assert refused.value.code == "wrong_code"
    assert not Evaluation.objects.exists()


def test_a_matter_still_being_handled_cannot_be_rated(world, client):
    issue = make_issue(world.c1, "路灯不亮", residents=1, grid=world.g1)
    code = codes_of(issue)[0]
    with pytest.raises(Conflict) as refused:
        actions.rate_matter(issue, tracking_code=code, rating="satisfied")
    assert refused.value.code == "not_settled"
    page = client.get(reverse("concerns:track_code", args=[code])).content.decode()
    assert "rate-box" not in page
    with pytest.raises(ActionError):
        actions.rate_matter(issue, tracking_code=code, rating="delighted")


def test_a_dissatisfied_majority_reopens_the_grid_settled_matter_and_a_new_round_begins(
    world, water_company
):
    issue = grid_settled(world, residents=3)
    codes = codes_of(issue)
    actions.rate_matter(issue, tracking_code=codes[0], rating="dissatisfied", comment="还是脏")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SETTLED  # 1 of 3 is not a majority
    actions.rate_matter(issue, tracking_code=codes[1], rating="dissatisfied")
    issue.refresh_from_db()
    # 2 of 3: reopened (concerns' reopen_issue), back with the grid worker to settle again
    assert issue.status == Issue.Status.ACCEPTED and issue.settled_at is None
    assert issue.round == 2  # stored, as an action item's round is
    from timeline.models import Event

    reopened = Event.objects.get(verb="issue.reopened", subject_id=issue.pk)
    assert "还是脏" in reopened.note and reopened.actor_label == "居民"
    # Round 2: the community publishes an item for it (offered on its list page), closes it;
    # everyone may rate again.
    from accountability.views import issues_to_publish

    assert issue in issues_to_publish(world.staff)
    item = publish(world, water_company, title="督促宠物医院每日清理", issues=[issue], days=3)
    actions.mark_done(item, actor=world.staff)
    actions.verify_item(item, actor=world.staff)
    actions.close_item(item, actor=world.staff)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.RESOLVED
    second = actions.rate_matter(issue, tracking_code=codes[0], rating="satisfied")
    assert second.round == 2
    assert Evaluation.objects.filter(resident_key=second.resident_key).count() == 2


def test_a_rule_of_the_community_applies_to_matters(world):
    EvaluationRule.objects.create(community=world.c1, reopen_above_percent=20)
    issue = grid_settled(world, residents=4)
    actions.rate_matter(issue, tracking_code=codes_of(issue)[0], rating="dissatisfied")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.ACCEPTED  # 1 of 4 is above 20 %: reopened


def test_a_resolved_matter_whose_item_a_resident_rated_is_not_rated_twice(world, done_item, issue):
    codes = codes_of(issue)
    actions.rate_item(done_item, tracking_code=codes[0], rating="satisfied")
    assert Evaluation.objects.get().issue == issue  # item ratings name their issue too
    actions.verify_item(done_item, actor=world.staff)
    actions.close_item(done_item, actor=world.staff)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.RESOLVED
    with pytest.raises(Conflict) as refused:
        actions.rate_matter(issue, tracking_code=codes[0], rating="satisfied")
    assert refused.value.code == "already_rated"
    # A neighbour who had not rated the item rates the resolved matter.
    actions.rate_matter(issue, tracking_code=codes[1], rating="basically")
    assert Evaluation.objects.filter(issue=issue).count() == 2


def test_dissatisfied_residents_reopen_a_resolved_matter_and_its_closed_item(
    world, done_item, issue
):
    actions.verify_item(done_item, actor=world.staff)
    actions.close_item(done_item, actor=world.staff)
    for code in codes_of(issue)[:3]:  # 3 of 5
        actions.rate_matter(issue, tracking_code=code, rating="dissatisfied")
    issue.refresh_from_db()
    done_item.refresh_from_db()
    assert issue.status == Issue.Status.IN_ACTION
    assert (done_item.status, done_item.round) == ("reopened", 2)
    assert issue.round == 2  # the matter's round moves with its item's
    from timeline.models import Event

    assert Event.objects.filter(verb="issue.reopened", subject_id=issue.pk).count() == 1


def test_satisfaction_rate_by_hand_includes_grid_settled_matters(world, done_item, issue):
    """满意率 = (满意 + 基本满意) / all ratings of matters of the area in the period."""
    codes = codes_of(issue)
    actions.rate_item(done_item, tracking_code=codes[0], rating="satisfied")
    actions.rate_item(done_item, tracking_code=codes[1], rating="dissatisfied")
    settled = grid_settled(world, residents=2)
    actions.rate_matter(settled, tracking_code=codes_of(settled)[0], rating="basically")
    in_g2 = make_issue(world.c1, "楼道堆物", residents=1, grid=world.g2)
    Issue.objects.filter(pk=in_g2.pk).update(level=Issue.Level.GRID)
    concerns.settle_issue(in_g2, actor=world.staff, outcome="已清理")
    actions.rate_matter(in_g2, tracking_code=codes_of(in_g2)[0], rating="satisfied")
    elsewhere = make_issue(world.c2, "二号社区的事", residents=1, grid=world.g3)
    concerns.settle_issue(elsewhere, actor=world.staff2, outcome="已处理")
    actions.rate_matter(elsewhere, tracking_code=codes_of(elsewhere)[0], rating="dissatisfied")

    today = timezone.localdate()
    period = metrics.Period(date(today.year, today.month, 1), today)

    def counts(area):
        return metrics.satisfaction_counts(metrics.Scope.of(area), period)

    # c1: satisfied, dissatisfied (item), basically (g1 matter), satisfied (g2 matter).
    assert counts(world.c1) == {"rated": 4, "satisfied": 3}  # 75 %
    assert counts(world.g1) == {"rated": 3, "satisfied": 2}  # the item's issue is in g1 too
    assert counts(world.g2) == {"rated": 1, "satisfied": 1}
    assert counts(world.c2) == {"rated": 1, "satisfied": 0}
    assert counts(world.street) == {"rated": 5, "satisfied": 3}
    # Each rating keeps its issue's community, which the area figures read.
    kept = Evaluation.objects.select_related("issue").values_list("community", "issue__community")
    assert len(kept) == 5 and all(mine == its for mine, its in kept)
    last_year = metrics.Period(date(today.year - 1, 1, 1), date(today.year - 1, 1, 31))
    assert metrics.satisfaction_counts(metrics.Scope.of(world.c1), last_year)["rated"] == 0


def test_the_api_for_a_resident_and_for_staff(world, client):
    issue = grid_settled(world)
    code, other_code = codes_of(issue)[:2]
    state = client.get(f"{API}/concerns/{code}/matter").json()
    assert state["issue_id"] == issue.pk and state["status"] == "settled"
    assert state["can_rate"] and not state["rated"] and state["round"] == 1
    assert state["outcome"] == "宠物医院整改，每日清理消毒" and state["items_to_rate"] == []
    url = f"{API}/concerns/{code}/issues/{issue.pk}/evaluations"
    created = post(client, url, {"rating": "satisfied", "comment": "好"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["issue_id"] == issue.pk and body["action_item_id"] is None and body["round"] == 1
    again = post(client, url, {"rating": "dissatisfied"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    state = client.get(f"{API}/concerns/{code}/matter").json()
    assert state["rated"] and not state["can_rate"] and state["my_rating"] == "satisfied"
    # A code of another issue, an unknown code, a bad rating.
    foreign = grid_settled(world, title="楼道灯不亮")
    wrong = post(
        client, f"{API}/concerns/{code}/issues/{foreign.pk}/evaluations", {"rating": "satisfied"}
    )
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "not_found"
    assert post(client, url.replace(code, "NOSUCH00"), {"rating": "satisfied"}).status_code == 404
    bad = post(client, url.replace(code, other_code), {"rating": "delighted"})
    assert bad.status_code == 422
    assert client.get(f"{API}/concerns/NOSUCH00/matter").status_code == 404
    # Not yet settled: 409.
    open_issue = make_issue(world.c1, "噪音", residents=1)
    open_code = codes_of(open_issue)[0]
    early = post(
        client,
        f"{API}/concerns/{open_code}/issues/{open_issue.pk}/evaluations",
        {"rating": "satisfied"},
    )
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_settled"
    assert Evaluation.objects.count() == 1
    # Staff read a matter's ratings in their scope; 404 outside it; 401 without a token.
    staff_url = f"{API}/issues/{issue.pk}/evaluations"
    listed = client.get(staff_url, **bearer(world.grid_worker)).json()
    assert listed["count"] == 1 and listed["items"][0]["rating"] == "satisfied"
    assert client.get(staff_url, **bearer(world.staff)).status_code == 200
    assert client.get(staff_url, **bearer(world.staff2)).status_code == 404
    assert client.get(staff_url).status_code == 401
