"""Demo places from the seed's stories (Ningxia). Idempotent: keyed on area codes."""

from datetime import date

from places.models import Area, AreaFacility, AreaFigure, AreaProfile, Building, Compound
from places.profiles import format_figure
from places.verbs import PROFILE_FIGURE_RECORDED
from timeline.actors import COMMUNITY
from timeline.services import record

# (code, name, kind, parent code)
AREAS = [
    ("6401", "银川市", Area.Kind.CITY, None),
    ("640106", "金凤区", Area.Kind.DISTRICT, "6401"),
    ("640106001", "长城中路街道", Area.Kind.STREET, "640106"),
    ("640106001001", "金城蓝湾社区", Area.Kind.COMMUNITY, "640106001"),
    ("640106001001G1", "金城蓝湾第一网格", Area.Kind.GRID, "640106001001"),
    ("640106001001G2", "金城蓝湾第二网格", Area.Kind.GRID, "640106001001"),
    ("640106001001G3", "金城蓝湾第三网格", Area.Kind.GRID, "640106001001"),
    ("640106001002", "五里水乡社区", Area.Kind.COMMUNITY, "640106001"),
    ("640106001002G1", "五里水乡第一网格", Area.Kind.GRID, "640106001002"),
    ("640106001002G2", "五里水乡第二网格", Area.Kind.GRID, "640106001002"),
    ("640106002", "上海西路街道", Area.Kind.STREET, "640106"),
    ("640106002001", "阅海湾社区", Area.Kind.COMMUNITY, "640106002"),
    ("640106002001G1", "阅海湾第一网格", Area.Kind.GRID, "640106002001"),
    ("640106002001G2", "阅海湾第二网格", Area.Kind.GRID, "640106002001"),
    ("6402", "石嘴山市", Area.Kind.CITY, None),
    ("640202", "大武口区", Area.Kind.DISTRICT, "6402"),
    ("640202001", "长城街道", Area.Kind.STREET, "640202"),
    ("640202001001", "金山社区", Area.Kind.COMMUNITY, "640202001"),
    ("640202001001G1", "金山社区第一网格", Area.Kind.GRID, "640202001001"),
    ("640202001001G2", "金山社区第二网格", Area.Kind.GRID, "640202001001"),
    ("640221", "平罗县", Area.Kind.DISTRICT, "6402"),
    ("640221201", "红崖子乡", Area.Kind.STREET, "640221"),
    ("640221201001", "红崖子村", Area.Kind.COMMUNITY, "640221201"),
    ("640221201001G1", "红崖子村网格", Area.Kind.GRID, "640221201001"),
    ("6404", "固原市", Area.Kind.CITY, None),
    ("640425", "彭阳县", Area.Kind.DISTRICT, "6404"),
    ("640425100", "白阳镇", Area.Kind.STREET, "640425"),
    ("640425100001", "白阳镇城区社区", Area.Kind.COMMUNITY, "640425100"),
    ("640425100001G1", "城区社区网格", Area.Kind.GRID, "640425100001"),
    ("640425201", "草庙乡", Area.Kind.STREET, "640425"),
    ("640425201001", "新洼村", Area.Kind.COMMUNITY, "640425201"),
    ("640425201001G1", "新洼村网格", Area.Kind.GRID, "640425201001"),
]

# (grid code, compound, address, buildings)
COMPOUNDS = [
    ("640106001001G1", "金城蓝湾一期", "长城中路金城蓝湾一期", [f"{n}号楼" for n in range(1, 9)]),
    ("640106001001G2", "金城蓝湾二期", "长城中路金城蓝湾二期", [f"{n}号楼" for n in range(1, 13)]),
    ("640106001001G3", "金城蓝湾沿街营业房", "长城中路沿街商铺", ["A段", "B段"]),
    ("640106001002G1", "五里水乡A区", "五里水乡A区", [f"{n}号楼" for n in range(1, 7)]),
    ("640106001002G1", "五里水乡B区", "五里水乡B区", [f"{n}号楼" for n in range(1, 7)]),
    ("640106001002G2", "五里水乡C区", "五里水乡C区", [f"{n}号楼" for n in range(1, 7)]),
    ("640106001002G2", "五里水乡D区", "五里水乡D区", [f"{n}号楼" for n in range(1, 7)]),
    ("640106002001G1", "世茂住宅小区", "阅海湾商务区世茂", [f"{n}号楼" for n in range(1, 6)]),
    ("640106002001G1", "新华联住宅小区", "阅海湾商务区新华联", [f"{n}号楼" for n in range(1, 6)]),
    (
        "640106002001G2",
        "鸿曦悦海湾小区",
        "阅海湾商务区鸿曦悦海湾",
        [f"{n}号楼" for n in range(1, 6)],
    ),
    ("640202001001G1", "春晖小区", "长城街道春晖小区", [f"{n}号楼" for n in range(1, 10)]),
    ("640202001001G2", "金山花园", "长城街道金山花园", [f"{n}号楼" for n in range(1, 7)]),
]

HOURS = "周一至周五 8:30—12:00，14:30—18:00（节假日值班）"
# What each story community posts in its compounds (居民联系卡): its public phone, office
# hours and 公众号 (name, QR code link), and each grid's worker and grid phone.
COMMUNITY_CONTACTS = {
    "640106001001": ("0951-5012345", "金城蓝湾社区", "http://weixin.qq.com/r/jclwDemoQr01"),
    "640106001002": ("0951-5016688", "五里水乡社区", "http://weixin.qq.com/r/wlsxDemoQr02"),
    "640106002001": ("0951-5108866", "阅海湾社区", ""),
    "640202001001": ("0952-2016789", "金山社区服务", ""),
}
GRID_CONTACTS = {
    "640106001001G1": ("赵丽娟", "13895010001"),
    "640106001001G2": ("张建国", "13895010002"),
    "640106001001G3": ("孙海燕", "13895010003"),
    "640106001002G1": ("马晓梅", "13995020001"),
    "640106001002G2": ("杨志刚", "13995020002"),
    "640106002001G1": ("刘芳", "18095030001"),
    "640106002001G2": ("丁文军", "18095030002"),
    "640202001001G1": ("王秀兰", "13709520001"),
    "640202001001G2": ("李永平", "13709520002"),
}


def _load_contacts() -> None:
    """Fill the contact-card fields the first time only: staff may have changed them since."""
    for code, (phone, wechat, link) in COMMUNITY_CONTACTS.items():
        Area.objects.filter(code=code, public_phone="").update(
            public_phone=phone, office_hours=HOURS, wechat_name=wechat, wechat_link=link
        )
    for code, (worker, phone) in GRID_CONTACTS.items():
        Area.objects.filter(code=code, grid_phone="").update(grid_worker=worker, grid_phone=phone)


YHW_SOURCE = "阅海湾商务区管委会"
# (community code, also known as, summary, figures, facilities). 阅海湾社区 serves the
# business district the seed's story 5 describes, with its figures as the newspaper gives them.
PROFILES = [
    (
        "640106002001",
        "阅海湾商务区",
        "商务区自2010年启动建设，新华联住宅小区及周边鸿曦悦海湾、世茂住宅小区建成入住。"
        "四大公园以景观绿化为主，缺少体育健身设施和健身步道。",
        [
            (
                AreaFigure.Kind.RESIDENT_POPULATION,
                20000,
                AreaFigure.Qualifier.NEARLY,
                date(2026, 6, 30),
                YHW_SOURCE,
            ),
            (
                AreaFigure.Kind.OFFICE_BUILDINGS,
                45,
                AreaFigure.Qualifier.EXACT,
                date(2026, 6, 30),
                YHW_SOURCE,
            ),
            (
                AreaFigure.Kind.COMPANIES,
                2738,
                AreaFigure.Qualifier.OVER,
                date(2026, 6, 30),
                YHW_SOURCE,
            ),
        ],
        [
            (AreaFacility.Kind.PARK, "金水园（容水公园）"),
            (AreaFacility.Kind.PARK, "金凤园（中央公园）"),
            (AreaFacility.Kind.PARK, "水上公园"),
            (AreaFacility.Kind.PARK, "团结路景观轴"),
        ],
    ),
]


def load_profiles() -> int:
    """The demo profiles, once each (a timeline row per figure, as an edit would write)."""
    made = 0
    for code, covers, summary, figures, facilities in PROFILES:
        area = Area.objects.filter(code=code).first()
        if area is None or AreaProfile.objects.filter(area=area).exists():
            continue
        profile = AreaProfile.objects.create(area=area, covers=covers, summary=summary)
        for kind, value, qualifier, as_of, source in figures:
            AreaFigure.objects.create(
                profile=profile,
                kind=kind,
                value=value,
                qualifier=qualifier,
                as_of=as_of,
                source=source,
            )
            record(
                profile,
                PROFILE_FIGURE_RECORDED,
                actor_label=COMMUNITY,
                note=f"{AreaFigure.Kind(kind).label}：{format_figure(kind, value, qualifier)}"
                f"（{as_of:%Y-%m-%d}，{source}）",
                public=False,
            )
        for facility_kind, name in facilities:
            AreaFacility.objects.create(
                profile=profile,
                kind=facility_kind,
                name=name,
                as_of=date(2026, 6, 30),
                source=YHW_SOURCE,
            )
        made += 1
    return made


def load(out) -> None:
    created = 0
    for code, name, kind, parent_code in AREAS:
        parent = Area.objects.get(code=parent_code) if parent_code else None
        _area, made = Area.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": parent}
        )
        created += made
    for grid_code, name, address, buildings in COMPOUNDS:
        grid = Area.objects.get(code=grid_code)
        compound, _ = Compound.objects.get_or_create(
            grid=grid, name=name, defaults={"address": address}
        )
        for building in buildings:
            Building.objects.get_or_create(compound=compound, name=building)
    _load_contacts()
    profiles = load_profiles()
    out.write(
        f"places: {created} new areas, {Compound.objects.count()} compounds, "
        f"{profiles} new area profiles"
    )
