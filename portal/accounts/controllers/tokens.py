"""The coordinator's page "API-sleutels": make and revoke personal keys to the read-only API.

A key reaches every network in which its owner is coordinator, so the page lists the same keys
in each of them. A new key's secret is shown once, in the response to the form that made it:
never through a redirect, whose flash cookie would carry it. Since that response is not a
redirect, a refresh posts the form again; the form's nonce makes that harmless.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal.accounts.api_tokens import (
    TokenAlreadyMade,
    TokenRefused,
    create_token,
    revoke_token,
    tokens_of,
)
from portal.accounts.deps import provide_principal
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import Principal
from portal.accounts.tables import Role
from portal.lib.forms import text
from portal.lib.tokens import new_token

COORDINATOR = allow(Role.coordinator)


class ApiTokenController(Controller):
    path = "/n/{network:str}/api-sleutels"

    async def _page(
        self,
        request: Request,
        *,
        errors: dict | None = None,
        values: dict | None = None,
        new_secret: str | None = None,
        notice: str | None = None,
        status_code: int = 200,
    ) -> Template:
        page = render(
            request,
            "portal/tokens.html",
            status_code=status_code,
            tokens=await tokens_of(provide_principal(request).user_id),
            networks=[
                n
                for n in provide_principal(request).networks()
                if provide_principal(request).has_role(n.id, Role.coordinator)
            ],
            base_url=request.app.state.settings.base_url.rstrip("/"),
            api_docs=api_docs_path(request),
            errors=errors or {},
            values=values or {},
            new_secret=new_secret,
            notice=notice,
            form_nonce=new_token(),
        )
        # The page may show a secret: no copy of it in any cache.
        page.headers["Cache-Control"] = "no-store"
        return page

    @get("/", name="accounts:tokens", opt=COORDINATOR)
    async def index(self, request: Request) -> Template:
        return await self._page(request)

    @post("/", name="accounts:token_create", opt=COORDINATOR)
    async def create(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        form = await request.form()
        errors: dict[str, str] = {}
        name = text(form, "name", 200, errors)
        if errors:
            return await self._page(request, errors=errors, values={"name": name}, status_code=422)
        try:
            _, secret = await create_token(
                principal.user_id,
                name,
                actor_id=principal.user_id,
                form_nonce=text(form, "nonce"),
            )
        except TokenAlreadyMade as made:
            return await self._page(request, notice=str(made), status_code=409)
        except TokenRefused as refused:
            return await self._page(
                request, errors={"name": str(refused)}, values={"name": name}, status_code=422
            )
        return await self._page(request, new_secret=secret)

    @post("/{token_id:int}/intrekken", name="accounts:token_revoke", opt=COORDINATOR)
    async def revoke(
        self, request: Request, principal: NamedDependency[Principal], token_id: FromPath[int]
    ) -> Redirect:
        back = url(request, "accounts:tokens")
        if not await revoke_token(principal.user_id, token_id, actor_id=principal.user_id):
            return redirect(
                request, back, "Deze API-sleutel bestaat niet of is al ingetrokken.", "error"
            )
        return redirect(request, back, "De API-sleutel is ingetrokken; hij werkt niet meer.")


def api_docs_path(request: Request) -> str:
    """Where the API's documentation is: Litestar's own OpenAPI router, whose handlers have no
    name to reverse, so its path comes from the configuration (portal/api.openapi_config)."""
    config = request.app.openapi_config
    return (config.path if config is not None else None) or ""
