"""Rendering pages: the layout's context (user, network, navigation, flashes) in one place."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.lib.flash import FLASH_COOKIE, clear_flash_cookie, flash_cookie, read_flashes

# (label, path under /n/{slug}, roles that see it); later domains add their pages here.
NETWORK_NAV: list[tuple[str, str, frozenset[Role] | None]] = [
    ("Start", "", None),
    (
        "Voorstellen",
        "/voorstellen",
        frozenset({Role.applicant, Role.region_officer, Role.coordinator}),
    ),
    ("Rondes", "/rondes", frozenset({Role.coordinator})),
    ("Beoordeling", "/beoordeling", frozenset({Role.coordinator})),
    ("Mijn beoordelingen", "/beoordelingen", frozenset({Role.reviewer})),
    ("Begroting", "/begroting", frozenset({Role.coordinator})),
    ("Verantwoording", "/verantwoording", frozenset({Role.coordinator, Role.region_officer})),
    ("Projectenbank", "/projectenbank", None),
]


def register_nav(label: str, path: str, roles: frozenset[Role] | None) -> None:
    NETWORK_NAV.append((label, path, roles))


def current_network(request: Request) -> NetworkRef | None:
    network = getattr(request.state, "network", None)
    if network is not None:
        return network
    principal: Principal | None = request.scope.get("user")  # type: ignore[assignment]
    if principal is not None:
        networks = principal.networks()
        if len(networks) == 1:
            return networks[0]
    return None


def navigation(request: Request) -> list[dict[str, Any]]:
    principal: Principal | None = request.scope.get("user")  # type: ignore[assignment]
    if principal is None:
        return []
    path = request.url.path
    items: list[dict[str, Any]] = []
    network = current_network(request)
    if network is not None:
        roles = principal.roles_in(network.id)
        for label, sub, needed in NETWORK_NAV:
            if needed is None or roles & needed:
                href = f"/n/{network.slug}{sub}"
                items.append({"label": label, "href": href})
        if Role.admin in roles:
            items.append({"label": "Beheer", "href": f"/beheer/{network.slug}"})
    if principal.is_superadmin:
        items.append({"label": "Alle netwerken", "href": "/beheer"})
    items.append({"label": "Mijn account", "href": "/account"})
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
    return Template(
        template_name=template_name,
        context={
            "current_user": principal,
            "current_network": current_network(request),
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
