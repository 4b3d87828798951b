"""The proposal pages: the list, a new draft, the proposal itself (and its print view), the
steps of its state machine, and its frozen versions."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from portal.accounts import view_log
from portal.accounts.events import timeline_query
from portal.accounts.layout import redirect, render
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.accounts.view_log import ViewSubject
from portal.lib import clock, privacy
from portal.lib.forms import MAX_ID, optional_id, page_count, text, whole_number
from proposals import listing, queries, services
from proposals.access import SCOPES, available_lists
from proposals.controllers.common import (
    APPLICANT,
    DETAIL_SECTIONS,
    INVOLVED,
    READERS,
    SEEN,
    detail_url,
    edit_url,
    proposal_checks,
    provided_sections,
    vocabularies,
)
from proposals.deps import ProposalList, SeenProposal, provide_list
from proposals.rows import ProposalRow
from proposals.rules import (
    FIELD_LABELS,
    SNAPSHOT_LABELS,
    STATE_LABELS,
    Actor,
    allowed_actions,
    diff_snapshots,
    may_edit,
    visible_timeline,
)
from proposals.tables import ProposalState


class ProposalController(Controller):
    path = "/n/{network:str}/voorstellen"

    @get(
        "/",
        name="proposals:list",
        opt=INVOLVED,
        dependencies={"listed": Provide(provide_list, sync_to_thread=False)},
    )
    async def index(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        listed: NamedDependency[ProposalList],
    ) -> Template:
        network_id = network_ref.id
        scope, filters = listed.scope, listed.filters
        listed_page = await listing.list_proposals(
            network_id,
            SCOPES[scope][0],
            principal.user_id,
            principal.region_ids(network_id, Role.region_officer),
            filters,
        )
        rounds, total = listed_page.rounds, listed_page.total
        order = {r["id"]: i for i, r in enumerate(rounds)}
        themes = sorted(listed_page.themes, key=lambda t: order.get(t["round"], 0))
        return render(
            request,
            "proposals/list.html",
            rows=listed_page.rows,
            total=total,
            scope=scope,
            scope_title=SCOPES[scope][1],
            scopes=[(k, SCOPES[k][1]) for k in available_lists(principal, network_id)],
            filters=filters,
            pages=page_count(total, filters.per_page),
            rounds=rounds,
            themes=themes,
            regions=listed_page.regions,
            state_labels=STATE_LABELS,
            can_create=Role.applicant in principal.roles_in(network_id),
        )

    @get("/nieuw", name="proposals:new", opt=APPLICANT)
    async def new(self, request: Request, network_ref: NamedDependency[NetworkRef]) -> Template:
        return await self._new_page(request, network_ref, {}, {})

    async def _new_page(
        self,
        request: Request,
        network: NetworkRef,
        values: dict[str, Any],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        now = clock.now()
        rounds = [
            r for r in await queries.rounds_of(network.id) if clock.as_utc(r["closes_at"]) > now
        ]
        return render(
            request,
            "proposals/new.html",
            status_code=status_code,
            values=values,
            errors=errors,
            round_options=[(str(r["id"]), r["title"]) for r in rounds],
        )

    @post("/nieuw", name="proposals:create", opt=APPLICANT)
    async def create(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template | Redirect:
        form = await request.form()
        # A BSN in the title is refused here as on the form's first page (DESIGN §2.11).
        errors = privacy.screen({"title": text(form, "title")}, FIELD_LABELS).refusals
        proposal_id = None
        if not errors:
            proposal_id, errors = await services.create_proposal(
                principal, network_ref.id, optional_id(form, "round"), text(form, "title")
            )
        if errors or proposal_id is None:
            return await self._new_page(request, network_ref, dict(form.items()), errors, 422)
        return redirect(
            request,
            edit_url(request, proposal_id, "algemeen"),
            "Het concept is aangemaakt. Alles wat u invult wordt bewaard, ook als het "
            "nog niet compleet is.",
        )

    @get("/{proposal_id:int}", name="proposals:detail", opt=READERS, dependencies=SEEN)
    async def detail(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        seen: NamedDependency[SeenProposal],
    ) -> Template:
        proposal = seen.proposal
        # Who downloaded its attachments: for the coordinator only (portal/accounts/view_log).
        views = (
            await view_log.views_of(ViewSubject.proposal, proposal["id"])
            if view_log.may_see_views(principal, proposal["network"])
            else None
        )
        return render(
            request,
            "proposals/detail.html",
            **await detail_context(request, *seen),
            views=views,
            views_limit=view_log.SHOWN_VIEWS,
        )

    @get("/{proposal_id:int}/afdrukken", name="proposals:print", opt=READERS, dependencies=SEEN)
    async def printable(self, request: Request, seen: NamedDependency[SeenProposal]) -> Template:
        return render(request, "proposals/print.html", **await detail_context(request, *seen))

    @get("/{proposal_id:int}/indienen", name="proposals:submit", opt=INVOLVED, dependencies=SEEN)
    async def submit_page(self, request: Request, seen: NamedDependency[SeenProposal]) -> Template:
        proposal, actors = seen
        return render(
            request,
            "proposals/submit.html",
            p=proposal,
            checks=await proposal_checks(request, proposal),
            may_submit=Actor.region_officer in actors and proposal["state"] == ProposalState.ready,
        )

    @post(
        "/{proposal_id:int}/stap/{action:str}",
        name="proposals:step",
        opt=INVOLVED,
        dependencies=SEEN,
    )
    async def step(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        seen: NamedDependency[SeenProposal],
        action: FromPath[str],
    ) -> Redirect:
        proposal, actors = seen
        checks = await proposal_checks(request, proposal)
        back = detail_url(request, proposal["id"])
        form = await request.form()
        try:
            state = await services.transition(
                principal,
                proposal,
                actors,
                action,
                checks,
                request.app.state.settings,
                privacy_confirmed=privacy.confirmed(text(form, "privacy_ok")),
            )
        except services.ProposalRefused as error:
            return redirect(request, back, str(error), "error")
        return redirect(request, back, f"Het voorstel heeft nu de status '{STATE_LABELS[state]}'.")

    @get(
        "/{proposal_id:int}/versies/{number:int}",
        name="proposals:version",
        opt=READERS,
        dependencies=SEEN,
    )
    async def version(
        self, request: Request, seen: NamedDependency[SeenProposal], number: FromPath[int]
    ) -> Template:
        proposal = seen.proposal
        snapshot = await queries.version_snapshot(proposal["id"], number)
        if snapshot is None:
            raise NotFoundException("Deze versie bestaat niet.")
        return render(
            request,
            "proposals/version.html",
            p=proposal,
            number=number,
            snapshot=snapshot,
            versions=await queries.versions_of(proposal["id"]),
            labels=SNAPSHOT_LABELS,
        )

    @get("/{proposal_id:int}/vergelijk", name="proposals:compare", opt=READERS, dependencies=SEEN)
    async def compare(
        self,
        request: Request,
        seen: NamedDependency[SeenProposal],
        van: Annotated[str | None, QueryParameter(name="van")] = None,
        naar: Annotated[str | None, QueryParameter(name="naar")] = None,
    ) -> Template:
        proposal = seen.proposal
        proposal_id = proposal["id"]
        versions = await queries.versions_of(proposal_id)

        async def side(key: str | None) -> tuple[str, dict | None]:
            number = whole_number(key, minimum=1, maximum=MAX_ID)
            if number is not None:
                return f"versie {number}", await queries.version_snapshot(proposal_id, number)
            return "huidige tekst", await queries.snapshot(proposal)

        before_label, before = await side(van or (str(versions[0]["number"]) if versions else None))
        after_label, after = await side(naar)
        if before is None or after is None:
            raise NotFoundException("Deze versie bestaat niet.")
        return render(
            request,
            "proposals/compare.html",
            p=proposal,
            versions=versions,
            changes=diff_snapshots(before, after),
            before_label=before_label,
            after_label=after_label,
            van=van or "",
            naar=naar or "",
        )


async def detail_context(
    request: Request, proposal: ProposalRow, actors: set[Actor]
) -> dict[str, Any]:
    """The proposal page and its print view: the same sections."""
    # The checklist and the page show the same lines, bouwteam, attachments and regions; all
    # the page's parts are read in one statement.
    parts = await queries.parts_of(
        proposal,
        authors=queries.authors_query(proposal["id"]),
        versions=queries.versions_query(proposal["id"]),
        events=timeline_query("proposal", proposal["id"]),
    )
    checks = await proposal_checks(request, proposal, parts)
    return {
        **sections_context(proposal, parts),
        "actors": {a.value for a in actors},
        "checks": checks,
        "editable": may_edit(actors, proposal),
        "actions": allowed_actions(proposal["state"], actors),
        "authors": parts.more["authors"],
        "versions": parts.more["versions"],
        "events": visible_timeline(parts.more["events"], Actor.coordinator in actors),
        "extra_sections": await provided_sections(DETAIL_SECTIONS, request, proposal, actors),
    }


def sections_context(proposal: ProposalRow, parts: queries.Parts) -> dict[str, Any]:
    """What proposals/_view_sections.html shows of a proposal: the proposal page, its print
    view and the reviewer's page beside the score form."""
    totals: dict[int, int] = {}
    for line in parts.lines:
        totals[line["year"]] = totals.get(line["year"], 0) + line["amount_cents"]
    return {
        "p": proposal,
        "bouwteam": parts.members,
        "lines": parts.lines,
        "totals": dict(sorted(totals.items())),
        "line_total": sum(totals.values()),
        "attachments": parts.attachments,
        "regions": parts.regions,
        **vocabularies(),
    }
