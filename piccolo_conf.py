"""For Piccolo's own CLI run from the repository root (`piccolo migrations new portal --auto`).
The portal itself uses portal.piccolo_conf (see portal/__init__.py)."""

from portal.piccolo_conf import *  # noqa: F403
