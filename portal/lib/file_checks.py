"""What an upload is, judged by its content: the format by its magic bytes, then per format what
a plain office document or PDF does not have (macros, encryption, JavaScript and launch actions,
embedded files, XML declarations, zip bombs, unsafe member names). Pure: bytes in, a format or
FileRefused out."""

from __future__ import annotations

import codecs
import io
import lzma
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import NoReturn
from xml.parsers import expat

# A round's limit is a whole number of MB (`Round.attachment_limit_mb`); this is the MB we mean,
# the one file managers show.
BYTES_PER_MB = 1024 * 1024

# Limits for ZIP-based formats (docx, xlsx, odt, ods), checked from the central directory.
MAX_MEMBERS = 2000
MAX_TOTAL_UNCOMPRESSED = 100 * BYTES_PER_MB
MAX_RATIO = 100
RATIO_CHECKED_ABOVE = BYTES_PER_MB
# An object stream in a PDF is decompressed to look inside; beyond this it is refused.
MAX_PDF_OBJECT_STREAMS_BYTES = 64 * BYTES_PER_MB


NOT_ALLOWED = (
    "Dit bestandstype is niet toegestaan. Toegestaan zijn PDF, Word, Excel en OpenDocument."
)
EMPTY = "Het bestand is leeg."
DAMAGED = (
    "Dit bestand is beschadigd of onvolledig en kan niet worden gelezen. "
    "Sla het opnieuw op en probeer het nog eens."
)
ENCRYPTED = (
    "Dit bestand is met een wachtwoord beveiligd en kan daardoor niet worden gecontroleerd. "
    "Sla het op zonder wachtwoord en probeer het opnieuw."
)
MACROS = (
    "Bestanden met macro's zijn niet toegestaan. "
    "Sla het document op zonder macro's en probeer het opnieuw."
)
UNSAFE_ARCHIVE = (
    "Dit bestand kan niet veilig worden gecontroleerd: het is uitgepakt te groot of vreemd "
    "opgebouwd. Sla het opnieuw op en probeer het nog eens."
)
_PDF_ADVICE = (
    "Dat is niet toegestaan. Maak er een gewone PDF van, bijvoorbeeld met 'Afdrukken naar PDF', "
    "en probeer het opnieuw."
)
PDF_JAVASCRIPT = "Dit PDF-bestand bevat JavaScript, bijvoorbeeld in formuliervelden. " + _PDF_ADVICE
PDF_LAUNCH = "Dit PDF-bestand bevat een opdracht om een programma te starten. " + _PDF_ADVICE
PDF_EMBEDDED_FILE = "Dit PDF-bestand bevat ingesloten bestanden. " + _PDF_ADVICE
PDF_TRAILING = "Na het einde van dit PDF-bestand staat nog andere inhoud. " + _PDF_ADVICE
XML_DECLARATIONS = (
    "Dit document bevat XML-declaraties (een DOCTYPE of entiteiten) die een gewoon Word-, "
    "Excel- of OpenDocument-bestand niet heeft. Sla het opnieuw op vanuit Word, Excel of "
    "LibreOffice en probeer het nog eens."
)


class FileRefused(ValueError):
    """An upload that is not accepted. str(error) is the Dutch message for the user; `reason` is
    a short code for logs and tests: empty, too_large, not_allowed, damaged, encrypted, macros,
    unsafe_archive, pdf_javascript, pdf_launch, pdf_embedded_file, pdf_trailing, xml_dtd."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows .exe/.dll
    b"\x7fELF",  # Linux
    b"#!",  # scripts
    b"\xca\xfe\xba\xbe",  # macOS universal binaries (and Java classes)
    b"\xfe\xed\xfa\xce",  # Mach-O, both word sizes and byte orders
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
)
_OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def detect(data: bytes) -> str:
    if data.startswith(_EXECUTABLE_MAGIC):
        raise FileRefused(NOT_ALLOWED, "not_allowed")
    if data.startswith(b"%PDF-"):
        _check_pdf(data)
        return "pdf"
    if data.startswith(_OLE2_MAGIC):
        return _check_ole2(data)
    if data.startswith(b"PK\x03\x04"):
        return _check_zip(data)
    raise FileRefused(NOT_ALLOWED, "not_allowed")


# PDF ------------------------------------------------------------------------------------------

# A PDF name: "/" and regular characters, where "#xx" spells any byte ("/Java#53cript").
_PDF_NAME = re.compile(rb"/((?:[A-Za-z0-9]|#[0-9A-Fa-f]{2})+)")
_PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Refused names, compared case-insensitively -> (message, reason). JavaScript actions always carry
# /S /JavaScript, so the short /JS key is not searched (three bytes match binary data too often).
_PDF_REFUSED_NAMES = {
    b"javascript": (PDF_JAVASCRIPT, "pdf_javascript"),
    b"launch": (PDF_LAUNCH, "pdf_launch"),
    b"embeddedfile": (PDF_EMBEDDED_FILE, "pdf_embedded_file"),
    b"embeddedfiles": (PDF_EMBEDDED_FILE, "pdf_embedded_file"),
}
_PDF_OBJECT_HEADER = re.compile(rb"(?<![0-9])[0-9]+\s+[0-9]+\s+obj\Z")


def _check_pdf(data: bytes) -> None:
    end = data.rfind(b"%%EOF")
    if end == -1:
        raise FileRefused(DAMAGED, "damaged")
    # Only white space (PDF's: line ends, spaces, tabs, form feeds, NUL) may follow the last
    # %%EOF, however much is appended: anything else (an HTML page, a ZIP) makes the file a
    # polyglot that another program may read as what it really is.
    if data[end + 5 :].strip(b" \t\r\n\x00\x0c"):
        raise FileRefused(PDF_TRAILING, "pdf_trailing")
    _refuse_pdf_names(data)
    # Since PDF 1.5 most dictionaries may sit compressed inside object streams (/Type /ObjStm),
    # where the search above cannot see them: unpack those and search again. Every other stream
    # (pages, fonts, images) holds data, not the actions refused here.
    budget = MAX_PDF_OBJECT_STREAMS_BYTES
    for start, dictionary in _pdf_streams(data):
        names = _pdf_names(dictionary)
        if b"objstm" not in names or b"filter" not in names:  # unfiltered: searched already
            continue
        unpacked = _inflate(data, start, budget)
        if unpacked is None:
            # Encrypted, another filter than Flate, or damaged: what it holds cannot be seen.
            if b"encrypt" in _pdf_names(data):
                raise FileRefused(ENCRYPTED, "encrypted")
            raise FileRefused(DAMAGED, "damaged")
        budget -= len(unpacked)
        _refuse_pdf_names(unpacked)


def _pdf_streams(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(where the stream's data starts, its dictionary) for each "stream" keyword.

    The dictionary is what lies between the last "N G obj" and the keyword. Plain byte searches,
    no parsing: a regular expression over megabytes of compressed data is many times slower.
    """
    searched_from = 0
    position = 0
    while (keyword := data.find(b"stream", position)) != -1:
        position = keyword + 6
        if keyword and data[keyword - 1 : keyword].isalnum():  # "endstream"
            continue
        if data[position : position + 1] == b"\r":
            position += 1
            if data[position : position + 1] == b"\n":
                position += 1
        elif data[position : position + 1] == b"\n":
            position += 1
        else:
            continue
        dictionary_start = searched_from
        end = keyword
        while (found := data.rfind(b"obj", searched_from, end)) != -1:
            if _PDF_OBJECT_HEADER.search(data, max(searched_from, found - 40), found + 3):
                dictionary_start = found + 3
                break
            end = found
        yield position, data[dictionary_start:keyword]
        searched_from = position


def _pdf_names(data: bytes) -> set[bytes]:
    names = set()
    for match in _PDF_NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _PDF_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        names.add(name.lower())
    return names


def _refuse_pdf_names(data: bytes) -> None:
    found = sorted(_pdf_names(data) & _PDF_REFUSED_NAMES.keys())
    if found:
        message, reason = _PDF_REFUSED_NAMES[found[0]]
        raise FileRefused(message, reason)


def _inflate(data: bytes, start: int, budget: int) -> bytes | None:
    """The zlib stream starting at `start`, or None if it is not one (or exceeds the budget)."""
    inflater = zlib.decompressobj()
    view = memoryview(data)
    out = bytearray()
    position = start
    try:
        while not inflater.eof and position < len(data):
            chunk = view[position : position + 65536]
            position += len(chunk)
            out += inflater.decompress(chunk, budget - len(out) + 1)
            while inflater.unconsumed_tail and len(out) <= budget:
                out += inflater.decompress(inflater.unconsumed_tail, budget - len(out) + 1)
            if len(out) > budget:
                raise FileRefused(UNSAFE_ARCHIVE, "unsafe_archive")
    except zlib.error:
        return None
    return bytes(out) if inflater.eof else None


# OLE2 compound files (doc, xls) ---------------------------------------------------------------

_FREESECT = 0xFFFFFFFF
_ENDOFCHAIN = 0xFFFFFFFE
_MAXREGSECT = 0xFFFFFFFA
_NOSTREAM = 0xFFFFFFFF
_OLE2_MACRO_STORAGES = {"macros", "_vba_project_cur", "_vba_project", "vba"}


class _Damaged(Exception):
    pass


def _check_ole2(data: bytes) -> str:
    try:
        root_names, all_names = _ole2_directory(data)
    except (_Damaged, struct.error):
        raise FileRefused(DAMAGED, "damaged") from None
    if "encryptedpackage" in root_names:  # a password-protected docx or xlsx
        raise FileRefused(ENCRYPTED, "encrypted")
    if "worddocument" in root_names:
        file_format = "doc"
    elif "workbook" in root_names or "book" in root_names:
        file_format = "xls"
    else:  # PowerPoint, Outlook messages, installers, ...
        raise FileRefused(NOT_ALLOWED, "not_allowed")
    if all_names & _OLE2_MACRO_STORAGES:
        raise FileRefused(MACROS, "macros")
    return file_format


def _ole2_directory(data: bytes) -> tuple[set[str], set[str]]:
    """Case-folded names of the root storage's children, and of every entry.

    Follows [MS-CFB]: the header lists the FAT sectors (the rest via the DIFAT chain), the FAT
    chains the directory sectors, and each 128-byte directory entry links a red-black tree of
    siblings. Only the directory is read; no stream content.
    """
    if len(data) < 512 or data[0x1C:0x1E] != b"\xfe\xff":
        raise _Damaged
    sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
    if sector_shift not in (9, 12):
        raise _Damaged
    size = 1 << sector_shift
    sector_count = len(data) // size  # an upper bound; the header takes the first one

    def sector(number: int) -> bytes:
        start = (number + 1) * size
        if number > _MAXREGSECT or start + size > len(data):
            raise _Damaged
        return data[start : start + size]

    def chain(first: int) -> list[int]:
        numbers: list[int] = []
        number = first
        while number != _ENDOFCHAIN:
            if number >= len(fat) or number in seen or len(numbers) > sector_count:
                raise _Damaged
            seen.add(number)
            numbers.append(number)
            number = fat[number]
        return numbers

    fat_sector_count, first_directory = struct.unpack_from("<2I", data, 0x2C)
    first_difat, difat_count = struct.unpack_from("<2I", data, 0x44)
    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    number = first_difat
    for _ in range(min(difat_count, sector_count)):
        if number > _MAXREGSECT:
            break
        block = struct.unpack(f"<{size // 4}I", sector(number))
        fat_sectors.extend(block[:-1])
        number = block[-1]
    fat: list[int] = []
    for number in [n for n in fat_sectors if n <= _MAXREGSECT][:fat_sector_count]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(number)))

    seen: set[int] = set()
    directory = b"".join(sector(n) for n in chain(first_directory))
    entries = []
    for offset in range(0, len(directory), 128):
        name_length, kind = struct.unpack_from("<HB", directory, offset + 64)
        left, right, child = struct.unpack_from("<3I", directory, offset + 68)
        name = ""
        if kind and 2 <= name_length <= 64:
            raw_name = directory[offset : offset + name_length - 2]
            name = raw_name.decode("utf-16-le", errors="replace").casefold()
        entries.append((name, kind, left, right, child))
    if not entries or entries[0][1] != 5:  # entry 0 is the root storage
        raise _Damaged

    root_names: set[str] = set()
    visited: set[int] = set()
    pending = [entries[0][4]]
    while pending:
        index = pending.pop()
        if index == _NOSTREAM:
            continue
        if index >= len(entries) or index in visited:
            raise _Damaged
        visited.add(index)
        name, _kind, left, right, _child = entries[index]
        root_names.add(name)
        pending += [left, right]
    all_names = {name for name, kind, *_ in entries if kind in (1, 2)}
    return root_names, all_names


# ZIP-based formats (docx, xlsx, odt, ods) -----------------------------------------------------

_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_OOXML_MACRO_MARKERS = (b"macroenabled", b"vbaproject", b"macrosheet")
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    ValueError,  # also UnicodeDecodeError in member names
    OSError,
    EOFError,
    RuntimeError,  # encrypted members
    NotImplementedError,  # unknown compression methods
    struct.error,
    zlib.error,  # damaged member data (bzip2 raises OSError)
    lzma.LZMAError,
)


def _check_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _check_archive(archive)
    except FileRefused:  # a ValueError too
        raise
    except _ZIP_ERRORS:
        raise FileRefused(DAMAGED, "damaged") from None


def _check_archive(archive: zipfile.ZipFile) -> str:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise FileRefused(UNSAFE_ARCHIVE, "unsafe_archive")
    names = [member.filename for member in members]
    if len(set(names)) != len(names) or any(_unsafe_member_name(name) for name in names):
        raise FileRefused(UNSAFE_ARCHIVE, "unsafe_archive")
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > RATIO_CHECKED_ABOVE and (
            member.file_size > MAX_RATIO * member.compress_size
        ):
            raise FileRefused(UNSAFE_ARCHIVE, "unsafe_archive")
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise FileRefused(UNSAFE_ARCHIVE, "unsafe_archive")

    # Part names of Office files compare case-insensitively; ODF's are exact but this is harmless.
    folded = {name.casefold(): name for name in names}
    if "[content_types].xml" in folded:
        file_format = _check_ooxml(archive, folded)
    elif members and members[0].filename == "mimetype":
        file_format = _check_odf(archive, folded)
    else:
        raise FileRefused(NOT_ALLOWED, "not_allowed")
    refuse_xml_declarations(archive)
    return file_format


def refuse_xml_declarations(archive: zipfile.ZipFile) -> None:
    """No part of an Office or OpenDocument file may declare a DOCTYPE or an entity. Word, Excel
    and today's LibreOffice write none (files of the old OpenOffice.org carry one in their
    manifest; saving them again in LibreOffice removes it), and whoever parses a file later (our
    own budget import, the coordinator's viewer, a converter) must not meet an entity bomb or an
    external entity.

    Every part is judged by its content, not its name: a part can be called anything once
    [Content_Types].xml or a manifest says it is XML, and VML, SVG and RDF parts are XML too.
    Each part that an XML parser could read as markup, in whatever encoding (a byte order mark,
    UTF-16 or UTF-32 without one, EBCDIC, or what its XML declaration names), is searched as
    that text. The .xml and .rels parts are then read through by expat with the handlers that
    defusedxml sets, as a second opinion, and refused when they are not well-formed; other markup
    is only searched, as its readers do not demand well-formed XML. No tree is built: a 50 MB
    sheet takes under a second. The archive's sizes were checked before this reads anything."""
    for member in archive.infolist():
        if member.is_dir():
            continue
        content = _read_member(archive, member.filename, MAX_TOTAL_UNCOMPRESSED)
        if not content.strip():
            continue  # LibreOffice writes an empty Configurations2/accelerator/current.xml
        if _declares(content):
            raise FileRefused(XML_DECLARATIONS, "xml_dtd")
        if member.filename.lower().endswith((".xml", ".rels")):
            _parse_through(content)


def _refuse_declaration(*_: object) -> NoReturn:
    raise FileRefused(XML_DECLARATIONS, "xml_dtd")


def _parse_through(content: bytes) -> None:
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_declaration
    parser.EntityDeclHandler = _refuse_declaration
    parser.UnparsedEntityDeclHandler = _refuse_declaration
    parser.ExternalEntityRefHandler = _refuse_declaration
    try:
        parser.Parse(content, True)
    except FileRefused:  # a ValueError too
        raise
    except (expat.ExpatError, ValueError):  # also an encoding expat cannot read
        raise FileRefused(DAMAGED, "damaged") from None


# "<!DOCTYPE" starts a document type (with entities, or an external DTD to fetch); "<!ENTITY"
# can only stand inside one, but is searched too.
_DECLARATION = "<!(?:DOCTYPE|ENTITY)"
_DECLARATION_TEXT = re.compile(_DECLARATION, re.IGNORECASE)
# In UTF-8 every ASCII character is its own byte and no other byte sequence decodes to one, so
# the bytes themselves are searched: no decoding for nearly every part.
_DECLARATION_UTF8 = re.compile(_DECLARATION.encode(), re.IGNORECASE)
# A byte order mark decides the encoding (the UTF-32 marks first: FF FE 00 00 begins like FF FE).
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Without one, a parser tells the encoding by how the first "<" is written (XML 1.0, appendix
# F): each of these in which the part starts with "<" is a reading of it.
_MARKUP_ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "cp037")
_XML_WHITESPACE = " \t\r\n"
_DECLARED_ENCODING = re.compile(r"""<\?xml[^>]*?\sencoding\s*=\s*["']([^"'>]{1,40})["']""")
# Codecs that Python has but that are no character sets, or decode in quadratic time.
_NOT_CHARACTER_SETS = {"idna", "punycode"}
_DECODED_CHUNK = BYTES_PER_MB


def _declares(content: bytes) -> bool:
    """Whether an XML parser could read a DOCTYPE or an entity declaration in this part, in any
    encoding it could take the part to be in: the one its byte order mark says, else each in
    which the part starts with "<", and the one its XML declaration names. A part that is no
    markup in any encoding (an image, an embedded binary) declares nothing. An encoding that
    Python cannot decode is refused as damaged."""
    marked = next((pair for pair in _BYTE_ORDER_MARKS if content.startswith(pair[0])), None)
    if marked is not None:
        content = content[len(marked[0]) :]
        encodings = [marked[1]]
    else:
        encodings = [
            encoding
            for encoding in _MARKUP_ENCODINGS
            if content[:256].decode(encoding, "replace").lstrip(_XML_WHITESPACE).startswith("<")
        ]
    for encoding in encodings:
        if _declares_in(content, encoding):
            return True
        declared = _declared_encoding(content, encoding)
        if (
            declared not in (None, encoding)
            # UTF-16 and UTF-32 were read already, in the byte order the part has.
            and not declared.startswith(("utf-16", "utf-32"))
            and _declares_in(content, declared)
        ):
            return True
    return False


def _declared_encoding(content: bytes, encoding: str) -> str | None:
    """Python's name of the encoding the part's XML declaration names, if it has one."""
    head = content[:400].decode(encoding, "replace").lstrip(_XML_WHITESPACE)
    declared = _DECLARED_ENCODING.match(head)
    if declared is None:
        return None
    try:
        name = codecs.lookup(declared.group(1).strip()).name
        b"<".decode(name, "replace")  # LookupError when it is no text encoding (zlib, hex)
    except (LookupError, UnicodeError):  # unknown, or strict only
        raise FileRefused(DAMAGED, "damaged") from None
    if name in _NOT_CHARACTER_SETS:
        raise FileRefused(DAMAGED, "damaged")
    return name


def _declares_in(content: bytes, encoding: str) -> bool:
    if encoding == "utf-8":
        return _DECLARATION_UTF8.search(content) is not None
    # Decoded a megabyte at a time, undecodable bytes as U+FFFD (the text is only searched); the
    # last characters of a piece go along with the next, for a declaration cut in two.
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    carried = ""
    for start in range(0, len(content), _DECODED_CHUNK):
        text = carried + decoder.decode(content[start : start + _DECODED_CHUNK])
        if _DECLARATION_TEXT.search(text):
            return True
        carried = text[-8:]
    return _DECLARATION_TEXT.search(carried + decoder.decode(b"", final=True)) is not None


def _unsafe_member_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return True
    return ".." in re.split(r"[/\\]", name)


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with archive.open(name) as member:
        content = member.read(limit + 1)
    if len(content) > limit:
        raise FileRefused(UNSAFE_ARCHIVE, "unsafe_archive")
    return content


def _check_ooxml(archive: zipfile.ZipFile, folded: dict[str, str]) -> str:
    is_word = "word/document.xml" in folded
    is_excel = "xl/workbook.xml" in folded
    if is_word == is_excel:  # neither (PowerPoint, xlsb, ...) or, oddly, both
        raise FileRefused(NOT_ALLOWED, "not_allowed")
    content_types = _read_member(archive, folded["[content_types].xml"], BYTES_PER_MB).lower()
    if any(marker in content_types for marker in _OOXML_MACRO_MARKERS) or any(
        name.rsplit("/", 1)[-1] == "vbaproject.bin" or name.startswith("xl/macrosheets/")
        for name in folded
    ):
        raise FileRefused(MACROS, "macros")
    return "docx" if is_word else "xlsx"


def _check_odf(archive: zipfile.ZipFile, folded: dict[str, str]) -> str:
    mimetype = _read_member(archive, "mimetype", 100)
    file_format = _ODF_MIMETYPES.get(mimetype)
    if file_format is None:  # presentations, drawings, templates, ...
        raise FileRefused(NOT_ALLOWED, "not_allowed")
    if any(name.startswith(("basic/", "scripts/")) for name in folded):
        raise FileRefused(MACROS, "macros")
    return file_format
