"""Demo 社情民意: story 5's three-party consultation began with a member's report.

王庆民 (cppcc_jf) reported that the 阅海湾商务区 parks had no sports facilities; the office of
金凤区政协 (cppcc_office_jf) adopted it, forwarded it to 金凤区文化旅游体育广电局, whose reply
he rated, and took it up as the topic consultations.demo already played (linked, not made
twice). A second report waits for the office's review. Played through the action functions
with `now=` in the past, then the events dated to match. Safe to run again.
"""

from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Organisation, Role, User
from consultations.models import Topic
from opinions import actions
from opinions.models import Report
from opinions.verbs import (
    OPINION_ADOPTED,
    OPINION_FORWARDED,
    OPINION_RATED,
    OPINION_REPLIED,
    OPINION_SUBMITTED,
    OPINION_TOPIC,
)
from places.models import Area
from timeline.models import Event

JINFENG = "640106"
YHW = "640106002001"  # 阅海湾社区
WLSX = "640106001002"  # 五里水乡社区
PARK_REPORT = "阅海湾商务区公园缺少体育健身设施"
STORY5_TOPIC = "增加阅海湾商务区公园内体育健身设施"
SORTING_REPORT = "老旧小区垃圾二次分拣人手不足"
OFFICE_USERNAME = "cppcc_office_jf"


def office_account() -> User | None:
    district = Area.objects.filter(code=JINFENG).first()
    committee = Organisation.objects.filter(name="金凤区政协").first()
    if district is None or committee is None:
        return None
    user = User.objects.filter(username=OFFICE_USERNAME).first()
    if user is None:
        user = User.objects.create_user(
            OFFICE_USERNAME, password=DEMO_PASSWORD, full_name="金凤区政协办公室"
        )
    Role.objects.get_or_create(user=user, kind=Role.Kind.CPPCC_OFFICE, area=district)
    # As a representative of the committee, the office sets its thematic topics.
    Role.objects.get_or_create(user=user, kind=Role.Kind.ORG_REPRESENTATIVE, organisation=committee)
    return user


def _date_events(report: Report, moments: dict[str, Any]) -> None:
    for event in Event.objects.filter(
        subject_id=report.pk,
        subject_type=ContentType.objects.get_for_model(Report),
        verb__in=list(moments),
    ):
        Event.objects.filter(pk=event.pk).update(created_at=moments[event.verb])


def park_report(office: User) -> Report | None:
    member = User.objects.filter(username="cppcc_jf").first()
    area = Area.objects.filter(code=YHW).first()
    bureau = Organisation.objects.filter(name="金凤区文化旅游体育广电局").first()
    reply_by = User.objects.filter(username="sports_jf").first()
    if member is None or area is None or bureau is None or reply_by is None:
        return None
    if Report.objects.filter(title=PARK_REPORT).exists():
        return None
    now = timezone.now()
    submitted, adopted = now - timedelta(days=60), now - timedelta(days=56)
    replied, rated = now - timedelta(days=42), now - timedelta(days=40)
    report = actions.submit_report(
        member,
        area=area,
        place="金水园（容水公园）、金凤园（中央公园）、水上公园、团结路景观轴",
        title=PARK_REPORT,
        observation="阅海湾商务区建成四大公园，规划以景观绿化为主，缺少体育健身设施和健身步道。"
        "商务区常住人口近2万人，入驻企业2738余家，居民和企业职工在公园游览、健步时"
        "没有健身场地，多次向社区和街道反映。",
        affected="新华联、鸿曦悦海湾、世茂等住宅小区居民，商务区45栋楼宇内的企业职工，"
        "特别是儿童和青少年。",
        suggestions="在靠近世茂住宅区的金水园（容水公园）广场内配置体育健身设施，建设篮球场、"
        "安装儿童游乐设施、改建健身步道；申报体育彩票基金等项目争取资金。",
        now=submitted,
    )
    actions.adopt_report(office, report, note="反映问题具体，群众关注度高，予以采用。", now=adopted)
    (forwarding,) = actions.forward_report(office, report, organisations=[bureau], now=adopted)
    actions.reply_to_report(
        reply_by,
        forwarding,
        text="我局高度重视。经现场查看，商务区公园确缺少体育健身设施。拟申报中央和自治区"
        "体育彩票基金项目，争取在金水园（容水公园）小广场建设多功能篮球场；申报自治区阳光"
        "少儿乐园项目，在U型水系小广场建设儿童游乐设施。建议由区政协牵头开展三方协商。",
        now=replied,
    )
    actions.rate_reply(
        member, forwarding, rating="satisfied", comment="答复具体，有时间安排。", now=rated
    )
    topic = Topic.objects.filter(title=STORY5_TOPIC).first()
    moments = {
        OPINION_SUBMITTED: submitted,
        OPINION_ADOPTED: adopted,
        OPINION_FORWARDED: adopted + timedelta(minutes=5),
        OPINION_REPLIED: replied,
        OPINION_RATED: rated,
    }
    if topic is not None:
        actions.take_to_topic(office, report, topic=topic)
        moments[OPINION_TOPIC] = topic.created_at - timedelta(hours=2)
    _date_events(report, moments)
    return report


def waiting_report() -> Report | None:
    member = User.objects.filter(username="cppcc_jf").first()
    area = Area.objects.filter(code=WLSX).first()
    if member is None or area is None or Report.objects.filter(title=SORTING_REPORT).exists():
        return None
    submitted = timezone.now() - timedelta(days=2)
    report = actions.submit_report(
        member,
        area=area,
        place="五里水乡A区至D区",
        title=SORTING_REPORT,
        observation="五里水乡社区四家物业公司反映，垃圾分类二次分拣人手不足，"
        "部分居民投放时不愿打开桶盖，分类桶混装。",
        affected="五里水乡社区居民和保洁人员。",
        suggestions="由街道协调增加二次分拣岗位；把垃圾分类纳入新时代文明实践志愿服务。",
        now=submitted,
    )
    _date_events(report, {OPINION_SUBMITTED: submitted})
    return report


def load(out: Any) -> None:
    office = office_account()
    if office is None:
        out.write("opinions: skipped (no demo places)")
        return
    made = [park_report(office), waiting_report()]
    out.write(
        f"opinions: {sum(1 for r in made if r)} new reports, {Report.objects.count()} reports "
        f"(office account {OFFICE_USERNAME})"
    )
