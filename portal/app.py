"""The application factory: one place where settings, database, templates and routes meet."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, pass_context
from litestar import Litestar, Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Headers, State
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine as Jinja
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Message, Scope
from markupsafe import Markup

from ledger.books.rules import REPORT_STATE_LABELS
from portal.accounts import events
from portal.accounts.deps import DEPENDENCIES
from portal.accounts.errors import http_exception_handler, internal_error_handler
from portal.accounts.guards import PUBLIC, enforce_access
from portal.accounts.layout import query
from portal.accounts.mail import deliver_pending
from portal.accounts.sessions import SessionMiddleware
from portal.accounts.tables import GRANT_BOOKING_LABELS
from portal.api import openapi_config
from portal.controllers import routes
from portal.controllers.repeats import already_processed_handler, repeat_target
from portal.lib import db, once
from portal.lib.formatting import datum, datumtijd
from portal.lib.forms import TEXT_LIMIT, thousands
from portal.lib.kept_pages import KeptPages
from portal.lib.links import links_of
from portal.lib.money import format_euros
from portal.lib.observability import RequestIdMiddleware
from portal.lib.settings import PROJECT_ROOT, Settings

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = PROJECT_ROOT / "templates"

log = logging.getLogger("portal")


def configure_jinja(engine: Jinja, settings: Settings | None = None) -> None:
    env: Environment = engine.engine
    # Jinja checks every template file's mtime on each render by default, so that an edited
    # template shows up without a restart. Only development needs that; elsewhere the files
    # do not change under a running server and the stat calls are waste on every page.
    env.auto_reload = settings is None or settings.environment == "development"
    # `row.title` on a dict row: Jinja tries the attribute first and the key only after the
    # AttributeError, on every lookup of every row. A name that is no attribute of a dict can
    # only be a key, so look it up as one first; the answer is the same, without the raise.
    env.getattr = partial(_getattr, env.getattr)  # type: ignore[method-assign]
    env.filters["euro"] = format_euros
    env.filters["datum"] = datum
    env.filters["datumtijd"] = datumtijd
    env.filters["thousands"] = thousands
    # URLs come from route names: Litestar's url_for('name', **path_params) for pages, these
    # two for static files and for the query strings of filters and pages.
    env.globals["url_for"] = url_for
    env.globals["static_url"] = static_url
    env.globals["query"] = query
    env.globals["form_guard"] = form_guard
    env.globals["report_state_labels"] = REPORT_STATE_LABELS
    env.globals["GRANT_BOOKING_LABELS"] = GRANT_BOOKING_LABELS
    env.globals["TEXT_LIMIT"] = TEXT_LIMIT


_DICT_ATTRIBUTES = frozenset(dir(dict))


def _getattr(jinja_getattr: Callable[[Any, str], Any], obj: Any, attribute: str) -> Any:
    if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
        try:
            return obj[attribute]
        except KeyError:
            pass
    return jinja_getattr(obj, attribute)


@pass_context
def url_for(context, route_name: str, /, **path_parameters: Any) -> str:
    """Litestar's url_for for templates, through the app's kept addresses (portal/lib/links:
    a table of two hundred rows links each)."""
    return links_of(context["request"].app)(route_name, **path_parameters)


@pass_context
def static_url(context, path: str) -> str:
    """The address of a file under portal/static, through the static files router's name."""
    return links_of(context["request"].app)("static", file_path=path)


@pass_context
def form_guard(context) -> Markup:
    """What every form that changes something carries: the CSRF token and a one-time key, so
    that a double-click or a browser retry has one effect (portal/lib/once.py). A page rendered
    for keeping carries a placeholder, filled anew for each answer (portal/lib/kept_pages.py)."""
    request = context["request"]
    kept: KeptPages = request.app.state.kept_pages
    field = Markup('<input type="hidden" name="{}" value="{}">').format(
        once.FIELD, kept.form_key(request.scope)
    )
    # csrf_input is Litestar's own hidden input, markup by design.
    return Markup(context.get("csrf_input", "")) + field  # noqa: S704


# The pages rendered once and served again while the data and the minute are the same
# (portal/lib/kept_pages.py): each role's start page, the lists and the pages opened most. Only
# pages that change nothing when read: a page that writes on GET (a report, which logs who saw
# it) or shows what changes without a write (a user's own sessions) is not one of them.
# tests/portal/test_kept_pages.py reads each of them twice as every role that may.
KEPT_ROUTES = frozenset(
    {
        "portal:network",
        "proposals:list",
        "proposals:detail",
        "proposals:rounds",
        "review:my_reviews",
        "review:review",
        "review:rounds",
        "review:round",
        "review:proposal",
        "ledger:years",
        "ledger:year",
        "ledger:entries",
        "ledger:project",
        "ledger:reports",
        "ledger:changes",
        "ledger:payment_requests",
        "catalogue:index",
        "catalogue:detail",
        "admin:index",
        "admin:network",
        "admin:users",
    }
)

LOG_IN_PATHS = frozenset(
    {"/login", "/login/code", "/login/tweestaps-instellen", "/login/annuleren"}
)
LOG_IN_PREFIXES = ("/wachtwoord-herstellen/", "/uitnodiging/")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def expect_form_key(request: Request) -> None:
    """Before a handler: note the form's one-time key; its first write transaction claims it.
    A key that was claimed already ends the request here ("Dit was al verwerkt")."""
    once.forget()
    if request.method != "POST" or request.url.path.startswith("/api/v1/"):
        return
    if request.url.path in LOG_IN_PATHS or request.url.path.startswith(LOG_IN_PREFIXES):
        # The log-in steps make a session whose cookie only their own answer carries: a
        # repeat must get its own answer, not be sent after the first. (Their links and
        # codes are single-use and their failures count on the lockout of their own.)
        return
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        key = once.expect((await request.form()).get(once.FIELD))
        # A repeat that comes after the first post has answered is known before the handler
        # reads anything: its checks would judge the state the first post made ("already
        # assigned", "wrong current password") instead of sending it after the first.
        if key is not None and await once.was_claimed(db.current_engine(), key):
            raise once.AlreadyProcessed(key)


async def before_handler(request: Request) -> Response | None:
    """Before a handler: a post's one-time key noted, or a kept page served instead."""
    await expect_form_key(request)
    kept: KeptPages = request.app.state.kept_pages
    return await kept.serve(request)


async def remember_form_result(response: Response) -> Response:
    """After a handler whose form had its effect: remember where it sent the browser, so that
    a repeat of the same form can be sent there too."""
    key = once.claimed()
    if key is not None:
        location = (
            getattr(response, "url", None)  # a Redirect keeps its target apart from the headers
            or response.headers.get("location")
            or response.headers.get("hx-redirect")
            or response.headers.get("hx-location")
        )
        if location:
            await once.remember_location(db.current_engine(), key, location)
    return response


async def answer_repeats_as_repeats(message: Message, scope: Scope) -> None:
    """Before an answer leaves: a post that wrote nothing while another post of the same form
    had its effect is answered as a repeat ("Dit was al verwerkt"), whatever its handler said.
    Its checks ran outside a transaction and saw that effect ("already assigned", "wrong
    current password"), or its poster's access ended with it (a declared conflict of interest
    closes the proposal): the browser goes where the first post went, not to a refusal."""
    if message["type"] == "http.response.start":
        key = once.unused()
        once.forget()
        if key is None or not await once.was_claimed(db.current_engine(), key):
            return
        scope.setdefault("state", {})[REPEAT] = True
        headers = Headers.from_scope(scope)
        target = repeat_target(scope["app"], key, headers).encode("latin-1")
        if headers.get("hx-request"):
            message["status"] = 200
            message["headers"] = [(b"hx-redirect", target), (b"content-length", b"0")]
        else:
            message["status"] = 303
            message["headers"] = [(b"location", target), (b"content-length", b"0")]
    elif message["type"] == "http.response.body" and scope.get("state", {}).get(REPEAT):
        message["body"] = b""


REPEAT = "answered_as_repeat"


def security_headers(settings: Settings):
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
    headers = [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    ]
    if settings.production:
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            message.setdefault("headers", [])
            existing = {key.lower() for key, _ in message["headers"]}
            message["headers"] = [
                *message["headers"],
                *(h for h in headers if h[0] not in existing),
            ]

    return before_send


async def deliver_queued_mail(request: Request) -> None:
    """After the response: send what this request put in the outbox. A failure leaves the
    message in the outbox for `portal outbox` to retry; it never affects the response."""
    if not events.mail_queued.get():
        return
    try:
        await deliver_pending(request.app.state.settings)
    except Exception:
        log.exception("delivering the outbox failed")


def register_domain_hooks() -> None:
    """Domains that extend others through hooks (never by importing back)."""
    from ledger.books.projects import on_project_changed
    from ledger.projects import catalogue
    from ledger.projects import retention as ledger_retention
    from ledger.projects.catalogue_controllers import similar_projects_section
    from ledger.projects.personal_data import register_personal_data as ledger_personal_data
    from ledger.projects.reminders import register_report_reminders
    from ledger.projects.sisa import register_sisa_reminders
    from ledger.projects.worklist import register as register_ledger_work
    from portal.accounts import erasure
    from portal.accounts.admin_worklist import register as register_admin_work
    from proposals import retention as proposal_retention
    from proposals.controllers import register_detail_section, register_edit_section
    from proposals.personal_data import register_personal_data as proposal_personal_data
    from proposals.worklist import register as register_proposal_work
    from review import retention as review_retention
    from review.access import register as register_reviewer_access
    from review.controllers import proposal_page_section
    from review.personal_data import register_personal_data as review_personal_data
    from review.reminders import register_review_reminders
    from review.worklist import register as register_review_work

    register_reviewer_access()
    on_project_changed(catalogue.refresh)
    register_review_reminders()
    register_report_reminders()
    register_sisa_reminders()
    # `portal retention`: what the end of a retention period removes, per domain (portal/
    # accounts/retention.py). The settled projects first: they take their proposals along.
    ledger_retention.register()
    proposal_retention.register()
    review_retention.register()
    erasure.register()
    register_detail_section(proposal_page_section)
    register_detail_section(similar_projects_section)
    register_edit_section(similar_projects_section)
    # The start page's work lists, in the order they show within a role (portal/accounts/
    # worklist.py): the proposals, then their review, then the projects and the books.
    register_proposal_work()
    register_review_work()
    register_ledger_work()
    register_admin_work()
    # Mijn gegevens (portal/accounts/personal_data.py): each domain's part, in layer order.
    proposal_personal_data()
    review_personal_data()
    ledger_personal_data()


def create_app(settings: Settings | None = None, *, manage_engine: bool = True) -> Litestar:
    """Build the portal. Tests pass `manage_engine=False` and bind the engine themselves."""
    settings = settings or Settings.from_env()
    register_domain_hooks()
    engine = db.engine_from_url(settings.database_url) if manage_engine else None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if engine is not None:
            db.use_engine(engine)
            await db.start(engine)
            # What is loaded by now (modules, templates, the app) lives as long as the process;
            # kept out of the collector's full passes, those take ~4 ms instead of ~77 ms and
            # no longer stall a request now and then.
            gc.freeze()
        try:
            yield
        finally:
            if engine is not None:
                await db.stop(engine)

    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    kept_pages = KeptPages(KEPT_ROUTES, max_bytes=settings.kept_pages_mb * 1024 * 1024)
    return Litestar(
        route_handlers=[
            *routes(),
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                opt=PUBLIC,
                name="static",
                include_in_schema=False,
            ),
        ],
        lifespan=[lifespan],
        state=State({"settings": settings, "kept_pages": kept_pages}),
        guards=[enforce_access],
        dependencies=DEPENDENCIES,
        middleware=[
            RequestIdMiddleware,
            DefineMiddleware(SessionMiddleware, settings=settings),
        ],
        # A double-submit cookie, not bound to the session (docs/security.md): it holds as long
        # as no one else can set it. In production its name has the __Host- prefix, so browsers
        # take it only from this very host over HTTPS (Secure, Path=/, no Domain), never from a
        # sibling subdomain or a plain-HTTP answer. Development runs on http://, where a
        # __Host- cookie cannot be set, hence the plain name there.
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="__Host-csrftoken" if settings.production else "csrftoken",
            header_name="x-csrftoken",
            cookie_secure=settings.production,
            cookie_httponly=True,
            cookie_samesite="lax",
            cookie_path="/",
            cookie_domain=None,
            # Only the bearer-token API, by its exact prefix: a pattern matched anywhere would
            # also free /n/api/… of a network whose slug is "api". The API never reads the
            # session cookie (portal/api.BearerTokenMiddleware), so a forged request has no
            # credentials to borrow.
            exclude=["^/api/v1/"],
        ),
        template_config=TemplateConfig(
            directory=TEMPLATE_DIR,
            engine=Jinja,
            engine_callback=lambda engine: configure_jinja(engine, settings),
        ),
        plugins=[HTMXPlugin()],
        exception_handlers={
            HTTPException: http_exception_handler,
            once.AlreadyProcessed: already_processed_handler,
            500: internal_error_handler,
        },
        before_request=before_handler,
        after_request=remember_form_result,
        before_send=[answer_repeats_as_repeats, security_headers(settings), kept_pages.keep],
        after_response=deliver_queued_mail,
        debug=False,
        # Logging is set up once by portal.lib.observability (key=value lines with request ids);
        # Litestar's default config would replace that handler with its own format.
        logging_config=None,
        # Only the API is documented (at /api/docs); pages stay out of the schema.
        openapi_config=openapi_config(),
        include_in_schema=False,
    )
