"""Reading the review, advice and decision forms, with Dutch messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar.datastructures import FormMultiDict

from portal.lib.forms import TEXT_LIMIT, parse_date, whole_number
from portal.lib.forms import text as _text
from portal.lib.money import MoneyError, parse_euros
from proposals.criteria import Criteria
from review.aggregate import PRECONDITION_VALUES, RECOMMENDATIONS
from review.route import DEFAULT_ROUTE, DecisionRoute

OUTCOMES = {
    "granted": "Toegekend",
    "granted_with_conditions": "Toegekend onder voorwaarden",
    "returned": "Terug voor aanpassing",
    "rejected": "Afgewezen",
}

# The decision's fields that one outcome requires and the others leave empty, with that
# situation in words: the label says "(verplicht bij toekennen)" and the message names it too.
DECISION_REQUIRED_WHEN = {
    "amount": "bij toekennen",
    "conditions": "bij toekennen onder voorwaarden",
    "reasons": "bij afwijzen of terugsturen",
}


def field_labels(criteria: Criteria) -> dict[str, str]:
    """Every field of the review form by its name, for the error summary's links."""
    labels: dict[str, str] = {}
    for c in criteria:
        labels[c.field] = c.label
        labels[c.note_field] = f"{c.label}: {'motivering' if c.is_score else 'toelichting'}"
    return {**labels, "recommendation": "Eindadvies", "advice": "Toelichting op uw advies"}


QUESTION_LIMIT = 5000  # a clarification question to the applicants
REFERENCE_LIMIT = 200  # a reference (kenmerk) column's length
# Why the advice goes on before every assigned review is in: a few sentences for the file.
REASON_LIMIT = 2000

# Zuid-West's advice bodies by code; a network's own come from its decision route.
ADVICE_BODIES = DEFAULT_ROUTE.names()


def parse_review(
    form: FormMultiDict, criteria: Criteria, submit: bool
) -> tuple[dict, dict[str, str]]:
    """The review's values (`scores` and `notes` by criterion code, `recommendation`,
    `advice`) and the problems by field. A draft may be incomplete; a submitted review may
    not."""
    scores: dict[str, int | str] = {}
    notes: dict[str, str] = {}
    errors: dict[str, str] = {}
    for c in criteria:
        raw = _text(form, c.field)
        note = _text(form, c.note_field, TEXT_LIMIT, errors)
        if note:
            notes[c.code] = note
        if c.is_score:
            score = whole_number(raw, minimum=1, maximum=5)
            if raw and score is None:
                errors[c.field] = "Kies een score van 1 tot en met 5."
            if score is not None:
                scores[c.code] = score
            if submit and score is None and c.field not in errors:
                errors[c.field] = f"Geef een score voor {c.label}."
            if submit and not note:
                errors.setdefault(c.note_field, "Motiveer de score.")
            continue
        if raw and raw not in PRECONDITION_VALUES:
            errors[c.field] = "Kies voldoet, voldoet niet of onduidelijk."
            raw = ""
        if raw:
            scores[c.code] = raw
        if submit and not raw:
            errors.setdefault(c.field, f"Beoordeel {c.label}.")
        if submit and raw and raw != "voldoet" and not note:
            errors[c.note_field] = "Licht toe waarom het voorstel hier niet (zeker) voldoet."
    recommendation = _text(form, "recommendation")
    if recommendation and recommendation not in RECOMMENDATIONS:
        errors["recommendation"] = "Kies een van de adviezen."
        recommendation = ""
    if submit and not recommendation:
        errors.setdefault("recommendation", "Kies uw eindadvies.")
    advice = _text(form, "advice", TEXT_LIMIT, errors)
    if submit and not advice:
        errors["advice"] = "Schrijf een korte toelichting bij uw advies."
    values = {"scores": scores, "notes": notes, "recommendation": recommendation, "advice": advice}
    return values, errors


def form_values(review: Mapping[str, Any], criteria: Criteria) -> dict[str, str]:
    """A saved review as its form shows it."""
    scores, notes = review["scores"] or {}, review["notes"] or {}
    values = {
        "recommendation": review["recommendation"] or "",
        "advice": review["advice"] or "",
    }
    for c in criteria:
        values[c.field] = str(scores.get(c.code, ""))
        values[c.note_field] = notes.get(c.code, "")
    return values


def _date(form: FormMultiDict, name: str, errors: dict, required: bool = True) -> dt.date | None:
    raw = _text(form, name)
    if not raw:
        if required:
            errors[name] = "Vul de datum in."
        return None
    try:
        return parse_date(raw)
    except ValueError:
        errors[name] = "Vul een geldige datum in, bijvoorbeeld 14-10-2021."
        return None


@dataclass(frozen=True)
class AdviceInput:
    body: str
    meeting_date: dt.date | None
    reference: str
    advice: str
    # Why the advice is recorded although not every assigned review is in (review/services.py
    # asks for it then); empty when they are all in.
    open_reviews_reason: str = ""


def parse_advice(
    form: FormMultiDict, prefix: str = "", route: DecisionRoute = DEFAULT_ROUTE
) -> tuple[AdviceInput, dict[str, str]]:
    errors: dict[str, str] = {}
    body = _text(form, f"{prefix}body") or route.first.code
    if body not in {s.code for s in route.on_their_own}:
        errors[f"{prefix}body"] = "Kies van wie het advies is."
    data = AdviceInput(
        body,
        _date(form, f"{prefix}meeting_date", errors),
        _text(form, f"{prefix}reference", REFERENCE_LIMIT, errors),
        _text(form, f"{prefix}advice", TEXT_LIMIT, errors),
        _text(form, f"{prefix}open_reviews_reason", REASON_LIMIT, errors),
    )
    if not data.advice:
        errors[f"{prefix}advice"] = "Vul het advies in."
    return data, errors


@dataclass(frozen=True)
class DecisionInput:
    outcome: str
    amount_cents: int | None
    conditions: str
    reasons: str
    decision_date: dt.date | None
    reference: str
    advice_date: dt.date | None
    advice_reference: str
    shared_advice: str


def parse_decision(
    form: FormMultiDict,
    requested_cents: int | None,
    prefix: str = "",
    route: DecisionRoute = DEFAULT_ROUTE,
) -> tuple[DecisionInput, dict[str, str]]:
    """One decision; `prefix` lets a round screen hold one per proposal (e.g. "p12_"). With a
    route of two or more advice steps, the last one's advice comes with it."""
    last = route.with_decision
    errors: dict[str, str] = {}
    outcome = _text(form, f"{prefix}outcome")
    if outcome not in OUTCOMES:
        errors[f"{prefix}outcome"] = "Kies het besluit."
    amount = None
    raw_amount = _text(form, f"{prefix}amount")
    if outcome in ("granted", "granted_with_conditions"):
        try:
            amount = parse_euros(raw_amount) if raw_amount else None
        except MoneyError as error:
            errors[f"{prefix}amount"] = str(error)
        if amount is None and f"{prefix}amount" not in errors:
            errors[f"{prefix}amount"] = (
                "Vul het toegekende bedrag in: dat is verplicht "
                f"{DECISION_REQUIRED_WHEN['amount']}."
            )
        elif amount is not None and amount <= 0:
            errors[f"{prefix}amount"] = "Het toegekende bedrag moet groter zijn dan nul."
        elif amount is not None and requested_cents is not None and amount > requested_cents:
            from portal.lib.money import format_euros

            errors[f"{prefix}amount"] = (
                f"Het toegekende bedrag mag niet hoger zijn dan het gevraagde bedrag "
                f"({format_euros(requested_cents)})."
            )
    data = DecisionInput(
        outcome=outcome,
        amount_cents=amount,
        conditions=_text(form, f"{prefix}conditions", TEXT_LIMIT, errors),
        reasons=_text(form, f"{prefix}reasons", TEXT_LIMIT, errors),
        decision_date=_date(form, f"{prefix}decision_date", errors),
        reference=_text(form, f"{prefix}reference", REFERENCE_LIMIT, errors),
        advice_date=_date(form, f"{prefix}advice_date", errors) if last else None,
        advice_reference=(
            _text(form, f"{prefix}advice_reference", REFERENCE_LIMIT, errors) if last else ""
        ),
        shared_advice=_text(form, f"{prefix}shared_advice", TEXT_LIMIT, errors),
    )
    if outcome == "granted_with_conditions" and not data.conditions:
        errors[f"{prefix}conditions"] = (
            f"Noem de voorwaarden: die zijn verplicht {DECISION_REQUIRED_WHEN['conditions']}."
        )
    if outcome in ("returned", "rejected") and not data.reasons:
        errors[f"{prefix}reasons"] = (
            f"Geef de redenen: die zijn verplicht {DECISION_REQUIRED_WHEN['reasons']}; "
            "de aanvragers lezen ze."
        )
    if last and not data.advice_reference:
        errors[f"{prefix}advice_reference"] = f"Vul het kenmerk van het advies van {last.name} in."
    return data, errors
