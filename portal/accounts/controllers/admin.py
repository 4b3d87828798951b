"""Pages of the beheerder: networks, regions, organisations, users and their roles."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from portal.accounts import queries, services
from portal.accounts.deps import provide_network, provide_principal
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.panel import kind_names
from portal.accounts.principal import ROLE_LABELS, NetworkRef, Principal
from portal.accounts.rules import (
    ORGANISATION_KIND_LABELS,
    format_basis_points,
    reserve_percentage_problem,
)
from portal.accounts.tables import GRANT_BOOKING_LABELS, GrantBooking, Network, Role
from portal.lib.db import required
from portal.lib.forms import optional_id, page_number, query_int, text

ADMIN = allow(Role.admin)
ROLE_OPTIONS = [(r.value, label) for r, label in ROLE_LABELS.items()]
KIND_OPTIONS = list(ORGANISATION_KIND_LABELS.items())


def _network_input(form) -> tuple[services.NetworkInput, dict[str, str]]:
    errors: dict[str, str] = {}
    unforeseen, problem = reserve_percentage_problem(text(form, "unforeseen_reserve"))
    if problem:
        errors["unforeseen_reserve"] = problem
    themes, problem = reserve_percentage_problem(text(form, "themes_reserve"))
    if problem:
        errors["themes_reserve"] = problem
    booking = text(form, "grant_booking") or GrantBooking.per_year
    if booking not in GRANT_BOOKING_LABELS:
        errors["grant_booking"] = "Kies hoe meerjarige toekenningen worden geboekt."
        booking = GrantBooking.per_year
    data = services.NetworkInput(
        name=text(form, "name", 200, errors),
        slug=text(form, "slug", 60, errors),
        coordinating_municipality=text(form, "coordinating_municipality", 200, errors),
        unforeseen_reserve_bp=unforeseen or 0,
        themes_reserve_bp=themes or 0,
        grant_booking=GrantBooking(booking),
    )
    return data, errors


def _network_values(row: dict | None) -> dict[str, str]:
    if row is None:
        return {
            "name": "",
            "slug": "",
            "coordinating_municipality": "",
            "unforeseen_reserve": "10",
            "themes_reserve": "10",
            "grant_booking": GrantBooking.per_year,
        }
    return {
        "name": row["name"],
        "slug": row["slug"],
        "coordinating_municipality": row["coordinating_municipality"],
        "unforeseen_reserve": format_basis_points(row["unforeseen_reserve_bp"]),
        "themes_reserve": format_basis_points(row["themes_reserve_bp"]),
        "grant_booking": row["grant_booking"],
    }


async def membership_options(request: Request) -> dict:
    ref = provide_network(request)
    regions = await queries.regions_of(ref.id)
    organisations = await queries.organisations_of(ref.id)
    return {
        "role_options": ROLE_OPTIONS,
        "reviewer_kind_options": list(kind_names(await queries.network_panel(ref.id)).items()),
        "region_options": [(str(r["id"]), r["name"]) for r in regions],
        "organisation_options": [(str(o["id"]), o["name"]) for o in organisations],
    }


async def user_page(
    request: Request,
    user_id: int,
    values: dict,
    errors: dict,
    status_code: int = 200,
    erase_errors: dict | None = None,
) -> Template:
    """A user's page in the network of the path; the roles' and the erasure's forms post here
    and come back to it with what was typed."""
    user = await queries.user_in_network(provide_network(request).id, user_id)
    if user is None:
        raise NotFoundException("Deze gebruiker bestaat niet in dit netwerk.")
    return render(
        request,
        "portal/admin/user.html",
        status_code=status_code,
        user=user,
        values=values,
        errors=errors,
        erase_errors=erase_errors or {},
        **await membership_options(request),
    )


class AdminController(Controller):
    path = "/beheer"

    @get("/", name="admin:index", opt=ADMIN)
    async def index(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        if principal.is_superadmin:
            networks = await Network.select().order_by(Network.name)
        else:
            ids = [n.id for n in principal.networks() if principal.administers(n.id)]
            networks = (
                await Network.select().where(Network.id.is_in(ids or [0])).order_by(Network.name)
            )
        return render(request, "portal/admin/index.html", networks=networks)

    @get("/netwerken/nieuw", name="admin:network_new", opt=ADMIN)
    async def new_network_form(self, request: Request) -> Template:
        self._superadmin_only(request)
        return render(
            request,
            "portal/admin/network_form.html",
            values=_network_values(None),
            errors={},
            network=None,
        )

    @post("/netwerken/nieuw", name="admin:network_create", opt=ADMIN)
    async def create_network(
        self, request: Request, principal: NamedDependency[Principal]
    ) -> Template | Redirect:
        self._superadmin_only(request)
        form = await request.form()
        data, errors = _network_input(form)
        network_id = None
        if not errors:
            network_id, errors = await services.save_network(principal, data)
        if errors:
            return render(
                request,
                "portal/admin/network_form.html",
                status_code=422,
                values=dict(form.items()),
                errors=errors,
                network=None,
            )
        row = required(await queries.network_row(network_id or 0))
        return redirect(
            request,
            url(request, "admin:network", network=row["slug"]),
            f"Netwerk {row['name']} is aangemaakt.",
        )

    @get("/{network:str}", name="admin:network", opt=ADMIN)
    async def network(self, request: Request, network_ref: NamedDependency[NetworkRef]) -> Template:
        ref = network_ref
        return render(
            request,
            "portal/admin/network.html",
            network=await queries.network_row(ref.id),
            regions=await queries.regions_of(ref.id),
            organisations=await queries.organisations_of(ref.id),
            kind_labels=ORGANISATION_KIND_LABELS,
            user_count=len(await queries.users_of(ref.id)),
        )

    @get("/{network:str}/instellingen", name="admin:network_settings", opt=ADMIN)
    async def network_form(
        self, request: Request, network_ref: NamedDependency[NetworkRef]
    ) -> Template:
        row = await queries.network_row(network_ref.id)
        return render(
            request,
            "portal/admin/network_form.html",
            values=_network_values(row),
            errors={},
            network=row,
        )

    @post("/{network:str}/instellingen", name="admin:network_update", opt=ADMIN)
    async def update_network(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template | Redirect:
        ref = network_ref
        form = await request.form()
        data, errors = _network_input(form)
        if not errors:
            _, errors = await services.save_network(principal, data, ref.id)
        if errors:
            return render(
                request,
                "portal/admin/network_form.html",
                status_code=422,
                values=dict(form.items()),
                errors=errors,
                network=await queries.network_row(ref.id),
            )
        row = required(await queries.network_row(ref.id))
        return redirect(
            request,
            # The slug as it is now: the form may have changed it.
            url(request, "admin:network", network=row["slug"]),
            "De instellingen zijn opgeslagen.",
        )

    @get("/{network:str}/regios/nieuw", name="admin:region_new", opt=ADMIN)
    async def new_region_form(self, request: Request) -> Template:
        return render(
            request, "portal/admin/region_form.html", values={"name": ""}, errors={}, region=None
        )

    @post("/{network:str}/regios/nieuw", name="admin:region_create", opt=ADMIN)
    async def create_region(self, request: Request) -> Template | Redirect:
        return await self._save_region(request, None)

    @get("/{network:str}/regios/{region_id:int}", name="admin:region", opt=ADMIN)
    async def region_form(
        self, request: Request, network_ref: NamedDependency[NetworkRef], region_id: FromPath[int]
    ) -> Template:
        region = self._find(await queries.regions_of(network_ref.id), region_id)
        return render(
            request,
            "portal/admin/region_form.html",
            values={"name": region["name"]},
            errors={},
            region=region,
        )

    @post("/{network:str}/regios/{region_id:int}", name="admin:region_update", opt=ADMIN)
    async def update_region(
        self, request: Request, network_ref: NamedDependency[NetworkRef], region_id: FromPath[int]
    ) -> Template | Redirect:
        self._find(await queries.regions_of(network_ref.id), region_id)
        return await self._save_region(request, region_id)

    async def _save_region(self, request: Request, region_id: int | None) -> Template | Redirect:
        ref = provide_network(request)
        form = await request.form()
        errors: dict[str, str] = {}
        name = text(form, "name", 200, errors)
        if not errors:
            _, errors = await services.save_region(
                provide_principal(request), ref.id, name, region_id
            )
        if errors:
            return render(
                request,
                "portal/admin/region_form.html",
                status_code=422,
                values={"name": name},
                errors=errors,
                region={"id": region_id} if region_id else None,
            )
        return redirect(request, url(request, "admin:network"), "De regio is opgeslagen.")

    @get("/{network:str}/organisaties/nieuw", name="admin:organisation_new", opt=ADMIN)
    async def new_organisation_form(self, request: Request) -> Template:
        return await self._organisation_page(
            request, {"name": "", "kind": "", "region": ""}, {}, None
        )

    @post("/{network:str}/organisaties/nieuw", name="admin:organisation_create", opt=ADMIN)
    async def create_organisation(self, request: Request) -> Template | Redirect:
        return await self._save_organisation(request, None)

    @get("/{network:str}/organisaties/{organisation_id:int}", name="admin:organisation", opt=ADMIN)
    async def organisation_form(
        self,
        request: Request,
        network_ref: NamedDependency[NetworkRef],
        organisation_id: FromPath[int],
    ) -> Template:
        row = self._find(await queries.organisations_of(network_ref.id), organisation_id)
        values = {"name": row["name"], "kind": row["kind"], "region": str(row["region"] or "")}
        return await self._organisation_page(request, values, {}, row)

    @post(
        "/{network:str}/organisaties/{organisation_id:int}",
        name="admin:organisation_update",
        opt=ADMIN,
    )
    async def update_organisation(
        self,
        request: Request,
        network_ref: NamedDependency[NetworkRef],
        organisation_id: FromPath[int],
    ) -> Template | Redirect:
        self._find(await queries.organisations_of(network_ref.id), organisation_id)
        return await self._save_organisation(request, organisation_id)

    async def _organisation_page(
        self,
        request: Request,
        values: dict,
        errors: dict,
        organisation: dict | None,
        status_code: int = 200,
    ) -> Template:
        regions = await queries.regions_of(provide_network(request).id)
        return render(
            request,
            "portal/admin/organisation_form.html",
            status_code=status_code,
            values=values,
            errors=errors,
            organisation=organisation,
            kind_options=KIND_OPTIONS,
            region_options=[(str(r["id"]), r["name"]) for r in regions],
        )

    async def _save_organisation(
        self, request: Request, organisation_id: int | None
    ) -> Template | Redirect:
        ref = provide_network(request)
        form = await request.form()
        errors: dict[str, str] = {}
        name = text(form, "name", 200, errors)
        if not errors:
            _, errors = await services.save_organisation(
                provide_principal(request),
                ref.id,
                name,
                text(form, "kind"),
                optional_id(form, "region"),
                organisation_id,
            )
        if errors:
            return await self._organisation_page(
                request,
                dict(form.items()),
                errors,
                {"id": organisation_id} if organisation_id else None,
                422,
            )
        return redirect(request, url(request, "admin:network"), "De organisatie is opgeslagen.")

    @get("/{network:str}/gebruikers", name="admin:users", opt=ADMIN)
    async def users(self, request: Request, network_ref: NamedDependency[NetworkRef]) -> Template:
        return render(
            request,
            "portal/admin/users.html",
            users=await queries.users_of(network_ref.id),
            role_labels={r.value: label for r, label in ROLE_LABELS.items()},
            kind_labels=kind_names(await queries.network_panel(network_ref.id)),
        )

    @get("/{network:str}/gebruikers/uitnodigen", name="admin:invite", opt=ADMIN)
    async def invite_form(self, request: Request) -> Template:
        return await self._invite_page(request, {}, {})

    @post("/{network:str}/gebruikers/uitnodigen", name="admin:invite_send", opt=ADMIN)
    async def invite(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template | Redirect:
        ref = network_ref
        form = await request.form()
        errors: dict[str, str] = {}
        email, name = text(form, "email", 254, errors), text(form, "name", 200, errors)
        user_id = None
        if not errors:
            user_id, errors = await services.invite_user(
                principal,
                {"id": ref.id, "name": ref.name},
                email,
                name,
                self._membership_input(form),
                request.app.state.settings,
            )
        if errors:
            return await self._invite_page(request, dict(form.items()), errors, 422)
        return redirect(
            request,
            url(request, "admin:user", user_id=user_id),
            f"{name} is uitgenodigd; de e-mail staat klaar.",
        )

    async def _invite_page(
        self, request: Request, values: dict, errors: dict, status_code: int = 200
    ) -> Template:
        return render(
            request,
            "portal/admin/invite.html",
            status_code=status_code,
            values=values,
            errors=errors,
            **await membership_options(request),
        )

    @staticmethod
    def _membership_input(form) -> services.MembershipInput:
        return services.MembershipInput(
            role=text(form, "role"),
            reviewer_kind=text(form, "reviewer_kind"),
            region_id=optional_id(form, "region"),
            organisation_id=optional_id(form, "organisation"),
        )

    @get("/{network:str}/gebruikers/{user_id:int}", name="admin:user", opt=ADMIN)
    async def user(self, request: Request, user_id: FromPath[int]) -> Template:
        return await user_page(request, user_id, {}, {})

    @post("/{network:str}/gebruikers/{user_id:int}/rollen", name="admin:role_add", opt=ADMIN)
    async def add_role(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        user_id: FromPath[int],
    ) -> Template | Redirect:
        ref = network_ref
        if await queries.user_in_network(ref.id, user_id) is None:
            raise NotFoundException("Deze gebruiker bestaat niet in dit netwerk.")
        form = await request.form()
        errors = await services.add_membership(
            principal, ref.id, user_id, self._membership_input(form)
        )
        if errors:
            return await user_page(request, user_id, dict(form.items()), errors, 422)
        return redirect(
            request, url(request, "admin:user", user_id=user_id), "De rol is toegekend."
        )

    @post(
        "/{network:str}/gebruikers/{user_id:int}/rollen/{membership_id:int}/intrekken",
        name="admin:role_remove",
        opt=ADMIN,
    )
    async def remove_role(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        user_id: FromPath[int],
        membership_id: FromPath[int],
    ) -> Redirect:
        ref = network_ref
        removed = await services.remove_membership(principal, ref.id, membership_id)
        if not removed:
            return redirect(
                request,
                url(request, "admin:user", user_id=user_id),
                "Deze rol kan niet worden ingetrokken.",
                "error",
            )
        return redirect(request, url(request, "admin:users"), "De rol is ingetrokken.")

    @post("/{network:str}/gebruikers/{user_id:int}/actief", name="admin:user_active", opt=ADMIN)
    async def set_active(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        user_id: FromPath[int],
    ) -> Redirect:
        ref = network_ref
        if await queries.user_in_network(ref.id, user_id) is None:
            raise NotFoundException("Deze gebruiker bestaat niet in dit netwerk.")
        form = await request.form()
        active = text(form, "active") == "1"
        try:
            changed = await services.set_user_active(principal, ref.id, user_id, active)
        except services.OutOfScope as refusal:
            return redirect(
                request, url(request, "admin:user", user_id=user_id), str(refusal), "error"
            )
        if not changed:
            return redirect(
                request,
                url(request, "admin:user", user_id=user_id),
                "U kunt uw eigen account niet deactiveren.",
                "error",
            )
        return redirect(
            request,
            url(request, "admin:user", user_id=user_id),
            "Het account is geactiveerd." if active else "Het account is gedeactiveerd.",
        )

    @post(
        "/{network:str}/gebruikers/{user_id:int}/tweestaps-herstellen",
        name="admin:two_factor_reset",
        opt=ADMIN,
    )
    async def reset_two_factor(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        user_id: FromPath[int],
    ) -> Redirect:
        ref = network_ref
        target = await queries.user_in_network(ref.id, user_id)
        if target is None:
            raise NotFoundException("Deze gebruiker bestaat niet in dit netwerk.")
        back = url(request, "admin:user", user_id=user_id)
        if user_id == principal.user_id:
            return redirect(
                request, back, "Uw eigen tweestapsverificatie beheert u via Mijn account.", "error"
            )
        if await queries.is_superadmin(user_id) and not principal.is_superadmin:
            # A network's admin must not weaken the log-in of whoever administers them all.
            return redirect(
                request,
                back,
                "Alleen een beheerder van alle netwerken kan dit herstellen.",
                "error",
            )
        try:
            await services.reset_second_factor(principal, ref.id, user_id)
        except services.OutOfScope as refusal:
            return redirect(request, back, str(refusal), "error")
        return redirect(
            request,
            back,
            f"De tweestapsverificatie van {target['name']} is hersteld; "
            "bij de volgende log-in stelt deze gebruiker die opnieuw in.",
        )

    @get("/{network:str}/logboek", name="admin:audit", opt=ADMIN)
    async def audit(
        self,
        request: Request,
        network_ref: NamedDependency[NetworkRef],
        pagina: FromQuery[str | None] = None,
    ) -> Template:
        page = page_number(query_int(pagina))
        rows, total = await queries.audit_page(network_ref.id, page)
        return render(
            request,
            "portal/admin/audit.html",
            events=rows,
            page=page,
            pages=max(1, (total + 49) // 50),
            total=total,
        )

    @staticmethod
    def _superadmin_only(request: Request) -> None:
        if not provide_principal(request).is_superadmin:
            raise PermissionDeniedException(
                "Alleen een beheerder van alle netwerken maakt netwerken aan."
            )

    @staticmethod
    def _find(rows: list[dict], row_id: int) -> dict:
        for row in rows:
            if row["id"] == row_id:
                return row
        raise NotFoundException("Dit onderdeel bestaat niet in dit netwerk.")
