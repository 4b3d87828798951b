"""The review's rules about advice, as pure functions: whether the advice may come before the
reviews are in, and the order of the dates from advice to decision. The services call them
inside their write transaction, with what the database says then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from portal.lib.formatting import datum

OPEN_REVIEWS_FIELD = "open_reviews_reason"


def open_reviews_problem(states: Iterable[str], reason: str) -> str | None:
    """Advice follows the reviews: every review assigned for this version handed in, or a
    reason recorded why the advice goes on without them (a reviewer fell ill, the meeting
    could not wait). No review at all counts as open too."""
    states = list(states)
    submitted = sum(1 for s in states if s == "submitted")
    if (states and submitted == len(states)) or reason.strip():
        return None
    if not states:
        situation = "Er is nog geen beoordelaar toegewezen."
    elif len(states) == 1:
        situation = "De beoordeling is nog niet ingediend."
    elif submitted == 0:
        situation = f"Nog geen van de {len(states)} beoordelingen is ingediend."
    else:
        situation = f"Nog niet alle beoordelingen zijn ingediend ({submitted} van {len(states)})."
    return (
        f"{situation} Wacht tot ze binnen zijn, of schrijf hier waarom het advies zonder alle "
        "beoordelingen verder gaat."
    )


def advice_date_problem(meeting_date: dt.date, today: dt.date) -> str | None:
    """Advice is recorded once it was given: its date is not in the future."""
    if meeting_date > today:
        return (
            f"Deze datum ligt in de toekomst (vandaag is {datum(today)}); leg het advies vast "
            "nadat het is gegeven."
        )
    return None


def decision_advice_date_problem(
    advice_date: dt.date,
    decision_date: dt.date,
    earlier_advice: Iterable[tuple[str, dt.date]],
    step_name: str,
    today: dt.date,
) -> str | None:
    """The advice that comes with the decision sits between the earlier advice and the
    decision: not before an earlier step's meeting, not after the decision, not in the
    future. `earlier_advice`: (name of the step, date of its meeting)."""
    if problem := advice_date_problem(advice_date, today):
        return problem
    if advice_date > decision_date:
        return (
            f"Het advies van {step_name} gaat aan het besluit vooraf; deze datum ligt na de "
            f"datum van het besluit ({datum(decision_date)})."
        )
    for name, earlier in earlier_advice:
        if advice_date < earlier:
            return (
                f"Het advies van {step_name} volgt op dat van {name} ({datum(earlier)}); "
                "deze datum ligt ervoor."
            )
    return None
