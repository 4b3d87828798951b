"""Proposal attachments ("bijlagen"): checked by their content, stored under a random name.

`check_upload` decides from the bytes alone whether a file is a PDF, Word, Excel or OpenDocument
file and refuses everything else, macros, active PDF content and archives that would be unsafe
to unpack. The name the browser sent is only used, cleaned, for display (`safe_display_name`).
`store`, `open_stored` and `delete_stored` keep the files in the upload directory under names
that contain no user input at all.

Nothing here touches the database; the service that records an `Attachment` calls these.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread

from portal.lib.file_checks import BYTES_PER_MB, EMPTY, detect
from portal.lib.file_checks import FileRefused as FileRefused
from portal.lib.file_checks import refuse_xml_declarations as refuse_xml_declarations

DISPLAY_NAME_MAX = 120
DEFAULT_STEM = "bijlage"

# detected format -> (Dutch label, canonical extension, mime type)
ALLOWED_KINDS: dict[str, tuple[str, str, str]] = {
    "pdf": ("PDF", ".pdf", "application/pdf"),
    "docx": (
        "Word",
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        "Excel",
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "doc": ("Word (oud formaat)", ".doc", "application/msword"),
    "xls": ("Excel (oud formaat)", ".xls", "application/vnd.ms-excel"),
    "odt": ("OpenDocument-tekst", ".odt", "application/vnd.oasis.opendocument.text"),
    "ods": ("OpenDocument-rekenblad", ".ods", "application/vnd.oasis.opendocument.spreadsheet"),
}


@dataclass(frozen=True)
class CheckedFile:
    format: str  # key of ALLOWED_KINDS
    display_name: str  # safe file name to show and to offer on download
    size: int
    sha256: str

    @property
    def label(self) -> str:
        return ALLOWED_KINDS[self.format][0]

    @property
    def mime_type(self) -> str:
        return ALLOWED_KINDS[self.format][2]


# --- checking ---------------------------------------------------------------------------------


def check_upload(data: bytes, filename: str, max_bytes: int) -> CheckedFile:
    """The detected format, a display name and the fingerprint of an upload, or FileRefused."""
    if not data:
        raise FileRefused(EMPTY, "empty")
    refuse_larger_than(len(data), max_bytes)
    file_format = detect(data)
    return CheckedFile(
        format=file_format,
        display_name=safe_display_name(filename, file_format),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def refuse_larger_than(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise FileRefused(
            f"Het bestand is {_megabytes(size, round_up=True)} MB; "
            f"de grens is {_megabytes(max_bytes, round_up=False)} MB.",
            "too_large",
        )


def _megabytes(size: int, *, round_up: bool) -> str:
    """Dutch MB with at most one decimal: a file's size rounds up, a limit rounds down, so a file
    just over the limit never reads as equal to it."""
    tenths = -(-size * 10 // BYTES_PER_MB) if round_up else size * 10 // BYTES_PER_MB
    whole, tenth = divmod(tenths, 10)
    return f"{whole}" if tenth == 0 else f"{whole},{tenth}"


# --- display names ----------------------------------------------------------------------------

# ".exe", ".docx", ".7z" but not the ".5" of "begroting 1.5"
_EXTENSION_LIKE = re.compile(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,5}$")
_WINDOWS_PORTS = {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *_WINDOWS_PORTS}


def safe_display_name(filename: str, format: str) -> str:
    """A name to show and to offer on download: the last path part of what the browser sent,
    letters (with accents), digits, space and - _ . ( ) only, at most 120 characters, ending in
    the canonical extension of the detected format. "rapport.exe" that is a PDF -> "rapport.pdf".
    """
    extension = ALLOWED_KINDS[format][1]
    name = re.split(r"[/\\]", filename or "")[-1]
    name = unicodedata.normalize("NFC", name)
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if category[0] == "C":  # control, format (e.g. right-to-left override), unassigned
            continue
        if category[0] in "LM" or category == "Nd" or char in "-_.()":
            kept.append(char)
        elif category[0] == "Z":
            kept.append(" ")
        elif category == "Pd":  # en dash and other dashes
            kept.append("-")
        else:
            kept.append("_")
    stem = "".join(kept)
    stem = re.sub(r" {2,}", " ", re.sub(r"_{2,}", "_", stem))
    # Drop what looks like the sender's extension, and the canonical one if it was doubled
    # ("rapport.pdf.exe").
    stem = _EXTENSION_LIKE.sub("", stem.strip(" ._"))
    if stem.lower().endswith(extension):
        stem = stem[: -len(extension)]
    stem = stem.strip(" ._")
    if stem.split(".")[0].lower() in _WINDOWS_RESERVED:
        stem = f"{DEFAULT_STEM}_{stem}"
    stem = stem[: DISPLAY_NAME_MAX - len(extension)].rstrip(" .")
    return f"{stem or DEFAULT_STEM}{extension}"


# --- storage ----------------------------------------------------------------------------------

_STORED_NAME = re.compile(r"[0-9a-f]{32}")


def store(upload_dir: Path, data: bytes) -> str:
    """Write `data` under a new random name (readable by this process's user only) and return
    that name. The file appears complete or not at all."""
    if not upload_dir.exists():
        upload_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    descriptor, temporary = tempfile.mkstemp(dir=upload_dir, prefix=".upload-")
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, upload_dir / stored_name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return stored_name


@contextlib.asynccontextmanager
async def stored_for(upload_dir: Path, data: bytes) -> AsyncIterator[str]:
    """Store `data` for the write in the block and yield its name. If the block raises (a rule
    refused the write, or a repeat of the same form found it done), the file goes again: only
    files that a row points to stay in the upload directory."""
    stored_name = await anyio.to_thread.run_sync(store, upload_dir, data)
    try:
        yield stored_name
    except BaseException:
        delete_stored(upload_dir, stored_name)
        raise


def open_stored(upload_dir: Path, stored_name: str) -> Path:
    """The path of a stored file; FileNotFoundError if the name is not one `store` makes or the
    file is gone."""
    path = _stored_path(upload_dir, stored_name)
    if not path.is_file():
        raise FileNotFoundError(stored_name)
    return path


def delete_stored(upload_dir: Path, stored_name: str) -> None:
    """Remove a stored file; a file already gone is fine, a malformed name is not."""
    _stored_path(upload_dir, stored_name).unlink(missing_ok=True)


def _stored_path(upload_dir: Path, stored_name: str) -> Path:
    if not isinstance(stored_name, str) or not _STORED_NAME.fullmatch(stored_name):
        raise FileNotFoundError(repr(stored_name))
    return upload_dir / stored_name
