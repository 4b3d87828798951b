"""Changes after award: the region officer asks, the coordinator decides, both read the letter."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ledger.books import queries
from ledger.books.booking import LedgerRefused
from ledger.books.tables import PaymentRequestState
from ledger.projects import changes
from ledger.projects import letters as ledger_letters
from ledger.projects.payment_requests import CHANGE_STATE_LABELS, scope_of
from portal.accounts import letters as account_letters
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.lib.db import required, write_transaction
from portal.lib.downloads import download
from portal.lib.forms import TooLong, text
from portal.lib.refusals import form_errors
from proposals.queries import region_names

COORDINATOR = allow(Role.coordinator)
OFFICER = allow(Role.region_officer)
READERS = allow(Role.coordinator, Role.region_officer, Role.auditor)


class ChangeController(Controller):
    path = "/n/{network:str}/wijzigingen"

    @get("/", name="ledger:changes", opt=READERS)
    async def index(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template:
        return await self._list(request, principal, network_ref, {}, {})

    @get("/nieuw", name="ledger:change_new", opt=OFFICER)
    async def new(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template:
        return await self._form(request, principal, network_ref, {}, {})

    @post("/nieuw", name="ledger:change_create", opt=OFFICER)
    async def create(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template | Redirect:
        form = await request.form()
        data, errors = changes.parse_change(
            form, await changes.changeable_projects(principal, network_ref.id)
        )
        if data is not None:
            try:
                await changes.request_change(principal, network_ref.id, data)
            except LedgerRefused as refusal:
                errors = {"form": str(refusal)}
            else:
                return redirect(
                    request,
                    url(request, "ledger:changes"),
                    "Uw wijzigingsverzoek is verstuurd naar de coördinator.",
                )
        return await self._form(request, principal, network_ref, dict(form.items()), errors, 422)

    @post("/{change_id:int}/beslissen", name="ledger:change_decide", opt=COORDINATOR)
    async def decide(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        change_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        try:
            state = await changes.decide(
                principal,
                network_ref.id,
                change_id,
                text(form, "decision"),
                text(form, "decision_reference", 200),
                text(form, "note", 2_000),
            )
        except (LedgerRefused, TooLong) as refusal:
            return await self._list(
                request,
                principal,
                network_ref,
                {**dict(form.items()), "change_id": str(change_id)},
                form_errors(refusal),
                422,
            )
        if state == PaymentRequestState.approved:
            return redirect(
                request,
                url(request, "ledger:change_letter", change_id=change_id),
                "De wijziging is toegekend en geboekt; dit is de wijzigingsbeschikking.",
            )
        return redirect(
            request,
            url(request, "ledger:changes"),
            "Het verzoek is afgewezen; de regio krijgt de reden per e-mail.",
        )

    @get("/{change_id:int}/beschikking", name="ledger:change_letter", opt=READERS)
    async def letter(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        change_id: FromPath[int],
    ) -> Template:
        change, letter = await self._letter(principal, network_ref, change_id)
        return render(request, "ledger/change_letter.html", change=change, letter=letter)

    @get("/{change_id:int}/beschikking.pdf", name="ledger:change_letter_pdf", opt=READERS)
    async def letter_pdf(
        self,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        change_id: FromPath[int],
    ) -> Response:
        _, letter = await self._letter(principal, network_ref, change_id)
        pdf = await account_letters.pdf_of(letter["id"])
        return download(pdf, f"{letter['subject']}.pdf", "application/pdf")

    async def _letter(
        self, principal: Principal, network_ref: NetworkRef, change_id: int
    ) -> tuple[dict, dict]:
        change = await changes.change_row(network_ref.id, change_id)
        scope = scope_of(principal, network_ref.id)
        if (
            change is None
            or change["state"] != PaymentRequestState.approved
            or (scope is not None and change["region_id"] not in scope)
        ):
            raise NotFoundException("Deze wijzigingsbeschikking bestaat niet.")
        letter = await account_letters.latest(network_ref.id, ledger_letters.CHANGE, change_id)
        if letter is None:
            # A change approved before letters were kept: made now, once, and kept.
            project = required(await queries.project_row(network_ref.id, change["project"]))
            async with write_transaction():
                await ledger_letters.freeze_change(project, change, "")
            letter = required(
                await account_letters.latest(network_ref.id, ledger_letters.CHANGE, change_id)
            )
        return change, letter

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
            "ledger/changes.html",
            status_code=status_code,
            rows=await changes.changes_of(network_ref.id, scope_of(principal, network_ref.id)),
            regions=regions,
            kinds=changes.KIND_LABELS,
            states=CHANGE_STATE_LABELS,
            may_decide=principal.has_role(network_ref.id, Role.coordinator),
            may_ask=principal.has_role(network_ref.id, Role.region_officer),
            approve=changes.APPROVE,
            refuse=changes.REFUSE,
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
        projects = await changes.changeable_projects(principal, network_ref.id)
        return render(
            request,
            "ledger/change_new.html",
            status_code=status_code,
            projects=[(str(k), p["title"]) for k, p in projects.items()],
            kinds=list(changes.KIND_LABELS.items()),
            values=values,
            errors=errors,
        )
