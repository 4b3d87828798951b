"""Who is asking: the bearer token middleware, its 401, and bad input answered as JSON."""

from __future__ import annotations

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import ValidationException
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

from portal.accounts.api_tokens import TokenRefused, authenticate

# --- who is asking ----------------------------------------------------------------------------


def bearer_secret(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"authorization":
            scheme, _, secret = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and secret.strip():
                return secret.strip()
    return None


class BearerTokenMiddleware:
    """Puts the Principal of the request's API token in scope["user"], or answers 401."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["user"] = None  # a session cookie never opens the API
            secret = bearer_secret(scope)
            if secret is None:
                await _unauthorized(
                    send, "Stuur een API-sleutel mee: Authorization: Bearer <sleutel>."
                )
                return
            try:
                scope["user"] = await authenticate(secret)
            except TokenRefused as refused:
                await _unauthorized(send, str(refused))
                return
        await self.app(scope, receive, send)


async def _unauthorized(send: Send, detail: str) -> None:
    # The same body as every other API error (portal/accounts/errors.py), plus the challenge of
    # RFC 6750.
    body = msgspec.json.encode({"status_code": 401, "detail": detail})
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 401,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", b'Bearer realm="fondsportaal"'),
            (b"cache-control", b"no-store"),
        ],
    }
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(end)


def invalid_input(request: Request, exc: ValidationException) -> Response:
    """A query parameter that cannot be read: which one, in Dutch, as JSON."""
    names = sorted(
        {str(e.get("key")) for e in exc.extra or [] if isinstance(e, dict) and e.get("key")}
    )
    if names:
        detail = "Ongeldige waarde voor: " + ", ".join(names) + "."
    else:
        detail = str(exc.detail or "Ongeldige aanvraag.")
    return Response(
        {"status_code": 400, "detail": detail}, status_code=400, media_type=MediaType.JSON
    )
