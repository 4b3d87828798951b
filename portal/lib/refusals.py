"""What a use case raises when it says no: the Dutch reason for the person who asked.

Each domain has its own kind (`ProposalRefused`, `ReviewRefused`, `LedgerRefused`, …), so that a
reader sees where a refusal comes from; a controller that calls into several domains catches
`Refused`. Raised inside a write transaction it also undoes what that transaction wrote, and
leaves the form's one-time key unused (portal/lib/once.py), so a repeat is judged afresh.
"""

from __future__ import annotations


class Refused(ValueError):
    """A rule said no; `str(error)` is the Dutch reason to show."""
