"""Rendering pages: the layout's context (user, network, navigation, flashes) in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.lib.flash import FLASH_COOKIE, clear_flash_cookie, flash_cookie, read_flashes
from portal.lib.links import links_of

# (label, name of the route of a network's page, roles that see it); later domains add their
# pages here.
NETWORK_NAV: list[tuple[str, str, frozenset[Role] | None]] = [
    ("Start", "portal:network", None),
    (
        "Voorstellen",
        "proposals:list",
        frozenset({Role.applicant, Role.region_officer, Role.coordinator}),
    ),
    ("Rondes", "proposals:rounds", frozenset({Role.coordinator})),
    ("Beoordeling", "review:rounds", frozenset({Role.coordinator})),
    ("Mijn beoordelingen", "review:my_reviews", frozenset({Role.reviewer})),
    ("Begroting", "ledger:years", frozenset({Role.coordinator, Role.auditor})),
    (
        "Verantwoording",
        "ledger:reports",
        # Applicants read the reports of the proposals they wrote.
        frozenset({Role.coordinator, Role.region_officer, Role.auditor, Role.applicant}),
    ),
    (
        "Betaalverzoeken",
        "ledger:payment_requests",
        frozenset({Role.coordinator, Role.region_officer, Role.auditor}),
    ),
    (
        "Wijzigingen",
        "ledger:changes",
        frozenset({Role.coordinator, Role.region_officer, Role.auditor}),
    ),
    ("Logboek", "accounts:audit", frozenset({Role.auditor})),
    ("Projectenbank", "catalogue:index", None),
]


def register_nav(label: str, route_name: str, roles: frozenset[Role] | None) -> None:
    NETWORK_NAV.append((label, route_name, roles))


def url(request: Request, route_name: str, /, **params: Any) -> str:
    """The path of the route called `route_name` (its handler's `name=`), with `params` in its
    path. On a network's pages the network's slug is filled in unless given:
    `url(request, "proposals:detail", proposal_id=3)` is /n/<slug>/voorstellen/3."""
    network = getattr(request.state, "network", None)
    if network is not None:
        params.setdefault("network", network.slug)
    return links_of(request.app)(route_name, **params)


def query(base: Request | Mapping[str, Any] | None = None, /, **changes: Any) -> str:
    """The query string of a link that changes a list's filters or page: the parameters of
    `base` (a request's own query, or a mapping such as the values a page shows), with each of
    `changes` replacing its key, or removing it when None or ""; URL-encoded, with its "?".
    Empty values are left out; "" when nothing is left.

    In templates: `url_for("proposals:list", network=…) ~ query(request, pagina=2)` (Hypha's
    query-string template tags are the model)."""
    pairs: list[tuple[str, Any]] = []
    if isinstance(base, Request):
        # In the order the browser sent them (Litestar's query_params groups them by key).
        pairs += parse_qsl(base.url.query, keep_blank_values=True)
    elif base is not None:
        pairs += base.items()
    # A changed key keeps its place (its first one, if it came more than once); a new one
    # comes last.
    changed: list[tuple[str, Any]] = []
    placed: set[str] = set()
    for key, value in pairs:
        if key not in changes:
            changed.append((key, value))
        elif key not in placed:
            placed.add(key)
            changed += _values(key, changes[key])
    for key, value in changes.items():
        if key not in placed:
            changed += _values(key, value)
    kept = [(key, str(value)) for key, value in changed if value is not None and value != ""]
    return "?" + urlencode(kept) if kept else ""


def _values(key: str, value: Any) -> list[tuple[str, Any]]:
    return [(key, v) for v in value] if isinstance(value, list | tuple) else [(key, value)]


def current_network(request: Request) -> NetworkRef | None:
    network = getattr(request.state, "network", None)
    if network is not None:
        return network
    principal: Principal | None = request.scope.get("user")
    if principal is not None:
        networks = principal.networks()
        if len(networks) == 1:
            return networks[0]
    return None


def navigation(request: Request) -> list[dict[str, Any]]:
    principal: Principal | None = request.scope.get("user")
    if principal is None:
        return []
    path = request.url.path
    reverse = links_of(request.app)
    items: list[dict[str, Any]] = []
    network = current_network(request)
    if network is not None:
        roles = principal.roles_in(network.id)
        for label, route_name, needed in NETWORK_NAV:
            if needed is None or roles & needed:
                href = reverse(route_name, network=network.slug)
                items.append({"label": label, "href": href})
        if Role.admin in roles:
            items.append(
                {"label": "Beheer", "href": reverse("admin:network", network=network.slug)}
            )
    if principal.is_superadmin:
        items.append({"label": "Alle netwerken", "href": reverse("admin:index")})
    # "Mijn account" is in the header, next to the name: the menu stays on one line at 1280 px.
    best = max(
        (i for i in items if path == i["href"] or path.startswith(i["href"].rstrip("/") + "/")),
        key=lambda i: len(i["href"]),
        default=None,
    )
    for item in items:
        item["active"] = item is best
    return items


def render(
    request: Request, template_name: str, status_code: int = 200, **context: Any
) -> Template:
    settings = request.app.state.settings
    cookies: list[Cookie] = []
    flashes = read_flashes(request, settings.secret_key)
    if FLASH_COOKIE in request.cookies:
        cookies.append(clear_flash_cookie())
    principal = request.scope.get("user")
    network = current_network(request)
    return Template(
        template_name=template_name,
        context={
            "current_user": principal,
            "current_network": network,
            # What the person may do here decides which forms a page shows (an auditor reads
            # the coordinator's pages without their forms); the routes check it again.
            "current_roles": principal.roles_in(network.id)
            if principal is not None and network is not None
            else frozenset(),
            "nav": navigation(request),
            "flashes": flashes,
            **context,
        },
        status_code=status_code,
        cookies=cookies,
        headers={"Vary": "HX-Request, Cookie"},
    )


def redirect(request: Request, path: str, flash: str | None = None, level: str = "ok") -> Redirect:
    cookies = []
    if flash:
        cookies.append(flash_cookie(request.app.state.settings.secret_key, level, flash))
    return Redirect(path=path, status_code=303, cookies=cookies)
