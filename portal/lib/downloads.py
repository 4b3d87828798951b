"""Files offered for download: the headers every download carries."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from litestar import Response


def content_disposition(display_name: str) -> str:
    """The Content-Disposition header to offer a file for download under its display name:
    an ASCII fallback ("Financiele.pdf") and the exact name in UTF-8 (RFC 6266), since header
    values cannot carry every letter a display name may have. A display name has no quotes,
    backslashes or control characters; they are replaced anyway, should another string come in.
    """
    decomposed = unicodedata.normalize("NFKD", display_name)
    fallback = "".join(
        char if char.isascii() else "_" for char in decomposed if not unicodedata.combining(char)
    )
    fallback = re.sub(r'["\\\x00-\x1f\x7f]', "_", fallback)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(display_name, safe='')}"


def download(content: bytes, filename: str, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(filename),
            # Personal data: not for shared caches, not kept by the browser.
            "Cache-Control": "private, no-store",
        },
    )
