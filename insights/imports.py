"""Loading a community's past paper registers (来信来访登记表, typed into .xlsx) as concerns.

Every row is checked before anything is written; then all rows go in through
concerns.intake.submit.submit_concern (channel "import") inside one transaction, so the file is
imported whole or not at all and imported concerns are grouped and counted like new ones.

The file comes from outside, so it is inspected before openpyxl sees it (`inspect_package`):
the zip's declared sizes and compression ratios are capped, every XML part is run through
expat with any DOCTYPE refused (so no entity of any kind, internal or external, is ever
declared, whatever the encoding), and the shared strings are counted. openpyxl then reads
in read-only mode, row by row, and reading stops at the row limit, blank rows included.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any
from xml.parsers import expat

import openpyxl
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from concerns.intake.submit import MAX_CONTENT, submit_concern
from concerns.models import Category, Concern
from core import phones
from core.errors import ActionError
from core.text import plain_text
from places.models import Area

logger = logging.getLogger(__name__)

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
EARLIEST = date(2000, 1, 1)
# Columns read per row: the register has six; anything far right of them is ignored.
MAX_COLUMNS = 30

# Limits of the unpacked workbook. A register of MAX_ROWS rows of ordinary length unpacks to
# a few MB; these leave room for long texts and refuse what only a crafted file reaches.
MAX_MEMBERS = 200
MAX_UNPACKED = 60 * 1024 * 1024
MAX_SHEET_BYTES = 50 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 40 * 1024 * 1024
MAX_SHARED_STRINGS = MAX_ROWS * MAX_COLUMNS
MAX_OTHER_PART_BYTES = 5 * 1024 * 1024
# Real .xlsx parts deflate 5–30 times; a bomb of blank rows or repeated strings, hundreds.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024  # small parts may compress well without costing anything
# Parts that are never parsed as XML (pictures, printer settings, macros, legacy drawings).
# Every other part is, whatever its name: the workbook's relationships may point anywhere.
MEDIA_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff")
BINARY_SUFFIXES = (".bin", ".vml")

# The XML of every part goes through openpyxl's parsers; with defusedxml installed openpyxl
# uses its parsers, which refuse entity declarations (OPENPYXL_DEFUSEDXML=False would turn
# that off: refuse to run rather than read untrusted files without it).
if not openpyxl.DEFUSEDXML:  # pragma: no cover - configuration
    raise ImportError("insights.imports needs defusedxml for openpyxl (OPENPYXL_DEFUSEDXML)")

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


class _Refused(Exception):
    """Inside inspect_package: the file is refused, with this message for the person."""


def _file_error(message: str) -> ImportFailed:
    return ImportFailed([RowError(0, "", message)])


def _not_a_workbook() -> ImportFailed:
    return _file_error(
        _("This file is not an Excel workbook (.xlsx). Save it from Excel or WPS as .xlsx.")
    )


def _damaged() -> ImportFailed:
    return _file_error(
        _(
            "This workbook is damaged and cannot be read. Open it in Excel or WPS, "
            "save it again as .xlsx and upload the new file."
        )
    )


def _too_large() -> ImportFailed:
    return _file_error(
        _(
            "This workbook unpacks to more than a register needs (too much data, or "
            "thousands of empty rows or cells). Copy the register's rows into the "
            "template and upload that."
        )
    )


def _forbidden_xml() -> ImportFailed:
    return _file_error(
        _(
            "This workbook contains XML declarations (DOCTYPE or entities) that Excel "
            "never writes, so it is refused. Copy the rows into the template and upload that."
        )
    )


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Run one XML part through expat without building anything: it must be well formed and
    declare no DOCTYPE (hence no entity). Returns the number of <si> (shared strings)."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    counted = [0]

    def doctype(*args: Any) -> int:
        raise _Refused("doctype")

    def start(name: str, attributes: Any) -> None:
        if name == "si" or name.endswith(":si"):
            counted[0] += 1
            if counted[0] > MAX_SHARED_STRINGS:
                raise _Refused("strings")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ExternalEntityRefHandler = doctype
    if info.filename.lower().endswith("sharedstrings.xml"):
        parser.StartElementHandler = start
    with archive.open(info) as member:
        while chunk := member.read(256 * 1024):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return counted[0]


def _never_parsed(name: str) -> bool:
    return name.lower().endswith(MEDIA_SUFFIXES) or name.lower().endswith(BINARY_SUFFIXES)


def _part_limit(name: str) -> int:
    lower = name.lower()
    if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
        return MAX_SHEET_BYTES
    if lower.endswith("sharedstrings.xml"):
        return MAX_SHARED_STRINGS_BYTES
    if _never_parsed(name):
        return MAX_UNPACKED  # never parsed; the total cap applies
    return MAX_OTHER_PART_BYTES


def inspect_package(data: bytes) -> None:
    """Refuse (ImportFailed) what is not a plain .xlsx before any of it is parsed: not a zip,
    a damaged zip, parts larger or more compressed than a register can be, too many shared
    strings, XML that is not well formed or that declares a DOCTYPE."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _not_a_workbook() from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise _too_large()
        # Sizes as the zip declares them: zipfile stops at the declared size and fails
        # the CRC check on a member that would unpack to more.
        if sum(info.file_size for info in members) > MAX_UNPACKED:
            raise _too_large()
        for info in members:
            if info.file_size > _part_limit(info.filename):
                raise _too_large()
            if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise _too_large()
        names = {info.filename for info in members}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise _not_a_workbook()
        for info in members:
            if _never_parsed(info.filename) or info.is_dir():
                continue
            try:
                _check_xml(archive, info)
            except _Refused as refused:
                if str(refused) == "doctype":
                    raise _forbidden_xml() from None
                raise _too_large() from None
            except expat.ExpatError:
                raise _damaged() from None
            except (
                zipfile.BadZipFile,
                EOFError,
                OSError,
                ValueError,
                NotImplementedError,
                RuntimeError,
                zlib.error,
            ):
                # A bad CRC, a truncated or corrupt member, an unsupported compression, a
                # password.
                raise _damaged() from None


def sheet_rows(data: bytes) -> Generator[tuple, None, None]:
    """The first worksheet's rows (header first), at most MAX_ROWS + 2 of them (one too many,
    to tell a full file from one over the limit), blank ones included, each at most
    MAX_COLUMNS wide; read lazily in openpyxl's read-only mode. Any
    failure of openpyxl on the (already inspected) file is reported as a damaged file."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        logger.info("insights: unreadable register", exc_info=True)
        raise _damaged() from None
    try:
        if not workbook.worksheets:
            raise _file_error(
                _("This workbook has no worksheet: the register must be its first sheet.")
            )
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS, values_only=True)
    except ImportFailed:
        raise
    except Exception:
        logger.info("insights: unreadable register", exc_info=True)
        raise _damaged() from None
    finally:
        workbook.close()


def read_rows(data: bytes) -> list[dict[str, Any]]:
    """Check the file and every row; return the cleaned rows or raise ImportFailed."""
    inspect_package(data)
    rows = sheet_rows(data)
    try:
        header = next(rows, None) or ()
        positions = _column_positions(header)
        categories = _categories()
        cleaned: list[dict[str, Any]] = []
        errors: list[RowError] = []
        for number, values in enumerate(rows, start=2):
            # Blank rows count too: a file of a million empty rows is refused at the limit,
            # not read to the end.
            if number > MAX_ROWS + 1:
                raise ImportFailed(
                    [
                        RowError(
                            number,
                            "",
                            _(
                                "At most %(n)d rows per file, empty rows included. Delete "
                                "the empty rows below the register, or split it in two files."
                            )
                            % {"n": MAX_ROWS},
                        )
                    ]
                )
            if not any(_cell_text(v) for v in values):
                continue  # blank lines at the end of a typed register
            row, row_errors = _check_row(number, values, positions, categories)
            errors.extend(row_errors)
            if not row_errors:
                cleaned.append(row)
    finally:
        rows.close()
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
        row["phone"] = phones.normalise(phone) if phone else ""
    except ActionError as error:
        errors.append(RowError(number, labels["phone"], error.message))
    for key, limit in (("name", 50), ("address", 200), ("content", MAX_CONTENT)):
        try:
            row[key] = plain_text(_cell_text(get(key)), key, limit=limit, required=key == "content")
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
    rows = read_rows(data)
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
