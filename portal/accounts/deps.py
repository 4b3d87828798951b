"""What a handler takes from the request, as Litestar dependencies: the person asking and the
network of the path. Both were settled by the guard (`guards.enforce_access`) before the handler
runs, so a handler that names `principal` or `network_ref` gets a checked value and never reads
`request.state` or `request.user` itself."""

from __future__ import annotations

from litestar import Request
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException, NotFoundException

from portal.accounts.principal import NetworkRef, Principal

# The path's own parameter is called `network` (the slug, as url_for takes it); Litestar does
# not let a dependency share a path parameter's name, hence `network_ref`.
NETWORK_KEY = "network_ref"
PRINCIPAL_KEY = "principal"


def provide_principal(request: Request) -> Principal:
    principal = request.scope.get("user")
    if not isinstance(principal, Principal):
        # Only a public route can get here without a person, and a public route has none to ask.
        raise NotAuthorizedException("Log in om verder te gaan.")
    return principal


def provide_network(request: Request) -> NetworkRef:
    network = request.state.get("network")
    if not isinstance(network, NetworkRef):
        # A handler that asks for the network lives under /n/{network}/, where the guard has
        # resolved it; a route elsewhere that asks has no network to show.
        raise NotFoundException("Dit netwerk bestaat niet of u bent er geen lid van.")
    return network


DEPENDENCIES = {
    PRINCIPAL_KEY: Provide(provide_principal, sync_to_thread=False),
    NETWORK_KEY: Provide(provide_network, sync_to_thread=False),
}
