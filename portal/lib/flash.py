"""Flash messages carried to the next page in a short-lived signed cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie

FLASH_COOKIE = "fp_flash"
LEVELS = {"info", "ok", "warning", "error"}


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()[:32]


def flash_cookie(secret: str, level: str, text: str) -> Cookie:
    payload = base64.urlsafe_b64encode(json.dumps([[level, text]]).encode())
    return Cookie(
        key=FLASH_COOKIE,
        value=f"{payload.decode()}.{_sign(secret, payload)}",
        path="/",
        httponly=True,
        samesite="lax",
        max_age=60,
    )


def read_flashes(connection: ASGIConnection, secret: str) -> list[dict[str, str]]:
    raw = connection.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return []
    payload, signature = raw.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(secret, payload.encode())):
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return []
    return [
        {"level": level if level in LEVELS else "info", "text": str(text)} for level, text in items
    ]


def clear_flash_cookie() -> Cookie:
    return Cookie(key=FLASH_COOKIE, value="", path="/", max_age=0, httponly=True, samesite="lax")
