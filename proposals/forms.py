"""Reading the proposal forms: each section's fields, validated, with Dutch messages.

A draft may be incomplete, so only what is typed wrongly is refused (a date that is no date, an
amount that is no amount); what is missing is the checklist's business.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from litestar.datastructures import FormMultiDict

from portal.accounts.rules import email_problem
from portal.lib import privacy
from portal.lib.forms import MAX_ID, TEXT_LIMIT, clean, parse_date, whole_number
from portal.lib.forms import text as _text
from portal.lib.money import MoneyError, parse_euros
from proposals.budget_workbook import (
    BUDGET_LINE_KINDS,
    BudgetLineInput,
    line_problems_by_field,
    personnel_amount_cents,
)
from proposals.rules import (
    BOUWTEAM_POSITIONS,
    EXTENDS_OFFER,
    FIELD_LABELS,
    FREE_TEXT_COLUMNS,
    FUNCTIONS,
    PROCUREMENT_ROUTES,
    PROCUREMENT_SERVICE_KINDS,
    TRANSFORMATION_GOALS,
    VIERKANT,
)

EXTRA_MEMBER_ROWS = 6
TITLE_LIMIT = 300  # the column's length
# A transformation goal's explanation: a paragraph next to its box.
GOAL_EXPLANATION_LIMIT = 2000


@dataclass
class SectionInput:
    values: dict[str, object] = field(default_factory=dict)  # column name -> value to store
    errors: dict[str, str] = field(default_factory=dict)
    bouwteam: list[dict] | None = None  # rows to store for the bouwteam section


def _id(
    form: FormMultiDict, name: str, allowed: set[int], errors: dict, message: str
) -> int | None:
    raw = _text(form, name)
    if not raw:
        return None
    number = whole_number(raw, maximum=MAX_ID)
    if number is not None and number in allowed:
        return number
    errors[name] = message
    return None


def _date(form: FormMultiDict, name: str, errors: dict) -> dt.date | None:
    raw = _text(form, name)
    if not raw:
        return None
    try:
        return parse_date(raw)
    except ValueError:
        errors[name] = "Vul een geldige datum in, bijvoorbeeld 1-3-2022."
        return None


def _money(form: FormMultiDict, name: str, errors: dict) -> int | None:
    raw = _text(form, name)
    if not raw:
        return None
    try:
        cents = parse_euros(raw)
    except MoneyError as error:
        errors[name] = str(error)
        return None
    if cents < 0:
        errors[name] = "Een bedrag kan niet negatief zijn."
        return None
    return cents


def parse_general(
    form: FormMultiDict, theme_ids: set[int], region_ids: set[int], organisation_ids: set[int]
) -> SectionInput:
    errors: dict[str, str] = {}
    values: dict[str, object] = {
        "title": _text(form, "title", TITLE_LIMIT, errors),
        "summary": _text(form, "summary", TEXT_LIMIT, errors),
        "theme": _id(form, "theme", theme_ids, errors, "Kies een thema van deze ronde."),
        "region": _id(form, "region", region_ids, errors, "Kies een regio van dit netwerk."),
        "lead_organisation": _id(
            form,
            "lead_organisation",
            organisation_ids,
            errors,
            "Kies een organisatie van dit netwerk.",
        ),
        "contact_name": _text(form, "contact_name", 200, errors),
        "contact_email": _text(form, "contact_email", 254, errors).lower(),
        "contact_phone": _text(form, "contact_phone", 40, errors),
    }
    if not values["title"]:
        errors["title"] = "Een voorstel heeft altijd een titel."
    if values["contact_email"] and email_problem(str(values["contact_email"])):
        errors["contact_email"] = email_problem(str(values["contact_email"])) or ""
    if values["contact_phone"] and not re.fullmatch(
        r"[0-9 +()-]{6,40}", str(values["contact_phone"])
    ):
        errors["contact_phone"] = "Vul een telefoonnummer in met cijfers, spaties, + of -."
    return SectionInput(values, errors)


def parse_bouwteam(form: FormMultiDict) -> SectionInput:
    errors: dict[str, str] = {}
    rows: list[dict] = []
    kartrekker = _text(form, "kartrekker")
    keys = [*VIERKANT, *(f"other{i}" for i in range(1, EXTRA_MEMBER_ROWS + 1))]
    for order, key in enumerate(keys):
        name = _text(form, f"{key}_name", 200, errors)
        organisation = _text(form, f"{key}_organisation", 200, errors)
        if not name and not organisation:
            if kartrekker == key:
                errors["kartrekker"] = "De kartrekker moet een lid met een naam zijn."
            continue
        if not name:
            errors[f"{key}_name"] = "Vul ook de naam in."
        rows.append(
            {
                "position": key if key in BOUWTEAM_POSITIONS else "other",
                "name": name,
                "organisation_name": organisation,
                "is_kartrekker": kartrekker == key,
                "sort_order": order,
            }
        )
    return SectionInput({}, errors, rows)


def parse_content(form: FormMultiDict) -> SectionInput:
    errors: dict[str, str] = {}
    values: dict[str, object] = {
        "goals": _text(form, "goals", TEXT_LIMIT, errors),
        "results": _text(form, "results", TEXT_LIMIT, errors),
        "activities": _text(form, "activities", TEXT_LIMIT, errors),
        "target_group": _text(form, "target_group", TEXT_LIMIT, errors),
        "start_date": _date(form, "start_date", errors),
        "end_date": _date(form, "end_date", errors),
    }
    start, end = values["start_date"], values["end_date"]
    if isinstance(start, dt.date) and isinstance(end, dt.date) and start >= end:
        errors["end_date"] = "De einddatum moet na de begindatum liggen."
    return SectionInput(values, errors)


def parse_criteria(form: FormMultiDict, region_ids: set[int]) -> SectionInput:
    errors: dict[str, str] = {}
    functions = [f for f in form.getall("functions", []) if f in FUNCTIONS]
    goals = {
        code: _text(form, f"goal_{code}_explanation", GOAL_EXPLANATION_LIMIT, errors)
        for code in TRANSFORMATION_GOALS
        if code in form.getall("transformation_goals", [])
    }
    participating = sorted(
        {
            number
            for r in form.getall("participating_regions", [])
            if (number := whole_number(r, maximum=MAX_ID)) in region_ids
        }
    )
    benefiting = sorted(
        {
            number
            for r in form.getall("benefiting_regions", [])
            if (number := whole_number(r, maximum=MAX_ID)) in region_ids
        }
    )
    extends = _text(form, "extends_offer")
    if extends and extends not in EXTENDS_OFFER:
        errors["extends_offer"] = "Kies een van de mogelijkheden."
        extends = ""
    values: dict[str, object] = {
        "functions": functions,
        "transformation_goals": goals,
        "participating_region_ids": participating,
        "benefiting_region_ids": benefiting,
        "supra_regional_reason": _text(form, "supra_regional_reason", TEXT_LIMIT, errors),
        "innovation": _text(form, "innovation", TEXT_LIMIT, errors),
        "extends_offer": extends,
        "extension_region": _id(
            form, "extension_region", region_ids, errors, "Kies een regio van dit netwerk."
        )
        if extends == "other_region"
        else None,
        "extension_description": _text(form, "extension_description", TEXT_LIMIT, errors),
    }
    return SectionInput(values, errors)


def parse_procurement(form: FormMultiDict) -> SectionInput:
    errors: dict[str, str] = {}
    route = _text(form, "procurement_route")
    if route and route not in PROCUREMENT_ROUTES:
        errors["procurement_route"] = "Kies een van de inkoopvormen."
        route = ""
    kind = _text(form, "procurement_service_kind") or "social"
    if kind not in PROCUREMENT_SERVICE_KINDS:
        errors["procurement_service_kind"] = "Kies het soort opdracht."
        kind = "social"
    fit = _text(form, "procurement_policy_fit")
    values: dict[str, object] = {
        "procurement_expert_name": _text(form, "procurement_expert_name", 200, errors),
        "procurement_expert_organisation": _text(
            form, "procurement_expert_organisation", 200, errors
        ),
        "procurement_route": route,
        "procurement_service_kind": kind,
        "estimated_contract_value_cents": _money(form, "estimated_contract_value", errors),
        "procurement_policy_fit": fit if fit in {"yes", "no"} else "",
        "procurement_notes": _text(form, "procurement_notes", TEXT_LIMIT, errors),
    }
    return SectionInput(values, errors)


@dataclass
class BudgetInput:
    requested_amount_cents: int | None
    lines: list[BudgetLineInput]
    rows: list[dict]  # what was typed, to show the form again
    errors: dict[str, str]
    # Row of the form (1 = its first row, empty ones counted) -> its amount in cents where it
    # can be known (a personnel line: hours × rate), for the amount shown beside each row.
    row_amounts: dict[int, int] = field(default_factory=dict)

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    def totals_per_year(self) -> dict[int, int]:
        totals: dict[int, int] = {}
        for line in self.lines:
            totals[line.year] = totals.get(line.year, 0) + line.amount_cents
        return dict(sorted(totals.items()))


def _hours(raw: str) -> int:
    """'12,5' -> 1250 hundredths of an hour."""
    cents = parse_euros(raw)  # the same Dutch decimal notation, two decimals at most
    return cents


MAX_BUDGET_ROWS = 500


def parse_budget(form: FormMultiDict, allowed_years: set[int]) -> BudgetInput:
    """The budget editor's rows: kind[], year[], description[], hours[], rate[], amount[]."""
    errors: dict[str, str] = {}
    requested = _money(form, "requested_amount", errors)
    columns = ["kind", "year", "description", "hours", "rate", "amount"]
    values = {c: form.getall(c, []) for c in columns}
    count = max((len(v) for v in values.values()), default=0)
    rows, lines = [], []
    row_amounts: dict[int, int] = {}
    for i in range(min(count, MAX_BUDGET_ROWS)):
        row = {c: (clean(values[c][i]) if i < len(values[c]) else "") for c in columns}
        if not any(row[c] for c in ("description", "hours", "rate", "amount")):
            continue
        rows.append(row)
        n = len(rows)
        kind = row["kind"] if row["kind"] in BUDGET_LINE_KINDS else ""
        if not kind:
            errors[f"line{n}_kind"] = "Kies het soort kosten."
        year = whole_number(row["year"], minimum=1900, maximum=2200)
        if year is None:
            errors[f"line{n}_year"] = "Kies een jaar."
        hours = rate = amount = None
        try:
            hours = _hours(row["hours"]) if row["hours"] else None
        except MoneyError:
            errors[f"line{n}_hours"] = "Schrijf uren als 12 of 12,5."
        for name in ("rate", "amount"):
            if row[name]:
                try:
                    parsed = parse_euros(row[name])
                except MoneyError as error:
                    errors[f"line{n}_{name}"] = str(error)
                    continue
                if name == "rate":
                    rate = parsed
                else:
                    amount = parsed
        if kind == "personnel" and hours is not None and rate is not None:
            amount = personnel_amount_cents(hours, rate)
        if amount is not None:
            row_amounts[i + 1] = amount
        if any(k.startswith(f"line{n}_") for k in errors) or not kind or year is None:
            continue
        line = BudgetLineInput(
            kind=kind,
            year=year,
            description=row["description"],
            amount_cents=amount if amount is not None else 0,
            hours_hundredths=hours,
            hourly_rate_cents=rate,
        )
        # Each problem on the field it is about (negative hours on Uren, not on Omschrijving).
        for column, problem in line_problems_by_field(line, allowed_years):
            key = f"line{n}_{column}"
            errors[key] = f"{errors[key]} {problem}" if key in errors else problem
        if amount is None and kind != "personnel":
            errors[f"line{n}_amount"] = "Vul het bedrag in."
        lines.append(line)
    return BudgetInput(requested, lines, rows, errors, row_amounts)


# --- what the privacy check reads ------------------------------------------------------------

# Fields that hold a professional's details or a choice by design; all other text is judged.
NOT_SCREENED = frozenset(
    {
        "contact_name",
        "contact_email",
        "contact_phone",
        "procurement_expert_name",
        "procurement_expert_organisation",
        "extends_offer",
        "procurement_route",
        "procurement_service_kind",
        "procurement_policy_fit",
    }
)
_MORE_LABELS = {
    "activities": "Activiteiten en planning",
    "supra_regional_reason": "Bovenregionaal karakter",
    "innovation": "Vernieuwing",
    "extension_description": "Beschrijving van de uitbreiding",
    "procurement_notes": "Toelichting inkoop",
}


def free_texts(data: SectionInput | BudgetInput) -> tuple[dict[str, str], dict[str, str]]:
    """The typed free text of a section (field -> text) and the fields' names for people, for
    `portal.lib.privacy.screen`."""
    if isinstance(data, BudgetInput):
        texts = {f"line{n}_description": r["description"] for n, r in enumerate(data.rows, 1)}
        return texts, {key: f"Regel {key[4:].split('_')[0]}, omschrijving" for key in texts}
    texts = {
        key: value
        for key, value in data.values.items()
        if isinstance(value, str) and key not in NOT_SCREENED
    }
    labels = {key: FIELD_LABELS.get(key, _MORE_LABELS.get(key, key)) for key in texts}
    goals = data.values.get("transformation_goals")
    if isinstance(goals, dict):
        for code, explanation in goals.items():
            texts[f"goal_{code}_explanation"] = str(explanation)
            labels[f"goal_{code}_explanation"] = f"Toelichting: {TRANSFORMATION_GOALS[code]}"
    return texts, labels


# The stored proposal's free text, judged again for the checklist and the submit page.
STORED_TEXT_FIELDS = ("title", *FREE_TEXT_COLUMNS, "transformation_goals")


def stored_free_texts(
    proposal: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, str], dict[str, str]]:
    values = {key: proposal.get(key) or "" for key in STORED_TEXT_FIELDS}
    goals = proposal.get("transformation_goals")
    values["transformation_goals"] = (
        {code: text for code, text in (goals or {}).items() if code in TRANSFORMATION_GOALS}
        if isinstance(goals, dict)
        else {}
    )
    texts, labels = free_texts(SectionInput(values))
    for n, line in enumerate(lines, 1):
        texts[f"line{n}_description"] = line["description"]
        labels[f"line{n}_description"] = f"Begroting, regel {n}"
    return texts, labels


def client_data(
    proposal: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    attachments: Sequence[Mapping[str, Any]],
) -> tuple[str, ...]:
    """What the proposal's text and files hold that may be a client's (DESIGN §2.11), one line
    each: the text judged as it is stored, the files as judged and confirmed on upload."""
    texts, labels = stored_free_texts(dict(proposal), lines)
    screening = privacy.screen(texts, labels)
    found = [
        f"{labels[name]}: {privacy.KIND_LABELS[privacy.Kind.bsn]}" for name in screening.refusals
    ]
    found += [privacy.summary([w]) for w in screening.warnings]
    for attachment in attachments:
        for stored in attachment.get("privacy_warnings") or []:
            finding = privacy.Finding.from_dict(stored)
            if finding is not None:
                found.append(privacy.summary([finding]))
    return tuple(dict.fromkeys(found))
