"""Mijn gegevens: the page that explains the download, and the download itself (JSON or a
readable HTML file), made fresh on every request and logged (portal/accounts/personal_data)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.response import Template

from portal.accounts import personal_data
from portal.accounts.guards import LOGGED_IN
from portal.accounts.layout import render
from portal.accounts.personal_data import DownloadFormat
from portal.accounts.principal import Principal
from portal.lib.db import required
from portal.lib.downloads import download


class PersonalDataController(Controller):
    path = "/account/gegevens"

    @get("/", name="accounts:personal_data", opt=LOGGED_IN)
    async def page(self, request: Request) -> Template:
        return render(request, "portal/personal_data.html", other_person=personal_data.OTHER_PERSON)

    @get("/mijn-gegevens.json", name="accounts:personal_data_json", opt=LOGGED_IN)
    async def as_json(self, principal: NamedDependency[Principal]) -> Response:
        data = await personal_data.collect(principal.user_id)
        await personal_data.record_download(principal, DownloadFormat.json)
        return download(
            personal_data.as_json(data),
            personal_data.filename(DownloadFormat.json),
            "application/json; charset=utf-8",
        )

    @get("/mijn-gegevens.html", name="accounts:personal_data_html", opt=LOGGED_IN)
    async def as_html(self, request: Request, principal: NamedDependency[Principal]) -> Response:
        data = await personal_data.collect(principal.user_id)
        await personal_data.record_download(principal, DownloadFormat.html)
        page = required(request.app.template_engine).get_template(
            "portal/personal_data_download.html"
        )
        html = page.render(
            data=data, shown=personal_data.shown, other_person=personal_data.OTHER_PERSON
        )
        return download(
            html.encode(),
            personal_data.filename(DownloadFormat.html),
            "text/html; charset=utf-8",
        )
