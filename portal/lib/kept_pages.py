"""Pages kept as rendered and served again while nothing they show can have changed.

A page of the assembly's list (portal/app.KEPT_ROUTES: the lists, overviews and detail pages
that people open again and again) is rendered once per viewer and kept under the data version
(portal/lib/data_version.py: it changes with every committed write to any table, in the
database, so no writer can forget it) and the minute it was rendered in (a round that closes
at 17:00, a deadline that passes: what the clock decides is at most a minute old). The next
request of the same user for the same address, with the same version and minute, gets the
kept bytes without a handler, a query or a template. Any write anywhere starts afresh.

What differs per request stays out of what is kept: rendered for keeping, a page carries
placeholders where the CSRF token and the forms' one-time keys go (random per process, so no
text on a page can imitate them), and each answer gets its own token and fresh keys, of the
same lengths, so the length the response started with holds. Not kept: pages with a flash
message (it is shown once), htmx requests (partials), anonymous requests, answers other than
200 text/html, and requests whose CSRF cookie is not one the portal made.

Who may see the page is not decided here: the guards run before, and the key is the user (each
page is rendered for one viewer: a region officer's list is theirs, never another's). Each
worker keeps its own pages, up to `max_bytes`; a new version or minute drops the old ones.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass

from litestar import MediaType, Request, Response
from litestar.types import Message, Scope
from litestar.utils.scope.state import ScopeState

from portal.lib import clock, once
from portal.lib.flash import FLASH_COOKIE

VERSION_KEY = "data_version"  # scope key: set by the session middleware with the principal
_PENDING = "kept_pages.pending"  # scope key: this request renders a page for keeping
CSRF_LENGTH = 128  # Litestar's token: 64 hex digits of chance and 64 of its HMAC
_HEX = re.compile(rb"[0-9a-f]{%d}" % CSRF_LENGTH)
# The page's own headers, kept with it; the others are each answer's own (its cookies, length,
# request id) or added to every answer anyway (the security headers).
_KEPT_HEADERS = frozenset({b"vary", b"cache-control", b"content-language"})


@dataclass(frozen=True)
class _Kept:
    body: bytes
    headers: tuple[tuple[str, str], ...]


@dataclass
class _Pending:
    key: tuple
    generation: tuple[str, int, str]
    token: bytes
    # From the response's start: its headers when it is a page to keep (200, HTML).
    headers: tuple[tuple[str, str], ...] | None = None


class KeptPages:
    def __init__(self, routes: Collection[str], max_bytes: int) -> None:
        self.routes = frozenset(routes)
        self.max_bytes = max_bytes
        self._pages: dict[tuple, _Kept] = {}
        self._bytes = 0
        self._generation: tuple[str, int, str] | None = None
        self.hits = 0  # answers from the store, for the tests
        # Placeholders of the real values' lengths, unguessable (a proposal's title cannot be one).
        self.csrf_placeholder = ("kept" + secrets.token_hex(CSRF_LENGTH)).encode()[:CSRF_LENGTH]
        key_length = len(once.new_key())
        self.form_key_placeholder = ("kept" + secrets.token_hex(key_length))[:key_length]
        self._form_key_pattern = re.compile(re.escape(self.form_key_placeholder.encode()))

    # -- the two hooks: before the handler, and on the way out ---------------------------------

    async def serve(self, request: Request) -> Response | None:
        """Before the handler: the kept page, or None after marking the request to keep the
        page it renders."""
        if self.max_bytes <= 0 or request.method != "GET":
            return None
        scope = request.scope
        version = scope.get(VERSION_KEY)
        user = scope.get("user")
        if (
            not version
            or user is None
            or request.route_handler.name not in self.routes
            or "hx-request" in request.headers
            or FLASH_COOKIE in request.cookies
        ):
            return None
        state = ScopeState.from_scope(scope)
        token = state.csrf_token.encode() if isinstance(state.csrf_token, str) else b""
        if not _HEX.fullmatch(token):
            return None
        generation = _generation(str(version))
        key = (
            user.user_id,
            scope["scheme"],
            request.headers.get("host", ""),
            scope["path"],
            scope["query_string"],
        )
        if self._is_current(generation):
            kept = self._pages.get(key)
            if kept is not None:
                self.hits += 1
                return Response(
                    content=self.fill(kept.body, token),
                    status_code=200,
                    media_type=MediaType.HTML,
                    headers=dict(kept.headers),
                )
        scope[_PENDING] = _Pending(key, generation, token)  # type: ignore[literal-required]
        state.csrf_token = self.csrf_placeholder.decode()
        return None

    def form_key(self, scope: Scope) -> str:
        """The one-time key a form rendered in this request carries (portal/lib/once.py)."""
        return self.form_key_placeholder if scope.get(_PENDING) else once.new_key()

    async def keep(self, message: Message, scope: Scope) -> None:
        """before_send: keep the page rendered for keeping, and fill in this request's token
        and keys."""
        pending: _Pending | None = scope.get(_PENDING)  # type: ignore[assignment]
        if pending is None:
            return
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
            if message["status"] == 200 and content_type.startswith(b"text/html"):
                pending.headers = tuple(
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in headers
                    if k.lower() in _KEPT_HEADERS
                )
            return
        if message["type"] != "http.response.body":
            return
        body = message.get("body", b"")
        if pending.headers is not None and not message.get("more_body", False):
            self._store(pending, _Kept(body, pending.headers))
        message["body"] = self.fill(body, pending.token)

    def fill(self, body: bytes, token: bytes) -> bytes:
        body = body.replace(self.csrf_placeholder, token)
        return self._form_key_pattern.sub(lambda _: once.new_key().encode(), body)

    # -- the store -----------------------------------------------------------------------------

    def _is_current(self, generation: tuple[str, int, str]) -> bool:
        """Whether pages of this generation may be served and kept. A newer one drops the
        pages kept so far; an older one (a request that read the version just before a commit)
        neither reads nor keeps."""
        held = self._generation
        if held == generation:
            return True
        if held is not None and held[0] == generation[0] and generation[1:] < held[1:]:
            return False
        self._pages.clear()
        self._bytes = 0
        self._generation = generation
        return True

    def _store(self, pending: _Pending, kept: _Kept) -> None:
        size = len(kept.body)
        if size > self.max_bytes // 8 or not self._is_current(pending.generation):
            return
        old = self._pages.pop(pending.key, None)
        if old is not None:
            self._bytes -= len(old.body)
        while self._pages and self._bytes + size > self.max_bytes:
            evicted = self._pages.pop(next(iter(self._pages)))  # the oldest kept
            self._bytes -= len(evicted.body)
        self._pages[pending.key] = kept
        self._bytes += size

    def __len__(self) -> int:
        return len(self._pages)


def _generation(version: str) -> tuple[str, int, str]:
    epoch, _, number = version.partition(".")
    minute = clock.now().replace(second=0, microsecond=0)
    return epoch, int(number or 0), minute.isoformat()
