"""Addresses come from route names (issue 14): every route handler has a name
"<domain>:<what>", templates build their links with url_for('name', …), static files with
static_url(…) and query strings with query(…); Python with route_reverse (portal.accounts.layout.
url) instead of f-strings. These tests fail on an address written by hand."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from portal.app import create_app
from tests import conftest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
PACKAGES = ("portal", "proposals", "review", "ledger")

NAME = re.compile(r"^(portal|accounts|admin|proposals|review|ledger|catalogue|api):[a-z][a-z_]*$")

# Handlers that are not ours to name: Litestar makes them.
NOT_OURS = {
    # The static files router (portal/app.py): named "static" (its HEAD twin "static/head"),
    # reversed through static_url(path) in templates.
    "/static/{file_path:path}",
    # The OpenAPI pages of the API (portal/api.openapi_config): Litestar's own router. The one
    # link to them (portal/tokens.html) takes its path from that configuration.
    "/api/docs",
    "/api/docs/openapi.json",
    "/api/docs/oauth2-redirect.html",
    "/api/docs/{path:str}",
}

# Attributes whose value is an address the browser follows or posts to.
ADDRESS = re.compile(
    r"""\b(href|src|action|formaction|hx-(?:get|post|put|patch|delete))\s*=\s*(["'])(.*?)\2""",
    re.DOTALL,
)
# A hidden field that carries an address back to the server (where to return after a post).
ADDRESS_FIELD = re.compile(
    r"""<input[^>]*\bname=["'](?:back|next)["'][^>]*\bvalue=(["'])(.*?)\1""", re.DOTALL
)
COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
# A Jinja string literal that starts a path ("/n/" ~ slug ~ …): an address glued together.
PATH_LITERAL = re.compile(r"""(["'])/[A-Za-z][^"']*\1""")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
URL_FOR = re.compile(r"""url_for\(\s*(["'])([^"']+)\1([^)]*)\)""")

# Addresses in templates that stay written by hand, each with why it cannot be a route name.
# (Empty: every link of the portal is a route's.)
HAND_WRITTEN_IN_TEMPLATES: dict[tuple[str, str], str] = {}

# Strings in Python that still spell an address of the portal, by (file, the literal text);
# the test fails on any other. None of them is in a controller.
HAND_WRITTEN_IN_PYTHON: dict[tuple[str, str], str] = {
    # Links in e-mails, made by services and the daily reminders from settings.base_url. They
    # run without a request (the reminders from the command line, `portal remind`), so they
    # have no app to reverse a route name with; converting them means handing the services
    # a way to reverse names (left to the services' owners).
    ("portal/accounts/login.py", "/wachtwoord-herstellen/"): "password-reset e-mail",
    ("portal/accounts/services.py", "/uitnodiging/"): "invitation e-mail",
    ("portal/accounts/services.py", "/login.\n"): "new-role e-mail",
    ("proposals/services.py", "/n/"): "e-mails about a proposal (with /voorstellen/)",
    ("proposals/services.py", "/voorstellen/"): "e-mails about a proposal",
    ("review/services.py", "/n/"): "review e-mails: review.services.portal_link",
    ("review/services.py", "/voorstellen/"): "review e-mails: decision",
    ("review/question_services.py", "/voorstellen/"): "review e-mails: question, answer",
    ("review/services.py", "/beoordelingen"): "review e-mail: assignment",
    ("review/reminders.py", "/n/"): "review reminder e-mail (with /beoordelingen)",
    ("review/reminders.py", "/beoordelingen\n"): "review reminder e-mail",
    ("ledger/projects/reminders.py", "/n/"): "report reminder e-mail (with /verantwoording/)",
    ("ledger/projects/reminders.py", "/verantwoording/"): "report reminder e-mail",
    ("ledger/projects/sisa.py", "/n/"): "SiSa reminder e-mail (with /verantwoording)",
    ("ledger/projects/sisa.py", "/verantwoording"): "SiSa reminder e-mail",
    # Not links but tests on the path of a request (which requests skip the one-time form key,
    # which answer in JSON): prefixes that must match whatever the routes are called.
    ("portal/app.py", "/login"): "LOG_IN_PATHS: log-in steps keep no form key",
    ("portal/app.py", "/login/code"): "LOG_IN_PATHS",
    ("portal/app.py", "/login/tweestaps-instellen"): "LOG_IN_PATHS",
    ("portal/app.py", "/login/annuleren"): "LOG_IN_PATHS",
    ("portal/app.py", "/wachtwoord-herstellen/"): "LOG_IN_PREFIXES",
    ("portal/app.py", "/uitnodiging/"): "LOG_IN_PREFIXES",
    ("portal/app.py", "/api/v1/"): "the API posts without a form key",
    ("portal/accounts/errors.py", "/api/"): "API errors answer in JSON",
    # The log-in page a request without a session is sent to, with where it wanted to go: the
    # error handler (portal/accounts/errors.py) is no controller.
    ("portal/accounts/errors.py", "/login?next="): "redirect to log in from the 401 handler",
    # Swagger UI's files, given to Litestar's render plugin as configuration (portal/api.py).
    ("portal/api/docs.py", "/static/vendor/swagger/swagger-ui-bundle.js"): "Swagger UI",
    ("portal/api/docs.py", "/static/vendor/swagger/swagger-ui.css"): "Swagger UI",
    ("portal/api/docs.py", "/static/vendor/swagger/swagger-ui-standalone-preset.js"): "Swagger UI",
}
# The first segments of the portal's own addresses: a string in Python that starts with one
# of these is an address.
PREFIXES = (
    "/n/",
    "/beheer",
    "/account",
    "/login",
    "/logout",
    "/netwerken",
    "/wachtwoord",
    "/uitnodiging",
    "/al-verwerkt",
    "/healthz",
    "/api/",
    "/static",
    "/voorstellen",
    "/rondes",
    "/begroting",
    "/beoordeling",
    "/verantwoording",
    "/projectenbank",
    "/api-sleutels",
)
# Where routes are declared rather than used: a path in these calls is a route's own.
DECLARING = {"get", "post", "Router", "create_static_files_router", "Controller"}


@pytest.fixture(scope="module")
def app() -> Litestar:
    return create_app(conftest.test_settings("sqlite:///unused"), manage_engine=False)


def handlers(app: Litestar) -> list[tuple[str, object]]:
    """(path, handler) of every route handler, without Litestar's automatic OPTIONS ones."""
    found = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                if handler.http_methods != {"OPTIONS"}:
                    found.append((route.path, handler))
    return found


def path_parameters(app: Litestar) -> dict[str, set[str]]:
    return {
        handler.name: {name for r in app.routes if r.path == path for name in r.path_parameters}
        for path, handler in handlers(app)
        if handler.name
    }


def templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_every_route_handler_has_a_name(app: Litestar) -> None:
    unnamed, malformed, seen = [], [], {}
    for path, handler in handlers(app):
        if path in NOT_OURS:
            continue
        methods = ",".join(sorted(handler.http_methods))
        if not handler.name:
            unnamed.append(f"{methods} {path}")
        elif not NAME.match(handler.name):
            malformed.append(f"{methods} {path}: {handler.name!r}")
        elif seen.setdefault(handler.name, path) != path:
            malformed.append(f"{handler.name!r} on {path} and {seen[handler.name]}")
    assert not unnamed, "Route handlers without name='<domain>:<what>': " + ", ".join(unnamed)
    assert not malformed, "Route names not of the form '<domain>:<what>':\n" + "\n".join(malformed)


def test_no_address_is_written_by_hand_in_a_template() -> None:
    found = []
    for template in templates():
        name = str(template.relative_to(TEMPLATES))
        text = COMMENT.sub("", template.read_text())
        values = [m.group(3) for m in ADDRESS.finditer(text)]
        values += [m.group(2) for m in ADDRESS_FIELD.finditer(text)]
        for value in values:
            value = value.strip()
            # An address of the portal starts with "/" (a path) or "?" (this page's query,
            # which query(…) makes). "//host" and "https:" are other sites; "#" a fragment.
            portal = value.startswith("?") or (value.startswith("/") and not value.startswith("//"))
            if portal and (name, value) not in HAND_WRITTEN_IN_TEMPLATES:
                found.append(f"{name}: {value}")
        for block in JINJA.findall(text):
            for literal in PATH_LITERAL.finditer(block):
                if (name, literal.group(0)[1:-1]) not in HAND_WRITTEN_IN_TEMPLATES:
                    found.append(f"{name}: {literal.group(0)} in {block[:80]}")
    assert not found, (
        "Addresses written by hand in templates; use url_for('<domain>:<what>', …) for pages, "
        "static_url(…) for static files and query(…) for query strings:\n" + "\n".join(found)
    )


def test_every_url_for_in_a_template_names_a_route_with_its_parameters(app: Litestar) -> None:
    parameters = path_parameters(app)
    problems, calls = [], 0
    for template in templates():
        name = str(template.relative_to(TEMPLATES))
        for match in URL_FOR.finditer(COMMENT.sub("", template.read_text())):
            calls += 1
            route, arguments = match.group(2), match.group(3)
            given = set(re.findall(r"\b(\w+)\s*=(?!=)", arguments))
            if route not in parameters:
                problems.append(f"{name}: no route named {route!r}")
            elif given != parameters[route]:
                problems.append(
                    f"{name}: url_for({route!r}) with {sorted(given)}, "
                    f"the route takes {sorted(parameters[route])}"
                )
    assert calls > 100  # the pattern still finds the calls
    assert not problems, "\n".join(problems)


def _strings(tree: ast.AST) -> list[tuple[int, str, ast.AST]]:
    """(line, text, node) of every string literal and f-string piece that is not a route's own
    declaration (a decorator, a controller's `path`, a router's path)."""
    declared: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                declared |= {id(n) for n in ast.walk(decorator)}
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and any(
                    getattr(t, "id", None) == "path" for t in statement.targets
                ):
                    declared |= {id(n) for n in ast.walk(statement)}
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in DECLARING:
            for keyword in node.keywords:
                if keyword.arg == "path":
                    declared |= {id(n) for n in ast.walk(keyword.value)}
    return [
        (node.lineno, node.value, node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in declared
    ]


def test_no_address_is_written_by_hand_in_python() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            tree = ast.parse(path.read_text())
            pieces = {
                id(v)
                for node in ast.walk(tree)
                if isinstance(node, ast.JoinedStr)
                for v in node.values
                if isinstance(v, ast.Constant)
            }
            for line, text, node in _strings(tree):
                in_fstring = id(node) in pieces
                # An address: a literal that starts a path of the portal, or a piece of an
                # f-string that goes on with a path ("{base}/indelen", "{slug}/voorstellen/").
                address = text.startswith(PREFIXES) or (
                    in_fstring and re.match(r"/[a-z][a-z-]*(/|$|\?|#)", text) is not None
                )
                if address and (name, text) not in HAND_WRITTEN_IN_PYTHON:
                    found.append(f"{name}:{line}: {text!r}")
    assert not found, (
        "Addresses written by hand in Python; use portal.accounts.layout.url(request, "
        "'<domain>:<what>', …) (request.app.route_reverse) and query(…):\n" + "\n".join(found)
    )


def test_route_names_in_python_exist(app: Litestar) -> None:
    """Every "<domain>:<what>" string in the controllers and the layout names a route (a typo
    would only show as a 500 on the page that uses it)."""
    names = set(path_parameters(app))
    # Every controller module, wherever a domain keeps it (a controllers/ package or a
    # *controllers.py beside its services), and the layout's menu.
    files = [
        path
        for package in ("portal", "proposals", "review", "ledger")
        for path in (ROOT / package).rglob("*.py")
        if "controllers" in path.parts or path.stem.endswith("controllers")
    ] + [ROOT / "portal" / "accounts" / "layout.py"]
    assert len(files) > 15, files
    unknown = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in files
        for line, text, _ in _strings(ast.parse(path.read_text()))
        if NAME.match(text) and text not in names
    ]
    assert not unknown, "Route names that no route has:\n" + "\n".join(unknown)


def test_query_changes_keys_and_keeps_the_rest() -> None:
    from portal.accounts.layout import query

    shown = {"lijst": "alle", "zoek": "a&b c", "ronde": "", "pagina": 2}
    assert query(shown, pagina=3) == "?lijst=alle&zoek=a%26b+c&pagina=3"
    assert query(shown, pagina=None, zoek="") == "?lijst=alle"
    assert query(shown, status="draft") == "?lijst=alle&zoek=a%26b+c&pagina=2&status=draft"
    assert query(lijst="mijn") == "?lijst=mijn"
    assert query({"pagina": 1}, pagina=None) == ""
    assert query({}, post_id=[1, 2]) == "?post_id=1&post_id=2"
