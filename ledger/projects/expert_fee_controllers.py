"""The coordinator's pages of the expert-fee scheme (vacatiegeldregeling): its hourly rate,
the claims, and paying the open ones as a batch."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ledger.books.booking import LedgerRefused
from ledger.projects import expert_fees
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.forms import TooLong, text
from portal.lib.money import format_euros

COORDINATOR = allow(Role.coordinator)
READERS = allow(Role.coordinator, Role.auditor)


class ExpertFeeController(Controller):
    path = "/n/{network:str}/begroting/projecten/{project_id:int}/vacatiegeld"

    @get("/", name="ledger:fees", opt=READERS)
    async def page(
        self, request: Request, network_ref: NamedDependency[NetworkRef], project_id: FromPath[int]
    ) -> Template:
        return await self._page(request, network_ref, project_id, {}, {})

    @post("/tarief", name="ledger:fee_rate", opt=COORDINATOR)
    async def rate(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        project_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        rate, errors = expert_fees.parse_rate(form)
        if rate is not None:
            try:
                await expert_fees.set_rate(principal, network_ref.id, project_id, rate)
            except LedgerRefused as refusal:
                errors = {"fee_rate": str(refusal)}
            else:
                return self._done(request, project_id, f"Het uurtarief is {format_euros(rate)}.")
        return await self._page(request, network_ref, project_id, dict(form.items()), errors, 422)

    @post("/declaraties", name="ledger:fee_claim", opt=COORDINATOR)
    async def claim(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        project_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        claim, errors = expert_fees.parse_claim(form, clock.now().date())
        if claim is not None:
            try:
                await expert_fees.add_claim(principal, network_ref.id, project_id, claim)
            except LedgerRefused as refusal:
                errors = {"claim": str(refusal)}
            else:
                return self._done(
                    request, project_id, f"De declaratie van {claim.expert_name} is vastgelegd."
                )
        return await self._page(request, network_ref, project_id, dict(form.items()), errors, 422)

    @post("/uitbetalen", name="ledger:fee_pay", opt=COORDINATOR)
    async def pay(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        project_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        try:
            count, total = await expert_fees.pay_open_claims(
                principal, network_ref.id, project_id, text(form, "document_reference", 200)
            )
        except (LedgerRefused, TooLong) as refusal:
            return await self._page(
                request,
                network_ref,
                project_id,
                dict(form.items()),
                {"document_reference": str(refusal)},
                422,
            )
        return self._done(
            request, project_id, f"{count} declaratie(s) betaald: {format_euros(total)}."
        )

    def _done(self, request: Request, project_id: int, message: str) -> Redirect:
        return redirect(request, url(request, "ledger:fees", project_id=project_id), message)

    async def _page(
        self,
        request: Request,
        network_ref: NetworkRef,
        project_id: int,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        scheme = await expert_fees.scheme(network_ref.id, project_id)
        if scheme is None:
            raise NotFoundException("Dit project is geen vacatiegeldregeling van dit netwerk.")
        claims = await expert_fees.claims_of(project_id)
        figures = await expert_fees.figures_of(scheme)
        claimed = sum(c["amount_cents"] for c in claims)
        return render(
            request,
            "ledger/expert_fees.html",
            status_code=status_code,
            scheme=scheme,
            claims=claims,
            committed=figures.committed,
            claimed=claimed,
            open_total=expert_fees.open_total(claims),
            room=figures.committed - claimed,
            format_hours=expert_fees.format_hours,
            values=values,
            errors=errors,
        )
