"""Payment requests: the region officer asks, the coordinator decides."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ledger.books.booking import LedgerRefused
from ledger.books.tables import PaymentRequestState
from ledger.projects import payment_requests as requests
from ledger.projects.instalments import CONDITION_LABELS, open_instalments
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.lib.forms import TooLong, text
from portal.lib.money import format_euros
from portal.lib.refusals import form_errors
from proposals.queries import region_names

COORDINATOR = allow(Role.coordinator)
OFFICER = allow(Role.region_officer)
READERS = allow(Role.coordinator, Role.region_officer, Role.auditor)


class PaymentRequestController(Controller):
    path = "/n/{network:str}/betaalverzoeken"

    @get("/", name="ledger:payment_requests", opt=READERS)
    async def index(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template:
        return await self._list(request, principal, network_ref, {}, {})

    @get("/nieuw", name="ledger:payment_request_new", opt=OFFICER)
    async def new(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template:
        return await self._form(request, principal, network_ref, {}, {})

    @post("/nieuw", name="ledger:payment_request_create", opt=OFFICER)
    async def create(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template | Redirect:
        form = await request.form()
        projects = await requests.requestable_projects(principal, network_ref.id)
        open_ones = await open_instalments([p["id"] for p in projects])
        data, errors = requests.parse_request(
            form, {p["id"] for p in projects}, {i["id"]: i for i in open_ones}
        )
        if data is not None:
            try:
                await requests.request_payment(principal, network_ref.id, data)
            except LedgerRefused as refusal:
                errors = {"form": str(refusal)}
            else:
                return redirect(
                    request,
                    url(request, "ledger:payment_requests"),
                    f"Uw verzoek om {format_euros(data.amount_cents)} is verstuurd naar de "
                    "coördinator.",
                )
        return await self._form(request, principal, network_ref, dict(form.items()), errors, 422)

    @post("/{request_id:int}/beoordelen", name="ledger:payment_request_decide", opt=COORDINATOR)
    async def decide(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        request_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        try:
            state = await requests.decide(
                principal,
                network_ref.id,
                request_id,
                text(form, "decision"),
                text(form, "document_reference", 200),
                text(form, "note", 2_000),
            )
        except (LedgerRefused, TooLong) as refusal:
            return await self._list(
                request,
                principal,
                network_ref,
                {**dict(form.items()), "request_id": str(request_id)},
                form_errors(refusal),
                422,
            )
        message = (
            "Het verzoek is goedgekeurd en de betaling is geboekt."
            if state == PaymentRequestState.approved
            else "Het verzoek is afgewezen; de regio krijgt de reden per e-mail."
        )
        return redirect(request, url(request, "ledger:payment_requests"), message)

    async def _list(
        self,
        request: Request,
        principal: Principal,
        network_ref: NetworkRef,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        regions = await region_names(network_ref.id)
        return render(
            request,
            "ledger/payment_requests.html",
            status_code=status_code,
            rows=await requests.requests_of(
                network_ref.id, requests.scope_of(principal, network_ref.id)
            ),
            regions=regions,
            kinds=requests.KIND_LABELS,
            states=requests.STATE_LABELS,
            may_decide=principal.has_role(network_ref.id, Role.coordinator),
            may_ask=principal.has_role(network_ref.id, Role.region_officer),
            approve=requests.APPROVE,
            refuse=requests.REFUSE,
            values=values,
            errors=errors,
        )

    async def _form(
        self,
        request: Request,
        principal: Principal,
        network_ref: NetworkRef,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        projects = await requests.requestable_projects(principal, network_ref.id)
        open_ones = await open_instalments([p["id"] for p in projects])
        return render(
            request,
            "ledger/payment_request_new.html",
            status_code=status_code,
            projects=[(str(p["id"]), f"{p['title']} ({p['year']})") for p in projects],
            instalments=[
                (
                    str(i["id"]),
                    f"{i['project_title']}: termijn {i['number']}, {i['description']} "
                    f"({format_euros(i['amount_cents'])}, {CONDITION_LABELS[i['condition']]})",
                )
                for i in open_ones
            ],
            kinds=list(requests.KIND_LABELS.items()),
            values=values,
            errors=errors,
        )
