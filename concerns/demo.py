"""Demo concerns from the seed's stories. Idempotent: every concern carries a fixed
idempotency key, and every step after it is taken only if it has not been taken yet.

Later demo loaders (consultations, accountability) find the issues by the title constants.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from concerns import actions
from concerns.intake import submit as intake
from concerns.models import Category, Concern, Issue
from places.models import Area, Building, Compound
from timeline.models import Event

YELLOW_WATER_TITLE = "金城蓝湾二期自来水发黄"
STORY2_TITLES = (
    "沿街商铺占道堆放、跨门经营",
    "电动车在小区内超速行驶",
    "宠物医院环境卫生差",
)
JCLW = "640106001001"
JINSHAN = "640202001001"

# Story 1: twelve households of 金城蓝湾二期, each in their own words, over three channels.
# (key, building, room, phone, channel, text, days ago)
YELLOW_WATER = [
    (
        "01",
        "3号楼",
        "2单元501",
        "13995010301",
        Concern.Channel.PHONE,
        "家里自来水发黄，接了一盆全是黄的，没法做饭",
        46,
    ),
    (
        "02",
        "3号楼",
        "1单元302",
        "13995010302",
        Concern.Channel.WECHAT,
        "3号楼的水龙头放出来是黄水，已经好几天了",
        46,
    ),
    (
        "03",
        "5号楼",
        "3单元601",
        "13995010503",
        Concern.Channel.GRID_PHONE,
        "水黄黄的，洗衣服都染黄了，孩子不敢喝",
        45,
    ),
    (
        "04",
        "7号楼",
        "1单元101",
        "13995010704",
        Concern.Channel.PHONE,
        "自来水颜色不对，像铁锈水，物业说没问题",
        45,
    ),
    (
        "05",
        "2号楼",
        "2单元402",
        "13995010205",
        Concern.Channel.WECHAT,
        "我们楼的水又黄了，烧开了底下一层黄渣子",
        45,
    ),
    (
        "06",
        "9号楼",
        "1单元1102",
        "13995010906",
        Concern.Channel.GRID_PHONE,
        "早上一开龙头出来的水发黄有味道，放一会儿才清",
        44,
    ),
    (
        "07",
        "11号楼",
        "2单元801",
        "13995011107",
        Concern.Channel.PHONE,
        "二期自来水浑浊发黄，希望社区管一管",
        44,
    ),
    (
        "08",
        "4号楼",
        "3单元301",
        "13995010408",
        Concern.Channel.WECHAT,
        "水质太差了，黄色的水，净水器滤芯一周就黄了",
        44,
    ),
    (
        "09",
        "6号楼",
        "1单元202",
        "13995010609",
        Concern.Channel.GRID_PHONE,
        "家里的水发黄，不知道能不能喝，老人很担心",
        43,
    ),
    (
        "10",
        "8号楼",
        "2单元1201",
        "13995010810",
        Concern.Channel.PHONE,
        "自来水出黄水，物业送检说正常，可还是黄",
        43,
    ),
    (
        "11",
        "10号楼",
        "1单元501",
        "13995011011",
        Concern.Channel.WECHAT,
        "10号楼水龙头流出黄水，楼上楼下都这样",
        42,
    ),
    (
        "12",
        "12号楼",
        "3单元702",
        "13995011212",
        Concern.Channel.GRID_PHONE,
        "顶楼的水最黄，怀疑楼顶水箱脏了",
        42,
    ),
    # The first household calls again: still twelve residents.
    (
        "13",
        "3号楼",
        "2单元501",
        "13995010301",
        Concern.Channel.PHONE,
        "上次反映的自来水发黄还没解决，水还是黄的",
        41,
    ),
]

# Story 2: three phone reports about 金城蓝湾.
# (key, compound, building or None, phone, text, title, days ago)
PHONE_REPORTS = [
    (
        "s2-shops",
        "金城蓝湾沿街营业房",
        "A段",
        "13995020001",
        "沿街商铺把货物堆到店门外，还跨门经营，人行道都走不了",
        STORY2_TITLES[0],
        40,
    ),
    (
        "s2-ebikes",
        "金城蓝湾一期",
        None,
        "13995020002",
        "小区里电动车骑得飞快，横冲直撞，老人孩子出门很危险",
        STORY2_TITLES[1],
        39,
    ),
    (
        "s2-pets",
        "金城蓝湾沿街营业房",
        "B段",
        "13995020003",
        "小区门口的宠物医院卫生太差，狗粪便和异味很大，夏天苍蝇多",
        STORY2_TITLES[2],
        39,
    ),
]

# Story 4: 金山社区, 春晖小区 — matters settled in the grid (小事不出网格).
# (key, compound, text, outcome, days ago)
JINSHAN_SETTLED = [
    (
        "s4-01",
        "春晖小区",
        "楼上楼下因为卫生间漏水吵起来了，两家闹得很僵",
        "网格员和楼长上门调解，楼上维修防水，双方握手言和",
        40,
    ),
    (
        "s4-02",
        "春晖小区",
        "两户邻居因为楼道里放鞋柜起了纠纷",
        "在议事角调解，鞋柜移回各自家中，楼道恢复通畅",
        36,
    ),
    (
        "s4-03",
        "春晖小区",
        "楼后空地垃圾成堆，好久没人清理，气味很大",
        "组织党员志愿者和物业清理垃圾三车，设置垃圾桶",
        33,
    ),
    (
        "s4-04",
        "春晖小区",
        "小区门口小绿地的围栏倒了好几段，狗跑进去踩草坪",
        "物业修复围栏二十米，补种草皮",
        30,
    ),
    (
        "s4-05",
        "春晖小区",
        "单元门口小广告贴得到处都是，很难看",
        "志愿者清理小广告，物业加装公告栏",
        27,
    ),
    (
        "s4-06",
        "金山花园",
        "楼道里堆放废旧家具和纸箱，存在消防隐患",
        "通知住户三日内自行清理，逾期由物业统一清运，已清理完毕",
        24,
    ),
    (
        "s4-07",
        "春晖小区",
        "广场舞音响声音太大，晚上十点还在跳，吵得睡不着",
        "与舞队协商，音量调低并九点半前结束",
        20,
    ),
    ("s4-08", "金山花园", "3号楼门前路灯坏了，晚上黑灯瞎火的", "物业更换灯具，路灯恢复照明", 16),
    (
        "s4-09",
        "春晖小区",
        "租户和房东为押金的事吵到社区来了",
        "网格员和调解员调解，房东退还押金，双方签字确认",
        12,
    ),
    ("s4-10", "春晖小区", "小区绿化带里的树枝挡住二楼窗户，采光不好", "物业修剪树枝，住户满意", 9),
    ("s4-11", "金山花园", "下水道堵了，污水往外冒，味道很大", "物业疏通下水管道，清洗地面", 6),
]


# The category of each story's matter (codes of concerns' default categories).
CATEGORIES = {
    "s1": "water",
    "s2-shops": "clutter",
    "s2-ebikes": "vehicles",
    "s2-pets": "animals",
    "s4-01": "disputes",
    "s4-02": "disputes",
    "s4-03": "sanitation",
    "s4-04": "facilities",
    "s4-05": "sanitation",
    "s4-06": "safety",
    "s4-07": "noise",
    "s4-08": "facilities",
    "s4-09": "disputes",
    "s4-10": "facilities",
    "s4-11": "sanitation",
    "fitness": "facilities",
    "waiting": "facilities",
}

# Broken fitness equipment in 金城蓝湾一期: taken to the community and listed directly (no
# meeting needed); the accountability demo leaves it done and awaiting the resident's rating.
FITNESS_TITLE = "金城蓝湾一期小广场健身器材损坏"
FITNESS_TEXT = "一期小广场的健身器材坏了好几件，扶手松动、踏板断裂，老人锻炼很不安全"
# A resident's own report from this morning, waiting for 张网格 (grid_jclw) to accept it.
WAITING_TEXT = "二期6号楼门口的休息座椅木条断了，坐上去容易划伤，希望尽快修一修"


@contextmanager
def dated(when: datetime) -> Iterator[None]:
    """Date at `when` the timeline rows the block writes. The demo plays its stories after
    the fact, and the action functions record the time of the call."""
    last = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    yield
    Event.objects.filter(id__gt=last).update(created_at=when)


def _at(now: datetime, days: float, hour: int = 9) -> datetime:
    """`days` before `now`, at the given local hour."""
    moment = timezone.localtime(now - timedelta(days=days))
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _category(key: str) -> Category | None:
    code = CATEGORIES.get(key)
    return Category.objects.filter(code=code).first() if code else None


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _building(compound: Compound, name: str | None) -> Building | None:
    if not name:
        return None
    return Building.objects.filter(compound=compound, name=name).first()


def _submit(key: str, **kwargs: Any) -> Concern:
    when = kwargs["received_at"]
    with dated(when):
        return intake.submit_concern(idempotency_key=f"demo:{key}", **kwargs)


def _retitle(issue: Issue, title: str, actor: Any, when: datetime) -> Issue:
    issue.refresh_from_db()
    if issue.title != title:
        with dated(when):
            issue = actions.retitle_issue(issue, title=title, actor=actor)
    return issue


def _stamp(issue: Issue, **fields: datetime) -> Issue:
    Issue.objects.filter(pk=issue.pk).update(**fields)
    issue.refresh_from_db()
    return issue


def _accept(issue: Issue, actor: Any, when: datetime, note: str = "") -> Issue:
    issue.refresh_from_db()
    if issue.status == Issue.Status.NEW:
        with dated(when):
            issue = actions.accept_issue(issue, actor=actor, note=note)
        issue = _stamp(issue, accepted_at=when, updated_at=when)
    return issue


def _visit(issue: Issue, actor: Any, notes: str, when: datetime) -> Issue:
    issue.refresh_from_db()
    if issue.status in (Issue.Status.NEW, Issue.Status.ACCEPTED):
        with dated(when):
            issue = actions.record_site_visit(issue, actor=actor, notes=notes)
        issue = _stamp(issue, accepted_at=issue.accepted_at or when, updated_at=when)
    return issue


def _escalate(issue: Issue, actor: Any, reason: str, when: datetime) -> Issue:
    issue.refresh_from_db()
    if issue.level == Issue.Level.GRID and issue.is_open:
        with dated(when):
            issue = actions.escalate_to_community(issue, actor=actor, reason=reason)
        issue = _stamp(issue, updated_at=when)
    return issue


def _settle(issue: Issue, actor: Any, outcome: str, when: datetime) -> Issue:
    issue.refresh_from_db()
    if issue.is_open:
        with dated(when):
            issue = actions.settle_issue(issue, actor=actor, outcome=outcome)
        issue = _stamp(issue, settled_at=when, updated_at=when)
    return issue


def load(out) -> None:
    now = timezone.now()
    jclw = Area.objects.filter(code=JCLW).first()
    jinshan = Area.objects.filter(code=JINSHAN).first()
    staff = _user("staff_jclw")
    grid_worker = _user("grid_jclw")
    if jclw is None or staff is None or grid_worker is None:
        out.write("concerns: places or accounts demo missing, skipped\n")
        return
    before = Concern.objects.count()

    # Story 1: yellow tap water in 金城蓝湾二期, reported 46 to 41 days ago; accepted within
    # hours, seen on site the next day and taken to the community the day after.
    phase2 = Compound.objects.get(grid__parent=jclw, name="金城蓝湾二期")
    water_issue = None
    for key, building, room, phone, channel, text, days in YELLOW_WATER:
        actor = grid_worker if channel == Concern.Channel.GRID_PHONE else staff
        concern = _submit(
            f"s1-{key}",
            community=jclw,
            content=text,
            channel=channel,
            phone=phone,
            building=_building(phase2, building),
            address=room,
            category=_category("s1"),
            received_at=_at(now, days, 8 + int(key) % 5 * 2),
            actor=actor,
        )
        water_issue = concern.issue
    assert water_issue is not None
    first = water_issue.first_received_at
    water_issue = _retitle(water_issue, YELLOW_WATER_TITLE, staff, first + timedelta(hours=1))
    water_issue = _accept(
        water_issue, grid_worker, first + timedelta(hours=2), "已受理，联系物业公司取水样送检"
    )
    water_issue = _visit(
        water_issue,
        grid_worker,
        "入户查看3号楼、5号楼、12号楼，放水后水色发黄；物业已取水样送检测公司，检测结果正常。"
        "自来水公司冲洗管道后仍未好转。",
        first + timedelta(days=1, hours=2),
    )
    _escalate(
        water_issue,
        grid_worker,
        "涉及物业、自来水公司和市政用水管理处，网格内无法解决，提请社区组织协商",
        first + timedelta(days=2, hours=6),
    )

    # Story 2: three phone reports 40 and 39 days ago, seen on site, taken to the community.
    # The e-bike report waited more than a day to be accepted (late).
    for key, compound_name, building_name, phone, text, title, days in PHONE_REPORTS:
        compound = Compound.objects.get(grid__parent=jclw, name=compound_name)
        received = _at(now, days, 10)
        concern = _submit(
            key,
            community=jclw,
            content=text,
            channel=Concern.Channel.PHONE,
            phone=phone,
            compound=compound,
            building=_building(compound, building_name),
            category=_category(key),
            received_at=received,
            actor=staff,
        )
        issue = _retitle(concern.issue, title, staff, received + timedelta(minutes=30))
        handler = staff if issue.grid is None else _handler_for(issue, staff)
        late = key == "s2-ebikes"
        issue = _accept(issue, handler, received + timedelta(hours=30 if late else 3))
        issue = _visit(
            issue,
            handler,
            "实地查看情况属实，需物业公司和综合执法局共同处理",
            received + timedelta(days=1, hours=8),
        )
        _escalate(
            issue,
            handler,
            "需要居民代表、物业公司和综合执法局协商解决",
            received + timedelta(days=2, hours=4),
        )

    # Broken fitness equipment, 金城蓝湾一期: reported 21 days ago, taken to the community.
    phase1 = Compound.objects.get(grid__parent=jclw, name="金城蓝湾一期")
    received = _at(now, 21, 16)
    concern = _submit(
        "fitness",
        community=jclw,
        content=FITNESS_TEXT,
        channel=Concern.Channel.WECHAT,
        phone="13995030001",
        compound=phase1,
        category=_category("fitness"),
        received_at=received,
        actor=staff,
    )
    issue = _retitle(concern.issue, FITNESS_TITLE, staff, received + timedelta(minutes=20))
    handler = _handler_for(issue, staff)
    issue = _accept(issue, handler, received + timedelta(hours=1))
    issue = _visit(
        issue,
        handler,
        "现场查看：三件健身器材扶手松动、一件踏板断裂，已拉警示带",
        received + timedelta(hours=18),
    )
    _escalate(
        issue,
        handler,
        "需物业服务中心维修更换，请社区挂牌督办",
        received + timedelta(days=1, hours=2),
    )

    # A resident's own report this morning, waiting in 张网格's queue (for a newcomer).
    _submit(
        "waiting",
        community=jclw,
        content=WAITING_TEXT,
        channel=Concern.Channel.WEB,
        phone="13995030002",
        building=_building(phase2, "6号楼"),
        category=_category("waiting"),
        received_at=now - timedelta(hours=3),
    )

    # Story 4: 金山社区, settled in the grid within a day or two.
    secretary = _user("secretary_jinshan")
    if jinshan is not None and secretary is not None:
        for key, compound_name, text, outcome, days in JINSHAN_SETTLED:
            compound = Compound.objects.get(grid__parent=jinshan, name=compound_name)
            received = _at(now, days, 9 + int(key[-2:]) % 6)
            concern = _submit(
                key,
                community=jinshan,
                content=text,
                channel=Concern.Channel.PATROL if int(key[-2:]) % 2 else Concern.Channel.VISIT,
                compound=compound,
                category=_category(key),
                received_at=received,
                actor=secretary,
            )
            issue = _accept(concern.issue, secretary, received + timedelta(hours=1))
            _settle(issue, secretary, outcome, received + timedelta(days=1 + int(key[-2:]) % 2))
    out.write(f"concerns: {Concern.objects.count() - before} new concerns\n")


def _handler_for(issue: Issue, fallback: User) -> User:
    """The grid worker of the issue's grid when the demo has one, else community staff."""
    if issue.grid is not None and issue.grid.code.endswith("G2"):
        return _user("grid_jclw") or fallback
    if issue.grid is not None and issue.grid.code.endswith("G1"):
        return _user("grid_jclw1") or fallback
    return fallback
