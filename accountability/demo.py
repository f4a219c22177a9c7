"""Demo: the seed's stories carried to steps four and five.

Story 1 (金城蓝湾二期, yellow tap water): the agreed flushing of pipes and roof tanks is listed,
progressed, done, rated by the twelve residents and closed. Story 4 (金山社区): the residents
rate the matters their grid settled, but the latest. Story 5 (阅海湾 three-party
consultation): the basketball court and the children's play equipment are listed with next-year
deadlines, owned by 金凤区文化旅游体育广电局. Runs after concerns.demo and consultations.demo and
finds their objects by place and words; skips a story whose earlier steps are absent. Safe to
run again.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from accountability import actions
from accountability.models import ActionItem, Evaluation
from accounts.models import Organisation, User
from concerns.demo import FITNESS_TITLE, dated
from concerns.models import Issue
from consultations.models import Resolution
from places.models import Area

JCLW = "640106001001"  # 金城蓝湾社区
JINSHAN = "640202001001"  # 金山社区 (石嘴山市大武口区长城街道)
YHW = "640106002001"  # 阅海湾社区
FLUSHING = "冲洗二次供水管道和楼顶水箱"
COURT = "金水园广场多功能篮球场"
PLAY = "U型水广场儿童游乐设施"
FITNESS_ITEM = "维修一期小广场健身器材"


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


def _day(days: int) -> datetime:
    """`days` ago at ten in the morning, local time."""
    moment = timezone.localtime() - timedelta(days=days)
    return moment.replace(hour=10, minute=0, second=0, microsecond=0)


def _progress(
    item: ActionItem, actor: User, text: str, start: datetime, days: int, milestone=None
) -> None:
    when = start + timedelta(days=days)
    with dated(when):
        actions.report_progress(item, actor=actor, text=text, milestone=milestone, now=when)


def _publish(staff: User, community: Area, when: datetime, **terms: Any) -> ActionItem:
    """挂牌 by the community's staff on `when`."""
    with dated(when):
        return actions.publish_action_item(actor=staff, community=community, now=when, **terms)


def _done(item: ActionItem, actor: User, note: str, when: datetime) -> None:
    with dated(when):
        actions.mark_done(item, actor=actor, note=note, now=when)


def _verify_and_close(
    item: ActionItem,
    staff: User,
    secretary: User,
    finding: str,
    note: str,
    start: datetime,
    days: int,
) -> None:
    """Checked on site the next day, closed (销号) the day after; its issues are resolved."""
    verified = start + timedelta(days=days)
    closed = verified + timedelta(days=1)
    with dated(verified):
        actions.verify_item(item, actor=staff, note=finding, now=verified)
    with dated(closed):
        actions.close_item(item, actor=secretary, note=note, now=closed)
    item.issues.update(settled_at=closed, updated_at=closed)


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
    # The council met 35 days ago and published its result the next day.
    start = _day(33)
    if resolution is not None:
        issues = [i for i in issues if i not in resolution.topic.issues.all()]
    item = _publish(
        staff,
        community,
        start,
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
    )
    pipes, tanks = list(item.milestones.order_by("due_on"))
    _progress(item, water, "已完成1-12号楼二次供水管道分段冲洗，出水清澈。", start, 4, pipes)
    _progress(item, water, "楼顶水箱清洗消毒完毕，水样已送宁夏水质检测公司。", start, 9, tanks)
    _done(item, water, "水质检测报告：各项指标正常。", start + timedelta(days=11))
    rated = 0
    seen: set[str] = set()
    for concern in item.concerns().order_by("received_at", "id"):
        if concern.resident_key in seen or rated >= 12:
            continue
        seen.add(concern.resident_key)
        rating = Evaluation.Rating.SATISFIED if rated < 10 else Evaluation.Rating.BASICALLY
        comment = "水清了，谢谢社区和自来水公司" if rated % 4 == 0 else ""
        when = start + timedelta(days=12, hours=rated)
        with dated(when):
            actions.rate_item(
                item,
                tracking_code=concern.tracking_code,
                rating=rating,
                comment=comment,
                now=when,
            )
        rated += 1
    _verify_and_close(
        item, staff, secretary, "现场取样，水质正常。", "居民评价满意，予以销号。", start, 13
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
        # The three-party consultation met 20 days ago.
        listed_at = _day(18)
        item = _publish(
            staff,
            community,
            listed_at,
            title=title,
            description="三方协商（有事好商量）成果，经费由体育彩票公益金支持。",
            deadline=deadline,
            owner_organisation=owner_org,
            owner=sports,
            resolution=resolution,
            issues=issues,
        )
        if progress:
            _progress(item, sports, progress, listed_at, 10)
        listed += 1
    if listed:
        out.write(f"accountability: story 5, {listed} item(s) listed for {next_year}")


# Story 2: the council of 30 days ago gave each of three matters a responsible unit.
# (title, resolution index, owner organisation, owner account, deadline in days from today)
STORY2_ITEMS = [
    ("整治沿街营业房门前乱堆乱放、跨门经营", 0, "金凤区综合执法局", "enforcement_jf", None),
    ("小区出入口设置减速带，劝导电动车慢行", 1, "金城蓝湾物业服务中心", "property_jclw", 20),
    ("督促宠物医院整改环境卫生", 2, "金凤区综合执法局", "enforcement_jf", 10),
]


def _story_2(out) -> None:
    community = Area.objects.filter(code=JCLW).first()
    staff, secretary = _user("staff_jclw"), _user("secretary_jclw")
    texts = _consultations_constant("STORY2_RESOLUTIONS") or ()
    if community is None or staff is None or secretary is None or len(texts) < 3:
        out.write("accountability: story 2 skipped (places, accounts or meeting missing)")
        return
    start = _day(28)
    listed = 0
    for title, index, org_name, username, days_left in STORY2_ITEMS:
        resolution = Resolution.objects.filter(text=texts[index]).first()
        org = Organisation.objects.filter(name=org_name).first()
        owner = _user(username)
        if resolution is None or org is None or owner is None:
            continue
        if ActionItem.objects.filter(community=community, title=title).exists():
            continue
        deadline = (
            (start + timedelta(days=14)).date()
            if days_left is None
            else timezone.localdate() + timedelta(days=days_left)
        )
        item = _publish(
            staff,
            community,
            start,
            title=title,
            description=resolution.text,
            deadline=deadline,
            owner_organisation=org,
            owner=owner,
            resolution=resolution,
            issues=[],
        )
        listed += 1
        if index == 0:
            _progress(item, owner, "已对沿街商户逐户告知，限期三日内清理门前堆放物。", start, 3)
            _progress(item, owner, "复查：门前货物已全部收回店内，跨门经营已停止。", start, 9)
            _done(item, owner, "门前乱堆乱放、跨门经营已整治到位。", start + timedelta(days=10))
            for concern in item.concerns():
                when = start + timedelta(days=11)
                with dated(when):
                    actions.rate_item(
                        item,
                        tracking_code=concern.tracking_code,
                        rating=Evaluation.Rating.SATISFIED,
                        comment="人行道终于能走了",
                        now=when,
                    )
            _verify_and_close(
                item,
                staff,
                secretary,
                "社区和物业现场巡查，沿街门前已清理，人行道畅通。",
                "整治到位，居民满意，予以销号。",
                start,
                12,
            )
        elif index == 1:
            _progress(item, owner, "已在一期、二期出入口安装减速带四处，张贴限速提示。", start, 7)
        else:
            _progress(item, owner, "已下达整改通知，宠物医院正在清洗门前并加装除臭设备。", start, 5)
    if listed:
        out.write(f"accountability: story 2, {listed} item(s) listed")


def _fitness(out) -> str:
    """The broken fitness equipment, listed straight from its issue and reported done two
    days ago: awaiting the resident's rating. Returns the resident's tracking code."""
    community = Area.objects.filter(code=JCLW).first()
    staff, owner = _user("staff_jclw"), _user("property_jclw")
    org = Organisation.objects.filter(name="金城蓝湾物业服务中心").first()
    issue = (
        Issue.objects.filter(community__code=JCLW, title=FITNESS_TITLE)
        .exclude(status=Issue.Status.MERGED)
        .first()
    )
    if community is None or staff is None or owner is None or org is None or issue is None:
        return ""
    code = issue.concerns.order_by("id").values_list("tracking_code", flat=True).first() or ""
    if ActionItem.objects.filter(community=community, title=FITNESS_ITEM).exists():
        return code
    start = _day(18)
    item = _publish(
        staff,
        community,
        start,
        title=FITNESS_ITEM,
        description="物业服务中心维修一期小广场健身器材，更换断裂踏板，维修后请居民评价。",
        deadline=timezone.localdate() + timedelta(days=5),
        owner_organisation=org,
        owner=owner,
        issues=[issue],
    )
    _progress(item, owner, "已订购配件，损坏器材拉警示带停用。", start, 4)
    _done(item, owner, "扶手已紧固，踏板已更换，器材恢复使用。", start + timedelta(days=16))
    return code


def _grid_ratings(out) -> str:
    """Story 4 (金山社区): the residents rate the matters their grid settled, the day after;
    the latest one is left for the visitor to rate. Returns its tracking code."""
    settled = list(
        Issue.objects.filter(
            community__code=JINSHAN, status=Issue.Status.SETTLED, level=Issue.Level.GRID
        ).order_by("settled_at", "id")
    )
    if not settled:
        return ""
    *rated, waiting = settled
    for n, issue in enumerate(rated):
        concern = issue.concerns.order_by("id").first()
        if concern is None or Evaluation.objects.filter(issue=issue).exists():
            continue
        when = (issue.settled_at or timezone.now()) + timedelta(days=1)
        rating = Evaluation.Rating.BASICALLY if n % 4 == 3 else Evaluation.Rating.SATISFIED
        with dated(when):
            actions.rate_matter(issue, tracking_code=concern.tracking_code, rating=rating, now=when)
    out.write(
        f"accountability: story 4, residents rated {len(rated)} matter(s) settled in the grid"
    )
    return waiting.concerns.order_by("id").values_list("tracking_code", flat=True).first() or ""


def _consultations_constant(name: str):
    try:
        from consultations import demo as consultations_demo
    except ImportError:
        return None
    return getattr(consultations_demo, name, None)


def load(out) -> None:
    _story_1(out)
    _story_2(out)
    _story_5(out)
    code = _fitness(out)
    if code:
        out.write(f"accountability: {FITNESS_ITEM} done, awaiting rating: try tracking code {code}")
    code = _grid_ratings(out)
    if code:
        out.write(f"accountability: a matter settled in the grid awaits rating: try {code}")
