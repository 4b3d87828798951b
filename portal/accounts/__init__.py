"""The accounts and admin domain: people, networks, regions, organisations, roles, log-in,
sessions, the audit log and the outbox."""
