"""Fondsportaal: the portal application, accounts, networks and shared services."""
