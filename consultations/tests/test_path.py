"""The path from an issue to a listed item without typing anything twice, scoped pickers,
bulk invitations (each person told), and a meeting that cannot be opened yet saying when."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import ActionItem
from accounts.models import Organisation, Role
from accounts.pickers import escalation_targets, organisations_serving
from concerns.models import Concern, Issue
from concerns.tests.conftest import make_issue
from consultations import actions
from consultations.models import Meeting, Motion, Participant, Resolution, Topic
from consultations.tests.conftest import plan_meeting
from core.errors import ActionError
from notifications.models import Delivery
from timeline.models import Event

LONG_TITLE = (
    "金城蓝湾二期3号楼至5号楼之间的消防通道长期被私家车和电动车占用，救护车和消防车都进不来"
)


@pytest.fixture
def orgs(world):
    """Organisations around the test community: in scope and out of it."""

    def org(name, kind, *areas):
        made = Organisation.objects.create(name=name, kind=kind)
        made.areas.add(*areas)
        return made

    return {
        "street_office": org("测试街道办事处", Organisation.Kind.STREET_OFFICE, world.street),
        "enforcement": org("测试区综合执法局", Organisation.Kind.LAW_ENFORCEMENT, world.district),
        "neighbour_company": org("二号社区物业公司", Organisation.Kind.PROPERTY_COMPANY, world.c2),
        "far_school": org("别区第四中学", Organisation.Kind.OTHER, world.other_district),
        "far_bureau": org(
            "别区农业农村局", Organisation.Kind.GOVERNMENT_DEPARTMENT, world.other_district
        ),
    }


# ---- Scoped pickers -------------------------------------------------------------------------


def test_a_community_is_offered_only_the_organisations_serving_it(world, orgs):
    offered = list(organisations_serving(world.c1))
    names = [o.name for o in offered]
    assert set(names) == {"测试物业公司", "测试街道办事处", "测试区综合执法局"}
    # Grouped by kind in a fixed order: the community's companies before the street and
    # the departments.
    assert names == ["测试物业公司", "测试街道办事处", "测试区综合执法局"]
    # A district matter is offered the organisations of the communities inside it too.
    district = {o.name for o in organisations_serving(world.district)}
    assert {"二号社区物业公司", "测试物业公司"} <= district
    assert "别区第四中学" not in district
    # Escalation goes to streets and departments, never to a property company.
    assert [o.name for o in escalation_targets(world.c1)] == ["测试街道办事处", "测试区综合执法局"]


def test_demo_jinfeng_community_is_not_offered_pengyang_or_pingluo(demo):
    from places.models import Area

    jclw = Area.objects.get(code="640106001001")
    names = {o.name for o in organisations_serving(jclw)}
    assert "彭阳四中" not in names and "平罗县农业农村局" not in names
    assert "五里水乡社区党委" not in names  # a neighbouring community's own
    assert {"金城蓝湾物业服务中心", "金凤区综合执法局", "银川市自来水公司"} <= names


@pytest.fixture
def meeting(world, topic, venue):
    return plan_meeting(world, venue=venue, notice_days=0, topics=[topic])


def test_meeting_page_offers_only_organisations_in_scope_and_no_list_box(
    world, orgs, meeting, client
):
    client.force_login(world.secretary)
    html = client.get(reverse("consultations:meeting", args=[meeting.pk])).content.decode()
    assert "测试区综合执法局" in html and "测试物业公司" in html
    for name in ("别区第四中学", "别区农业农村局", "二号社区物业公司"):
        assert name not in html
    assert "<select multiple" not in html and 'multiple id="id_' not in html
    assert 'data-picker-filter="bulk_organisations"' in html  # searchable
    assert "accounts/pickers" in html


def test_a_forged_invitation_of_an_out_of_scope_organisation_is_refused(
    world, orgs, meeting, client
):
    client.force_login(world.secretary)
    url = reverse("consultations:meeting_action", args=[meeting.pk, "invite"])
    response = client.post(
        url, {"party": "department", "name": "校长", "organisation": orgs["far_school"].pk}
    )
    assert response.status_code == 400
    assert not meeting.participants.exists()
    # The action itself refuses too, whatever the form offered, with a clear message.
    with pytest.raises(ActionError) as error:
        actions.invite_participant(
            world.secretary,
            meeting,
            party="department",
            name="校长",
            organisation=orgs["far_school"],
        )
    assert "别区第四中学" in error.value.message and error.value.field == "organisation"
    bulk = reverse("consultations:meeting_action", args=[meeting.pk, "invite-many"])
    response = client.post(bulk, {"organisations": [orgs["far_bureau"].pk]})
    assert response.status_code == 400
    assert not meeting.participants.exists()


def test_a_forged_resolution_owner_and_item_owner_out_of_scope_are_refused(
    world, orgs, held, client
):
    topic = held.topics.get()
    with pytest.raises(ActionError) as error:
        actions.record_resolution(
            world.staff, held, topic=topic, text="清理", organisations=[orgs["far_bureau"]]
        )
    assert "别区农业农村局" in error.value.message
    resolution = actions.record_resolution(
        world.staff, held, topic=topic, text="清理", organisations=[orgs["enforcement"]]
    )
    client.force_login(world.staff)
    url = reverse("accountability:publish_item") + f"?resolution={resolution.pk}"
    page = client.get(url).content.decode()
    assert "别区农业农村局" not in page and "二号社区物业公司" not in page
    response = client.post(
        url,
        {
            "title": "清理",
            "owner_organisation": orgs["far_bureau"].pk,
            "deadline": (timezone.localdate() + timedelta(days=9)).isoformat(),
            "community": "C1",
        },
    )
    assert response.status_code == 400
    assert not ActionItem.objects.exists()
    from accountability import actions as item_actions

    with pytest.raises(ActionError) as error:
        item_actions.publish_action_item(
            actor=world.staff,
            community=world.c1,
            title="清理",
            deadline=timezone.localdate() + timedelta(days=9),
            owner_organisation=orgs["far_bureau"],
            resolution=resolution,
        )
    assert "别区农业农村局" in error.value.message


def test_escalating_to_an_out_of_scope_department_is_refused(world, orgs, client):
    issue = make_issue(world.c1, "路灯不亮", residents=1, grid=world.g1)
    client.force_login(world.staff)
    page = client.get(reverse("concerns:issue", args=[issue.pk])).content.decode()
    assert "测试区综合执法局" in page and "别区农业农村局" not in page
    url = reverse("concerns:issue_action", args=[issue.pk, "escalate_onward"])
    response = client.post(
        url,
        {"to": "department", "organisation": orgs["far_bureau"].pk, "reason": "需要部门处理"},
        follow=True,
    )
    assert "别区农业农村局" in response.content.decode()  # the message names it
    issue.refresh_from_db()
    assert issue.level == Issue.Level.COMMUNITY and issue.escalated_to is None
    client.post(url, {"to": "department", "organisation": orgs["enforcement"].pk, "reason": "需要"})
    issue.refresh_from_db()
    assert issue.escalated_to == orgs["enforcement"]


def test_person_in_charge_lists_only_representatives_in_scope(world, orgs, held, client):
    from conftest import make_user

    make_user("far_rep", (Role.Kind.ORG_REPRESENTATIVE, None, orgs["far_bureau"]))
    make_user("near_rep", (Role.Kind.ORG_REPRESENTATIVE, None, orgs["enforcement"]))
    resolution = actions.record_resolution(
        world.staff, held, topic=held.topics.get(), text="清理", organisations=[orgs["enforcement"]]
    )
    client.force_login(world.staff)
    page = client.get(
        reverse("accountability:publish_item") + f"?resolution={resolution.pk}"
    ).content.decode()
    assert "near_rep" in page and "far_rep" not in page


# ---- 提交协商 from the issue page -------------------------------------------------------------


def test_issue_page_offers_submit_for_consultation_to_those_who_may_propose(world, client):
    issue = make_issue(world.c1, LONG_TITLE, residents=2, grid=world.g1)
    client.force_login(world.secretary)
    page = client.get(reverse("concerns:issue", args=[issue.pk])).content.decode()
    url = reverse("consultations:topic_from_issue", args=[issue.pk])
    assert url in page
    client.force_login(world.grid_worker)
    assert url not in client.get(reverse("concerns:issue", args=[issue.pk])).content.decode()
    assert client.get(url).status_code == 404  # the community's topics are not theirs to see
    client.force_login(world.district_officer)  # oversees, proposes nothing
    assert url not in client.get(reverse("concerns:issue", args=[issue.pk])).content.decode()
    assert client.get(url).status_code == 403
    client.force_login(world.staff2)  # another community: the issue does not exist for them
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_submit_for_consultation_makes_the_topic_in_one_step_with_the_whole_title(world, client):
    issue = make_issue(world.c1, LONG_TITLE, residents=2, grid=world.g1)
    url = reverse("consultations:topic_from_issue", args=[issue.pk])
    client.force_login(world.secretary)
    form = client.get(url).content.decode()
    assert f"\n{LONG_TITLE}</textarea>" in form and "…" not in form
    response = client.post(url, {"title": LONG_TITLE + "\n（修改）", "public": "on"})
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "consultations:topic", args=[topic.pk]
    )
    assert topic.title == LONG_TITLE + " （修改）"  # kept on one line
    assert list(topic.issues.all()) == [issue] and topic.residents_count == 2
    # Once on an open topic, the issue page links to it instead.
    page = client.get(reverse("concerns:issue", args=[issue.pk])).content.decode()
    assert reverse("consultations:topic", args=[topic.pk]) in page
    assert client.post(url, {"title": "再来一次"}).status_code == 409


def test_a_phone_number_in_the_working_title_is_masked_in_the_topic_title(world, client):
    issue = make_issue(world.c1, "13912345678反映楼道灯坏了", residents=1, grid=world.g1)
    client.force_login(world.secretary)
    page = client.get(reverse("consultations:topic_from_issue", args=[issue.pk]))
    title = page.context["form"]["title"].value()
    assert "13912345678" not in title and "反映楼道灯坏了" in title


# ---- Nothing typed twice ------------------------------------------------------------------


def test_meeting_planned_from_a_topic_takes_its_title_and_area(world, topic, client):
    client.force_login(world.staff)
    page = client.get(reverse("consultations:meeting_new") + f"?topic={topic.pk}")
    form = page.context["form"]
    assert form["title"].value() == topic.title
    assert str(form["area"].value()) == str(world.c1.pk)
    assert [str(v) for v in form["topics"].value()] == [str(topic.pk)]


def test_a_resolution_starts_from_the_adopted_motion_and_an_item_from_the_resolution(
    world, orgs, held, client
):
    topic = held.topics.get()
    motion = actions.open_motion(
        world.staff, held, text="物业每周清运一次楼道杂物", method=Motion.Method.CONSENSUS
    )
    assert motion.topic is None  # typed without a topic: the only one on the agenda is used
    motion = actions.open_motion(
        world.staff,
        held,
        text="物业每周清运一次楼道杂物",
        method=Motion.Method.CONSENSUS,
        topic=topic,
    )
    actions.close_motion(world.staff, motion, agreed=True)
    client.force_login(world.staff)
    page = client.get(reverse("consultations:meeting", args=[held.pk])).content.decode()
    assert f'id="resolve-motion-{motion.pk}"' in page
    block = page.split(f'id="resolve-motion-{motion.pk}"')[1].split("</form>")[0]
    assert "物业每周清运一次楼道杂物</textarea>" in block
    assert f'name="motion" value="{motion.pk}"' in block
    due = timezone.localdate() + timedelta(days=20)
    client.post(
        reverse("consultations:meeting_action", args=[held.pk, "resolution"]),
        {
            "text": motion.text,
            "topic": topic.pk,
            "motion": motion.pk,
            "organisations": [orgs["enforcement"].pk],
            "target_date": due.isoformat(),
        },
    )
    resolution = Resolution.objects.get()
    assert resolution.motion == motion and resolution.text == motion.text
    page = client.get(reverse("consultations:meeting", args=[held.pk])).content.decode()
    assert f'id="resolve-motion-{motion.pk}"' not in page  # recorded once
    list_url = reverse("accountability:publish_item") + f"?resolution={resolution.pk}"
    assert list_url.replace("?", "?") in page.replace("&amp;", "&")
    form = client.get(list_url).context["form"]
    assert form["title"].value() == motion.text
    assert str(form["deadline"].value()) == due.isoformat()
    assert str(form["owner_organisation"].value()) == str(orgs["enforcement"].pk)
    listing = client.get(list_url).content.decode()
    assert held.title in listing  # the meeting carried over


def test_a_motion_from_another_meeting_cannot_make_a_resolution(world, held, client):
    client.force_login(world.staff)
    response = client.post(
        reverse("consultations:meeting_action", args=[held.pk, "resolution"]),
        {"text": "x", "topic": held.topics.get().pk, "motion": 999999},
    )
    assert response.status_code == 400
    assert not Resolution.objects.exists()


# ---- Bulk invitations ---------------------------------------------------------------------


def test_bulk_invite_by_party_organisation_and_residents_tells_everyone(
    world, orgs, meeting, client, django_capture_on_commit_callbacks
):
    issue = meeting.topics.get().issues.get()
    for n, concern in enumerate(Concern.objects.filter(issue=issue)):
        concern.phone = f"1380000{n:04d}"
        concern.reporter_name = "王大爷" if n == 0 else ""
        concern.save()
    from conftest import make_user

    cppcc = make_user("cppcc_member", (Role.Kind.CPPCC_MEMBER, world.district, None))
    cppcc.phone = "13900009999"
    cppcc.save()
    client.force_login(world.secretary)
    page = client.get(reverse("consultations:meeting", args=[meeting.pk])).content.decode()
    assert "3 位有手机号的居民" in page or "3 residents with a phone" in page
    # A party with nobody to invite cannot be ticked; one with people can.
    assert re.search(r'value="owners_committee"[^>]*disabled', page)
    assert not re.search(r'value="property_company"[^>]*disabled', page)
    url = reverse("consultations:meeting_action", args=[meeting.pk, "invite-many"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "parties": ["property_company", "cppcc_member"],
                "organisations": [orgs["enforcement"].pk],
                "residents": "on",
            },
        )
    assert response.status_code == 302
    people = {(p.party, p.name, p.organisation_id) for p in meeting.participants.all()}
    assert (Participant.Party.PROPERTY_COMPANY, "org_rep", world.property_company.pk) in people
    assert (Participant.Party.DEPARTMENT, "负责人", orgs["enforcement"].pk) in people or (
        Participant.Party.DEPARTMENT,
        "Representative",
        orgs["enforcement"].pk,
    ) in people
    assert (Participant.Party.CPPCC_MEMBER, "cppcc_member", None) in people
    residents = meeting.participants.filter(party=Participant.Party.RESIDENT)
    assert residents.count() == 3 and residents.filter(name="王大爷").exists()
    # Each invited person is told: the company's representative in the app, the residents
    # and the CPPCC member (who has a phone) by SMS, each message naming only themselves.
    # The fixture's CPPCC member of the district is invited too (no phone: told in the app).
    assert (Participant.Party.CPPCC_MEMBER, "cppcc", None) in people
    invitations = Event.objects.filter(verb="meeting.invited")
    assert invitations.count() == meeting.participants.count() == 7
    # While the meeting is a draft nobody is told; the notice tells each of them, with the
    # time, the place and their own sign-in code.
    assert not Delivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_notice(world.staff, meeting)
    assert Delivery.objects.filter(user=world.cppcc, channel=Delivery.Channel.IN_APP).exists()
    rep = Delivery.objects.get(user=world.org_rep, channel=Delivery.Channel.IN_APP)
    assert "楼道杂物议事会" in rep.subject + rep.body
    sms = Delivery.objects.filter(channel=Delivery.Channel.SMS)
    assert {d.address for d in sms} == {
        "13800000000",
        "13800000001",
        "13800000002",
        "13900009999",
    }
    for delivery in sms:
        assert "王大爷" not in delivery.body or delivery.address == "13800000000"
    # Inviting again adds nobody and tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"parties": ["property_company"], "residents": "on"})
    assert meeting.participants.count() == 7
    assert Delivery.objects.filter(channel=Delivery.Channel.SMS).count() == 4


def test_bulk_invite_needs_a_choice_and_the_right_to_change_the_meeting(world, meeting, client):
    url = reverse("consultations:meeting_action", args=[meeting.pk, "invite-many"])
    client.force_login(world.secretary)
    response = client.post(url, {})
    assert response.status_code == 400
    client.force_login(world.district_officer)
    assert client.post(url, {"parties": ["property_company"]}).status_code == 403
    client.force_login(world.staff2)
    assert client.post(url, {"parties": ["property_company"]}).status_code == 404
    assert not meeting.participants.exists()


def test_residents_are_invited_by_phone_only_by_those_who_see_their_phones(world, topic):
    from consultations import invitations

    meeting = Meeting.objects.create(
        title="区级协商", area=world.district, starts_at=timezone.now() + timedelta(days=5)
    )
    meeting.topics.add(topic)
    with pytest.raises(ActionError) as error:
        invitations.residents_behind(meeting, world.street_officer)
    assert error.value.status == 403
    assert invitations.residents_behind(meeting, world.staff) == []  # no phones given


def test_one_person_invited_by_name_is_told_too(world, meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite_participant(
            world.staff, meeting, party="resident", name="李阿姨", phone="13700001234"
        )
        assert not Delivery.objects.exists()  # a draft: the notice will tell her
        actions.publish_notice(world.staff, meeting)
    delivery = Delivery.objects.get()
    assert delivery.channel == Delivery.Channel.SMS and delivery.address == "13700001234"


# ---- Not yet possible: says when -----------------------------------------------------------


def test_opening_a_meeting_before_its_day_is_not_a_live_button(world, topic, venue, client):
    starts = timezone.now() + timedelta(days=5)
    meeting = plan_meeting(
        world, title="下周议事会", starts_at=starts, venue=venue, notice_days=3, topics=[topic]
    )
    actions.publish_notice(world.staff, meeting)
    actions.invite_participant(world.staff, meeting, party="resident", name="王大爷")
    client.force_login(world.staff)
    page = client.get(reverse("consultations:meeting", args=[meeting.pk])).content.decode()
    assert "/do/hold/" not in page
    assert "/do/sign-in/" not in page  # signing someone in is not offered before the day either
    opens = timezone.localtime(starts - actions.SIGN_IN_OPENS)
    assert re.search(r'id="open-later"[^>]*>[^<]*' + f"{opens:%Y-%m-%d %H:%M}", page)


def test_demo_jinfeng_meeting_refuses_pengyang_and_pingluo_at_the_action_level(demo):
    from accounts.models import User
    from places.models import Area

    secretary = User.objects.get(username="secretary_jclw")
    jclw = Area.objects.get(code="640106001001")
    meeting = actions.schedule_meeting(
        secretary,
        area=jclw,
        title="二期消防通道议事会",
        form=Meeting.Form.COUNCIL,
        starts_at=timezone.now() + timedelta(days=5),
        place="社区议事厅",
    )
    for name in ("彭阳四中", "平罗县农业农村局"):
        far = Organisation.objects.get(name=name)
        with pytest.raises(ActionError) as error:
            actions.invite_participant(
                secretary, meeting, party="department", name="负责人", organisation=far
            )
        assert name in error.value.message and "金城蓝湾社区" in error.value.message
    near = Organisation.objects.get(name="金凤区综合执法局")
    assert (
        actions.invite_participant(
            secretary, meeting, party="department", name="负责人", organisation=near
        ).organisation
        == near
    )
