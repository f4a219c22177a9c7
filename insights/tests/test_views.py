"""Dashboard, API, monthly report and ledgers: the same figures everywhere, scope enforced."""

import io
import re

import pytest
from openpyxl import load_workbook

from insights import metrics
from insights.tests.factories import march_data_set, march_later_steps

MARCH = "start=2026-03-01&end=2026-03-31"


@pytest.fixture
def march(world):
    issues = march_data_set(world)
    march_later_steps(world, issues)
    return world


def login(client, user):
    client.force_login(user)
    return client


def rates_on_page(html: str) -> dict[str, str]:
    """{rate key: "60.0%"} read from the stats blocks (data-rate) of a page."""
    found = {}
    value_cell = r'(?:<div class="value">|<th scope="row">[^<]*</th><td class="value"[^>]*>)'
    for key, value in re.findall(r'data-rate="(\w+)">\s*' + value_cell + r"([^<]+)<", html):
        found[key] = value.strip()
    return found


@pytest.mark.django_db
def test_same_figures_on_dashboard_api_report_and_ledger(client, march):
    login(client, march.street_officer)
    expected = {
        key: rate.display
        for key, rate in metrics.rates(
            metrics.Scope.of(march.street), metrics.Period.month(2026, 3)
        ).items()
    }
    assert expected["satisfaction"] == "66.7%"  # nothing else depends on the clock here

    dashboard = client.get(f"/insights/a/S1/?{MARCH}")
    assert dashboard.status_code == 200
    assert rates_on_page(dashboard.content.decode()) == expected

    report = client.get("/insights/a/S1/report/?month=2026-03")
    assert report.status_code == 200
    assert rates_on_page(report.content.decode()) == expected

    api = client.get(f"/api/v1/insights/areas/S1/figures?{MARCH}").json()
    from_api = {
        r["key"]: f"{r['value']:.1f}%" if r["value"] is not None else "—" for r in api["rates"]
    }
    assert from_api == expected
    assert client.get(f"/api/v1/insights/areas/S1/rates?{MARCH}").json()["rates"] == api["rates"]

    ledger = client.get(f"/insights/a/S1/ledger/all.xlsx?{MARCH}")
    assert ledger.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(ledger.streaming_content)), read_only=True)
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    header_row = next(i for i, row in enumerate(summary) if row and row[0] == "指标")
    values = [row[1] for row in summary[header_row + 1 : header_row + 5]]
    assert [f"{v:.1f}%" if v is not None else "—" for v in values] == list(expected.values())
    # The issue ledger's own columns give the same response and resolution rates.
    issues = list(book.worksheets[2].iter_rows(values_only=True))
    header, rows = issues[0], issues[1:]
    in_time = [r[header.index("按时受理")] for r in rows]
    status = [r[header.index("办理状态")] for r in rows]
    assert (
        f"{100 * in_time.count('是') / (in_time.count('是') + in_time.count('否')):.1f}%"
        == expected["response"]
    )
    solved = sum(1 for s in status if s in ("已办结", "已解决"))
    assert f"{100 * solved / len(rows):.1f}%" == expected["resolution"]


@pytest.mark.django_db
def test_dashboard_drills_down_and_lists_children(client, march):
    login(client, march.district_officer)
    page = client.get(f"/insights/a/D1/?{MARCH}").content.decode()
    query = MARCH.replace("&", "&amp;")
    assert f'href="/insights/a/S1/?{query}"' in page
    street = client.get(f"/insights/a/S1/?{MARCH}").content.decode()
    assert f'href="/insights/a/C1/?{query}"' in street and "二号社区" in street
    community = client.get(f"/insights/a/C1/?{MARCH}").content.decode()
    assert "一号社区第一网格" in community
    assert "vendor/echarts/echarts.min.js" in community
    assert 'data-chart="chart-concerns_over_time"' in community
    assert 'id="chart-concerns_over_time"' in community
    # Every definition is on the page.
    for rate in metrics.RATE_TEXT.values():
        assert str(rate[1]) in community


@pytest.mark.django_db
def test_dashboard_opens_on_the_users_own_area(client, world):
    assert login(client, world.street_officer).get("/insights/").url == "/insights/a/S1/"
    assert login(client, world.staff).get("/insights/").url == "/insights/a/C1/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,code",
    [
        ("staff", "C2"),
        ("staff", "S1"),
        ("street_officer", "D2"),
        ("outsider", "C1"),
        ("nobody", "C1"),
        ("org_rep", "C1"),
    ],
)
def test_outside_scope_is_404_everywhere(client, world, user, code):
    login(client, getattr(world, user))
    assert client.get(f"/insights/a/{code}/").status_code == 404
    assert client.get(f"/insights/a/{code}/report/").status_code == 404
    assert client.get(f"/insights/a/{code}/ledger/concerns.xlsx").status_code == 404
    response = client.get(f"/api/v1/insights/areas/{code}/figures")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client, world):
    assert client.get("/insights/a/C1/").status_code == 302
    assert client.get("/api/v1/insights/areas/C1/figures").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,message",
    [
        ("start=2026-04-01&end=2026-03-01", "开始日期晚于结束日期"),
        ("start=2019-01-01&end=2026-03-01", "五年"),
        ("start=2026-13-01", "YYYY-MM-DD"),
    ],
)
def test_bad_period_is_a_clear_error(client, world, query, message):
    login(client, world.staff)
    page = client.get(f"/insights/a/C1/?{query}")
    assert page.status_code == 400
    assert message in page.content.decode()
    api = client.get(f"/api/v1/insights/areas/C1/figures?{query}")
    assert api.status_code == 400
    assert message in api.json()["error"]["message"]
    assert client.get(f"/insights/a/C1/ledger/issues.xlsx?{query}").status_code == 400


@pytest.mark.django_db
def test_report_month_must_make_sense(client, world):
    login(client, world.staff)
    assert client.get("/insights/a/C1/report/?month=2026-13").status_code == 400
    assert client.get("/insights/a/C1/report/?month=2099-01").status_code == 400
    assert client.get("/insights/a/C1/report/").status_code == 200


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_the_data(
    client, world, django_assert_num_queries
):
    login(client, world.district_officer)
    client.get("/insights/a/D1/")  # warm the session and content types
    # 22: the figures, plus the areas and resident populations for the per-1,000 rates,
    # and two more for a district's 社情民意 (opinions.figures).
    with django_assert_num_queries(22) as small:
        client.get(f"/insights/a/D1/?{MARCH}")
    march_later_steps(world, march_data_set(world))
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(f"/insights/a/D1/?{MARCH}")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(f"/api/v1/insights/areas/D1/figures?{MARCH}")
