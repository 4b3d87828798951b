"""The start pages, the account page and the health check."""

from __future__ import annotations

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal.accounts import login as accounts
from portal.accounts import worklist
from portal.accounts.guards import LOGGED_IN, PUBLIC
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import ROLE_LABELS, NetworkRef, Principal
from portal.accounts.queries import coordinators_query
from portal.accounts.sessions import SESSION_COOKIE
from portal.accounts.tables import Role
from portal.lib import clock, db
from portal.lib.links import links_of
from portal.lib.together import Batch


def start_page(request: Request, principal: Principal) -> str:
    networks = principal.networks()
    if len(networks) == 1:
        return url(request, "portal:network", network=networks[0].slug)
    if not networks and principal.is_superadmin:
        return url(request, "admin:index")
    return url(request, "portal:networks")


class HomeController(Controller):
    path = ""

    @get("/", name="portal:index", opt=PUBLIC)
    async def index(self, request: Request) -> Redirect:
        if request.user is None:
            return Redirect(path=url(request, "accounts:login"), status_code=303)
        return Redirect(path=start_page(request, request.user), status_code=303)

    @get("/netwerken", name="portal:networks", opt=LOGGED_IN)
    async def choose_network(self, request: Request) -> Template:
        return render(request, "portal/networks.html", networks=request.user.networks())

    @get("/n/{network:str}", name="portal:network", opt=LOGGED_IN)
    async def network_start(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template:
        """What waits for the person now, per role they hold here, from every domain's work
        list (`portal/accounts/worklist.py`), and what they did last, each line linked."""
        memberships = [m for m in principal.memberships if m.network_id == network_ref.id]
        # Every domain's lists, the contact line and the recent activity read together: each
        # round of their reads is one statement (portal.lib.together.Batch).
        batch = Batch()
        ctx = worklist.WorkContext(
            principal, network_ref, clock.now(), links_of(request.app), batch
        )
        roles = principal.roles_in(network_ref.id)

        async def contacts() -> list[dict]:
            # The contact line names the network's coordinators: not for a coordinator herself.
            if Role.coordinator in roles:
                return []
            return await ctx.read(coordinators_query(network_ref.id))

        async def work() -> dict:
            return await worklist.work_for(ctx)

        async def recent() -> list:
            return await worklist.recent_activity(ctx)

        work_lists, coordinators, activity = await batch.gather(work(), contacts(), recent())
        return render(
            request,
            "portal/start.html",
            memberships=memberships,
            roles={r.value for r in roles},
            work=work_lists,
            role_labels=ROLE_LABELS,
            coordinators=coordinators,
            recent=activity,
        )

    @get("/account", name="accounts:account", opt=LOGGED_IN)
    async def account(self, request: Request) -> Template:
        return render(request, "portal/account.html", errors={})

    @post("/account/wachtwoord", name="accounts:change_password", opt=LOGGED_IN)
    async def change_password(self, request: Request) -> Template | Redirect:
        form = await request.form()
        errors = await accounts.change_password(
            request.user.user_id,
            str(form.get("current_password", "")),
            str(form.get("password", "")),
            str(form.get("password_repeat", "")),
            keep_token=request.cookies.get(SESSION_COOKIE),
        )
        if errors:
            return render(request, "portal/account.html", status_code=422, errors=errors)
        return redirect(request, url(request, "accounts:account"), "Uw wachtwoord is gewijzigd.")

    @get("/healthz", name="portal:healthz", opt=PUBLIC, media_type=MediaType.JSON)
    async def healthz(self) -> Response[dict[str, str]]:
        healthy = await db.ping()
        return Response(
            {
                "status": "ok" if healthy else "fout",
                "database": "bereikbaar" if healthy else "onbereikbaar",
            },
            status_code=200 if healthy else 503,
        )

    @get("/{path:path}", name="portal:not_found", opt=PUBLIC, include_in_schema=False)
    async def not_found(self, request: Request, path: FromPath[str]) -> None:
        # Litestar answers an unknown address before any middleware runs, so its 404 page would
        # not know who is logged in (no menu, an "Inloggen" link). Every address no other route
        # takes lands here instead, after the session middleware.
        raise NotFoundException()
