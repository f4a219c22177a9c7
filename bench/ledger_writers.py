"""Time one ledger writer on a concern register of `--rows` rows (default 250,000).

    .venv/bin/python bench/ledger_writers.py hand          # insights/xlsx.py
    .venv/bin/python bench/ledger_writers.py xlsxwriter    # needs `pip install XlsxWriter`
    /usr/bin/time -v .venv/bin/python bench/ledger_writers.py hand   # with peak memory

The rows have the concern register's 14 columns and its kinds of values (a number, a
date-time, Chinese text of ledger-like lengths), built in the process without a database, so
that two writers are compared on the same rows as whole processes. `xlsxwriter` is
insights/xlsx.py's interface over XlsxWriter in constant-memory mode (below), written as the
ledgers would have used it.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from insights import xlsx  # noqa: E402

# Characters XML 1.0 cannot carry: dropped, so that what a reader sees is what it can read.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


class LibraryWorkbook:
    """insights.xlsx.Workbook's interface over XlsxWriter (constant_memory): every string as
    text (never a formula, number or link), control characters dropped, the same styles."""

    def __init__(self, out: IO[bytes]) -> None:
        import xlsxwriter  # not a dependency of the project: only this comparison uses it

        self._book = xlsxwriter.Workbook(
            out,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "remove_timezone": True,
            },
        )
        add = self._book.add_format
        self._styles = {
            xlsx.PLAIN: None,
            xlsx.HEADER: add({"bold": True, "text_wrap": True, "valign": "vcenter"}),
            xlsx.TITLE: add({"bold": True, "font_size": 14}),
        }
        self._datetime = add({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self._date = add({"num_format": "yyyy-mm-dd"})

    def add_sheet(
        self,
        name: str,
        rows: Iterable[list[Any]],
        *,
        widths: Iterable[float] = (),
        freeze_header: bool = False,
    ) -> None:
        number = len(self._book.worksheets()) + 1
        sheet = self._book.add_worksheet(_SHEET_NAME.sub(" ", name)[:31] or f"Sheet{number}")
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        if freeze_header:
            sheet.freeze_panes(1, 0)
        write_string, write_number = sheet.write_string, sheet.write_number
        for row_number, row in enumerate(rows):
            for column, value in enumerate(row):
                style = None
                if isinstance(value, xlsx.Cell):
                    value, style = value.value, self._styles[value.style]
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    write_string(row_number, column, _ILLEGAL.sub("", value), style)
                elif isinstance(value, bool):
                    sheet.write_boolean(row_number, column, value, style)
                elif isinstance(value, int | float):
                    write_number(row_number, column, value, style)
                elif isinstance(value, datetime):
                    sheet.write_datetime(row_number, column, value, style or self._datetime)
                elif isinstance(value, date):
                    sheet.write_datetime(row_number, column, value, style or self._date)
                else:
                    write_string(row_number, column, _ILLEGAL.sub("", str(value)), style)

    def close(self) -> None:
        self._book.close()


def rows(count: int) -> Iterator[list[Any]]:
    start = datetime(2025, 1, 1, 8, 0, 0)
    channels = ["网上", "电话", "微信", "网格员来电", "来信", "来访", "巡查"]
    for number in range(1, count + 1):
        yield [
            number,
            start + timedelta(minutes=number * 7 % 525600),
            f"c{number:015d}",
            channels[number % len(channels)],
            f"居*{number % 997}",
            f"138****{number % 10000:04d}",
            f"基准小区{number % 50}号楼",
            f"基准区1街道{number % 5}社区{number % 10}",
            f"网格{number % 3}",
            "环境卫生",
            f"基准诉求{number}：小区环境需要改善，楼道堆放杂物，电动车飞线充电",
            f"基准问题{number // 3}",
            "已办结",
            "已清理楼道杂物，设置集中充电桩" if number % 2 else "",
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("writer", choices=["xlsxwriter", "hand"])
    parser.add_argument("--rows", type=int, default=250_000)
    args = parser.parse_args()
    workbook = xlsx.Workbook if args.writer == "hand" else LibraryWorkbook
    headers = [xlsx.Cell(f"列{i}", xlsx.HEADER) for i in range(14)]
    started = time.perf_counter()
    with tempfile.TemporaryFile(suffix=".xlsx") as out:
        book = workbook(out)
        book.add_sheet("汇总", [[xlsx.Cell("标题", xlsx.TITLE)], ["比率", 66.7, 2, 3]])
        book.add_sheet(
            "来信来访登记表",
            itertools.chain([headers], rows(args.rows)),
            widths=[6] + [18] * 13,
            freeze_header=True,
        )
        book.close()
        size = out.seek(0, 2)
    print(
        f"{args.writer}: {args.rows} rows in {time.perf_counter() - started:.1f} s, "
        f"{size / 2**20:.1f} MB"
    )


if __name__ == "__main__":
    main()
