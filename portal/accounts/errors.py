"""Dutch error pages. Nothing technical ever reaches the person using the portal."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template

from portal.accounts.layout import render
from portal.lib.observability import request_id

log = logging.getLogger("portal.errors")

TITLES = {
    400: "De aanvraag klopt niet",
    401: "Log in om verder te gaan",
    403: "Geen toegang",
    404: "Pagina niet gevonden",
    405: "Dit kan hier niet",
    413: "Het bestand is te groot",
    429: "Even geduld",
    500: "Er ging iets mis",
    503: "Tijdelijk niet beschikbaar",
}

MESSAGES = {
    400: (
        "De gegevens die uw browser stuurde konden niet worden verwerkt. "
        "Ga terug en probeer het opnieuw."
    ),
    403: "U heeft geen toegang tot deze pagina.",
    404: "Deze pagina bestaat niet (meer), of u heeft er geen toegang toe.",
    405: "Deze handeling is op deze pagina niet mogelijk.",
    413: "Het verstuurde bestand is groter dan is toegestaan.",
    500: (
        "Er ging iets mis aan onze kant; probeer het later opnieuw. "
        "Wat u had ingevuld is niet opgeslagen."
    ),
    503: "Het portaal is tijdelijk niet beschikbaar; probeer het over enkele minuten opnieuw.",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(
    request: Request, status_code: int, message: str | None = None
) -> Response | Template:
    text = message or MESSAGES.get(status_code) or MESSAGES[400]
    if _wants_json(request):
        return Response(
            {"status_code": status_code, "detail": text},
            status_code=status_code,
            media_type=MediaType.JSON,
        )
    template = {403: "errors/403.html", 404: "errors/404.html", 500: "errors/500.html"}.get(
        status_code, "errors/error.html"
    )
    return render(
        request,
        template,
        status_code=status_code,
        status_code_value=status_code,
        title=TITLES.get(status_code, "Er ging iets mis"),
        message=text,
        # The request id of the log lines, so a report can be matched with them.
        reference=request_id.get(),
    )


def http_exception_handler(request: Request, exc: HTTPException) -> Response | Template | Redirect:
    status = exc.status_code
    if (
        isinstance(exc, NotAuthorizedException)
        and request.method == "GET"
        and not _wants_json(request)
    ):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(path=f"/login?next={quote(target)}", status_code=303)
    detail = str(exc.detail or "")
    if status == 403 and "CSRF" in detail:
        message = (
            "Uw formulier was verlopen of kwam niet van deze site. Laad de pagina opnieuw en "
            "probeer het nog eens."
        )
    elif status in (401, 403, 404) and detail not in LITESTAR_DEFAULT_DETAILS:
        # Our guards and controllers raise these with a Dutch explanation.
        message = detail
    else:
        # Litestar's own details (validation, routing) are English and technical: not shown.
        message = None
    return error_response(request, status, message)


LITESTAR_DEFAULT_DETAILS = {"", "Not Found", "Forbidden", "Unauthorized"}


def database_unavailable(exc: BaseException) -> bool:
    """A failure to reach the database, rather than a bug: the person should try again later."""
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    name = type(exc).__name__
    return name in {
        "CannotConnectNowError",
        "ConnectionDoesNotExistError",
        "InterfaceError",
        "ConnectionFailureError",
        "TooManyConnectionsError",
    } or (name == "OperationalError" and "unable to open" in str(exc))


def internal_error_handler(request: Request, exc: Exception) -> Response | Template:
    if database_unavailable(exc):
        log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return Response(
            "<!doctype html><html lang=nl><meta charset=utf-8><title>Tijdelijk niet beschikbaar"
            "</title><h1>Tijdelijk niet beschikbaar</h1><p>Het portaal kan de gegevens nu niet "
            "bereiken. Probeer het over enkele minuten opnieuw; wat u had ingevuld is niet "
            "opgeslagen.</p></html>",
            status_code=503,
            media_type=MediaType.HTML,
            headers={"Retry-After": "60"},
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    try:
        return error_response(request, 500)
    except Exception:  # the layout itself failed (e.g. the database is down)
        log.exception("error page failed too")
        return Response(
            "<!doctype html><html lang=nl><title>Er ging iets mis</title><h1>Er ging iets mis</h1>"
            "<p>Probeer het later opnieuw.</p></html>",
            status_code=500,
            media_type=MediaType.HTML,
        )
