"""ledger domain."""
