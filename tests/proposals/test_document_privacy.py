"""A BSN in any kind of upload is refused; a warning is found in each; a clean file passes.

Every sample is a real document of its format, made here: PDF by WeasyPrint, Word as
Word writes it, Excel by openpyxl, OpenDocument by hand, Word 97 as a compound file with a
WordDocument stream, Excel 97 by LibreOffice from the xlsx."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from portal.lib import file_checks
from portal.lib.document_text import document_findings, extract_text
from portal.lib.files import FileRefused, check_upload
from portal.lib.privacy import Kind

BSN_TEXT = "Dossier van de jeugdige, BSN 123456782, besproken."
WARNING_TEXT = "De cliënt Sanne de Vries, geboren op 12-03-2011, bel 06-12345678."
CLEAN_TEXT = "Het project verbindt twaalf regio's; totaal € 123.456,78, KvK 12345678."


def pdf(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p>{text}</p>").write_pdf()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def word(text: str) -> bytes:
    """A .docx as Word writes one: a heading paragraph, the text split over runs in a table
    cell, a footer."""
    half = len(text) // 2
    body = (
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>Verslag</w:t></w:r></w:p>'
        "<w:tbl><w:tr><w:tc><w:p>"
        f'<w:r><w:t xml:space="preserve">{text[:half]}</w:t></w:r>'
        f"<w:r><w:t>{text[half:]}</w:t></w:r>"
        "</w:p></w:tc></w:tr></w:tbl></w:body></w:document>"
    )
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="xml" ContentType="application/'
            f'xml"/><Override PartName="/word/document.xml" ContentType="{main}"/></Types>',
        )
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?>' + body)
        archive.writestr(
            "word/footer1.xml",
            f'<?xml version="1.0"?><w:ftr xmlns:w="{W}"><w:p><w:r><w:t>Pagina 1</w:t></w:r>'
            "</w:p></w:ftr>",
        )
    return buffer.getvalue()


def excel(text: str) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Toelichting"
    workbook.active["B7"] = text
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def opendocument(text: str, spreadsheet: bool = False) -> bytes:
    kind = "spreadsheet" if spreadsheet else "text"
    body = (
        f"<table:table><table:table-row><table:table-cell><text:p>{text}</text:p>"
        "</table:table-cell></table:table-row></table:table>"
        if spreadsheet
        else f"<text:h>Verslag</text:h><text:p>Inleiding <text:span>{text}</text:span></text:p>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
        f"<office:body><office:{kind}>{body}</office:{kind}></office:body>"
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "mimetype",
            f"application/vnd.oasis.opendocument.{kind}",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="'
            'urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
    return buffer.getvalue()


_FREE, _END, _FAT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def word97(text: str) -> bytes:
    """A compound file with a WordDocument stream holding `text` as Word 97 stores it (UTF-16),
    big enough (≥ 4096 bytes) to live in ordinary sectors."""
    stream = (b"\xec\xa5" + bytes(510) + text.encode("utf-16-le")).ljust(4608, b"\0")
    stream_sectors = len(stream) // 512
    entries = [
        ("Root Entry", 5, _NONE, _NONE, 1, _END, 0),
        ("WordDocument", 2, _NONE, _NONE, _NONE, 2, len(stream)),
    ]
    directory = bytearray()
    for name, kind, left, right, child, start, size in entries:
        encoded = name.encode("utf-16-le") + b"\0\0"
        directory += encoded.ljust(64, b"\0")
        directory += struct.pack("<HBB3I", len(encoded), kind, 1, left, right, child)
        directory += bytes(16 + 4 + 16) + struct.pack("<IQ", start, size)
    directory += bytes(-len(directory) % 512)
    # sector 0: the FAT; sector 1: the directory; sectors 2..: the stream
    fat = [_FAT, _END, *range(3, 2 + stream_sectors), _END]
    fat += [_FREE] * (128 - len(fat))
    header = (
        file_checks._OLE2_MAGIC
        + bytes(16)
        + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<9I", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<109I", 0, *[_FREE] * 108)
    )
    return header + struct.pack("<128I", *fat) + bytes(directory) + stream


@pytest.fixture(scope="module")
def excel97(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], bytes]:
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        pytest.fail("LibreOffice is needed to make an .xls; `bash scripts/test-services.sh`")
    folder = tmp_path_factory.mktemp("xls")
    texts = {"bsn": BSN_TEXT, "warning": WARNING_TEXT, "clean": CLEAN_TEXT}
    for name, text in texts.items():
        (folder / f"{name}.xlsx").write_bytes(excel(text))
    profile = folder / "profile"
    subprocess.run(
        [
            program,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "xls",
            "--outdir",
            str(folder / "out"),
            *(str(folder / f"{name}.xlsx") for name in texts),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    made = {text: (folder / "out" / f"{name}.xls").read_bytes() for name, text in texts.items()}
    return made.__getitem__


BUILDERS: dict[str, Callable[[str], bytes]] = {
    "pdf": pdf,
    "docx": word,
    "xlsx": excel,
    "odt": opendocument,
    "ods": lambda text: opendocument(text, spreadsheet=True),
    "doc": word97,
}
FORMATS = [*BUILDERS, "xls"]


@pytest.fixture
def build(request: pytest.FixtureRequest) -> Callable[[str], bytes]:
    if request.param == "xls":  # LibreOffice only where it is needed
        return request.getfixturevalue("excel97")
    return BUILDERS[request.param]


@pytest.mark.parametrize("build", FORMATS, indirect=True)
def test_each_format_is_read_and_its_bsn_refused(build: Callable[[str], bytes]) -> None:
    data = build(BSN_TEXT)
    checked = check_upload(data, "bijlage", 10 * 1024 * 1024)  # a real file of its format
    assert "123456782" in extract_text(data, checked.format).replace(" ", "")
    with pytest.raises(FileRefused) as refused:
        document_findings(data, checked.format)
    assert refused.value.reason == "personal_data"
    assert "burgerservicenummer" in str(refused.value)
    assert "123456782" not in str(refused.value)  # the message does not repeat the number


@pytest.mark.parametrize("build", FORMATS, indirect=True)
def test_each_format_gives_the_warnings(build: Callable[[str], bytes]) -> None:
    data = build(WARNING_TEXT)
    found = {f.kind for f in document_findings(data, check_upload(data, "b", 10**7).format)}
    assert {Kind.birth_date, Kind.phone, Kind.client_name} <= found


@pytest.mark.parametrize("build", FORMATS, indirect=True)
def test_a_clean_document_passes(build: Callable[[str], bytes]) -> None:
    data = build(CLEAN_TEXT)
    assert document_findings(data, check_upload(data, "b", 10**7).format) == []


def test_an_unreadable_document_gives_no_text_and_no_error(tmp_path: Path) -> None:
    assert extract_text(b"%PDF-1.7\n garbage", "pdf") == ""
    assert extract_text(b"anything", "unknown") == ""
