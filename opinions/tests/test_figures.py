"""The district dashboard's 社情民意 figures and the 社情民意 ledger."""

import io
from datetime import date, datetime, timedelta

from django.utils import timezone
from openpyxl import load_workbook

from opinions import actions
from opinions.figures import figures_for
from opinions.tests.conftest import submit


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10))


def played(w):
    """Three reports in March 2026: one replied on time and rated 满意, one whose reply came
    late and was rated 不满意, one not adopted; and one in another district."""
    on_time = submit(w, title="按时答复", place="金水园3号楼2单元", now=at(date(2026, 3, 2)))
    actions.adopt_report(w.office, on_time)
    (f1,) = actions.forward_report(
        w.office,
        on_time,
        organisations=[w.sports],
        due_on=date(2026, 3, 20),
        now=at(date(2026, 3, 3)),
    )
    actions.reply_to_report(w.sports_rep, f1, text="已答复", now=at(date(2026, 3, 20)))
    actions.rate_reply(w.cppcc, f1, rating="satisfied")
    late = submit(w, title="逾期答复", now=at(date(2026, 3, 5)))
    actions.adopt_report(w.office, late)
    (f2,) = actions.forward_report(
        w.office, late, organisations=[w.water], due_on=date(2026, 3, 20), now=at(date(2026, 3, 6))
    )
    actions.reply_to_report(w.water_rep, f2, text="迟复", now=at(date(2026, 3, 25)))
    actions.rate_reply(w.cppcc, f2, rating="dissatisfied")
    submit(w, title="待审", now=at(date(2026, 3, 9)))
    submit(w, member=w.other_member, area=w.other_district, now=at(date(2026, 3, 9)))


def test_figures_of_a_district(cppcc):
    played(cppcc)
    start, end = at(date(2026, 3, 1)), at(date(2026, 4, 1))
    f = figures_for(cppcc.district, start, end, now=at(date(2026, 4, 1)))
    assert (f.submitted, f.adopted, f.forwarded) == (3, 2, 2)
    assert (f.replies_due, f.replied_on_time, f.on_time_rate) == (2, 1, 50.0)
    assert (f.rated, f.satisfied, f.satisfaction_rate) == (2, 1, 50.0)
    empty = figures_for(cppcc.district, start - timedelta(days=60), start - timedelta(days=31))
    assert empty.submitted == 0 and empty.on_time_rate is None


def test_district_dashboard_shows_the_figures(client, cppcc):
    played(cppcc)
    client.force_login(cppcc.district_officer)
    page = client.get("/insights/a/D1/?start=2026-03-01&end=2026-03-31")
    assert page.status_code == 200
    assert page.context["opinions"].submitted == 3
    html = page.content.decode()
    assert 'data-testid="opinions-on-time">50.0%' in html
    assert 'data-chart="chart-opinions"' in html
    assert "/insights/a/D1/ledger/opinions.xlsx" in html
    api = client.get("/api/v1/insights/areas/D1/figures?start=2026-03-01&end=2026-03-31").json()
    assert api["opinions"]["submitted"] == 3 and api["opinions"]["satisfaction_rate"] == 50.0
    # A community's dashboard has no 社情民意 (they are the district CPPCC's).
    client.force_login(cppcc.staff)
    community = client.get("/insights/a/C1/?start=2026-03-01&end=2026-03-31")
    assert (
        "opinions" not in community.context and "chart-opinions" not in community.content.decode()
    )
    # A member gets the 写社情民意 link with the area filled in.
    client.force_login(cppcc.cppcc)
    page = client.get("/insights/a/C1/?start=2026-03-01&end=2026-03-31")
    assert "/opinions/new/?area=C1" in page.content.decode()


def test_ledger_row_per_report(client, cppcc):
    played(cppcc)
    client.force_login(cppcc.district_officer)
    response = client.get("/insights/a/D1/ledger/opinions.xlsx?start=2026-03-01&end=2026-03-31")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["汇总", "社情民意台账"]
    rows = [list(r) for r in book["社情民意台账"].iter_rows(values_only=True)]
    assert rows[0][:4] == ["序号", "报送日期", "社情民意", "政协委员"]
    by_title = {row[2]: row for row in rows[1:]}
    assert set(by_title) == {"按时答复", "逾期答复", "待审"}  # the other district's is not here
    row = by_title["按时答复"]
    assert row[6] == "已答复" and row[8] == "测试区文体局" and row[9] == "2026-03-20"
    assert row[11] == "是" and row[12] == "满意"
    assert by_title["逾期答复"][11] == "否" and by_title["逾期答复"][12] == "不满意"
    # Officers see a place no finer than its building.
    assert row[5] == "金水园3号楼**"
