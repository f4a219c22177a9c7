"""Ledgers out (sheets, columns, masked phones) and past registers in (all or nothing)."""

import io
import re
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from concerns.models import Concern
from insights.tests.factories import march_data_set, march_later_steps

MARCH = "start=2026-03-01&end=2026-03-31"


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.streaming
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.django_db
def test_concern_register_for_community_staff_shows_phones(client, world):
    march_data_set(world)
    client.force_login(world.staff)
    book = download(client, f"/insights/a/C1/ledger/concerns.xlsx?{MARCH}")
    assert book.sheetnames == ["汇总", "来信来访登记表"]
    rows = rows_of(book["来信来访登记表"])
    assert rows[0] == [
        "序号", "登记日期", "诉求编号", "渠道", "姓名", "联系电话", "住址", "社区", "网格", "类别",
        "反映问题", "问题", "办理情况", "办理结果",
    ]  # fmt: skip
    assert len(rows) - 1 == 9  # c1's March concerns
    assert {row[5] for row in rows[1:]} == {"13812345678"}
    assert {row[4] for row in rows[1:]} == {"张三"}
    assert [row[0] for row in rows[1:]] == list(range(1, 10))


@pytest.mark.django_db
def test_officers_above_read_phones_and_names_masked(client, world):
    march_data_set(world)
    client.force_login(world.street_officer)
    book = download(client, f"/insights/a/S1/ledger/concerns.xlsx?{MARCH}")
    rows = rows_of(book["来信来访登记表"])[1:]
    assert len(rows) == 10
    assert {row[5] for row in rows} == {"138****5678"}
    assert {row[4] for row in rows} == {"张**"}
    assert all("13812345678" not in str(cell) for row in rows for cell in row)


@pytest.mark.django_db
def test_every_ledger_has_its_sheets_and_columns(client, world):
    march_later_steps(world, march_data_set(world))
    client.force_login(world.district_officer)
    book = download(client, f"/insights/a/D1/ledger/all.xlsx?{MARCH}")
    assert book.sheetnames == [
        "汇总",
        "来信来访登记表",
        "问题台账",
        "协商议事会台账",
        "挂牌销号台账",
    ]
    issues = rows_of(book["问题台账"])
    assert issues[0][:8] == [
        "序号",
        "问题",
        "社区",
        "网格",
        "类别",
        "处置层级",
        "办理状态",
        "涉及居民数",
    ]
    assert len(issues) - 1 == 7
    meetings = rows_of(book["协商议事会台账"])
    assert meetings[0][:4] == ["序号", "日期", "会议名称", "会议形式"]
    assert len(meetings) - 1 == 3  # the draft is left out
    items = rows_of(book["挂牌销号台账"])
    assert items[0] == [
        "序号", "挂牌事项", "社区", "责任单位", "挂牌时间", "完成时限", "办理状态", "最新进展",
        "逾期", "销号时间",
    ]  # fmt: skip
    by_title = {row[1]: row for row in items[1:]}
    assert by_title["清理楼道杂物"][8] == "是"
    assert by_title["冲洗水箱"][9] is not None and by_title["冲洗水箱"][8] is None
    assert client.get("/insights/a/D1/ledger/nothing.xlsx").status_code == 404


# ---- Import ------------------------------------------------------------------------------

HEADER = ["登记日期", "姓名", "联系电话", "住址", "类别", "反映问题"]


def workbook_bytes(rows, header=HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "register.xlsx"
    return out


GOOD_ROWS = [
    [date(2025, 3, 6), "王某", "13800138000", "一号楼502", "供水", "自来水发黄，放了很久还是黄的"],
    ["2025/03/07", "李某", "0951-5012345", "", "", "小区门口电动车超速，孩子上学很危险"],
    ["2025年3月8日", "", None, "三号楼", "noise", "楼下广场舞音响半夜还在响"],
]


def post_import(client, file):
    return client.post("/insights/a/C1/import/", {"file": file})


@pytest.mark.django_db
def test_a_good_register_imports_every_row(client, world):
    client.force_login(world.staff)
    response = post_import(client, workbook_bytes(GOOD_ROWS))
    assert response.status_code == 200
    imported = Concern.objects.filter(channel=Concern.Channel.IMPORT).order_by("received_at")
    assert imported.count() == 3
    assert [c.received_at.date() for c in imported] == [
        date(2025, 3, 6), date(2025, 3, 7), date(2025, 3, 8)
    ]  # fmt: skip
    assert imported[0].phone == "13800138000" and imported[1].phone == "09515012345"
    assert imported[0].category.code == "water" and imported[2].category.code == "noise"
    assert all(c.community == world.c1 and c.issue_id for c in imported)
    assert "已导入 3 条诉求" in response.content.decode()
    # Uploading the same file again adds nothing (idempotent).
    post_import(client, workbook_bytes(GOOD_ROWS))
    assert Concern.objects.filter(channel=Concern.Channel.IMPORT).count() == 3


@pytest.mark.django_db
def test_one_bad_row_imports_nothing_and_names_that_row(client, world):
    client.force_login(world.staff)
    rows = [*GOOD_ROWS[:2], ["2025-03-09", "赵某", "12345", "", "", "路灯坏了"], GOOD_ROWS[2]]
    response = post_import(client, workbook_bytes(rows))
    assert response.status_code == 400
    page = response.content.decode()
    # Row 4 of the sheet (after the header); each cell names its column for phones.
    assert re.search(r"<td[^>]*>4</td><td[^>]*>联系电话</td>", page)
    assert Concern.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "file,message",
    [
        (io.BytesIO(b"name,phone\n"), "不是 Excel 工作簿"),
        (workbook_bytes(GOOD_ROWS, header=["编号", "姓名", "备注"]), "缺少列"),
        (workbook_bytes([["2025-02-30", "", "", "", "", "x"]]), "不是 2000 年至今天之间的日期"),
        (workbook_bytes([["2099-01-01", "", "", "", "", "x"]]), "不是 2000 年至今天之间的日期"),
        (
            workbook_bytes([["2025-01-01", "", "", "", "不存在的类", "x"]]),
            "没有“不存在的类”这个类别",
        ),
        (workbook_bytes([["2025-01-01", "", "", "", "", ""]]), "行号"),
        (workbook_bytes([]), "没有可导入的行"),
    ],
)
def test_bad_files_are_explained_and_nothing_is_imported(client, world, file, message):
    client.force_login(world.staff)
    file.name = "register.xlsx"
    response = post_import(client, file)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Concern.objects.count() == 0


@pytest.mark.django_db
def test_who_may_import(client, world):
    for user, status in [
        ("street_officer", 403),
        ("district_officer", 403),
        ("grid_worker", 404),
        ("staff2", 404),
        ("secretary", 200),
    ]:
        client.force_login(getattr(world, user))
        assert client.get("/insights/a/C1/import/").status_code == status, user
    client.force_login(world.staff)
    assert client.get("/insights/a/S1/import/").status_code == 404  # only communities import
    template = client.get("/insights/import-template.xlsx")
    book = load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    assert rows_of(book.worksheets[0])[0] == HEADER
    # The template as downloaded is itself a good file.
    template = client.get("/insights/import-template.xlsx")
    upload = io.BytesIO(b"".join(template.streaming_content))
    upload.name = "template.xlsx"
    assert post_import(client, upload).status_code == 200
    assert Concern.objects.filter(channel="import").count() == 1


@pytest.mark.django_db
def test_large_ledger_is_written_in_the_background(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.INSIGHTS_EXPORT_INLINE_ROWS = 5
    settings.INSIGHTS_EXPORT_THREADS = False  # the same work, in this thread
    march_data_set(world)
    client.force_login(world.street_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/insights/a/S1/ledger/concerns.xlsx?{MARCH}")
    assert response.status_code == 302
    status = client.get(response.url)
    assert 'data-status="done"' in status.content.decode()
    from insights.models import LedgerExport

    export = LedgerExport.objects.get()
    assert export.user == world.street_officer
    book = download(client, f"/insights/exports/{export.pk}/download/")
    rows = rows_of(book["来信来访登记表"])[1:]
    assert len(rows) == 10 and {row[5] for row in rows} == {"138****5678"}
    # Nobody else may see or fetch it, even with the same scope.
    client.force_login(world.district_officer)
    assert client.get(response.url).status_code == 404
    assert client.get(f"/insights/exports/{export.pk}/download/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_background_export_runs_in_its_own_thread(client, world, settings):
    from insights import exports
    from insights.models import LedgerExport

    settings.INSIGHTS_EXPORT_INLINE_ROWS = 5
    march_data_set(world)
    client.force_login(world.staff)
    response = client.get(f"/insights/a/C1/ledger/all.xlsx?{MARCH}")
    assert response.status_code == 302
    for thread in exports.threads:
        thread.join()
    export = LedgerExport.objects.get()
    assert export.status == "done", export.error
    book = download(client, f"/insights/exports/{export.pk}/download/")
    assert len(book.sheetnames) == 5
    # Community staff see their residents' phones in full.
    assert {row[5] for row in rows_of(book["来信来访登记表"])[1:]} == {"13812345678"}
