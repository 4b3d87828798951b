"""The read-only JSON API for the municipality's finance and reporting systems: `/api/v1/...`.

Who is asking: a personal API token in `Authorization: Bearer …` (portal/accounts/api_tokens.py).
`BearerTokenMiddleware` turns it into the Principal of its user, carrying only their coordinator
roles, in `scope["user"]` (what SessionMiddleware does for a browser; a session cookie counts
for nothing here) and answers 401 itself when the token is missing, unknown or revoked.
What they may read: every handler declares `opt=COORDINATOR`, and the app-wide guard decides as
for pages (portal/accounts/guards.py): a network in the path must be one of the token user's
networks, else 404, so another network's data never comes back.

Money is always integer cents; dates and times are ISO 8601 (times in UTC).
"""

from portal.api.auth import BearerTokenMiddleware, bearer_secret, invalid_input
from portal.api.docs import openapi_config
from portal.api.endpoints import ApiController, api_router

__all__ = [
    "ApiController",
    "BearerTokenMiddleware",
    "api_router",
    "bearer_secret",
    "invalid_input",
    "openapi_config",
]
