"""A small, readable data set whose rates are worked out by hand in the tests.

All in March 2026, in the `world` tree (c1 with grids g1 and g2, c2 with g3, both in street s):

    c1  A  received 03-02, accepted in time,   settled by the grid        (solved, in grid)
        B  received 03-05, accepted late,      resolved at community level (solved)
        C  received 03-10, never accepted (due 03-11)                      (open)
        D  received 03-20, accepted in time,   being handled in the grid   (open)
        E  received 03-25, accepted in time,   settled by the grid        (solved, in grid)
        J  received 03-31, acceptance not yet due, not accepted            (open, not "due")
        F  merged (left out of everything);  G received in February (outside the period)
    c2  H  received 03-15, accepted in time,   settled at community level  (solved)
    other district: I (never counted for the street)

    c1: 响应率 3/5 = 60.0%   解决率 3/6 = 50.0%   小事不出网格率 2/3 = 66.7%
    s:  响应率 4/6 = 66.7%   解决率 4/7 = 57.1%   小事不出网格率 2/4 = 50.0%
"""

from datetime import datetime, timedelta

from django.utils import timezone

from concerns.models import Concern, Issue
from places.models import Area

NOW = timezone.make_aware(datetime(2026, 4, 15, 12, 0))


def at(month: int, day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, hour, 0))


def make_issue(
    community: Area,
    title: str,
    received: datetime,
    *,
    grid: Area | None = None,
    status: str = Issue.Status.NEW,
    level: str = Issue.Level.GRID,
    accepted: datetime | None = None,
    accept_due: datetime | None = None,
    residents: int = 1,
    concerns: int = 1,
    channel: str = Concern.Channel.PHONE,
    phone: str = "13812345678",
) -> Issue:
    issue = Issue.objects.create(
        community=community,
        grid=grid,
        title=title,
        status=status,
        level=level,
        first_received_at=received,
        last_received_at=received,
        accept_due_at=accept_due or received + timedelta(days=1),
        resolve_due_at=received + timedelta(days=7),
        accepted_at=accepted,
        settled_at=received + timedelta(days=3)
        if status in (Issue.Status.SETTLED, Issue.Status.RESOLVED)
        else None,
        residents_count=residents,
        concerns_count=concerns,
    )
    for n in range(concerns):
        Concern.objects.create(
            tracking_code=f"T{Issue.objects.count():03d}{n:03d}{title}"[:12],
            issue=issue,
            community=community,
            grid=grid,
            channel=channel,
            content=f"{title}的问题",
            reporter_name="张三",
            phone=phone,
            resident_key=f"tel:{phone}{n}",
            received_at=received + timedelta(minutes=n),
        )
    return issue


def march_data_set(world, *, j_due: datetime | None = None) -> dict[str, Issue]:
    c1, c2, g1, g2 = world.c1, world.c2, world.g1, world.g2
    return {
        "A": make_issue(
            c1,
            "A",
            at(3, 2),
            grid=g1,
            status=Issue.Status.SETTLED,
            accepted=at(3, 2, 12),
            residents=4,
            concerns=2,
        ),
        "B": make_issue(
            c1,
            "B",
            at(3, 5),
            grid=g1,
            status=Issue.Status.RESOLVED,
            level=Issue.Level.COMMUNITY,
            accepted=at(3, 7),
            channel=Concern.Channel.VISIT,
        ),
        "C": make_issue(c1, "C", at(3, 10), grid=g2),
        "D": make_issue(
            c1,
            "D",
            at(3, 20),
            grid=g2,
            status=Issue.Status.IN_PROGRESS,
            accepted=at(3, 20, 15),
            residents=7,
            concerns=3,
        ),
        "E": make_issue(
            c1,
            "E",
            at(3, 25),
            grid=g1,
            status=Issue.Status.SETTLED,
            accepted=at(3, 25, 11),
            channel=Concern.Channel.WECHAT,
        ),
        "J": make_issue(c1, "J", at(3, 31, 20), grid=g1, accept_due=j_due or at(4, 16)),
        "F": make_issue(c1, "F", at(3, 12), grid=g1, status=Issue.Status.MERGED, concerns=0),
        "G": make_issue(
            c1, "G", at(2, 20), grid=g1, status=Issue.Status.SETTLED, accepted=at(2, 20, 11)
        ),
        "H": make_issue(
            c2,
            "H",
            at(3, 15),
            grid=world.g3,
            status=Issue.Status.SETTLED,
            level=Issue.Level.COMMUNITY,
            accepted=at(3, 15, 12),
        ),
        "I": make_issue(
            world.other_district,
            "I",
            at(3, 15),
            status=Issue.Status.SETTLED,
            accepted=at(3, 15, 12),
        ),
    }


def march_later_steps(world, issues: dict[str, Issue]) -> dict:
    """Meetings, action items and ratings for March, on top of march_data_set.

    Meetings held in March: c1 council (published), c2 joint (in session); a draft in c1 is
    not held; the district's thematic research consultation counts for the district only.
    Action items: X (c1) listed 03-03, closed 03-20; Y (c1) listed 03-10, due 03-15, still
    listed (overdue); Z (c2) listed 03-12, due at the end of the year.
    Ratings of X in March: satisfied, basically satisfied, dissatisfied → 满意率 2/3 = 66.7%;
    a fourth rating in April is outside the period.
    """
    from datetime import date

    from accountability.models import ActionItem, Evaluation
    from consultations.models import Meeting

    for area, form, day, status in (
        (world.c1, Meeting.Form.COUNCIL, 18, Meeting.Status.PUBLISHED),
        (world.c2, Meeting.Form.JOINT, 19, Meeting.Status.HELD),
        (world.c1, Meeting.Form.HEARING, 21, Meeting.Status.DRAFT),
        (world.district, Meeting.Form.THEMATIC_RESEARCH, 25, Meeting.Status.CLOSED),
    ):
        Meeting.objects.create(
            title=f"{form}会议", form=form, area=area, starts_at=at(3, day), status=status
        )
    company = world.property_company
    x = ActionItem.objects.create(
        community=world.c1,
        title="冲洗水箱",
        owner_organisation=company,
        listed_at=at(3, 3),
        deadline=date(2026, 3, 25),
        status=ActionItem.Status.CLOSED,
        closed_at=at(3, 20),
    )
    x.issues.add(issues["B"])
    y = ActionItem.objects.create(
        community=world.c1,
        title="清理楼道杂物",
        owner_organisation=company,
        listed_at=at(3, 10),
        deadline=date(2026, 3, 15),
    )
    y.issues.add(issues["C"])
    ActionItem.objects.create(
        community=world.c2,
        title="修补围栏",
        owner_organisation=company,
        listed_at=at(3, 12),
        deadline=date(2026, 12, 31),
    )
    concern = issues["B"].concerns.first()
    assert concern is not None
    for n, (rating, when) in enumerate(
        [
            (Evaluation.Rating.SATISFIED, at(3, 21)),
            (Evaluation.Rating.BASICALLY, at(3, 22)),
            (Evaluation.Rating.DISSATISFIED, at(3, 23)),
            (Evaluation.Rating.SATISFIED, at(4, 2)),
        ]
    ):
        Evaluation.objects.create(
            action_item=x, concern=concern, resident_key=f"r{n}", rating=rating, created_at=when
        )
    return {"X": x, "Y": y}
