"""Attachments are judged by their bytes. Every sample is built here, in memory."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.lib import file_checks
from portal.lib.downloads import content_disposition
from portal.lib.files import (
    ALLOWED_KINDS,
    BYTES_PER_MB,
    FileRefused,
    check_upload,
    delete_stored,
    open_stored,
    safe_display_name,
    store,
)

LIMIT = 10 * BYTES_PER_MB

# --- sample builders ----------------------------------------------------------------------------


def make_pdf(catalog_extra: bytes = b"", extra_objects: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF with a correct cross-reference table; objects 4.. are `extra_objects`."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def object_stream(payload: bytes, compressed: bytes | None = None) -> bytes:
    """An object stream (PDF 1.5) holding object 5; `compressed` overrides the Flate data."""
    body = zlib.compress(payload) if compressed is None else compressed
    return (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (len(body), body)
    )


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def content_types(main_part: str, main_type: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    ).encode()


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"


def make_docx(main_type: str = DOCX_TYPE, **extra: bytes) -> bytes:
    return make_zip(
        {
            "[Content_Types].xml": content_types("word/document.xml", main_type),
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
            **extra,
        }
    )


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Begroting"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def add_member(archive_bytes: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO(archive_bytes)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def make_odf(mimetype: bytes, **extra: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        members = {
            "content.xml": b'<?xml version="1.0"?><office:document-content xmlns:office="'
            b'urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
            "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest xmlns:manifest="'
            b'urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
            **extra,
        }
        for name, content in members.items():
            archive.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


ODT = b"application/vnd.oasis.opendocument.text"
ODS = b"application/vnd.oasis.opendocument.spreadsheet"

_FREESECT, _ENDOFCHAIN, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def make_ole2(tree: dict) -> bytes:
    """A compound file (version 3, 512-byte sectors) with only a directory: `tree` maps names
    to None (a stream) or to a dict (a storage with its own children)."""
    entries: list[list] = [["Root Entry", 5, _NOSTREAM, _NOSTREAM, _NOSTREAM]]

    def add_children(parent: int, children: dict) -> None:
        previous = None
        for name, sub in children.items():
            index = len(entries)
            entries.append([name, 2 if sub is None else 1, _NOSTREAM, _NOSTREAM, _NOSTREAM])
            if previous is None:
                entries[parent][4] = index  # child
            else:
                entries[previous][3] = index  # right sibling
            previous = index
            if sub is not None:
                add_children(index, sub)

    add_children(0, tree)
    directory = bytearray()
    for name, kind, left, right, child in entries:
        encoded = name.encode("utf-16-le") + b"\0\0"
        directory += encoded.ljust(64, b"\0")
        directory += struct.pack("<HBB3I", len(encoded), kind, 1, left, right, child)
        directory += bytes(16 + 4 + 16) + struct.pack("<IQ", _ENDOFCHAIN, 0)
    directory += bytes(-len(directory) % 512)
    directory_sectors = len(directory) // 512
    fat = [_FATSECT, *range(2, directory_sectors + 1), _ENDOFCHAIN]
    fat += [_FREESECT] * (128 - len(fat))
    header = (
        file_checks._OLE2_MAGIC
        + bytes(16)
        + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<9I", 0, 1, 1, 0, 4096, _ENDOFCHAIN, 0, _ENDOFCHAIN, 0)
        + struct.pack("<109I", 0, *[_FREESECT] * 108)
    )
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + bytes(directory)


def make_doc(**extra: dict | None) -> bytes:
    return make_ole2({"WordDocument": None, "1Table": None, **extra})


def make_xls() -> bytes:
    return make_ole2({"Workbook": None, "\x05SummaryInformation": None})


def refused(data: bytes, filename: str = "bijlage.pdf", max_bytes: int = LIMIT) -> FileRefused:
    with pytest.raises(FileRefused) as info:
        check_upload(data, filename, max_bytes)
    return info.value


# --- accepted formats ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "filename", "expected_format", "display_name"),
    [
        (make_pdf, "Projectplan.pdf", "pdf", "Projectplan.pdf"),
        (make_docx, "Plan van aanpak.docx", "docx", "Plan van aanpak.docx"),
        (make_xlsx, "Begroting 2025.xlsx", "xlsx", "Begroting 2025.xlsx"),
        (make_doc, "akkoord.doc", "doc", "akkoord.doc"),
        (make_xls, "oud.xls", "xls", "oud.xls"),
        (lambda: make_ole2({"Book": None}), "excel95.xls", "xls", "excel95.xls"),
        (lambda: make_odf(ODT), "Verslag.odt", "odt", "Verslag.odt"),
        (lambda: make_odf(ODS), "Cijfers.ods", "ods", "Cijfers.ods"),
    ],
)
def test_accepts_each_allowed_format(build, filename, expected_format, display_name) -> None:
    data = build()
    checked = check_upload(data, filename, LIMIT)
    assert checked.format == expected_format
    assert checked.display_name == display_name
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.mime_type == ALLOWED_KINDS[expected_format][2]


def test_format_comes_from_content_not_name() -> None:
    checked = check_upload(make_docx(), "cijfers.xlsx", LIMIT)
    assert (checked.format, checked.display_name, checked.label) == ("docx", "cijfers.docx", "Word")


def test_xls_with_embedded_word_document_is_still_xls() -> None:
    data = make_ole2({"Workbook": None, "MBD0001": {"WordDocument": None}})
    assert check_upload(data, "x.xls", LIMIT).format == "xls"


def test_file_exactly_at_the_limit_is_accepted() -> None:
    data = make_pdf()
    assert check_upload(data, "a.pdf", len(data)).size == len(data)


# --- size ---------------------------------------------------------------------------------------


def test_refuses_empty_file() -> None:
    error = refused(b"")
    assert (str(error), error.reason) == ("Het bestand is leeg.", "empty")


def test_refuses_oversized_file_with_sizes_in_dutch() -> None:
    error = refused(bytes(int(12.3 * BYTES_PER_MB)))
    assert str(error) == "Het bestand is 12,3 MB; de grens is 10 MB."
    assert error.reason == "too_large"


def test_one_byte_over_never_reads_as_equal_to_the_limit() -> None:
    assert str(refused(bytes(LIMIT + 1))) == "Het bestand is 10,1 MB; de grens is 10 MB."


# --- not allowed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200) + b"This program cannot be run in DOS mode",
        b"\x7fELF\x02\x01\x01" + bytes(100),
        b"#!/bin/sh\nrm -rf ~\n",
        b"\xcf\xfa\xed\xfe" + bytes(100),
        b"Dit is gewoon tekst, geen PDF.",
        b"<html><body>hallo</body></html>",
        b"\x89PNG\r\n\x1a\n" + bytes(50),
        b"  %PDF-1.7 with leading junk\n%%EOF\n",
    ],
    ids=["exe", "elf", "script", "mach-o", "text", "html", "png", "pdf-not-at-offset-0"],
)
def test_refuses_other_content_whatever_its_name(data: bytes) -> None:
    error = refused(data, "rapport.pdf")
    assert error.reason == "not_allowed"
    assert str(error) == (
        "Dit bestandstype is niet toegestaan. Toegestaan zijn PDF, Word, Excel en OpenDocument."
    )


@pytest.mark.parametrize(
    "data",
    [
        make_zip({"readme.txt": b"hallo"}),
        make_zip(
            {
                "[Content_Types].xml": content_types("ppt/presentation.xml", "x"),
                "ppt/presentation.xml": b"<p/>",
            }
        ),
        make_docx(**{"xl/workbook.xml": b"<w/>"}),
        make_odf(b"application/vnd.oasis.opendocument.presentation"),
        make_ole2({"PowerPoint Document": None, "ObjectPool": {"WordDocument": None}}),
        make_ole2({}),
        b"PK\x03\x04" + bytes(26) + b"PK\x05\x06" + bytes(18),
    ],
    ids=["plain-zip", "pptx", "word-and-excel", "odp", "ppt", "empty-ole2", "empty-zip"],
)
def test_refuses_containers_of_other_formats(data: bytes) -> None:
    assert refused(data).reason == "not_allowed"


@pytest.mark.parametrize(
    "data",
    [
        make_pdf()[:-10],  # no %%EOF at the end: cut off
        file_checks._OLE2_MAGIC + bytes(100),
        make_doc()[:700],
        b"PK\x03\x04" + bytes(100),
    ],
    ids=["truncated-pdf", "ole2-header-only", "truncated-ole2", "broken-zip"],
)
def test_refuses_damaged_files(data: bytes) -> None:
    assert refused(data).reason == "damaged"


def test_refuses_ole2_whose_directory_loops() -> None:
    data = bytearray(make_doc())
    root_child = 512 + 512 + 76  # header, FAT, then entry 0's child pointer
    entry1_right = 512 + 512 + 128 + 72
    struct.pack_into("<I", data, entry1_right, 1)  # WordDocument is its own sibling
    assert struct.unpack_from("<I", data, root_child)[0] == 1
    assert refused(bytes(data)).reason == "damaged"


def test_refuses_password_protected_office_file() -> None:
    data = make_ole2({"EncryptionInfo": None, "EncryptedPackage": None})
    assert refused(data, "begroting.xlsx").reason == "encrypted"


# --- macros -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        make_docx(DOCM_TYPE),
        make_docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
        add_member(make_xlsx(), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0"),
        add_member(make_xlsx(), "xl/macrosheets/sheet1.xml", b"<xm:macrosheet/>"),
        make_odf(ODT, **{"Basic/Standard/Module1.xml": b"<script:module/>"}),
        make_odf(ODS, **{"Scripts/python/evil.py": b"import os"}),
        make_doc(Macros={"VBA": {"ThisDocument": None}}),
        make_ole2({"Workbook": None, "_VBA_PROJECT_CUR": {"VBA": None}}),
    ],
    ids=[
        "docm",
        "docx-with-vba",
        "xlsm",
        "xlsx-macrosheet",
        "odt-basic",
        "ods-scripts",
        "doc",
        "xls",
    ],
)
def test_refuses_macros(data: bytes) -> None:
    error = refused(data, "bijlage.docx")
    assert error.reason == "macros"
    assert "macro's zijn niet toegestaan" in str(error)


# --- unsafe archives ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A docx whose document.xml is 50 MB of zeros, deflated to a few dozen kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types("word/document.xml", DOCX_TYPE))
        with archive.open("word/document.xml", "w") as member:
            zeros = bytes(BYTES_PER_MB)
            for _ in range(50):
                member.write(zeros)
    return buffer.getvalue()


def test_refuses_zip_bomb(zip_bomb: bytes) -> None:
    assert len(zip_bomb) < BYTES_PER_MB
    error = refused(zip_bomb, "bom.docx")
    assert error.reason == "unsafe_archive"
    assert "niet veilig worden gecontroleerd" in str(error)


def test_refuses_archive_too_large_when_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_docx(**{"word/media/image1.bin": os.urandom(4000)})
    monkeypatch.setattr(file_checks, "MAX_TOTAL_UNCOMPRESSED", 3000)
    assert refused(data).reason == "unsafe_archive"


def test_refuses_archive_with_too_many_members() -> None:
    extra = {f"word/media/{n}.xml": b"" for n in range(file_checks.MAX_MEMBERS)}
    assert refused(make_docx(**extra)).reason == "unsafe_archive"


@pytest.mark.parametrize(
    "name", ["../evil", "word/../../evil.xml", "/etc/cron.d/evil", "..\\evil.bat", "C:/evil"]
)
def test_refuses_members_outside_the_archive(name: str) -> None:
    assert refused(make_docx(**{name: b"x"})).reason == "unsafe_archive"


def test_refuses_duplicate_members() -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = add_member(make_docx(), "word/document.xml", b"<other/>")
    assert refused(data).reason == "unsafe_archive"


# --- PDF active content -------------------------------------------------------------------------

JS_ACTION = b"<< /S /JavaScript /JS (app.alert('hallo')) >>"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (make_pdf(b" /OpenAction 4 0 R", (JS_ACTION,)), "pdf_javascript"),
        (make_pdf(b" /OpenAction << /S /Java#53cript /JS (x) >>"), "pdf_javascript"),
        (make_pdf(b" /Names << /JavaScript 4 0 R >>", (b"<< /Names [] >>",)), "pdf_javascript"),
        (
            make_pdf(b" /OpenAction << /S /Launch /F (cmd.exe) >>"),
            "pdf_launch",
        ),
        (
            make_pdf(
                b" /Names << /EmbeddedFiles 4 0 R >>",
                (
                    b"<< /Names [(a.exe) 5 0 R] >>",
                    b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
                ),
            ),
            "pdf_embedded_file",
        ),
    ],
    ids=["javascript", "hex-escaped-name", "document-javascript", "launch", "embedded-file"],
)
def test_refuses_active_pdf_content(data: bytes, reason: str) -> None:
    error = refused(data)
    assert error.reason == reason
    assert str(error).startswith("Dit PDF-bestand bevat")


def test_refuses_javascript_hidden_in_compressed_object_stream() -> None:
    data = make_pdf(
        b" /OpenAction 5 0 R", (object_stream(b"5 0 " + JS_ACTION.replace(b"/S ", b"/S")),)
    )
    assert b"JavaScript" not in data
    assert refused(data).reason == "pdf_javascript"


def test_accepts_object_stream_without_actions() -> None:
    data = make_pdf(extra_objects=(object_stream(b"5 0 << /Producer (Fondsportaal) >>"),))
    assert check_upload(data, "x.pdf", LIMIT).format == "pdf"


def test_reads_uncompressed_object_stream_as_it_is() -> None:
    def uncompressed(payload: bytes) -> bytes:
        return b"<< /Type /ObjStm /N 1 /First 4 /Length %d >>\nstream\n%s\nendstream" % (
            len(payload),
            payload,
        )

    harmless = make_pdf(extra_objects=(uncompressed(b"5 0 << /Producer (x) >>"),))
    assert check_upload(harmless, "x.pdf", LIMIT).format == "pdf"
    assert refused(make_pdf(extra_objects=(uncompressed(b"5 0 " + JS_ACTION),))).reason == (
        "pdf_javascript"
    )


def test_refuses_object_stream_it_cannot_read() -> None:
    unreadable = make_pdf(extra_objects=(object_stream(b"", compressed=os.urandom(64)),))
    assert refused(unreadable).reason == "damaged"
    encrypted = unreadable.replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt << /Filter /Standard >>")
    assert refused(encrypted).reason == "encrypted"


def test_refuses_object_stream_that_unpacks_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_checks, "MAX_PDF_OBJECT_STREAMS_BYTES", 1000)
    data = make_pdf(extra_objects=(object_stream(bytes(5000)),))
    assert refused(data).reason == "unsafe_archive"


def test_accepts_pdf_with_ordinary_compressed_content() -> None:
    content = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Projectplan) Tj ET")
    page_content = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (
        len(content),
        content,
    )
    assert check_upload(make_pdf(extra_objects=(page_content,)), "p.pdf", LIMIT).format == "pdf"


# --- robustness ---------------------------------------------------------------------------------

VALID_SAMPLES = [make_pdf(), make_docx(), make_doc(), make_odf(ODS)]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(VALID_SAMPLES),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    cut=st.integers(min_value=1),
)
def test_damaged_samples_are_accepted_or_refused_never_crash(sample, edits, cut) -> None:
    data = bytearray(sample[: max(9, cut % (len(sample) + 1))])
    for position, value in edits:  # the magic bytes stay, so the deeper checks run
        data[8 + position % (len(data) - 8)] = value
    try:
        checked = check_upload(bytes(data), "x", LIMIT)
    except FileRefused:
        return
    assert checked.format in ALLOWED_KINDS


# --- display names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "file_format", "expected"),
    [
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ("C:\\Users\\jan\\Bureaublad\\rapport.exe", "pdf", "rapport.pdf"),
        ("rapport.exe", "pdf", "rapport.pdf"),
        ("rapport.pdf.exe", "pdf", "rapport.pdf"),
        ("RAPPORT.PDF", "pdf", "RAPPORT.pdf"),
        ("", "pdf", "bijlage.pdf"),
        ("...", "docx", "bijlage.docx"),
        ("/", "odt", "bijlage.odt"),
        (".htaccess", "pdf", "htaccess.pdf"),
        ("Begroting 2025 (concept).xlsx", "xlsx", "Begroting 2025 (concept).xlsx"),
        ("Financiële verantwoording.ods", "ods", "Financiële verantwoording.ods"),
        ("Plan van aanpak – jeugdhulp.docx", "docx", "Plan van aanpak - jeugdhulp.docx"),
        ("begroting 1.5", "xls", "begroting 1.5.xls"),
        ("rapport\u202efdp.exe", "pdf", "rapportfdp.pdf"),
        ("evil\x00\r\n.pdf", "pdf", "evil.pdf"),
        ('a<b>c:d*e?"f|g.doc', "doc", "a_b_c_d_e_f_g.doc"),
        ("naam\u00a0met\tspaties.pdf", "pdf", "naam metspaties.pdf"),
        ("CON.docx", "docx", "bijlage_CON.docx"),
    ],
)
def test_display_name(filename: str, file_format: str, expected: str) -> None:
    assert safe_display_name(filename, file_format) == expected


def test_display_name_is_composed_unicode() -> None:
    decomposed = unicodedata.normalize("NFD", "Financiële.pdf")
    assert safe_display_name(decomposed, "pdf") == unicodedata.normalize("NFC", "Financiële.pdf")


def test_display_name_is_shortened_to_120_characters() -> None:
    name = safe_display_name("a" * 300 + ".pdf", "xlsx")
    assert len(name) == 120
    assert name == "a" * 115 + ".xlsx"


@given(filename=st.text(), file_format=st.sampled_from(sorted(ALLOWED_KINDS)))
def test_display_name_is_always_safe(filename: str, file_format: str) -> None:
    name = safe_display_name(filename, file_format)
    extension = ALLOWED_KINDS[file_format][1]
    assert name.endswith(extension)
    assert len(name) > len(extension)
    assert len(name) <= 120
    assert not name.startswith((".", " "))
    for char in name:  # letters with their accents, digits, and a few separators
        category = unicodedata.category(char)
        assert category[0] in "LM" or category == "Nd" or char in " -_.()"


@pytest.mark.parametrize(
    ("display_name", "header"),
    [
        ("rapport.pdf", "attachment; filename=\"rapport.pdf\"; filename*=UTF-8''rapport.pdf"),
        (
            "Financiële (concept).ods",
            'attachment; filename="Financiele (concept).ods"; '
            "filename*=UTF-8''Financi%C3%ABle%20%28concept%29.ods",
        ),
        (
            "Łódź 計画.docx",
            "attachment; filename=\"_odz __.docx\"; filename*=UTF-8''%C5%81%C3%B3d%C5%BA%20%E8%A8%88%E7%94%BB.docx",
        ),
    ],
)
def test_content_disposition(display_name: str, header: str) -> None:
    assert content_disposition(display_name) == header
    header.encode("ascii")


@given(filename=st.text())
def test_content_disposition_is_always_an_ascii_header(filename: str) -> None:
    header = content_disposition(safe_display_name(filename, "pdf"))
    assert header.isascii()
    assert header.count('"') == 2
    assert not any(ord(char) < 32 for char in header)


# --- storage ------------------------------------------------------------------------------------


def test_store_and_open_round_trip(tmp_path: Path) -> None:
    upload_dir = tmp_path / "uploads"
    data = make_pdf()
    stored_name = store(upload_dir, data)
    assert len(stored_name) == 32
    assert int(stored_name, 16) >= 0
    path = open_stored(upload_dir, stored_name)
    assert path == upload_dir / stored_name
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(upload_dir.stat().st_mode) & 0o077 == 0
    assert sorted(upload_dir.iterdir()) == [path]  # no temporary file left behind


def test_each_store_gets_a_new_name(tmp_path: Path) -> None:
    assert store(tmp_path, b"a") != store(tmp_path, b"a")


@pytest.mark.parametrize(
    "stored_name",
    [
        "../x",
        "../" + "a" * 29,
        "a" * 31,
        "a" * 33,
        "A" * 32,
        "a" * 32 + "\n",
        "/etc/passwd",
        "",
    ],
)
def test_open_stored_refuses_names_store_does_not_make(tmp_path: Path, stored_name: str) -> None:
    with pytest.raises(FileNotFoundError):
        open_stored(tmp_path, stored_name)
    with pytest.raises(FileNotFoundError):
        delete_stored(tmp_path, stored_name)


def test_open_stored_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        open_stored(tmp_path, "0" * 32)


def test_delete_stored(tmp_path: Path) -> None:
    stored_name = store(tmp_path, b"data")
    delete_stored(tmp_path, stored_name)
    assert not (tmp_path / stored_name).exists()
    delete_stored(tmp_path, stored_name)  # already gone: fine
    with pytest.raises(FileNotFoundError):
        open_stored(tmp_path, stored_name)


# --- XML declarations and PDF polyglots (issue 13) --------------------------------------------

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b"<sst>&lol2;</sst>"
)
EXTERNAL = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
BARE_DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE w:document><w:document xmlns:w="urn:w"/>'


@pytest.mark.parametrize(
    "data",
    [
        make_docx(**{"word/document.xml": BARE_DOCTYPE}),
        add_member(make_xlsx(), "xl/sharedStrings2.xml", LAUGHS),
        make_docx(**{"word/footnotes.xml": EXTERNAL}),
        make_odf(b"application/vnd.oasis.opendocument.spreadsheet", **{"content.xml": LAUGHS}),
        make_odf(
            b"application/vnd.oasis.opendocument.text",
            **{
                "styles.xml": '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><x/>'.encode(
                    "utf-16"
                )
            },
        ),
        make_docx(**{"_rels/.rels": LAUGHS}),
    ],
    ids=["docx-doctype", "xlsx-entities", "docx-external", "ods-entities", "odt-utf16", "rels"],
)
def test_refuses_office_files_with_xml_declarations(data: bytes) -> None:
    error = refused(data)
    assert error.reason == "xml_dtd"
    assert "DOCTYPE" in str(error)


def test_refuses_a_pdf_with_content_after_its_end() -> None:
    polyglot = PDF_WITH_TRAILER + b"<html><script>alert(1)</script></html>"
    assert refused(polyglot, "plan.pdf").reason == "pdf_trailing"


def test_accepts_a_pdf_ending_in_line_breaks() -> None:
    assert check_upload(PDF_WITH_TRAILER + b"\r\n\n", "plan.pdf", 10_000).format == "pdf"


PDF_WITH_TRAILER = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF"


# --- XML declarations: by content, not by part name; in any encoding --------------------------

DOCTYPE_ONLY = '<?xml version="1.0" encoding="{}"?><!DOCTYPE x SYSTEM "http://example.org/x"><x/>'


def replace_part(archive_bytes: bytes, name: str, content: bytes) -> bytes:
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive_bytes)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        target.writestr(name, content)
    return output.getvalue()


def make_xlsx_with_comment() -> bytes:
    from openpyxl.comments import Comment

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Begroting"
    workbook.active["A1"].comment = Comment("Een opmerking", "Carla")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        replace_part(make_xlsx(), "xl/sharedStrings.xml", LAUGHS),
        make_odf(ODS, **{"content.xml": BARE_DOCTYPE}),
        make_docx(**{"word/header1.xml": DOCTYPE_ONLY.format("UTF-16").encode("utf-16-le")}),
        make_docx(**{"word/header1.xml": DOCTYPE_ONLY.format("UTF-16").encode("utf-16-be")}),
        make_docx(**{"word/header1.xml": DOCTYPE_ONLY.format("UTF-32").encode("utf-32")}),
        make_docx(**{"word/header1.xml": DOCTYPE_ONLY.format("cp037").encode("cp037")}),
        make_docx(**{"word/header1.xml": DOCTYPE_ONLY.format("ISO-8859-1").encode("latin-1")}),
        make_docx(**{"word/header1.xml": b"\n  <!doctype x><x/>"}),
        make_docx(
            **{
                "word/header1.bin": b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE x+AD4-<x/>'
            }
        ),
        make_docx(**{"word/media/image1.svg": LAUGHS}),
        make_docx(**{"customXml/item1": LAUGHS}),
        make_docx(**{"word/Footer1.XML": LAUGHS}),
        replace_part(make_xlsx_with_comment(), "xl/drawings/commentsDrawing1.vml", LAUGHS),
        make_odf(ODT, **{"manifest.rdf": LAUGHS}),
        make_odf(ODT, **{"Pictures/plaatje.svg": "\ufeff".encode() + LAUGHS}),
    ],
    ids=[
        "xlsx-sharedStrings",
        "ods-doctype-in-content",
        "utf16-le-without-bom",
        "utf16-be-without-bom",
        "utf32",
        "ebcdic",
        "latin1",
        "no-declaration-lowercase",
        "utf7-in-a-bin-part",
        "svg",
        "part-without-extension",
        "uppercase-extension",
        "vml",
        "odf-rdf",
        "utf8-bom-svg",
    ],
)
def test_refuses_declarations_in_any_part_in_any_encoding(data: bytes) -> None:
    assert refused(data).reason == "xml_dtd"


def test_the_vml_part_of_a_comment_is_where_it_was_tested() -> None:
    names = zipfile.ZipFile(io.BytesIO(make_xlsx_with_comment())).namelist()
    assert "xl/drawings/commentsDrawing1.vml" in names


def test_an_encoding_no_one_can_read_is_refused_as_damaged() -> None:
    for encoding in ("x-no-such-charset", "zlib", "idna", "punycode"):
        data = make_docx(
            **{"word/header1.vml": f'<?xml version="1.0" encoding="{encoding}"?><x/>'.encode()}
        )
        assert refused(data).reason == "damaged", encoding


@pytest.mark.parametrize(
    "data",
    [
        make_xlsx_with_comment(),  # VML, which is markup but not parsed as XML
        make_odf(ODS, **{"Configurations2/accelerator/current.xml": b""}),  # LibreOffice's
        make_docx(**{"word/media/image1.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8}),
        make_docx(
            **{
                "word/header1.xml": '<?xml version="1.0" encoding="UTF-16"?><x>é</x>'.encode(
                    "utf-16"
                )
            }
        ),
        make_docx(**{"word/document2.xml": b"<w:t xmlns:w='urn:w'>&lt;!DOCTYPE is tekst</w:t>"}),
    ],
    ids=["xlsx-comment-vml", "odf-empty-part", "png", "utf16-part", "escaped-text"],
)
def test_accepts_ordinary_parts(data: bytes) -> None:
    assert check_upload(data, "bestand", LIMIT).format in ALLOWED_KINDS


def test_openpyxl_reads_workbooks_through_defusedxml() -> None:
    """The budget import is checked before openpyxl reads it, and openpyxl itself parses with
    defusedxml when that is installed (a dependency for this reason)."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML


def test_refuses_a_pdf_with_much_content_after_its_end() -> None:
    polyglot = make_pdf() + b"<html>" + b"<p>hallo</p>" * 1000 + b"</html>"
    assert refused(polyglot, "plan.pdf").reason == "pdf_trailing"
    assert refused(make_pdf() + make_docx(), "plan.pdf").reason == "pdf_trailing"


def test_accepts_pdf_white_space_after_its_end() -> None:
    pdf = make_pdf() + b" \t\r\n\x00\x0c" * 500
    assert check_upload(pdf, "plan.pdf", LIMIT).format == "pdf"


def test_finds_a_declaration_cut_in_two_by_the_decoding() -> None:
    """Parts in other encodings than UTF-8 are decoded a piece at a time: a declaration that
    starts four characters before the end of the first piece is found all the same."""
    for encoding, width in (("utf-16-le", 2), ("utf-16-be", 2), ("utf-32-le", 4)):
        filler = os.urandom(file_checks._DECODED_CHUNK).hex()[
            : file_checks._DECODED_CHUNK // width - 7
        ]
        data = make_docx(**{"word/header1.xml": f"<x>{filler}<!DOCTYPE x><x/>".encode(encoding)})
        assert refused(data).reason == "xml_dtd", encoding
