"""Where a repeated form is sent: after the first post of the same form (portal/lib/once.py)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from litestar import Controller, Litestar, Request, Response, get
from litestar.datastructures import Headers
from litestar.params import FromQuery
from litestar.response import Redirect

from portal.accounts.guards import PUBLIC
from portal.accounts.layout import redirect
from portal.lib import db, once

ALREADY_PROCESSED = "Dit was al verwerkt."


def same_site_path(url: str | None) -> str | None:
    """The path (with query and fragment) of a URL, only when it stays on this site."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.path.startswith("/") or parts.path.startswith("//") or "\\" in parts.path:
        return None
    return (
        parts.path
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


def repeat_target(app: Litestar, key: str, headers: Headers) -> str:
    """Where a repeat of a form is sent: a page that looks up where the first post went (and
    may wait for it to finish), with the page it came from to fall back on."""
    fallback = (
        same_site_path(headers.get("hx-current-url"))
        or same_site_path(headers.get("referer"))
        or "/"
    )
    return (
        app.route_reverse("portal:already_processed")
        + "?"
        + urlencode({"formulier": key, "terug": fallback})
    )


def already_processed_handler(request: Request, exc: once.AlreadyProcessed) -> Response:
    """A repeat of a form that had its effect: no second effect and no error page; the browser
    goes where the first post sent it."""
    once.forget()
    target = repeat_target(request.app, exc.key, request.headers)
    if request.headers.get("hx-request"):
        return Response(b"", status_code=200, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


class RepeatController(Controller):
    # Public: a forgotten-password form is posted by nobody in particular. It tells no more
    # than where a form with this (unguessable, one-time) key sent its poster.
    path = ""

    @get("/al-verwerkt", opt=PUBLIC, name="portal:already_processed")
    async def already_processed(
        self,
        request: Request,
        formulier: FromQuery[str] = "",
        terug: FromQuery[str] = "/",
    ) -> Redirect:
        location = await once.location_of(db.current_engine(), formulier[:100]) if formulier else ""
        target = same_site_path(location) or same_site_path(terug[:2000]) or "/"
        return redirect(request, target, ALREADY_PROCESSED, "info")
