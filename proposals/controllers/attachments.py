"""A proposal's attachments (add, download, remove) and its co-authors."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from portal.accounts import view_log
from portal.accounts.layout import redirect
from portal.accounts.principal import Principal
from portal.accounts.view_log import ViewedItem, ViewSubject
from portal.lib import privacy
from portal.lib.files import FileRefused, stored_for
from portal.lib.forms import MAX_ID, text, whole_number
from portal.lib.uploads import accepted_upload, serve_stored
from proposals import queries, services
from proposals.controllers.common import INVOLVED, READERS, SEEN, detail_url, edit_url
from proposals.deps import SeenProposal

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class AttachmentController(Controller):
    path = "/n/{network:str}/voorstellen/{proposal_id:int}"
    dependencies = SEEN

    @post(
        "/bijlagen",
        name="proposals:attachment_upload",
        opt=INVOLVED,
        request_max_body_size=MAX_UPLOAD_BYTES,
    )
    async def upload_attachment(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        seen: NamedDependency[SeenProposal],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        proposal, actors = seen
        upload = data.get("file")
        kind = str(data.get("kind") or "")
        region_text = str(data.get("region") or "")
        region_id = whole_number(region_text, minimum=1, maximum=MAX_ID)
        back = edit_url(request, proposal["id"], "bijlagen")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return redirect(request, back, "Kies een bestand om toe te voegen.", "error")
        limit = proposal["attachment_limit_mb"] * 1024 * 1024
        try:
            content, checked, warnings = await accepted_upload(
                upload, limit, confirmed=privacy.confirmed(data.get("privacy_ok_file"))
            )
        except FileRefused as error:
            return redirect(request, back, f"{upload.filename[:80]}: {error}", "error")
        if region_id is not None and region_id not in await queries.region_names(
            proposal["network"]
        ):
            region_id = None
        try:
            async with stored_for(request.app.state.settings.upload_dir, content) as stored:
                await services.add_attachment(
                    principal, proposal, actors, kind, region_id, checked, stored, warnings
                )
        except services.ProposalRefused as error:
            return redirect(request, back, str(error), "error")
        return redirect(request, back, f"Bijlage {checked.display_name} is toegevoegd.")

    @get("/bijlagen/{attachment_id:int}", name="proposals:attachment", opt=READERS)
    async def download_attachment(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        seen: NamedDependency[SeenProposal],
        attachment_id: FromPath[int],
    ) -> Response:
        proposal = seen.proposal
        rows = await queries.attachments_of(proposal["id"], include_removed=True)
        row = next((a for a in rows if a["id"] == attachment_id), None)
        if row is None:
            raise NotFoundException("Deze bijlage bestaat niet.")
        response = serve_stored(request.app.state.settings.upload_dir, row)
        # Who saw it, for the coordinator (portal/accounts/view_log.py).
        await view_log.record_view(
            principal,
            proposal["network"],
            ViewSubject.proposal,
            proposal["id"],
            ViewedItem.proposal_attachment,
            row["id"],
            row["display_name"],
        )
        return response

    @post(
        "/bijlagen/{attachment_id:int}/verwijderen",
        name="proposals:attachment_remove",
        opt=INVOLVED,
    )
    async def remove_attachment(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        seen: NamedDependency[SeenProposal],
        attachment_id: FromPath[int],
    ) -> Redirect:
        proposal, actors = seen
        back = edit_url(request, proposal["id"], "bijlagen")
        try:
            await services.remove_attachment(principal, proposal, actors, attachment_id)
        except services.ProposalRefused as error:
            return redirect(request, back, str(error), "error")
        return redirect(request, back, "De bijlage is verwijderd.")

    @post("/auteurs", name="proposals:author_add", opt=INVOLVED)
    async def add_author(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        seen: NamedDependency[SeenProposal],
    ) -> Template | Redirect:
        proposal, actors = seen
        back = detail_url(request, proposal["id"])
        form = await request.form()
        errors: dict[str, str] = {}
        email = text(form, "email", 254, errors)
        try:
            if not errors:
                errors = await services.add_coauthor(
                    principal, proposal, actors, email, request.app.state.settings
                )
        except services.ProposalRefused as error:
            return redirect(request, back, str(error), "error")
        if errors:
            return redirect(request, back + "#auteurs", errors["email"], "error")
        return redirect(
            request,
            back + "#auteurs",
            "De collega is toegevoegd als mede-auteur en krijgt een e-mail.",
        )
