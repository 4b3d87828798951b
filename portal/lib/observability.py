"""Request ids and one structured log line per request, so that a failure in the log can be
matched with what a person reports ("foutcode" on the error page) and with the other lines of
the same request."""

from __future__ import annotations

import logging
import re
import secrets
import time
from contextvars import ContextVar
from urllib.parse import quote

from litestar.types import ASGIApp, Message, Receive, Scope, Send

request_id: ContextVar[str] = ContextVar("request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{6,64}$")
log = logging.getLogger("portal.requests")


def loggable_path(path: str) -> str:
    """The path percent-encoded again: ASGI hands it decoded, and a %0A in a URL must not start
    a forged line in the log."""
    return quote(path, safe="/:@!$&'()*+,;=-._~")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """key=value lines: time, level, logger, request id, message."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        logging.Formatter(
            "time=%(asctime)s level=%(levelname)s logger=%(name)s request_id=%(request_id)s "
            "message=%(message)s"
        )
    )
    root = logging.getLogger()
    if not any(isinstance(f, RequestIdFilter) for h in root.handlers for f in h.filters):
        root.addHandler(handler)
    root.setLevel(level)


class RequestIdMiddleware:
    """Takes a sane X-Request-ID from a proxy or makes one, returns it, and logs the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _VALID.match(incoming) else secrets.token_hex(8)
        token = request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "method=%s path=%s status=%s duration_ms=%.1f",
                scope.get("method"),
                loggable_path(scope.get("path", "")),
                status,
                (time.perf_counter() - started) * 1000,
            )
            request_id.reset(token)
