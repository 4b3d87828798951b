"""The ASGI entry point for uvicorn or granian: `portal.asgi:app`."""

from portal.app import create_app
from portal.lib.observability import configure_logging

configure_logging()
app = create_app()
