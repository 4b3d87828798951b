"""Fondsportaal: the portal application, accounts, networks and shared services."""

import os

# Piccolo looks for its configuration module by name; ours lives inside the package so that
# the installed `portal` command finds it from any working directory.
os.environ.setdefault("PICCOLO_CONF", "portal.piccolo_conf")
