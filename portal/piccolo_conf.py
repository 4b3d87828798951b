"""Piccolo's configuration: the engine comes from DATABASE_URL (see portal/lib/settings.py)."""

from piccolo.conf.apps import AppRegistry

from portal.lib.db import engine_from_url
from portal.lib.settings import database_url_from_env

DB = engine_from_url(database_url_from_env())

APP_REGISTRY = AppRegistry(
    apps=[
        "portal.piccolo_app",
        "proposals.piccolo_app",
        "review.piccolo_app",
        "ledger.piccolo_app",
    ]
)
