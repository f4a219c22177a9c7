"""Demo consultations: the seed's stories already played, through the same action functions
the pages use, so a newcomer finds real meetings with their notices, minutes and published
results (reachable from the home page via each community's page).

Idempotent: each story is keyed on its meeting's title and skipped when it exists. Meetings
are played in the past by passing `now=` to the actions. Stories 1 and 2 start from the issues
that concerns/demo.py creates and are skipped when those are absent.

The accountability demo lists action items for these resolutions; it can find them by the
constants below (e.g. `Resolution.objects.get(text=YELLOW_WATER_RESOLUTION)`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from concerns.models import Issue
from concerns.verbs import ISSUE_IN_CONSULTATION
from consultations import actions
from consultations.models import Meeting, Participant, Resolution, Topic, Venue
from consultations.verbs import (
    MEETING_ANNOUNCED,
    MEETING_CLOSED,
    MEETING_FIELD_VISIT,
    MEETING_INVITED,
    MEETING_PUBLISHED,
    MEETING_REPLIED,
    MEETING_SCHEDULED,
    TOPIC_ACCEPTED,
    TOPIC_CREATED,
    TOPIC_SCHEDULED,
)
from core.errors import ActionError
from places.models import Area
from timeline.models import Event

JCLW = "640106001001"  # 金城蓝湾社区
WLSX = "640106001002"  # 五里水乡社区
YHW = "640106002001"  # 阅海湾社区
JINSHAN = "640202001001"  # 金山社区
PENGYANG = "640425"  # 彭阳县
PINGLUO = "640221"  # 平罗县

STORY1_MEETING = "金城蓝湾二期自来水发黄问题协商议事会"
STORY2_MEETING = "金城蓝湾社区营业房、电动车、宠物医院问题协商议事会"
STORY3_MEETING = "五里水乡社区物业工作交流联席会"
STORY5_MEETING = "阅海湾商务区公园体育设施建设“有事好商量”三方协商议事会"
STORY6_MEETING = "“推进全面依法治县”专题协商调研"
STORY7_MEETING = "“高标准农田建设”专题协商"
UPCOMING_MEETING = "春晖小区房前屋后环境整治议事会"

YELLOW_WATER_RESOLUTION = (
    "由银川市自来水公司会同物业公司对金城蓝湾二期自来水管道及楼顶水箱进行放水冲洗，"
    "银川市市政用水管理处到小区复检水质，结果向居民公示。"
)
# Story 2's three resolutions, one for each of its topics (the accountability demo lists them).
STORY2_RESOLUTIONS = (
    "由金凤区综合执法局依法整治营业房商户门前乱堆乱放、跨门营业，社区和物业每周巡查。",
    "由物业公司在小区出入口设置减速带和限速提示，劝导电动车慢行，业主群内宣传。",
    "由金凤区综合执法局督促宠物医院整改动物卫生问题，社区跟踪复查。",
)
STORY3_RESOLUTION = (
    "社区建立“新时代文明实践+物业管理网格”新模式：文明实践站与四家物业公司按网格分片，"
    "共同做好垃圾分类宣传、二次分拣和文明城市创建整治，相互帮助、相互协作。"
)
BASKETBALL_RESOLUTION = (
    "由金凤区文化旅游体育广电局负责申报中央和自治区体育彩票基金项目，"
    "争取明年在金水园（容水公园）小广场建设多功能篮球场。"
)
PLAYGROUND_RESOLUTION = (
    "由金凤区文化旅游体育广电局负责申报自治区阳光少儿乐园项目，"
    "争取明年在U型水系小广场建设儿童游乐设施，创建未成年人活动阵地。"
)
PENGYANG_RECOMMENDATIONS = [
    "坚持把全民普法和守法作为长期基础性工作开展，引导全民自觉尊法、学法、守法、用法。",
    "积极推进覆盖城乡居民的公共法律服务体系建设，拓展公共法律服务领域，"
    "满足人民群众的基本法律服务需求。",
    "借鉴“枫桥经验”，健全人民调解、行政调解、司法调解三联动的大调解工作体系。",
    "进一步强化全面依法治县工作效能目标管理考核，发挥考核的督促推动作用，确保各项工作落到实处。",
    "争取自治区法治文化基地建设专项资金支持，加强乡村法治文化阵地建设。",
]
FARMLAND_RESOLUTION = (
    "高标准农田建设应注重工程质量，强化农业措施，切实把项目建成群众欢迎的“民心工程”"
    "和土壤肥沃的良田工程。"
)


@dataclass
class Story:
    """One meeting to play: who convenes, who comes, what is said, found and agreed."""

    title: str
    area: str
    actor: str
    form: str
    days_ago: int
    topics: list[Topic]
    convener: str | None = None
    venue: Venue | None = None
    place: str = ""
    notice_days: int = 3
    quorum: int = 0
    agenda: str = ""
    materials: str = ""
    # (party, name, organisation name or None)
    participants: Sequence[tuple[str, str, str | None]] = field(default_factory=list)
    # (participant name or None for the community, text, kind, topic index)
    statements: list[tuple[str | None, str, str, int]] = field(default_factory=list)
    # (place, organisation name or None, days before the meeting, findings)
    visits: list[tuple[str, str | None, int, str]] = field(default_factory=list)
    # (text, topic index, [organisation names], target date or None)
    resolutions: list[tuple[str, int, list[str], date | None]] = field(default_factory=list)
    # One consensus motion (一致同意) before the resolutions, if given.
    consensus: str = ""
    summary: str = ""
    # When the story began to be played (its topics were made), for dating its events.
    since: datetime = field(default_factory=timezone.now)


def _org(name: str | None) -> Organisation | None:
    return Organisation.objects.filter(name=name).first() if name else None


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _area(code: str) -> Area | None:
    return Area.objects.filter(code=code).first()


@transaction.atomic
def play(story: Story) -> Meeting | None:
    if Meeting.objects.filter(title=story.title).exists():
        return None
    actor, area = _user(story.actor), _area(story.area)
    if actor is None or area is None:
        return None
    base = timezone.localtime() - timedelta(days=story.days_ago)
    start = base.replace(hour=9, minute=30, second=0, microsecond=0)
    meeting = actions.schedule_meeting(
        actor,
        area=area,
        title=story.title,
        form=story.form,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue=story.venue,
        place=story.place,
        convener=_org(story.convener),
        notice_days=story.notice_days,
        quorum=story.quorum,
        topics=story.topics,
        agenda=story.agenda,
        materials=story.materials,
        now=start - timedelta(days=story.notice_days + 2),
    )
    for place, org, before, findings in story.visits:
        actions.add_field_visit(
            actor,
            meeting,
            place=place,
            organisation=_org(org),
            visited_on=(start - timedelta(days=before)).date(),
            findings=findings,
        )
    actions.publish_notice(actor, meeting, now=start - timedelta(days=story.notice_days + 1))
    people: dict[str, Participant] = {}
    for party, name, org in story.participants:
        person = actions.invite_participant(
            actor, meeting, party=party, name=name, organisation=_org(org)
        )
        actions.record_reply(actor, person, Participant.Reply.ACCEPTED)
        people[name] = person
    for person in people.values():
        if person.party == Participant.Party.RESIDENT:
            actions.sign_in_with_code(meeting, person.sign_in_code, now=start)
        else:
            actions.staff_sign_in(actor, person, now=start)
    actions.hold_meeting(actor, meeting, now=start)
    for speaker, text, kind, topic_index in story.statements:
        actions.add_statement(
            meeting,
            text=text,
            kind=kind,
            topic=story.topics[topic_index],
            participant=people.get(speaker) if speaker else None,
            actor=actor,
        )
    motion = None
    if story.consensus:
        motion = actions.open_motion(
            actor, meeting, text=story.consensus, method="consensus", topic=story.topics[0]
        )
        motion = actions.close_motion(actor, motion, agreed=True, now=start + timedelta(hours=1))
    for text, topic_index, orgs, target in story.resolutions:
        actions.record_resolution(
            actor,
            meeting,
            topic=story.topics[topic_index],
            text=text,
            organisations=[o for o in map(_org, orgs) if o is not None],
            target_date=target,
            motion=motion if topic_index == 0 else None,
            now=start,
        )
    actions.close_meeting(actor, meeting, now=start + timedelta(hours=2))
    actions.publish_result(actor, meeting, summary=story.summary, now=start + timedelta(days=1))
    _backdate(story.since, start, story.notice_days, story.topics)
    announced = start - timedelta(days=story.notice_days + 1)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=announced - timedelta(days=1))
    meeting.participants.update(created_at=announced)
    meeting.field_visits.update(created_at=announced)
    meeting.statements.update(created_at=start + timedelta(minutes=30))
    meeting.resolutions.update(created_at=start + timedelta(minutes=90))
    return meeting


# When each kind of event happened, relative to the meeting's start (days, minutes).
WHEN = {
    MEETING_CLOSED: (0, 120),
    MEETING_PUBLISHED: (1, 0),
}
# Days before the notice: the topic is proposed, accepted and the meeting scheduled; then the
# notice itself, with the invitations.
BEFORE_NOTICE = {
    TOPIC_CREATED: 2,
    ISSUE_IN_CONSULTATION: 2,
    TOPIC_ACCEPTED: 1,
    MEETING_SCHEDULED: 1,
    MEETING_FIELD_VISIT: 1,
    MEETING_ANNOUNCED: 0,
    TOPIC_SCHEDULED: 0,
    MEETING_INVITED: 0,
    MEETING_REPLIED: 0,
}


def _backdate(since: datetime, start: datetime, notice_days: int, topics: list[Topic]) -> None:
    """Date the events the story just recorded as they would have happened, so its
    timeline reads in order: proposed, accepted, announced, held, closed, published."""
    events = list(Event.objects.filter(created_at__gte=since).order_by("id"))
    announced = start - timedelta(days=notice_days + 1)
    proposed = announced - timedelta(days=BEFORE_NOTICE[TOPIC_CREATED])
    Topic.objects.filter(pk__in=[t.pk for t in topics], created_at__gte=since).update(
        created_at=proposed
    )
    for minute, event in enumerate(events):
        if event.verb in BEFORE_NOTICE:
            when = announced - timedelta(days=BEFORE_NOTICE[event.verb]) + timedelta(minutes=minute)
        else:  # after the notice; by default during the meeting (sign-in, statements, votes)
            days, minutes = WHEN.get(event.verb, (0, minute))
            when = start + timedelta(days=days, minutes=minutes)
        Event.objects.filter(pk=event.pk).update(created_at=when)


def _topic(username: str, title: str, **kwargs: Any) -> Topic | None:
    """The demo topic with that title, made (and accepted) once."""
    existing = Topic.objects.filter(title=title).first()
    if existing is not None:
        return existing
    actor = _user(username)
    if actor is None:
        return None
    issues: list[Issue] = list(kwargs.pop("issues", []))
    try:
        topic = actions.create_topic(actor, title=title, issues=issues, **kwargs)
    except ActionError:
        # The concerns demo may have played the issues to the end already: gather them
        # without moving them back into consultation.
        area = issues[0].community if issues else kwargs.pop("area")
        topic = actions.create_topic(actor, title=title, area=area, **kwargs)
        topic.issues.set(issues)
        topic.source = Topic.Source.ISSUES
        topic.save(update_fields=["source"])
    return actions.accept_topic(actor, topic)


def _venue(code: str, kind: str, name: str, address: str) -> Venue | None:
    community = _area(code)
    if community is None:
        return None
    venue, _ = Venue.objects.get_or_create(
        community=community, name=name, defaults={"kind": kind, "address": address}
    )
    return venue


def _concerns_constant(name: str) -> Any:
    try:
        from concerns import demo as concerns_demo
    except ImportError:
        return None
    return getattr(concerns_demo, name, None)


def _issues_titled(titles: list[str], community: str) -> list[Issue]:
    issues = []
    for title in titles:
        issue = (
            Issue.objects.filter(community__code=community, title=title)
            .exclude(status=Issue.Status.MERGED)
            .first()
        )
        if issue is not None:
            issues.append(issue)
    return issues


def venues() -> dict[str, Venue | None]:
    H, C = Venue.Kind.HALL, Venue.Kind.CORNER
    return {
        "jclw": _venue(JCLW, H, "金城蓝湾社区议事厅", "长城中路金城蓝湾社区服务中心二楼"),
        "wlsx": _venue(WLSX, H, "五里水乡社区议事厅", "五里水乡社区党群服务中心"),
        "yhw": _venue(YHW, C, "金水园议事角", "阅海湾商务区金水园（容水公园）小广场"),
        "jinshan": _venue(JINSHAN, H, "金山社区议事厅", "长城街道金山社区服务中心"),
        "chunhui": _venue(JINSHAN, C, "春晖小区议事角", "春晖小区大门东侧空地"),
    }


def _area_story(proposer: str, topic: str, description: str, **story: Any) -> Meeting | None:
    """A story on one topic set directly for the story's area, made and accepted once by
    `proposer`."""
    since = timezone.now()
    made = _topic(proposer, topic, area=_area(story["area"]), description=description)
    if made is None:
        return None
    return play(Story(since=since, topics=[made], **story))


def story1(venue: Venue | None) -> Meeting | None:
    since = timezone.now()
    title = _concerns_constant("YELLOW_WATER_TITLE")
    issues = _issues_titled([title], JCLW) if title else []
    if not issues:
        return None
    topic = _topic("secretary_jclw", "金城蓝湾二期自来水发黄", issues=issues)
    return play(
        Story(
            since=since,
            title=STORY1_MEETING,
            area=JCLW,
            actor="secretary_jclw",
            form=Meeting.Form.COUNCIL,
            days_ago=35,
            topics=[topic] if topic else [],
            convener="金城蓝湾社区党支部",
            venue=venue,
            notice_days=2,
            materials="物业公司送检水样的检测结果（正常）；自来水公司排水处理情况说明。",
            participants=[
                (Participant.Party.RESIDENT, "陈靖芳", None),
                (Participant.Party.RESIDENT, "二期3号楼住户代表", None),
                (Participant.Party.DEPARTMENT, "市政用水管理处工作人员", "银川市市政用水管理处"),
                (Participant.Party.PROPERTY_COMPANY, "物业负责人", "金城蓝湾物业服务中心"),
                (Participant.Party.DEPARTMENT, "片区负责人", "银川市自来水公司"),
                (Participant.Party.COMMUNITY, "李娜", "金城蓝湾社区党支部"),
            ],
            statements=[
                ("陈靖芳", "家里自来水放出来发黄，已经好几周了，不敢直接用。", "statement", 0),
                ("物业负责人", "已收集部分住户水样送检，检测结果显示正常。", "statement", 0),
                (
                    "片区负责人",
                    "可能因小区入住率低、处于断头路，管道内水流不畅导致水色偏黄；已做过排水处理。",
                    "statement",
                    0,
                ),
                (
                    "市政用水管理处工作人员",
                    "建议到小区现场检测水质，并对管道和楼顶水箱进行放水冲洗。",
                    "proposal",
                    0,
                ),
            ],
            consensus="对自来水管道及楼顶水箱进行放水冲洗，冲洗后复检水质。",
            resolutions=[
                (
                    YELLOW_WATER_RESOLUTION,
                    0,
                    ["银川市自来水公司", "金城蓝湾物业服务中心", "银川市市政用水管理处"],
                    None,
                )
            ],
            summary="经居民、市政用水管理处、物业公司和自来水公司共同商议，一致同意对小区"
            "自来水管道及楼顶水箱进行放水冲洗。",
        )
    )


def story2(venue: Venue | None) -> Meeting | None:
    since = timezone.now()
    titles = _concerns_constant("STORY2_TITLES") or []
    issues = _issues_titled(list(titles), JCLW)
    if not issues:
        return None
    topics = [_topic("secretary_jclw", f"{issue.title}", issues=[issue]) for issue in issues]
    topics_found = [t for t in topics if t is not None]
    if not topics_found:
        return None
    texts = STORY2_RESOLUTIONS
    owners = [["金凤区综合执法局"], ["金城蓝湾物业服务中心"], ["金凤区综合执法局"]]
    return play(
        Story(
            since=since,
            title=STORY2_MEETING,
            area=JCLW,
            actor="secretary_jclw",
            form=Meeting.Form.COUNCIL,
            days_ago=30,
            topics=topics_found,
            convener="金城蓝湾社区党支部",
            venue=venue,
            notice_days=2,
            materials="社区工作人员实地查看记录。",
            participants=[
                (Participant.Party.RESIDENT, "居民代表王女士", None),
                (Participant.Party.RESIDENT, "居民代表张先生", None),
                (Participant.Party.PROPERTY_COMPANY, "物业负责人", "金城蓝湾物业服务中心"),
                (Participant.Party.DEPARTMENT, "综合执法局负责人", "金凤区综合执法局"),
            ],
            statements=[
                ("居民代表王女士", "沿街商户把货堆到门外，人行道走不过去。", "statement", 0),
                (
                    "居民代表张先生",
                    "小区里电动车骑得太快，老人孩子很危险。",
                    "statement",
                    1 if len(topics_found) > 1 else 0,
                ),
                (
                    "综合执法局负责人",
                    "占道经营和宠物医院卫生问题由我局依法处理，请社区配合巡查。",
                    "statement",
                    0,
                ),
            ],
            resolutions=[
                (texts[i], i, owners[i], None) for i in range(min(len(texts), len(topics_found)))
            ],
            summary="居民代表、物业公司和综合执法局各抒己见、充分协商，就三件事分别明确了责任单位。",
        )
    )


def story3(venue: Venue | None) -> Meeting | None:
    companies = ["水乡A区物业公司", "水乡B区物业公司", "水乡C区物业公司", "水乡D区物业公司"]
    return _area_story(
        "secretary_wlsx",
        "垃圾分类与文明城市创建中的小区共性问题",
        "各小区垃圾分类有所成效，但二次分拣人手不足，个别居民不愿掀盖投放。",
        title=STORY3_MEETING,
        area=WLSX,
        actor="secretary_wlsx",
        form=Meeting.Form.JOINT,
        days_ago=25,
        convener="五里水乡社区党委",
        venue=venue,
        notice_days=3,
        agenda="各物业公司汇报垃圾分类及文明城市创建期间的整治工作；共性问题协商。",
        participants=[
            (Participant.Party.COMMUNITY, "马琳", "五里水乡社区党委"),
            (Participant.Party.COMMUNITY, "实践站负责人", "五里水乡社区新时代文明实践站"),
        ]
        + [(Participant.Party.PROPERTY_COMPANY, "负责人", name) for name in companies],
        statements=[
            (
                "负责人",
                "垃圾分类有所成效，不少居民能对家里的各类垃圾进行分类，但二次分拣人手不足。",
                "statement",
                0,
            ),
            (
                "实践站负责人",
                "个别居民正确投放意识不强，发现垃圾桶盖关闭就不愿掀盖投放，还有人在撤桶点位投放。",
                "statement",
                0,
            ),
            (
                "马琳",
                "文明创城，首先要居民观念上转变。建议大家以身作则、率先垂范，多在居民中宣传垃圾分类知识。",
                "proposal",
                0,
            ),
            (
                "马琳",
                "建议社区建立“新时代文明实践+物业管理网格”新模式，相互帮助、相互协作。",
                "proposal",
                0,
            ),
        ],
        consensus="建立“新时代文明实践+物业管理网格”新模式。",
        resolutions=[(STORY3_RESOLUTION, 0, ["五里水乡社区新时代文明实践站", *companies], None)],
        summary="经认真商议，大家一致同意社区建立“新时代文明实践+物业管理网格”新模式。",
    )


def story5(venue: Venue | None) -> Meeting | None:
    next_year = timezone.localdate().year + 1
    return _area_story(
        "staff_yhw",
        "增加阅海湾商务区公园内体育健身设施",
        "商务区常住人口近2万人，建成并投运企业楼宇45栋，入驻企业2738余家。"
        "公园以景观绿化为主，缺少体育健身设施和健身步道，是居民普遍反映的热点问题。",
        title=STORY5_MEETING,
        area=YHW,
        actor="cppcc_jf",
        form=Meeting.Form.THREE_PARTY,
        days_ago=20,
        convener="金凤区政协",
        venue=venue,
        notice_days=5,
        materials="阅海湾商务区四大公园（金水园、金凤园、水上公园、团结路景观轴）现状；"
        "周边住宅小区入住情况。",
        participants=[
            (Participant.Party.DEPARTMENT, "管委会负责人", "金凤区阅海湾商务区管委会"),
            (Participant.Party.COMMUNITY, "街道负责人", "上海西路街道办事处"),
            (Participant.Party.COMMUNITY, "社区负责人", "阅海湾社区居委会"),
            (Participant.Party.DEPARTMENT, "文体局负责人", "金凤区文化旅游体育广电局"),
            (Participant.Party.CPPCC_MEMBER, "王庆民", "金凤区政协"),
            (Participant.Party.CPPCC_MEMBER, "政协委员", "金凤区政协"),
        ],
        statements=[
            (
                "管委会负责人",
                "商务区公园规划以景观绿化为主，居民和企业职工游览健步时缺少健身设施。",
                "statement",
                0,
            ),
            ("街道负责人", "辖区居民多次反映，希望在公园内增加健身设施。", "statement", 0),
            (
                "社区负责人",
                "建议在靠近世茂住宅区的金水园广场内配置体育健身设施，建设篮球场、"
                "安装儿童游乐设施、改建健身步道。",
                "proposal",
                0,
            ),
            (
                "文体局负责人",
                "可申报体育彩票基金项目和自治区阳光少儿乐园项目，争取资金建设。",
                "statement",
                0,
            ),
            (
                "王庆民",
                "要最大限度发挥政府投资的社会效益，引导居民和企业职工参与形式多样的健身活动。",
                "statement",
                0,
            ),
        ],
        consensus="在金水园小广场建设多功能篮球场，在U型水系小广场建设儿童游乐设施。",
        resolutions=[
            (
                BASKETBALL_RESOLUTION,
                0,
                ["金凤区文化旅游体育广电局"],
                date(next_year, 6, 30),
            ),
            (
                PLAYGROUND_RESOLUTION,
                0,
                ["金凤区文化旅游体育广电局"],
                date(next_year, 9, 30),
            ),
        ],
        summary="三方充分协商、理性沟通，就增加阅海湾商务区公园内体育健身设施达成共识。",
    )


def story6() -> Meeting | None:
    return _area_story(
        "cppcc_py",
        "推进全面依法治县",
        "彭阳县政协组织部分政协委员，对推进全面依法治县工作开展专题协商调研。",
        title=STORY6_MEETING,
        area=PENGYANG,
        actor="cppcc_py",
        form=Meeting.Form.THEMATIC_RESEARCH,
        days_ago=15,
        convener="彭阳县政协",
        place="彭阳县政协会议室（协商座谈会）",
        notice_days=3,
        participants=[
            (Participant.Party.CPPCC_MEMBER, "政协委员", "彭阳县政协"),
            (Participant.Party.DEPARTMENT, "司法局负责人", "彭阳县司法局"),
            (Participant.Party.DEPARTMENT, "住建局负责人", "彭阳县住建局"),
            (Participant.Party.COMMUNITY, "白阳镇负责人", "白阳镇人民政府"),
        ],
        visits=[
            ("彭阳县司法局", "彭阳县司法局", 6, "了解法治宣传教育和法治队伍建设情况。"),
            ("白阳镇", "白阳镇人民政府", 5, "了解基层依法治理和矛盾纠纷调解情况。"),
            ("彭阳县住建局", "彭阳县住建局", 5, "了解法治政府建设和法治信息化建设情况。"),
            ("彭阳四中", "彭阳四中", 4, "了解青少年法治文化基地建设情况。"),
            ("草庙乡新洼村", None, 4, "了解法治乡村建设情况。"),
        ],
        statements=[
            (
                "政协委员",
                "一些部门和单位对加快推进依法治县、建设法治政府的重要性认识不足、紧迫感不强，"
                "运用法治思维和法治方式不够。",
                "statement",
                0,
            ),
            ("政协委员", "基层法律人才缺乏，制约了法治建设工作的有效开展。", "statement", 0),
            ("政协委员", "电信网络诈骗违法犯罪多发，综合执法力度不够。", "statement", 0),
        ],
        consensus="形成推进全面依法治县的五条建议。",
        resolutions=[(text, 0, ["彭阳县司法局"], None) for text in PENGYANG_RECOMMENDATIONS],
        summary="委员们走访五处、发现问题、建言献策，形成五条建议。",
    )


def story7() -> Meeting | None:
    return _area_story(
        "cppcc_pl",
        "高标准农田建设",
        "平罗县政协组织部分委员围绕高标准农田建设开展专题协商。",
        title=STORY7_MEETING,
        area=PINGLUO,
        actor="cppcc_pl",
        form=Meeting.Form.THEMATIC_RESEARCH,
        days_ago=10,
        convener="平罗县政协",
        place="平罗县红崖子乡",
        notice_days=3,
        participants=[
            (Participant.Party.CPPCC_MEMBER, "政协委员", "平罗县政协"),
            (Participant.Party.DEPARTMENT, "农业农村局负责人", "平罗县农业农村局"),
        ],
        visits=[
            (
                "红崖子上莨莠兰牧场",
                None,
                0,
                "委员们实地查看种植土地土壤情况。",
            ),
        ],
        consensus="高标准农田建设要注重工程质量。",
        resolutions=[(FARMLAND_RESOLUTION, 0, ["平罗县农业农村局"], None)],
        summary="委员们实地查看土壤情况，围绕高标准农田建设质量提出建议。",
    )


@transaction.atomic
def upcoming(venue: Venue | None) -> Meeting | None:
    """An announced meeting at 春晖小区's open-air corner, so a notice is on show."""
    if venue is None or Meeting.objects.filter(title=UPCOMING_MEETING).exists():
        return None
    actor = _user("secretary_jinshan")
    topic = _topic(
        "secretary_jinshan",
        "春晖小区房前屋后环境整治",
        area=_area(JINSHAN),
        description="居民反映楼前空地杂物堆放、绿地栅栏破损，商议整治办法和分工。",
    )
    if actor is None or topic is None:
        return None
    start = (timezone.localtime() + timedelta(days=5)).replace(
        hour=18, minute=30, second=0, microsecond=0
    )
    meeting = actions.schedule_meeting(
        actor,
        area=venue.community,
        title=UPCOMING_MEETING,
        form=Meeting.Form.COUNCIL,
        starts_at=start,
        venue=venue,
        convener=_org("金山社区党委"),
        notice_days=3,
        quorum=5,
        topics=[topic],
        agenda="一、居民代表反映情况；二、业委会、物业公司说明；三、商议整治方案并表决。",
        materials="春晖小区楼前空地及绿地栅栏现状照片（社区议事厅可查阅）。",
    )
    actions.publish_notice(actor, meeting)
    for party, name, org in [
        (Participant.Party.OWNERS_COMMITTEE, "业委会主任", "春晖小区业主委员会"),
        (Participant.Party.PROPERTY_COMPANY, "物业经理", "春晖小区物业公司"),
        (Participant.Party.BUILDING_HEAD, "3号楼楼道长", None),
        (Participant.Party.PARTY_MEMBER, "党员中心户", None),
        (Participant.Party.RESIDENT, "居民代表", None),
    ]:
        actions.invite_participant(actor, meeting, party=party, name=name, organisation=_org(org))
    return meeting


def load(out: Any) -> None:
    if _area(JCLW) is None:
        out.write("consultations: skipped (no demo places)")
        return
    v = venues()
    played = [
        story1(v["jclw"]),
        story2(v["jclw"]),
        story3(v["wlsx"]),
        story5(v["yhw"]),
        story6(),
        story7(),
        upcoming(v["chunhui"]),
    ]
    out.write(
        f"consultations: {sum(1 for m in played if m)} new meetings, "
        f"{Meeting.objects.count()} meetings, {Resolution.objects.count()} resolutions"
    )
