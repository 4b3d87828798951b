"""Reading the review, advice and decision forms, with Dutch messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from litestar.datastructures import FormMultiDict

from portal.lib.forms import parse_date, whole_number
from portal.lib.forms import text as _text
from portal.lib.money import MoneyError, parse_euros
from review.aggregate import PRECONDITION_VALUES, RECOMMENDATIONS

CRITERIA_LABELS = {
    "c1": "C1 Duurzame transformatie",
    "c2": "C2 Bovenregionaal belang",
    "c3": "C3 Past binnen de drie functies",
    "c4": "C4 Samenhang van doelen, activiteiten en middelen",
}
PRECONDITION_LABELS = {
    "r1": "R1 Ondersteunend aan de bestaande infrastructuur",
    "r3": "R3 Verantwoording geregeld",
    "r4": "R4 Rechtmatig (aanbestedingsrecht)",
}
OUTCOMES = {
    "granted": "Toegekend",
    "granted_with_conditions": "Toegekend onder voorwaarden",
    "returned": "Terug voor aanpassing",
    "rejected": "Afgewezen",
}
# Every field of the review form by its name, for the error summary's links.
REVIEW_FIELD_LABELS: dict[str, str] = {
    **CRITERIA_LABELS,
    **{f"{field}_motivation": f"{label}: motivering" for field, label in CRITERIA_LABELS.items()},
    **PRECONDITION_LABELS,
    **{
        f"{field}_explanation": f"{label}: toelichting"
        for field, label in PRECONDITION_LABELS.items()
    },
    "recommendation": "Eindadvies",
    "advice": "Toelichting op uw advies",
}
ADVICE_BODIES = {
    "ao_chairs": "AO en voorzitters expertteams",
    "ambassadors": "Bestuurlijk ambassadeurs",
}


def parse_review(form: FormMultiDict, submit: bool) -> tuple[dict, dict[str, str]]:
    """Column values and problems. A draft may be incomplete; a submitted review may not."""
    values: dict = {}
    errors: dict[str, str] = {}
    for field, label in CRITERIA_LABELS.items():
        raw = _text(form, field)
        score = whole_number(raw, minimum=1, maximum=5)
        if raw and score is None:
            errors[field] = "Kies een score van 1 tot en met 5."
        values[field] = score
        values[f"{field}_motivation"] = _text(form, f"{field}_motivation")
        if submit and score is None and field not in errors:
            errors[field] = f"Geef een score voor {label}."
        if submit and not values[f"{field}_motivation"]:
            errors[f"{field}_motivation"] = "Motiveer de score."
    for field, label in PRECONDITION_LABELS.items():
        raw = _text(form, field)
        if raw and raw not in PRECONDITION_VALUES:
            errors[field] = "Kies voldoet, voldoet niet of onduidelijk."
            raw = ""
        values[field] = raw
        values[f"{field}_explanation"] = _text(form, f"{field}_explanation")
        if submit and not raw:
            errors.setdefault(field, f"Beoordeel {label}.")
        if submit and raw and raw != "voldoet" and not values[f"{field}_explanation"]:
            errors[f"{field}_explanation"] = (
                "Licht toe waarom het voorstel hier niet (zeker) voldoet."
            )
    recommendation = _text(form, "recommendation")
    if recommendation and recommendation not in RECOMMENDATIONS:
        errors["recommendation"] = "Kies een van de adviezen."
        recommendation = ""
    if submit and not recommendation:
        errors.setdefault("recommendation", "Kies uw eindadvies.")
    values["recommendation"] = recommendation
    values["advice"] = _text(form, "advice")
    if submit and not values["advice"]:
        errors["advice"] = "Schrijf een korte toelichting bij uw advies."
    return values, errors


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


def parse_advice(form: FormMultiDict, prefix: str = "") -> tuple[AdviceInput, dict[str, str]]:
    errors: dict[str, str] = {}
    body = _text(form, f"{prefix}body") or "ao_chairs"
    if body not in ADVICE_BODIES:
        errors[f"{prefix}body"] = "Kies van wie het advies is."
    data = AdviceInput(
        body,
        _date(form, f"{prefix}meeting_date", errors),
        _text(form, f"{prefix}reference", 200),
        _text(form, f"{prefix}advice"),
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
    form: FormMultiDict, requested_cents: int | None, prefix: str = ""
) -> tuple[DecisionInput, dict[str, str]]:
    """One decision; `prefix` lets a round screen hold one per proposal (e.g. "p12_")."""
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
            errors[f"{prefix}amount"] = "Vul het toegekende bedrag in."
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
        conditions=_text(form, f"{prefix}conditions"),
        reasons=_text(form, f"{prefix}reasons"),
        decision_date=_date(form, f"{prefix}decision_date", errors),
        reference=_text(form, f"{prefix}reference", 200),
        advice_date=_date(form, f"{prefix}advice_date", errors),
        advice_reference=_text(form, f"{prefix}advice_reference", 200),
        shared_advice=_text(form, f"{prefix}shared_advice"),
    )
    if outcome == "granted_with_conditions" and not data.conditions:
        errors[f"{prefix}conditions"] = "Noem de voorwaarden."
    if outcome in ("returned", "rejected") and not data.reasons:
        errors[f"{prefix}reasons"] = "Geef de redenen; de aanvragers lezen ze."
    if not data.advice_reference:
        errors[f"{prefix}advice_reference"] = (
            "Vul het kenmerk van het advies van de bestuurlijk ambassadeurs in."
        )
    return data, errors
