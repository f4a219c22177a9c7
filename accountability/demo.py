"""Demo: the seed's stories carried to steps four and five.

Story 1 (金城蓝湾二期, yellow tap water): the agreed flushing of pipes and roof tanks is listed,
progressed, done, rated by the twelve residents and closed. Story 5 (阅海湾 three-party
consultation): the basketball court and the children's play equipment are listed with next-year
deadlines, owned by 金凤区文化旅游体育广电局. Runs after concerns.demo and consultations.demo and
finds their objects by place and words; skips a story whose earlier steps are absent. Safe to
run again.
"""

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from accountability import actions
from accountability.models import ActionItem, Evaluation
from accounts.models import Organisation, User
from concerns.models import Issue
from consultations.models import Resolution
from places.models import Area

JCLW = "640106001001"  # 金城蓝湾社区
YHW = "640106002001"  # 阅海湾社区
FLUSHING = "冲洗二次供水管道和楼顶水箱"
COURT = "金水园广场多功能篮球场"
PLAY = "U型水广场儿童游乐设施"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _by_constant(name: str) -> Resolution | None:
    """The resolution consultations.demo recorded under that constant, if it did."""
    try:
        from consultations import demo as consultations_demo
    except ImportError:
        return None
    text = getattr(consultations_demo, name, None)
    if not text:
        return None
    return Resolution.objects.filter(text=text).select_related("topic", "meeting").first()


def _resolution(*words: str, area_prefix: str, constant: str = "") -> Resolution | None:
    found = _by_constant(constant) if constant else None
    if found is not None:
        return found
    condition = Q()
    for word in words:
        condition |= Q(text__contains=word)
    return (
        Resolution.objects.filter(condition, meeting__area__code__startswith=area_prefix)
        .select_related("topic", "meeting")
        .order_by("id")
        .first()
    )


def _story_1(out) -> None:
    community = Area.objects.filter(code=JCLW).first()
    staff, secretary, water = _user("staff_jclw"), _user("secretary_jclw"), _user("water_yc")
    owner_org = Organisation.objects.filter(name="银川市自来水公司").first()
    if community is None or staff is None or secretary is None or water is None or not owner_org:
        out.write("accountability: story 1 skipped (places or accounts missing)")
        return
    if ActionItem.objects.filter(community=community, title=FLUSHING).exists():
        return
    resolution = _resolution("水箱", "冲洗", area_prefix="6401", constant="YELLOW_WATER_RESOLUTION")
    issues = list(
        Issue.objects.filter(community=community)
        .filter(Q(title__contains="黄") | Q(title__contains="水质"))
        .exclude(status=Issue.Status.MERGED)
    )
    if resolution is None and not issues:
        out.write("accountability: story 1 skipped (no yellow-water issue or resolution)")
        return
    now = timezone.now()
    start = now - timedelta(days=20)
    if resolution is not None:
        issues = [i for i in issues if i not in resolution.topic.issues.all()]
    item = actions.list_action_item(
        actor=staff,
        community=community,
        title=FLUSHING,
        description="协商议事会商定：由自来水公司冲洗二次供水管道，物业公司配合清洗楼顶水箱，"
        "冲洗后送检，结果公示。",
        deadline=(start + timedelta(days=14)).date(),
        owner_organisation=owner_org,
        owner=water,
        resolution=resolution,
        issues=issues,
        milestones=[
            ("冲洗1-12号楼供水管道", (start + timedelta(days=5)).date()),
            ("清洗楼顶水箱并送检", (start + timedelta(days=10)).date()),
        ],
        now=start,
    )
    pipes, tanks = list(item.milestones.order_by("due_on"))
    actions.report_progress(
        item,
        actor=water,
        text="已完成1-12号楼二次供水管道分段冲洗，出水清澈。",
        milestone=pipes,
        now=start + timedelta(days=4),
    )
    actions.report_progress(
        item,
        actor=water,
        text="楼顶水箱清洗消毒完毕，水样已送宁夏水质检测公司。",
        milestone=tanks,
        now=start + timedelta(days=9),
    )
    actions.mark_done(
        item, actor=water, note="水质检测报告：各项指标正常。", now=start + timedelta(days=11)
    )
    rated = 0
    seen: set[str] = set()
    for concern in item.concerns().order_by("received_at", "id"):
        if concern.resident_key in seen or rated >= 12:
            continue
        seen.add(concern.resident_key)
        rating = Evaluation.Rating.SATISFIED if rated < 10 else Evaluation.Rating.BASICALLY
        comment = "水清了，谢谢社区和自来水公司" if rated % 4 == 0 else ""
        actions.rate_item(
            item,
            tracking_code=concern.tracking_code,
            rating=rating,
            comment=comment,
            now=start + timedelta(days=12),
        )
        rated += 1
    actions.verify_item(
        item, actor=staff, note="现场取样，水质正常。", now=start + timedelta(days=13)
    )
    actions.close_item(
        item, actor=secretary, note="居民评价满意，予以销号。", now=start + timedelta(days=14)
    )
    out.write(f"accountability: story 1 item closed with {rated} residents' ratings")


def _story_5(out) -> None:
    community = Area.objects.filter(code=YHW).first()
    staff, sports = _user("staff_yhw"), _user("sports_jf")
    owner_org = Organisation.objects.filter(name="金凤区文化旅游体育广电局").first()
    if community is None or staff is None or sports is None or owner_org is None:
        out.write("accountability: story 5 skipped (places or accounts missing)")
        return
    next_year = timezone.localdate().year + 1
    listed = 0
    for title, constant, words, deadline, progress in [
        (
            COURT,
            "BASKETBALL_RESOLUTION",
            ("篮球场",),
            date(next_year, 10, 31),
            "已完成选址和设计方案，体彩公益金申请已提交。",
        ),
        (PLAY, "PLAYGROUND_RESOLUTION", ("儿童", "游乐"), date(next_year, 6, 30), ""),
    ]:
        if ActionItem.objects.filter(community=community, title=title).exists():
            continue
        resolution = _resolution(*words, area_prefix="640106", constant=constant)
        issues = list(
            Issue.objects.filter(community=community)
            .filter(
                Q(title__contains="运动") | Q(title__contains="篮球") | Q(title__contains="儿童")
            )
            .exclude(status=Issue.Status.MERGED)
        )
        if resolution is not None:
            issues = [i for i in issues if i not in resolution.topic.issues.all()]
        if resolution is None and not issues:
            out.write(f"accountability: story 5 item {title} skipped (no resolution or issue)")
            continue
        if (
            resolution is not None
            and resolution.target_date
            and resolution.target_date.year == (next_year)
        ):
            deadline = resolution.target_date
        item = actions.list_action_item(
            actor=staff,
            community=community,
            title=title,
            description="三方协商（有事好商量）成果，经费由体育彩票公益金支持。",
            deadline=deadline,
            owner_organisation=owner_org,
            owner=sports,
            resolution=resolution,
            issues=issues,
        )
        if progress:
            actions.report_progress(item, actor=sports, text=progress)
        listed += 1
    if listed:
        out.write(f"accountability: story 5, {listed} item(s) listed for {next_year}")


def load(out) -> None:
    _story_1(out)
    _story_5(out)
