"""The seed's stories 3, 5 and 6, each from topic to published result, as the newspaper tells
them, asserting what a resident reads on the public result page."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from consultations import actions
from consultations.models import Meeting, Motion, Participant, Topic
from core.errors import ActionError
from places.models import Area

pytestmark = pytest.mark.django_db


def org(name):
    return Organisation.objects.get(name=name)


def user(username):
    return User.objects.get(username=username)


def in_days(days):
    return (timezone.now() + timedelta(days=days)).replace(hour=9, minute=30, second=0)


def published_page(client, meeting):
    response = client.get(reverse("consultations:result", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_story3_wulishuixiang_joint_meeting_agrees_on_a_new_model(demo, client):
    secretary = user("secretary_wlsx")  # 马琳, 五里水乡社区党委书记
    community = Area.objects.get(code="640106001002")
    topic = actions.create_topic(
        secretary, title="垃圾分类与文明城市创建中的共性问题", area=community
    )
    actions.accept_topic(secretary, topic)
    starts = in_days(4)
    meeting = actions.schedule_meeting(
        secretary,
        area=community,
        title="物业工作交流联席会",
        form=Meeting.Form.JOINT,
        starts_at=starts,
        place="五里水乡社区会议室",
        convener=org("五里水乡社区党委"),
        notice_days=3,
        topics=[topic],
    )
    actions.publish_notice(secretary, meeting)
    station = actions.invite_participant(
        secretary,
        meeting,
        party=Participant.Party.COMMUNITY,
        name="实践站负责人",
        organisation=org("五里水乡社区新时代文明实践站"),
    )
    companies = [
        actions.invite_participant(
            secretary,
            meeting,
            party=Participant.Party.PROPERTY_COMPANY,
            name="负责人",
            organisation=org(f"水乡{letter}区物业公司"),
        )
        for letter in "ABCD"
    ]
    for person in [station, *companies]:
        actions.staff_sign_in(secretary, person, now=starts)
    # 各物业相关负责人汇报；共性问题
    actions.add_statement(
        meeting,
        actor=secretary,
        participant=companies[0],
        topic=topic,
        text="各个小区普遍反映二次分拣人手不足。",
    )
    actions.add_statement(
        meeting,
        actor=secretary,
        participant=companies[1],
        topic=topic,
        text="个别居民发现垃圾桶盖关闭，不愿意掀盖投放。",
    )
    proposal = actions.add_statement(
        meeting,
        actor=secretary,
        topic=topic,
        kind="proposal",
        text="社区建立“新时代文明实践+物业管理网格”新模式。",
    )
    motion = actions.open_motion(secretary, meeting, text="", method="consensus", proposal=proposal)
    motion = actions.close_motion(secretary, motion, agreed=True)
    assert motion.outcome == Motion.Outcome.ADOPTED and motion.topic == topic
    actions.record_resolution(
        secretary,
        meeting,
        topic=topic,
        motion=motion,
        text="社区建立“新时代文明实践+物业管理网格”新模式，相互帮助、相互协作，共同推进工作。",
        organisations=[org("五里水乡社区新时代文明实践站")]
        + [org(f"水乡{letter}区物业公司") for letter in "ABCD"],
    )
    actions.close_meeting(secretary, meeting, now=starts + timedelta(hours=2))
    actions.publish_result(secretary, meeting, summary="大家一致同意建立新模式。")

    page = published_page(client, meeting)
    assert "新时代文明实践+物业管理网格" in page
    assert "一致同意" in page  # decided by consensus
    for letter in "ABCD":
        assert f"水乡{letter}区物业公司" in page
    topic.refresh_from_db()
    assert topic.status == Topic.Status.DECIDED


def test_story5_jinfeng_cppcc_three_party_consultation(demo, client):
    staff = user("staff_yhw")
    member = user("cppcc_jf")  # 王庆民, represents 金凤区政协
    community = Area.objects.get(code="640106002001")
    topic = actions.create_topic(staff, title="增加阅海湾商务区公园内体育健身设施", area=community)
    starts = in_days(6)
    meeting = actions.schedule_meeting(
        member,
        area=community,
        title="“有事好商量”三方协商议事会",
        form=Meeting.Form.THREE_PARTY,
        starts_at=starts,
        place="阅海湾商务区",
        convener=org("金凤区政协"),
        notice_days=5,
        topics=[topic],
    )
    # Only the convener's people change the meeting; the street looks on.
    with pytest.raises(PermissionDenied):
        actions.publish_notice(user("street_shxl"), meeting)
    actions.publish_notice(member, meeting)
    parties = {
        "管委会": (Participant.Party.DEPARTMENT, "金凤区阅海湾商务区管委会"),
        "街道": (Participant.Party.COMMUNITY, "上海西路街道办事处"),
        "社区": (Participant.Party.COMMUNITY, "阅海湾社区居委会"),
        "文体局": (Participant.Party.DEPARTMENT, "金凤区文化旅游体育广电局"),
        "王庆民": (Participant.Party.CPPCC_MEMBER, "金凤区政协"),
    }
    people = {
        key: actions.invite_participant(
            member, meeting, party=party, name=key, organisation=org(name)
        )
        for key, (party, name) in parties.items()
    }
    for person in people.values():
        actions.staff_sign_in(member, person, now=starts)
    said = {
        "管委会": "公园以景观绿化为主，缺少体育健身设施。",
        "街道": "居民普遍反映缺少健身步道。",
        "社区": "建议在金水园广场建设篮球场、安装儿童游乐设施、改建健身步道。",
        "文体局": "可申报体育彩票基金和阳光少儿乐园项目。",
        "王庆民": "要最大限度发挥政府投资的社会效益。",
    }
    for key, text in said.items():
        actions.add_statement(
            meeting, actor=member, participant=people[key], topic=topic, text=text
        )
    motion = actions.open_motion(member, meeting, text="达成共识", method="consensus", topic=topic)
    actions.close_motion(member, motion)
    bureau = org("金凤区文化旅游体育广电局")
    next_year = timezone.localdate().year + 1
    actions.record_resolution(
        member,
        meeting,
        topic=topic,
        organisations=[bureau],
        target_date=date(next_year, 6, 30),
        text="申报体育彩票基金项目，明年在金水园（容水公园）小广场建设多功能篮球场。",
    )
    actions.record_resolution(
        member,
        meeting,
        topic=topic,
        organisations=[bureau],
        target_date=date(next_year, 9, 30),
        text="申报自治区阳光少儿乐园项目，明年在U型水系小广场建设儿童游乐设施。",
    )
    actions.close_meeting(member, meeting, now=starts + timedelta(hours=2))
    actions.publish_result(member, meeting)

    assert meeting.resolutions.count() == 2
    page = published_page(client, meeting)
    for text in said.values():
        assert text in page  # each party's statement, named by its organisation
    assert "金水园（容水公园）小广场建设多功能篮球场" in page
    assert "U型水系小广场建设儿童游乐设施" in page
    assert page.count("金凤区文化旅游体育广电局") >= 3
    assert f"{next_year}年6月30日" in page and f"{next_year}年9月30日" in page
    community_page = client.get(reverse("yishi:community", args=[community.code])).content.decode()
    assert reverse("consultations:result", args=[meeting.pk]) in community_page


def test_story6_pengyang_thematic_research_five_visits_five_recommendations(demo, client):
    member = user("cppcc_py")
    county = Area.objects.get(code="640425")
    topic = actions.create_topic(member, title="推进全面依法治县", area=county)
    assert topic.source == Topic.Source.DIRECT
    starts = in_days(4)
    meeting = actions.schedule_meeting(
        member,
        area=county,
        title="“推进全面依法治县”专题协商调研",
        form=Meeting.Form.THEMATIC_RESEARCH,
        starts_at=starts,
        place="彭阳县政协会议室",
        convener=org("彭阳县政协"),
        notice_days=3,
        topics=[topic],
    )
    visits = [
        ("彭阳县司法局", "彭阳县司法局", "法治宣传教育、法治队伍建设"),
        ("白阳镇", "白阳镇人民政府", "基层依法治理"),
        ("彭阳县住建局", "彭阳县住建局", "法治信息化建设"),
        ("彭阳四中", "彭阳四中", "青少年法治文化基地建设"),
        ("草庙乡新洼村", None, "法治乡村建设"),
    ]
    for place, name, findings in visits:
        actions.add_field_visit(
            member,
            meeting,
            place=place,
            organisation=org(name) if name else None,
            visited_on=timezone.localdate(),
            findings=findings,
        )
    with pytest.raises(ActionError):  # a visit cannot be recorded before it happens
        actions.add_field_visit(
            member,
            meeting,
            place="未来",
            findings="x",
            visited_on=timezone.localdate() + timedelta(days=1),
        )
    actions.publish_notice(member, meeting)
    committee = actions.invite_participant(
        member,
        meeting,
        party=Participant.Party.CPPCC_MEMBER,
        name="政协委员",
        organisation=org("彭阳县政协"),
    )
    actions.staff_sign_in(member, committee, now=starts)
    for problem in (
        "对依法治县重要性认识不足、紧迫感不强。",
        "基层法律人才缺乏。",
        "电信网络诈骗违法犯罪多发，综合执法力度不够。",
    ):
        actions.add_statement(
            meeting, actor=member, participant=committee, topic=topic, text=problem
        )
    recommendations = [
        "坚持把全民普法和守法作为长期基础性工作。",
        "推进覆盖城乡居民的公共法律服务体系建设。",
        "借鉴“枫桥经验”，健全三联动的大调解工作体系。",
        "强化全面依法治县工作效能目标管理考核。",
        "争取自治区法治文化基地建设专项资金，加强乡村法治文化阵地建设。",
    ]
    for text in recommendations:
        actions.record_resolution(
            member, meeting, topic=topic, text=text, organisations=[org("彭阳县司法局")]
        )
    actions.close_meeting(member, meeting, now=starts + timedelta(hours=3))
    actions.publish_result(member, meeting, summary="委员们走访五处，形成五条建议。")

    page = published_page(client, meeting)
    for place, _name, findings in visits:
        assert place in page and findings in page
    for text in recommendations:
        assert text in page
    assert "基层法律人才缺乏" in page
    # Published on the page of every community in the county.
    village = client.get(reverse("yishi:community", args=["640425201001"])).content.decode()
    assert reverse("consultations:result", args=[meeting.pk]) in village
