"""Story 1, 金城蓝湾二期: yellow tap water, played to the end.

Twelve households report yellow water; a consultation with the residents, 市政用水管理处, the
property company and the water company agrees to flush the pipes and the roof tanks; the item is
listed, progressed, done, rated by the twelve residents and closed; each resident was told of
the steps that matter to them."""

from django.urls import reverse

from accountability import actions
from accountability.models import ActionItem, Evaluation
from accountability.tests.conftest import codes_of, hold_consultation, publish
from accounts.models import Organisation, Role
from concerns.models import Issue
from concerns.tests.conftest import make_issue
from conftest import make_user
from notifications.models import Delivery
from timeline.models import Event


def test_story_1_yellow_water_from_consultation_to_closing(
    world, django_capture_on_commit_callbacks, _sms_outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        issue = make_issue(world.c1, "金城蓝湾二期自来水发黄", residents=12, grid=world.g1)
        water_office = Organisation.objects.create(
            name="市政用水管理处", kind=Organisation.Kind.GOVERNMENT_DEPARTMENT
        )
        water_company = Organisation.objects.create(
            name="自来水公司", kind=Organisation.Kind.UTILITY
        )
        water_rep = make_user("water", (Role.Kind.ORG_REPRESENTATIVE, None, water_company))
        resolution = hold_consultation(
            world.staff,
            world.c1,
            issue,
            parties=[water_office, world.property_company, water_company],
        )

    # 挂牌: listed from the meeting's resolution, owned by the water company.
    with django_capture_on_commit_callbacks(execute=True):
        item = actions.publish_action_item(
            actor=world.staff,
            community=world.c1,
            title="冲洗二次供水管道和楼顶水箱",
            deadline=resolution.target_date,
            owner_organisation=water_company,
            resolution=resolution,
        )
    assert list(item.issues.all()) == [issue]
    assert item.residents_count == 12
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_ACTION

    with django_capture_on_commit_callbacks(execute=True):
        actions.report_progress(item, actor=water_rep, text="已冲洗1-6号楼管道")
        actions.report_progress(item, actor=water_rep, text="楼顶水箱清洗完毕")
        actions.mark_done(item, actor=water_rep, note="水质检测正常")

    codes = codes_of(issue)
    assert len(codes) == 12
    with django_capture_on_commit_callbacks(execute=True):
        for n, code in enumerate(codes):
            rating = Evaluation.Rating.SATISFIED if n < 10 else Evaluation.Rating.BASICALLY
            actions.rate_item(item, tracking_code=code, rating=rating, comment="水清了")
        actions.verify_item(item, actor=world.staff, note="现场取样验收")
        item = actions.close_item(item, actor=world.secretary, note="居民满意，销号")

    item.refresh_from_db()
    issue.refresh_from_db()
    assert item.status == ActionItem.Status.CLOSED
    assert item.closed_at is not None
    assert item.evaluations.count() == 12
    assert issue.status == Issue.Status.RESOLVED

    # Each resident was told of the listing and of the matter resolved (with the invitation
    # to rate); progress, done and closing stay on their tracking page.
    phones = set(issue.concerns.values_list("phone", flat=True))
    assert len(phones) == 12
    events = list(Event.objects.filter(subject_id=item.pk, verb="action_item.listed"))
    for verb, expected in [
        ("action_item.listed", 12),
        ("action_item.progress", 0),
        ("action_item.done", 0),
        ("action_item.closed", 0),
        ("meeting.announced", 13),  # the resident representative at the meeting too
        ("resolution.recorded", 1),  # the representative only
        ("issue.resolved", 12),
    ]:
        sms = Delivery.objects.filter(event__verb=verb, channel=Delivery.Channel.SMS)
        assert sms.count() == expected, verb
        if expected == 12:
            assert sorted(sms.values_list("address", flat=True)) == sorted(phones), verb
            assert set(sms.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert Delivery.objects.filter(
        address="13800001111", event__verb="resolution.recorded"
    ).exists()
    # The SMS carries the resident's own tracking code and nobody else's.
    first = Delivery.objects.filter(event=events[0], address=issue.concerns.first().phone).get()
    assert issue.concerns.first().tracking_code in first.body
    assert len(_sms_outbox) == Delivery.objects.filter(channel=Delivery.Channel.SMS).count()
    # The owner heard of the listing and closing in the workbench; the community of progress.
    assert Delivery.objects.filter(
        user=water_rep, channel=Delivery.Channel.IN_APP, event__verb="action_item.listed"
    ).exists()
    assert Delivery.objects.filter(
        user=world.staff, channel=Delivery.Channel.IN_APP, event__verb="action_item.done"
    ).exists()
    # Nobody is told of their own act.
    assert not Delivery.objects.filter(user=water_rep, event__verb="action_item.progress").exists()


def test_story_1_whole_story_page_by_tracking_code(world, client, item, issue, water_rep):
    actions.report_progress(item, actor=water_rep, text="已冲洗管道")
    actions.mark_done(item, actor=water_rep)
    code = codes_of(issue)[0]
    page = client.get(reverse("accountability:story_code", args=[code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "自来水发黄" in html and "冲洗管道和水箱" in html and "已冲洗管道" in html
    assert f'name="item" value="{item.pk}"' in html  # the rating form
    # No personal data of anyone: names and phones of the reporters stay out.
    concern = issue.concerns.first()
    assert concern.phone not in html
    assert "居民1" not in html
    response = client.post(
        reverse("accountability:story_code", args=[code]),
        {"item": item.pk, "rating": "satisfied", "comment": "很好"},
    )
    assert response.status_code == 302
    assert Evaluation.objects.filter(action_item=item, concern__tracking_code=code).count() == 1
    again = client.post(
        reverse("accountability:story_code", args=[code]),
        {"item": item.pk, "rating": "dissatisfied"},
    )
    assert again.status_code == 400
    assert Evaluation.objects.filter(action_item=item).count() == 1


def test_story_page_from_every_step_shows_the_same_chain(world, client, issue, water_company):
    resolution = hold_consultation(world.staff, world.c1, issue, parties=[water_company])
    item = publish(world, water_company, title="冲洗管道", resolution=resolution, days=5)
    meeting = resolution.meeting
    topic = resolution.topic
    client.force_login(world.staff)
    for kind, pk in [
        ("issue", issue.pk),
        ("topic", topic.pk),
        ("meeting", meeting.pk),
        ("resolution", resolution.pk),
        ("item", item.pk),
    ]:
        html = client.get(reverse("accountability:story", args=[kind, pk])).content.decode()
        for text in (issue.title, topic.title, meeting.title, resolution.text, item.title):
            assert text in html, (kind, text)
    # The public version from the item, by its token: no staff-only details, still the whole
    # chain, the matter under its public title.
    client.logout()
    url = reverse("accountability:story_public", args=[item.story_token])
    html = client.get(url).content.decode()
    assert meeting.title in html and resolution.text in html
    assert issue.title_for_public in html
    assert "13800001111" not in html  # a participant's phone
    # Never by a counted id.
    for kind, pk in [("item", item.pk), ("issue", issue.pk), ("concern", 1), ("nothing", 1)]:
        response = client.get(reverse("accountability:story", args=[kind, pk]))
        assert response.status_code == 404
        assert meeting.title not in response.content.decode()
