"""Serving a stored upload to someone the controller has already allowed to see it."""

from __future__ import annotations

from pathlib import Path

from litestar import Response
from litestar.exceptions import NotFoundException

from portal.lib.downloads import content_disposition
from portal.lib.files import ALLOWED_KINDS, open_stored


def serve_stored(upload_dir: Path, row: dict) -> Response:
    """`row` has stored_name, display_name and format (an attachment of any kind)."""
    try:
        path = open_stored(upload_dir, row["stored_name"])
    except FileNotFoundError as error:
        raise NotFoundException("Dit bestand is niet (meer) beschikbaar.") from error
    return Response(
        path.read_bytes(),
        media_type=ALLOWED_KINDS[row["format"]][2],
        headers={
            "Content-Disposition": content_disposition(row["display_name"]),
            # Personal data: never in a shared cache, never sniffed into something else.
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            # Should a browser still show an upload itself (a polyglot that got past the
            # checks), it runs nothing and reaches nothing, as if from another origin.
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
