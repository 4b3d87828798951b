"""The text of an uploaded document, for the privacy check (`portal/lib/privacy.py`).

Each format is read by the library that knows it (pypdf, openpyxl, xlrd, olefile; the XML of
Word and OpenDocument through defusedxml). The upload has already passed
`file_checks.detect`, so the file is of its format and not a bomb; still, a document a library
cannot read gives what could be read, never an error: the content check has judged the file.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable

from defusedxml import ElementTree

from portal.lib.file_checks import FileRefused
from portal.lib.privacy import FILE_REFUSAL, Finding, findings

log = logging.getLogger(__name__)

# Enough for a long report; the rest of a very large document is not read.
MAX_CHARACTERS = 2_000_000
MAX_PDF_PAGES = 500
MAX_SHEET_CELLS = 500_000


def _pdf(data: bytes) -> Iterable[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages[:MAX_PDF_PAGES]:
        yield page.extract_text() or ""


_WORD_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(data: bytes) -> Iterable[str]:
    # The document, its headers and footers, notes and comments: each paragraph a line, its
    # runs' text (w:t) joined, a tab or break as a space. Read through defusedxml, as the
    # content check did; python-docx would bring lxml, which changes how openpyxl writes.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not _WORD_PARTS.fullmatch(name):
                continue
            root = ElementTree.fromstring(archive.read(name), forbid_dtd=True)
            for paragraph in root.iter(f"{_W}p"):
                yield "".join(
                    (node.text or "") if node.tag == f"{_W}t" else " "
                    for node in paragraph.iter()
                    if node.tag in (f"{_W}t", f"{_W}tab", f"{_W}br")
                )


def _cells(rows: Iterable[Iterable[object]]) -> Iterable[str]:
    seen = 0
    for row in rows:
        values = [str(v) for v in row if v is not None and v != ""]
        seen += len(values)
        yield "\t".join(values)
        if seen > MAX_SHEET_CELLS:
            return


def _xlsx(data: bytes) -> Iterable[str]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            yield from _cells(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _xls(data: bytes) -> Iterable[str]:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    for sheet in book.sheets():
        yield from _cells(sheet.row_values(i) for i in range(sheet.nrows))


# Runs of readable text in a Word 97 stream: as UTF-16 and as the 8-bit code page it may use.
_UTF16_RUN = re.compile(rb"(?:[\x20-\x7e\xa0-\xff]\x00|[\t\r\n]\x00){4,}")
_BYTE_RUN = re.compile(rb"[\x20-\x7e\xa0-\xff\t\r\n]{4,}")


def _doc(data: bytes) -> Iterable[str]:
    import olefile

    with olefile.OleFileIO(data) as ole:
        streams = [s for s in ("WordDocument", "1Table", "0Table") if ole.exists(s)]
        for name in streams:
            raw = ole.openstream(name).read()
            yield from (m.group(0).decode("utf-16-le") for m in _UTF16_RUN.finditer(raw))
            yield from (m.group(0).decode("cp1252") for m in _BYTE_RUN.finditer(raw))


def _odf(data: bytes) -> Iterable[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in ("content.xml", "styles.xml"):
            try:
                content = archive.read(name)
            except KeyError:
                continue
            root = ElementTree.fromstring(content, forbid_dtd=True)
            # A paragraph or a cell is a line; the text inside it runs on.
            for element in root.iter():
                tag = element.tag.rsplit("}", 1)[-1]
                if tag in {"p", "h"}:
                    yield "".join(element.itertext())


_READERS: dict[str, Callable[[bytes], Iterable[str]]] = {
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
    "xls": _xls,
    "doc": _doc,
    "odt": _odf,
    "ods": _odf,
}


def extract_text(data: bytes, file_format: str) -> str:
    """The document's text as far as it can be read (format: `file_checks.detect`'s answer)."""
    reader = _READERS.get(file_format)
    if reader is None:
        return ""
    parts: list[str] = []
    size = 0
    try:
        for part in reader(data):
            parts.append(part)
            size += len(part)
            if size >= MAX_CHARACTERS:
                break
    except Exception:  # a library's complaint about one odd file must not refuse the upload
        log.warning("text of a %s upload could not be read completely", file_format, exc_info=True)
    return "\n".join(p for p in parts if p)[:MAX_CHARACTERS]


def document_findings(data: bytes, file_format: str) -> list[Finding]:
    """What the document holds that may be about a client; a BSN refuses the file."""
    found = findings(extract_text(data, file_format))
    for finding in found:
        if finding.refused:
            raise FileRefused(FILE_REFUSAL.format(shown=finding.shown), "personal_data")
    return found
