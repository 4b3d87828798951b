"""Who may use a route. Every handler declares it with `opt=allow(...)`; the app-wide guard
refuses any route that declares nothing, so a forgotten rule fails closed."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.handlers.base import BaseRouteHandler

from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Network, Role
from portal.lib.forms import MAX_ID

ALLOW_KEY = "allow"


@dataclass(frozen=True)
class Allow:
    public: bool = False
    roles: frozenset[Role] | None = None  # None: any logged-in user

    def describe(self) -> str:
        if self.public:
            return "public"
        if self.roles is None:
            return "logged-in"
        return ",".join(sorted(r.value for r in self.roles))


PUBLIC = {ALLOW_KEY: Allow(public=True)}
LOGGED_IN = {ALLOW_KEY: Allow()}


def allow(*roles: Role) -> dict[str, Allow]:
    """Route option: only users holding one of these roles (in the route's network, when the
    path has a `network` slug) may use the route."""
    return {ALLOW_KEY: Allow(roles=frozenset(roles))}


def principal_of(connection: ASGIConnection) -> Principal | None:
    return connection.scope.get("user")


# Set in a router's opt where a number out of range is invalid input (400, naming the
# parameter) rather than a page that does not exist: the JSON API documents it so.
OUT_OF_RANGE_IS_INVALID = "out_of_range_is_invalid"


def check_path_numbers(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Ids in a path are read by Litestar's `int`, which takes other scripts' digits and any
    size: only ASCII digits within the database's ids reach a handler; anything else is a page
    that does not exist."""
    numbers = {k: v for k, v in connection.path_params.items() if type(v) is int}
    if not numbers:
        return
    # Each number must stand in the path as ASCII digits ("٣", "³", "1_0" and " 7" are read by
    # `int` too); the other segments (a network's slug) are judged by their own handlers.
    written = {
        int(segment)
        for segment in connection.scope["path"].split("/")
        if segment.isascii() and segment.isdigit() and len(segment) <= 20
    }
    wrong = [k for k, v in numbers.items() if not (0 <= v <= MAX_ID and v in written)]
    if not wrong:
        return
    if handler.opt.get(OUT_OF_RANGE_IS_INVALID):
        raise ValidationException("Ongeldige waarde.", extra=[{"key": k} for k in wrong])
    raise NotFoundException("Deze pagina bestaat niet.")


def check_query_nulls(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Where invalid input is an error (the JSON API), a filter sent as `null` or empty is one:
    Litestar would read it as no filter at all, and a client that sends `region=null` meaning
    something else would get every region without a word."""
    if not handler.opt.get(OUT_OF_RANGE_IS_INVALID):
        return
    wrong = sorted(
        k for k, v in connection.query_params.items() if v.strip().lower() in ("", "null")
    )
    if wrong:
        raise ValidationException(
            "Laat een filter zonder waarde weg.", extra=[{"key": k} for k in wrong]
        )


async def enforce_access(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    check_path_numbers(connection, handler)
    check_query_nulls(connection, handler)
    rule = handler.opt.get(ALLOW_KEY)
    if not isinstance(rule, Allow):
        raise PermissionDeniedException("Deze pagina heeft geen toegangsregel.")
    if rule.public:
        return
    principal = principal_of(connection)
    if principal is None:
        raise NotAuthorizedException("Log in om verder te gaan.")
    slug = connection.path_params.get("network")
    if slug is not None:
        network = await resolve_network(principal, slug)
        connection.state.network = network
        if rule.roles is not None and not principal.has_role(network.id, *rule.roles):
            raise PermissionDeniedException("U heeft in dit netwerk geen toegang tot deze pagina.")
        return
    if rule.roles is not None and not principal.has_role_anywhere(*rule.roles):
        raise PermissionDeniedException("U heeft geen toegang tot deze pagina.")


async def resolve_network(principal: Principal, slug: str) -> NetworkRef:
    """The network of the path, if the user belongs to it; otherwise 404, so that a member of
    one network cannot even learn which other networks exist."""
    # The memberships were loaded with the session, coordinating municipality included: no
    # query here, on every request under /n/{network}.
    for network in principal.networks():
        if network.slug == slug:
            return network
    if principal.is_superadmin:
        row = await Network.select().where(Network.slug == slug).first()
        if row:
            return NetworkRef(row["id"], row["slug"], row["name"], row["coordinating_municipality"])
    raise NotFoundException("Dit netwerk bestaat niet of u bent er geen lid van.")
