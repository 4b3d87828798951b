"""Serving a stored upload to someone the controller has already allowed to see it."""

from __future__ import annotations

import os
from pathlib import Path

from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.response import File

from portal.lib.downloads import content_disposition
from portal.lib.files import ALLOWED_KINDS, open_stored, refuse_larger_than


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
