"""The documentation: OpenAPI at /api/docs with Swagger UI served from the portal itself."""

from __future__ import annotations

from litestar import Router
from litestar.datastructures import ResponseHeader
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from portal.accounts.guards import PUBLIC
from portal.api.common import API_VERSION

# --- the documentation ------------------------------------------------------------------------

# Swagger UI comes from a CDN and starts with an inline script; only these pages may load it.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"
)


def openapi_config() -> OpenAPIConfig:
    """The OpenAPI schema of the API (only routes that opt in: the app sets
    include_in_schema=False), with Swagger UI at /api/docs and the JSON at
    /api/docs/openapi.json. The documentation itself is public; the data is not."""
    return OpenAPIConfig(
        title="Fondsportaal API",
        version=API_VERSION,
        description=(
            "Alleen-lezen API voor de financiële en rapportagesystemen van de gemeente. "
            "Gebruik een persoonlijke API-sleutel (Authorization: Bearer …) die een coördinator "
            "maakt onder 'API-sleutels'. Bedragen zijn altijd hele centen."
        ),
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http", scheme="bearer", description="Persoonlijke API-sleutel"
                )
            }
        ),
        # Swagger UI from our own static files: no visitor is ever sent to a third party.
        render_plugins=[
            SwaggerRenderPlugin(
                path="/",
                js_url="/static/vendor/swagger/swagger-ui-bundle.js",
                css_url="/static/vendor/swagger/swagger-ui.css",
                standalone_preset_js_url="/static/vendor/swagger/swagger-ui-standalone-preset.js",
                favicon="",
            )
        ],
        openapi_router=Router(
            path="/api/docs",
            route_handlers=[],
            opt=PUBLIC,
            include_in_schema=False,
            response_headers=[ResponseHeader(name="content-security-policy", value=DOCS_CSP)],
        ),
    )
