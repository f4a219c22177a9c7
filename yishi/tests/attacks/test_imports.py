"""Replays of issue 13 §8: crafted .xlsx files sent to the register import.

Each file is built here from strings with zipfile, as the attacker built theirs. Each must be
refused with 400 and a message a person can act on, quickly (before openpyxl reads it, or at
the row limit), with nothing imported."""

import io
import zipfile

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from openpyxl.xml import functions as openpyxl_xml

from concerns.models import Concern
from insights import imports

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SML}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL}">'
    '<sheets><sheet name="登记表" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
HEADER = ["登记日期", "姓名", "联系电话", "住址", "类别", "反映问题"]


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def row(number: int, values: list[str]) -> str:
    cells = "".join(cell(f"{'ABCDEF'[i]}{number}", v) for i, v in enumerate(values) if v)
    return f'<row r="{number}">{cells}</row>'


def sheet(rows: str, doctype: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData></worksheet>'
    )


GOOD_ROWS = row(1, HEADER) + row(2, ["2025-03-06", "王某", "13800138000", "", "", "自来水发黄"])
STRINGS = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="0" uniqueCount="0"/>'


def package(
    sheet_xml: str | bytes,
    strings_xml: str | bytes = STRINGS,
    *,
    compression: int = zipfile.ZIP_DEFLATED,
    drop: tuple[str, ...] = (),
    workbook: str = WORKBOOK,
) -> io.BytesIO:
    """A minimal .xlsx, part by part."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet_xml,
        "xl/sharedStrings.xml": strings_xml,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, text in parts.items():
            if name not in drop:
                archive.writestr(name, text)
    out.seek(0)
    out.name = "register.xlsx"
    return out


@pytest.fixture
def staff(client, world):
    client.force_login(world.staff)
    return client


@pytest.fixture
def openpyxl_calls(monkeypatch):
    """How often the import handed the file to openpyxl, and how many rows it read."""
    calls = {"load": 0, "rows": 0}
    load = openpyxl.load_workbook
    rows = imports.sheet_rows

    def counting_load(*args, **kwargs):
        calls["load"] += 1
        return load(*args, **kwargs)

    def counting_rows(data):
        for values in rows(data):
            calls["rows"] += 1
            yield values

    monkeypatch.setattr(openpyxl, "load_workbook", counting_load)
    monkeypatch.setattr(imports, "sheet_rows", counting_rows)
    return calls


def refused(client, file, message: str) -> str:
    response = client.post("/insights/a/C1/import/", {"file": file})
    page = response.content.decode()
    assert response.status_code == 400, page
    assert message in page, page[page.find("<main") :][:3000]
    assert not Concern.objects.exists()
    return page


DAMAGED = "工作簿已损坏"
TOO_LARGE = "解压后的数据超出"
DOCTYPE = "DOCTYPE"


@pytest.mark.django_db
def test_the_hand_built_package_itself_imports(staff, openpyxl_calls):
    """The control: the builder makes a good register, so each refusal below is the attack's."""
    response = staff.post("/insights/a/C1/import/", {"file": package(sheet(GOOD_ROWS))})
    assert response.status_code == 200
    assert Concern.objects.get().phone == "13800138000"
    assert openpyxl_calls["load"] == 1


@pytest.mark.django_db
def test_truncated_xml(staff):
    xml = sheet(GOOD_ROWS * 1 + row(3, ["2025-03-07", "", "", "", "", "路灯不亮"]))
    refused(staff, package(xml[: len(xml) - 40]), DAMAGED)


@pytest.mark.django_db
def test_xxe_reads_no_local_file(staff, tmp_path, openpyxl_calls):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-13")
    doctype = f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f'<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>'
    )
    rows = row(1, HEADER) + '<row r="2"><c r="A2" t="inlineStr"><is><t>2025-03-06</t></is></c>'
    rows += '<c r="F2" t="s"><v>0</v></c></row>'
    page = refused(staff, package(sheet(rows), strings), DOCTYPE)
    assert "TOP-SECRET-13" not in page
    assert openpyxl_calls["load"] == 0  # refused before any parser that could resolve it


@pytest.mark.django_db
def test_xxe_in_utf16_is_refused_too(staff, tmp_path):
    """A byte search for "<!DOCTYPE" would miss this; expat decodes it first."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-16")
    xml = sheet(
        row(1, HEADER) + '<row r="2"><c r="F2" t="inlineStr"><is><t>&xxe;</t></is></c></row>',
        f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    ).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    page = refused(staff, package(xml.encode("utf-16")), DOCTYPE)
    assert "TOP-SECRET-16" not in page


BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]>"
)


@pytest.mark.django_db
def test_billion_laughs(staff, openpyxl_calls):
    rows = row(1, HEADER) + '<row r="2"><c r="F2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    refused(staff, package(sheet(rows, BILLION_LAUGHS)), DOCTYPE)
    assert openpyxl_calls["load"] == 0


def test_openpyxl_itself_refuses_entities_should_a_file_reach_it(tmp_path):
    """Behind the inspection, openpyxl reads with defusedxml's parsers (they are installed
    and OPENPYXL_DEFUSEDXML is not turned off): no entity is declared, let alone expanded."""
    assert openpyxl.DEFUSEDXML
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]><a>&x;</a>'.encode()
    laughs = f"{BILLION_LAUGHS.replace('worksheet', 'a')}<a>&lol9;</a>".encode()
    for document in (xxe, laughs):
        with pytest.raises(DefusedXmlException):
            openpyxl_xml.fromstring(document)
        with pytest.raises(DefusedXmlException):
            list(openpyxl_xml.iterparse(io.BytesIO(document)))


@pytest.mark.django_db
def test_entities_refused_even_without_the_inspection(staff, tmp_path, monkeypatch):
    """Should inspect_package miss something, openpyxl's own refusal is still a 400."""
    monkeypatch.setattr(imports, "inspect_package", lambda data: None)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-2")
    doctype = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    rows = row(1, HEADER) + '<row r="2"><c r="F2" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    page = refused(staff, package(sheet(rows, doctype)), DAMAGED)
    assert "TOP-SECRET-2" not in page
    refused(staff, package(sheet(rows.replace("xxe", "lol9"), BILLION_LAUGHS)), DAMAGED)


def strings_bomb(count: int) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'
        + "<si><t>x</t></si>" * count
        + "</sst>"
    )


@pytest.mark.django_db
def test_shared_strings_bomb_is_refused_by_its_compression(staff, openpyxl_calls):
    bomb = package(sheet(GOOD_ROWS), strings_bomb(2_000_000))
    assert len(bomb.getvalue()) < 400_000  # small on the wire, 36 MB unpacked
    info = zipfile.ZipFile(io.BytesIO(bomb.getvalue())).getinfo("xl/sharedStrings.xml")
    assert info.file_size > imports.MAX_RATIO * info.compress_size
    refused(staff, bomb, TOO_LARGE)
    assert openpyxl_calls["load"] == 0


@pytest.mark.django_db
def test_shared_strings_bomb_is_refused_by_its_count(staff, openpyxl_calls):
    """Stored without compression (ratio 1) and under the size caps: counted, then refused."""
    bomb = package(
        sheet(GOOD_ROWS),
        strings_bomb(imports.MAX_SHARED_STRINGS + 1),
        compression=zipfile.ZIP_STORED,
    )
    assert len(bomb.getvalue()) < imports.MAX_BYTES
    refused(staff, bomb, TOO_LARGE)
    assert openpyxl_calls["load"] == 0


@pytest.mark.django_db
def test_declared_sizes_are_capped_per_part_and_in_all(staff, monkeypatch, openpyxl_calls):
    strings = strings_bomb(100)
    monkeypatch.setattr(imports, "MAX_SHARED_STRINGS_BYTES", len(strings) - 1)
    refused(staff, package(sheet(GOOD_ROWS), strings, compression=zipfile.ZIP_STORED), TOO_LARGE)
    monkeypatch.undo()
    monkeypatch.setattr(imports, "MAX_UNPACKED", len(sheet(GOOD_ROWS)))
    refused(staff, package(sheet(GOOD_ROWS)), TOO_LARGE)
    assert openpyxl_calls["load"] == 0


@pytest.mark.django_db
def test_a_million_blank_rows_stop_at_the_row_limit(staff, openpyxl_calls):
    blank = "".join(f'<row r="{n}"/>' for n in range(3, 1_000_003))
    file = package(sheet(GOOD_ROWS + blank))
    assert len(file.getvalue()) < imports.MAX_BYTES
    refused(staff, file, "空行也计算在内")
    # Read up to the limit and no further: the header, then MAX_ROWS rows, then one more.
    assert openpyxl_calls["rows"] <= imports.MAX_ROWS + 2


@pytest.mark.django_db
def test_a_row_far_below_is_a_million_blank_rows_too(staff, openpyxl_calls):
    """One cell in row 1,000,000 makes openpyxl fill the gap: those rows count as well."""
    far = row(1_000_000, ["2025-03-06", "", "", "", "", "远处的一行"])
    refused(staff, package(sheet(GOOD_ROWS + far)), "空行也计算在内")
    assert openpyxl_calls["rows"] <= imports.MAX_ROWS + 2


@pytest.mark.django_db
def test_a_wide_row_is_read_only_as_far_as_the_register_goes(staff, openpyxl_calls):
    """A cell in column XFD of every row would make each row 16,384 values wide."""
    wide = GOOD_ROWS.replace("</row>", '<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>')
    xml = sheet(wide).replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>')
    seen = []
    real = imports.sheet_rows

    def widths(data):
        for values in real(data):
            seen.append(len(values))
            yield values

    imports.sheet_rows, saved = widths, imports.sheet_rows
    try:
        response = staff.post("/insights/a/C1/import/", {"file": package(xml)})
    finally:
        imports.sheet_rows = saved
    assert response.status_code == 200
    assert max(seen) <= imports.MAX_COLUMNS


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: io.BytesIO(b"PK\x03\x04 not really a zip"), "不是 Excel 工作簿"),
        (lambda: io.BytesIO(package(sheet(GOOD_ROWS)).getvalue()[:300]), "不是 Excel 工作簿"),
        (lambda: package(sheet(GOOD_ROWS), drop=("xl/workbook.xml",)), "不是 Excel 工作簿"),
        (lambda: package(sheet(GOOD_ROWS), drop=("xl/worksheets/sheet1.xml",)), "没有工作表"),
        (
            lambda: package(sheet(GOOD_ROWS), workbook=WORKBOOK.replace("rId1", "rId9")),
            DAMAGED,
        ),
        (lambda: package("<worksheet>&undefined;</worksheet>"), DAMAGED),
    ],
    ids=[
        "not-a-zip",
        "truncated-zip",
        "no-workbook",
        "no-sheet",
        "wrong-sheet",
        "bad-xml",
    ],
)
def test_every_unreadable_file_is_a_400_with_a_message(staff, make, message):
    file = make()
    file.name = "register.xlsx"
    refused(staff, file, message)


@pytest.mark.django_db
def test_a_file_damaged_after_good_rows_imports_nothing(staff):
    rows = GOOD_ROWS + row(3, ["2025-03-07", "", "", "", "", "路灯不亮"])
    xml = sheet(rows + '<row r="4"><c r="A4" t="n"><v>1</v></c><row>')
    refused(staff, package(xml), DAMAGED)


def corrupt_member(name: str) -> io.BytesIO:
    """A good package whose member `name` has its deflated bytes scrambled, headers intact."""
    data = bytearray(
        package(sheet(GOOD_ROWS + row(3, ["2025-03-07", "", "", "", "", "x" * 200]))).getvalue()
    )
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 2, start + info.compress_size - 2):
        data[offset] ^= 0x5A
    out = io.BytesIO(bytes(data))
    out.name = "register.xlsx"
    return out


@pytest.mark.django_db
def test_a_corrupt_deflate_stream_is_a_400(staff):
    refused(staff, corrupt_member("xl/worksheets/sheet1.xml"), DAMAGED)


@pytest.mark.django_db
def test_a_password_protected_zip_is_a_400(staff):
    """A member flagged as encrypted: zipfile asks for a password (RuntimeError)."""
    data = bytearray(package(sheet(GOOD_ROWS)).getvalue())
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    for info in archive.infolist():
        data[info.header_offset + 6] |= 0x01  # local header: general purpose flag, bit 0
    central = data.rfind(b"PK\x05\x06")
    directory = int.from_bytes(data[central + 16 : central + 20], "little")
    position = directory
    while data[position : position + 4] == b"PK\x01\x02":
        data[position + 8] |= 0x01  # central directory: the same flag
        size = sum(
            int.from_bytes(data[position + k : position + k + 2], "little") for k in (28, 30, 32)
        )
        position += 46 + size
    out = io.BytesIO(bytes(data))
    out.name = "register.xlsx"
    refused(staff, out, DAMAGED)


@pytest.mark.django_db
def test_a_sheet_under_another_name_is_inspected_too(staff, tmp_path, openpyxl_calls):
    """The workbook's relationships may name any part as its sheet, not only *.xml ones."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-X")
    rows = row(1, HEADER) + '<row r="2"><c r="F2" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    doctype = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.replace("worksheets/sheet1.xml", "data/register"),
        )
        archive.writestr("xl/data/register", sheet(rows, doctype))
    out.seek(0)
    out.name = "register.xlsx"
    page = refused(staff, out, DOCTYPE)
    assert "TOP-SECRET-X" not in page
    assert openpyxl_calls["load"] == 0
