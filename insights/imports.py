"""Loading a community's past paper registers (来信来访登记表, typed into .xlsx) as concerns.

Every row is checked before anything is written; then all rows go in through
concerns.actions.submit_concern (channel "import") inside one transaction, so the file is
imported whole or not at all and imported concerns are grouped and counted like new ones.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from concerns.actions import MAX_CONTENT, check_text, normalise_phone, submit_concern
from concerns.models import Category, Concern
from places.models import Area
from yishi.errors import ActionError

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
EARLIEST = date(2000, 1, 1)

# The template's columns, in order: (key, label, required). Headers are read in Chinese or
# English, and under the other names paper registers commonly use.
COLUMNS: list[tuple[str, Promise, bool]] = [
    ("received", pgettext_lazy("ledger column", "Date received"), True),
    ("name", pgettext_lazy("ledger column", "Name"), False),
    ("phone", pgettext_lazy("ledger column", "Phone"), False),
    ("address", pgettext_lazy("ledger column", "Address"), False),
    ("category", pgettext_lazy("ledger column", "Category"), False),
    ("content", pgettext_lazy("ledger column", "What was raised"), True),
]

ALIASES = {
    "received": {"登记日期", "日期", "登记时间", "来访日期", "来信日期", "反映时间"},
    "name": {"姓名", "来访人", "来访人姓名", "反映人"},
    "phone": {"联系电话", "电话", "手机", "手机号"},
    "address": {"住址", "地址", "家庭住址", "居住地址"},
    "category": {"类别", "问题类别", "分类"},
    "content": {"反映问题", "反映内容", "诉求内容", "主要问题", "来信来访事由"},
}

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportFailed(Exception):
    """The file was not imported; `errors` says why, row by row (row 0: the whole file)."""

    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{e.row}: {e.message}" for e in self.errors[:5])


@dataclass
class ImportResult:
    rows: int
    issues: int


def header_names(key: str) -> set[str]:
    label = {k: v for k, v, _required in COLUMNS}[key]
    names = set(ALIASES.get(key, ()))
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names.add(str(label).strip().lower())
    return names


def template_workbook(out: IO[bytes]) -> None:
    """An empty register with the expected columns and one example row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(pgettext("ledger sheet", "Concern register"))
    for letter, width in zip("ABCDEF", [14, 10, 16, 24, 14, 60], strict=True):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    headers = []
    for _key, label, _required in COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = bold
        headers.append(cell)
    sheet.append(headers)
    sheet.append(
        [date(2025, 3, 6), "王某", "13800138000", "金城蓝湾二期3号楼1单元502", "供水", "自来水发黄"]
    )
    workbook.save(out)


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.match(str(value or ""))
    if not match:
        raise ValueError
    return date(*(int(part) for part in match.groups()))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # phone numbers typed as numbers
    return str(value).strip()


def read_rows(upload: IO[bytes]) -> list[dict[str, Any]]:
    """Check the file and every row; return the cleaned rows or raise ImportFailed."""
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ImportFailed(
            [RowError(0, "", _("This file is not an Excel workbook (.xlsx)."))]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        positions = _column_positions(header)
        categories = _categories()
        cleaned: list[dict[str, Any]] = []
        errors: list[RowError] = []
        for number, values in enumerate(rows, start=2):
            if not any(_cell_text(v) for v in values):
                continue  # blank lines at the end of a typed register
            if len(cleaned) + len(errors) >= MAX_ROWS:
                raise ImportFailed(
                    [RowError(number, "", _("At most %(n)d rows per file.") % {"n": MAX_ROWS})]
                )
            row, row_errors = _check_row(number, values, positions, categories)
            errors.extend(row_errors)
            if not row_errors:
                cleaned.append(row)
    finally:
        workbook.close()
    if errors:
        raise ImportFailed(errors)
    if not cleaned:
        raise ImportFailed([RowError(0, "", _("The register has no rows to import."))])
    return cleaned


def _column_positions(header: tuple) -> dict[str, int]:
    texts = [_cell_text(v).lower() for v in header]
    positions: dict[str, int] = {}
    missing = []
    for key, label, required in COLUMNS:
        names = header_names(key)
        found = next((i for i, text in enumerate(texts) if text in names), None)
        if found is not None:
            positions[key] = found
        elif required:
            missing.append(str(label))
    if missing:
        expected = "、".join(str(label) for _k, label, _r in COLUMNS)
        raise ImportFailed(
            [
                RowError(
                    1,
                    "",
                    _(
                        "Missing columns: %(missing)s. "
                        "The first row must name the columns: %(expected)s."
                    )
                    % {"missing": "、".join(missing), "expected": expected},
                )
            ]
        )
    return positions


def _categories() -> dict[str, Category]:
    found: dict[str, Category] = {}
    for category in Category.objects.all():
        found[category.name.strip().lower()] = category
        found[category.code.lower()] = category
    return found


def _check_row(
    number: int, values: tuple, positions: dict[str, int], categories: dict[str, Category]
) -> tuple[dict[str, Any], list[RowError]]:
    def get(key: str) -> Any:
        position = positions.get(key)
        return values[position] if position is not None and position < len(values) else None

    labels = {key: str(label) for key, label, _r in COLUMNS}
    errors: list[RowError] = []
    row: dict[str, Any] = {"row": number}
    try:
        day = _parse_date(get("received"))
        if day < EARLIEST or day > timezone.localdate():
            raise ValueError
        row["received_at"] = timezone.make_aware(datetime.combine(day, time(9, 0)))
    except ValueError:
        errors.append(
            RowError(
                number,
                labels["received"],
                _("Not a date between 2000 and today (write 2025-03-06)."),
            )
        )
    phone = _cell_text(get("phone"))
    try:
        row["phone"] = normalise_phone(phone) if phone else ""
    except ActionError as error:
        errors.append(RowError(number, labels["phone"], error.message))
    for key, limit in (("name", 50), ("address", 200), ("content", MAX_CONTENT)):
        try:
            row[key] = check_text(_cell_text(get(key)), key, limit=limit, required=key == "content")
        except ActionError as error:
            errors.append(RowError(number, labels[key], error.message))
    category = _cell_text(get("category"))
    row["category"] = categories.get(category.lower()) if category else None
    if category and row["category"] is None:
        errors.append(
            RowError(
                number, labels["category"], _("Unknown category “%(name)s”.") % {"name": category}
            )
        )
    return row, errors


def import_register(upload: IO[bytes], *, community: Area, actor: Any) -> ImportResult:
    """Import every row of the register into the community, or none (ImportFailed)."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFailed([RowError(0, "", _("The file is larger than 10 MB."))])
    rows = read_rows(io.BytesIO(data))
    # Keyed on what the rows say (not the file's bytes, which change with every save), so
    # uploading the same register twice adds nothing the second time.
    digest = hashlib.sha256(
        repr([(r["received_at"], r["name"], r["phone"], r["content"]) for r in rows]).encode()
    ).hexdigest()[:24]
    issues: set[int] = set()
    with transaction.atomic():
        for row in rows:
            try:
                concern = submit_concern(
                    community=community,
                    content=row["content"],
                    channel=Concern.Channel.IMPORT,
                    phone=row["phone"],
                    name=row["name"],
                    address=row["address"],
                    category=row["category"],
                    received_at=row["received_at"],
                    actor=actor,
                    idempotency_key=f"import:{community.pk}:{digest}:{row['row']}",
                )
            except ActionError as error:
                # Checked above, so this is rare (e.g. a rule changed): nothing is kept.
                raise ImportFailed(
                    [RowError(row["row"], error.field or "", error.message)]
                ) from None
            issues.add(concern.issue_id)
    return ImportResult(rows=len(rows), issues=len(issues))
