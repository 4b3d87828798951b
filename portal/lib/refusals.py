"""What a use case raises when it says no: the Dutch reason for the person who asked.

Each domain has its own kind (`ProposalRefused`, `ReviewRefused`, `LedgerRefused`, …), so that a
reader sees where a refusal comes from; a controller that calls into several domains catches
`Refused`. Raised inside a write transaction it also undoes what that transaction wrote, and
leaves the form's one-time key unused (portal/lib/once.py), so a repeat is judged afresh.
"""

from __future__ import annotations


class Refused(ValueError):
    """A rule said no; `str(error)` is the Dutch reason to show. `field`, when the reason is
    about one field of the form that was sent, names it: the form comes back with the message
    on that field and what was typed, instead of a flash message on another page."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def refusal_error(refusal: Refused, whole: str = "form") -> dict[str, str]:
    """A refusal as a form's one error: on its field when it is about one (the summary links
    to it), else about the form as a whole (`whole`: the key of that form's own message, where
    a page has several forms)."""
    return {refusal.field or whole: str(refusal)}


def form_errors(refusal: Refused) -> dict[str, str]:
    """A refusal as a form's errors: at the top ("form"), and on its field too when it is about
    one, next to what was typed."""
    errors = {"form": str(refusal)}
    if refusal.field:
        errors[refusal.field] = str(refusal)
    return errors
