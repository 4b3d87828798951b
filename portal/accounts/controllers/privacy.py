"""The beheerder's privacy pages: the retention periods (Beheer → Bewaartermijnen) and erasing
a person from the user's page."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal.accounts import queries
from portal.accounts.controllers.admin import ADMIN, user_page
from portal.accounts.erasure import REASON_MAX_LENGTH, erase_person
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.retention import KINDS, RetentionKind, parse_months
from portal.accounts.retention_services import periods, set_periods
from portal.accounts.services import OutOfScope
from portal.lib.forms import text
from portal.lib.refusals import Refused, form_errors

ONLY_THE_PORTALS_ADMIN = "Alleen de beheerder van het portaal stelt de bewaartermijnen in."


class RetentionController(Controller):
    path = "/beheer/bewaartermijnen"

    @get("/", name="admin:retention", opt=ADMIN)
    async def page(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        self._portals_admin(principal)
        current = await periods()
        return await self._page(request, {k.value: str(v) for k, v in current.items()}, {})

    @post("/", name="admin:retention_save", opt=ADMIN)
    async def save(
        self, request: Request, principal: NamedDependency[Principal]
    ) -> Template | Redirect:
        self._portals_admin(principal)
        form = await request.form()
        values = {kind.value: text(form, kind.value) for kind in KINDS}
        errors: dict[str, str] = {}
        months: dict[RetentionKind, int] = {}
        for kind in KINDS:
            parsed, problem = parse_months(values[kind.value])
            if problem or parsed is None:
                errors[kind.value] = problem or ""
            else:
                months[kind] = parsed
        if errors:
            return await self._page(request, values, errors, 422)
        changed = await set_periods(principal, months)
        message = (
            "De bewaartermijnen zijn opgeslagen."
            if changed
            else "Er is niets veranderd aan de bewaartermijnen."
        )
        return redirect(request, url(request, "admin:retention"), message)

    async def _page(
        self, request: Request, values: dict[str, str], errors: dict[str, str], status: int = 200
    ) -> Template:
        return render(
            request,
            "portal/admin/retention.html",
            status_code=status,
            kinds=[(kind.value, info) for kind, info in KINDS.items()],
            labels={kind.value: info.label for kind, info in KINDS.items()},
            values=values,
            errors=errors,
        )

    @staticmethod
    def _portals_admin(principal: Principal) -> None:
        # The periods hold for every network, as the SiSa wording does.
        if not principal.is_superadmin:
            raise PermissionDeniedException(ONLY_THE_PORTALS_ADMIN)


class ErasureController(Controller):
    path = "/beheer/{network:str}/gebruikers/{user_id:int}"

    @post("/wissen", name="admin:user_erase", opt=ADMIN)
    async def erase(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        user_id: FromPath[int],
    ) -> Template | Redirect:
        if await queries.user_in_network(network_ref.id, user_id) is None:
            raise NotFoundException("Deze gebruiker bestaat niet in dit netwerk.")
        if user_id == principal.user_id:  # the page offers no erasure of oneself
            return redirect(
                request,
                url(request, "admin:user", user_id=user_id),
                "U kunt uzelf niet wissen.",
                "error",
            )
        form = await request.form()
        errors: dict[str, str] = {}
        reason = text(form, "reason", REASON_MAX_LENGTH, errors)
        if not errors:
            try:
                await erase_person(principal, network_ref.id, user_id, reason)
            except OutOfScope as refusal:
                errors = {"form": str(refusal)}
            except Refused as refusal:
                errors = form_errors(refusal)
        if errors:
            return await user_page(
                request, user_id, {"reason": reason}, {}, 422, erase_errors=errors
            )
        return redirect(
            request,
            url(request, "admin:users"),
            f"De persoon is gewist; het account heet nu 'Gewiste gebruiker {user_id}'.",
        )
