"""The ledgers' own .xlsx writer: what it writes, openpyxl reads back as written."""

import io
from datetime import date, datetime

from openpyxl import load_workbook

from insights import xlsx


def test_values_styles_and_sheets_read_back():
    out = io.BytesIO()
    book = xlsx.Workbook(out)
    book.add_sheet("汇总", [[xlsx.Cell("标题 & <说明>", xlsx.TITLE)], ["比率", 66.7, 2, 3]])
    rows = [
        [xlsx.Cell("No.", xlsx.HEADER), xlsx.Cell("收到时间", xlsx.HEADER), "c", "d", "e"],
        [1, datetime(2026, 3, 2, 10, 15, 30), "张**\x07", None, date(2026, 3, 25)],
        [2, datetime(2026, 12, 31, 23, 59, 59), "  前后有空格 ", "", True],
    ]
    book.add_sheet("来信来访登记表[1]", rows, widths=[6, 18], freeze_header=True)
    book.close()
    read = load_workbook(io.BytesIO(out.getvalue()))
    assert read.sheetnames == ["汇总", "来信来访登记表 1 "]
    summary = read["汇总"]
    assert summary["A1"].value == "标题 & <说明>" and summary["A1"].font.b
    assert summary["A1"].font.sz == 14
    assert [c.value for c in summary[2]] == ["比率", 66.7, 2, 3]
    sheet = read["来信来访登记表 1 "]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and sheet["B1"].alignment.wrap_text
    assert sheet.column_dimensions["A"].width == 6
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [
        [1, datetime(2026, 3, 2, 10, 15, 30), "张**", None, datetime(2026, 3, 25)],
        [2, datetime(2026, 12, 31, 23, 59, 59), "  前后有空格 ", None, True],
    ]
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["E2"].number_format == "yyyy-mm-dd"


def test_what_a_resident_typed_stays_text():
    """A formula, a number with a leading zero or a link typed into a concern is written
    back as those characters: never computed, converted or made clickable."""
    typed = ["=1+1", '=HYPERLINK("http://evil.example","点我")', "0123", "http://a.example"]
    out = io.BytesIO()
    book = xlsx.Workbook(out)
    book.add_sheet("s", [typed])
    book.close()
    sheet = load_workbook(io.BytesIO(out.getvalue()))["s"]
    assert [c.value for c in sheet[1]] == typed
    assert {c.data_type for c in sheet[1]} == {"s"}
    assert not any(c.hyperlink for c in sheet[1])


def test_column_letters():
    assert [xlsx.column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip
