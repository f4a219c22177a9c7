"""Demo organisations and accounts, one for each role (listed in README)."""

from accounts.models import Organisation, Role, User
from places.models import Area

DEMO_PASSWORD = "yishi-demo-2026"

# (name, kind, area codes served)
ORGANISATIONS = [
    ("金城蓝湾社区党支部", Organisation.Kind.PARTY_BRANCH, ["640106001001"]),
    ("金城蓝湾物业服务中心", Organisation.Kind.PROPERTY_COMPANY, ["640106001001"]),
    ("银川市市政用水管理处", Organisation.Kind.GOVERNMENT_DEPARTMENT, ["6401"]),
    ("银川市自来水公司", Organisation.Kind.UTILITY, ["6401"]),
    ("宁夏水质检测公司", Organisation.Kind.SERVICE_PROVIDER, ["6401"]),
    ("金凤区综合执法局", Organisation.Kind.LAW_ENFORCEMENT, ["640106"]),
    ("五里水乡社区新时代文明实践站", Organisation.Kind.PRACTICE_STATION, ["640106001002"]),
    ("五里水乡社区党委", Organisation.Kind.PARTY_BRANCH, ["640106001002"]),
    ("水乡A区物业公司", Organisation.Kind.PROPERTY_COMPANY, ["640106001002"]),
    ("水乡B区物业公司", Organisation.Kind.PROPERTY_COMPANY, ["640106001002"]),
    ("水乡C区物业公司", Organisation.Kind.PROPERTY_COMPANY, ["640106001002"]),
    ("水乡D区物业公司", Organisation.Kind.PROPERTY_COMPANY, ["640106001002"]),
    ("金凤区阅海湾商务区管委会", Organisation.Kind.MANAGEMENT_COMMITTEE, ["640106002"]),
    ("上海西路街道办事处", Organisation.Kind.STREET_OFFICE, ["640106002"]),
    ("阅海湾社区居委会", Organisation.Kind.RESIDENTS_COMMITTEE, ["640106002001"]),
    ("金凤区文化旅游体育广电局", Organisation.Kind.GOVERNMENT_DEPARTMENT, ["640106"]),
    ("金凤区政协", Organisation.Kind.CPPCC, ["640106"]),
    ("金山社区党委", Organisation.Kind.PARTY_BRANCH, ["640202001001"]),
    ("春晖小区业主委员会", Organisation.Kind.OWNERS_COMMITTEE, ["640202001001"]),
    ("春晖小区物业公司", Organisation.Kind.PROPERTY_COMPANY, ["640202001001"]),
    ("彭阳县政协", Organisation.Kind.CPPCC, ["640425"]),
    ("彭阳县司法局", Organisation.Kind.GOVERNMENT_DEPARTMENT, ["640425"]),
    ("彭阳县住建局", Organisation.Kind.GOVERNMENT_DEPARTMENT, ["640425"]),
    ("白阳镇人民政府", Organisation.Kind.STREET_OFFICE, ["640425100"]),
    ("彭阳四中", Organisation.Kind.OTHER, ["640425100"]),
    ("平罗县政协", Organisation.Kind.CPPCC, ["640221"]),
    ("平罗县农业农村局", Organisation.Kind.GOVERNMENT_DEPARTMENT, ["640221"]),
]

# (username, full name, role, area code, organisation name)
ACCOUNTS = [
    ("grid_jclw", "张网格", Role.Kind.GRID_WORKER, "640106001001G2", None),
    ("grid_jclw1", "赵网格", Role.Kind.GRID_WORKER, "640106001001G1", None),
    ("volunteer_jclw", "王楼长", Role.Kind.VOLUNTEER, "640106001001G2", None),
    ("staff_jclw", "刘干事", Role.Kind.COMMUNITY_STAFF, "640106001001", None),
    ("secretary_jclw", "李娜", Role.Kind.SECRETARY, "640106001001", "金城蓝湾社区党支部"),
    ("secretary_wlsx", "马琳", Role.Kind.SECRETARY, "640106001002", "五里水乡社区党委"),
    ("staff_yhw", "阅海湾社区干部", Role.Kind.COMMUNITY_STAFF, "640106002001", None),
    ("secretary_jinshan", "桂宁", Role.Kind.SECRETARY, "640202001001", "金山社区党委"),
    ("street_cczl", "长城中路街道干部", Role.Kind.STREET_OFFICER, "640106001", None),
    ("street_shxl", "上海西路街道干部", Role.Kind.STREET_OFFICER, "640106002", None),
    ("district_jf", "金凤区督查员", Role.Kind.DISTRICT_OFFICER, "640106", None),
    ("cppcc_jf", "王庆民", Role.Kind.CPPCC_MEMBER, "640106", "金凤区政协"),
    ("cppcc_py", "彭阳县政协委员", Role.Kind.CPPCC_MEMBER, "640425", "彭阳县政协"),
    ("cppcc_pl", "平罗县政协委员", Role.Kind.CPPCC_MEMBER, "640221", "平罗县政协"),
    ("property_jclw", "物业负责人", Role.Kind.ORG_REPRESENTATIVE, None, "金城蓝湾物业服务中心"),
    ("water_yc", "自来水公司片区负责人", Role.Kind.ORG_REPRESENTATIVE, None, "银川市自来水公司"),
    ("sports_jf", "文体局负责人", Role.Kind.ORG_REPRESENTATIVE, None, "金凤区文化旅游体育广电局"),
    ("enforcement_jf", "综合执法局负责人", Role.Kind.ORG_REPRESENTATIVE, None, "金凤区综合执法局"),
]


def load(out) -> None:
    for name, kind, codes in ORGANISATIONS:
        party, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
        party.areas.add(*Area.objects.filter(code__in=codes))
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "", DEMO_PASSWORD, full_name="系统管理员")
    for username, full_name, role_kind, area_code, org_name in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username, password=DEMO_PASSWORD, full_name=full_name)
        area = Area.objects.get(code=area_code) if area_code else None
        member_of = Organisation.objects.filter(name=org_name).first() if org_name else None
        if role_kind in (Role.Kind.SECRETARY, Role.Kind.CPPCC_MEMBER):
            Role.objects.get_or_create(user=user, kind=role_kind, area=area, organisation=None)
            if member_of is not None:
                Role.objects.get_or_create(
                    user=user, kind=Role.Kind.ORG_REPRESENTATIVE, area=None, organisation=member_of
                )
        else:
            Role.objects.get_or_create(user=user, kind=role_kind, area=area, organisation=member_of)
    out.write(
        f"accounts: {Organisation.objects.count()} organisations, "
        f"{User.objects.count()} accounts (password {DEMO_PASSWORD})"
    )
