"""A budget year's deadlines: until when its money may be spent, and recording that its SiSa
accountability went to the state."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from ledger.books.booking import LedgerRefused
from ledger.projects import sisa
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.forms import TooLong, parse_date, text


class SisaController(Controller):
    path = "/n/{network:str}/begroting/{year_id:int}"

    @post("/besteden-tot", name="ledger:spend_until", opt=allow(Role.coordinator))
    async def spend_until(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        year_id: FromPath[int],
    ) -> Redirect:
        form = await request.form()
        back = url(request, "ledger:year", year_id=year_id)
        raw = text(form, "spend_until")
        try:
            day = parse_date(raw) if raw else None
        except ValueError:
            day = None
        if day is None:
            return redirect(request, back, "Vul de datum in, bijvoorbeeld 30-6-2022.", "error")
        try:
            await sisa.set_spend_until(principal, network_ref.id, year_id, day)
        except LedgerRefused as refusal:
            return redirect(request, back, str(refusal), "error")
        return redirect(request, back, "De bestedingstermijn is vastgelegd.")

    @post("/sisa", name="ledger:sisa_submitted", opt=allow(Role.coordinator))
    async def submitted(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        year_id: FromPath[int],
    ) -> Redirect:
        form = await request.form()
        back = f"{url(request, 'ledger:reports')}#sisa"
        raw = text(form, "submitted_on")
        try:
            submitted_on = parse_date(raw) if raw else None
        except ValueError:
            submitted_on = None
        if submitted_on is None or submitted_on > clock.now().date():
            return redirect(
                request,
                back,
                "Vul de datum in waarop de SiSa is ingediend (niet in de toekomst).",
                "error",
            )
        try:
            await sisa.mark_submitted(
                principal, network_ref.id, year_id, submitted_on, text(form, "reference", 200)
            )
        except (LedgerRefused, TooLong) as refusal:
            return redirect(request, back, str(refusal), "error")
        return redirect(request, back, "De SiSa-verantwoording is als ingediend vastgelegd.")
