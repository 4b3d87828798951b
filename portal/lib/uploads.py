"""Serving a stored upload to someone the controller has already allowed to see it."""

from __future__ import annotations

import os
from pathlib import Path

import anyio.to_thread
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.response import File

from portal.lib.document_text import document_findings
from portal.lib.downloads import content_disposition
from portal.lib.files import (
    ALLOWED_KINDS,
    CheckedFile,
    FileRefused,
    check_upload,
    open_stored,
    refuse_larger_than,
)
from portal.lib.privacy import Finding, summary

UNCONFIRMED = (
    "Dit bestand bevat mogelijk gegevens van een jeugdige of cliënt: {found}. Het portaal "
    "bewaart zulke gegevens niet. Haal ze uit het document, of kruis aan dat het om iets "
    "anders gaat (een professional, een algemeen nummer) en voeg het bestand opnieuw toe."
)


def serve_stored(upload_dir: Path, row: dict) -> File:
    """`row` has stored_name, display_name and format (an attachment of any kind)."""
    try:
        path = open_stored(upload_dir, row["stored_name"])
    except FileNotFoundError as error:
        raise NotFoundException("Dit bestand is niet (meer) beschikbaar.") from error
    # Streamed from disk by Litestar's File (a large attachment is never read into memory);
    # the lower-case key keeps our Content-Disposition (ASCII fallback and UTF-8 name) in place
    # of File's own.
    return File(
        path=path,
        filename=row["display_name"],
        media_type=ALLOWED_KINDS[row["format"]][2],
        headers={
            "content-disposition": content_disposition(row["display_name"]),
            # Personal data: never in a shared cache, never sniffed into something else.
            "cache-control": "private, no-store",
            "x-content-type-options": "nosniff",
            # Should a browser still show an upload itself (a polyglot that got past the
            # checks), it runs nothing and reaches nothing, as if from another origin.
            "content-security-policy": "default-src 'none'; sandbox",
        },
    )


async def read_upload(upload: UploadFile, max_bytes: int) -> bytes:
    """The bytes of an upload within its limit. The multipart parser has spooled the upload to a
    temporary file; its size is looked up there, so a file over the limit is refused without
    being read into memory."""
    # A seek is no read (and cheap on a spooled file), so it runs here.
    size = upload.file.seek(0, os.SEEK_END)
    refuse_larger_than(size, max_bytes)
    await upload.seek(0)
    return await upload.read(max_bytes + 1)


async def accepted_upload(
    upload: UploadFile, max_bytes: int, *, confirmed: bool
) -> tuple[bytes, CheckedFile, list[Finding]]:
    """An upload judged whole: its size, its content (`check_upload`) and what its text holds
    about clients (`document_findings`: a BSN refuses it; a warning refuses it until the person
    ticks that they checked it). Returns the bytes, the checked file and the warnings they
    confirmed, for the attachment's row; FileRefused with the Dutch message otherwise."""
    content = await read_upload(upload, max_bytes)
    checked = await anyio.to_thread.run_sync(check_upload, content, upload.filename, max_bytes)
    warnings = await anyio.to_thread.run_sync(document_findings, content, checked.format)
    if warnings and not confirmed:
        raise FileRefused(UNCONFIRMED.format(found=summary(warnings)), "privacy_unconfirmed")
    return content, checked, [Finding(w.kind, w.shown, checked.display_name) for w in warnings]
