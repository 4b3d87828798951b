"""Turning stored proposals into form values and back: what the edit pages show."""

from __future__ import annotations

from litestar.datastructures import FormMultiDict

from portal.lib.money import format_euros
from proposals.budget_workbook import BudgetLineInput
from proposals.forms import EXTRA_MEMBER_ROWS
from proposals.rows import ProposalRow
from proposals.rules import VIERKANT

MULTI_FIELDS = (
    "functions",
    "transformation_goals",
    "participating_regions",
    "benefiting_regions",
    "kind",
    "year",
    "description",
    "hours",
    "rate",
    "amount",
)


def _money(cents: int | None) -> str:
    return "" if cents is None else format_euros(cents, symbol=False)


def current_values(p: ProposalRow) -> dict[str, str | list[str]]:
    """The stored proposal as the strings its forms show."""
    goals = p["transformation_goals"] or {}
    values: dict[str, str | list[str]] = {
        key: ("" if p[key] is None else str(p[key]))
        for key in (
            "title",
            "summary",
            "theme",
            "region",
            "lead_organisation",
            "contact_name",
            "contact_email",
            "contact_phone",
            "goals",
            "results",
            "activities",
            "target_group",
            "supra_regional_reason",
            "innovation",
            "extends_offer",
            "extension_region",
            "extension_description",
            "procurement_expert_name",
            "procurement_expert_organisation",
            "procurement_route",
            "procurement_service_kind",
            "procurement_policy_fit",
            "procurement_notes",
        )
    }
    values |= {
        "start_date": p["start_date"].isoformat() if p["start_date"] else "",
        "end_date": p["end_date"].isoformat() if p["end_date"] else "",
        "functions": list(p["functions"] or []),
        "transformation_goals": list(goals),
        "participating_regions": [str(r) for r in p["participating_region_ids"] or []],
        "benefiting_regions": [str(r) for r in p["benefiting_region_ids"] or []],
        "estimated_contract_value": _money(p["estimated_contract_value_cents"]),
        "requested_amount": _money(p["requested_amount_cents"]),
    }
    for code, explanation in goals.items():
        values[f"goal_{code}_explanation"] = explanation
    return values


def typed_values(form: FormMultiDict) -> dict:
    """What the user typed, to show a refused form again exactly as it was."""
    values: dict = {}
    for key in form:
        if key == "_csrf_token":
            continue
        values[key] = form.getall(key) if key in MULTI_FIELDS else form.get(key)
    return values


def bouwteam_values(members: list[dict]) -> dict:
    values: dict = {}
    others = 0
    for member in members:
        key = member["position"]
        if key not in VIERKANT or f"{key}_name" in values:
            others += 1
            if others > EXTRA_MEMBER_ROWS:
                continue
            key = f"other{others}"
        values[f"{key}_name"] = member["name"]
        values[f"{key}_organisation"] = member["organisation_name"]
        if member["is_kartrekker"]:
            values["kartrekker"] = key
    values["members"] = True
    return values


def budget_row(line: dict) -> dict:
    return {
        "kind": line["kind"],
        "year": str(line["year"]),
        "description": line["description"],
        "hours": _money(line["hours_hundredths"]),
        "rate": _money(line["hourly_rate_cents"]),
        # A personnel amount is hours × rate, computed on every save; an old figure left in the
        # field would go stale when the hours change.
        "amount": "" if line["kind"] == "personnel" else _money(line["amount_cents"]),
    }


def line_input(line: dict) -> BudgetLineInput:
    return BudgetLineInput(
        kind=line["kind"],
        year=line["year"],
        description=line["description"],
        amount_cents=line["amount_cents"],
        hours_hundredths=line["hours_hundredths"],
        hourly_rate_cents=line["hourly_rate_cents"],
    )


def rows_to_form(requested: str, rows: list[dict]) -> FormMultiDict:
    items = [("requested_amount", requested)]
    for row in rows:
        items += [
            (k, row.get(k, "")) for k in ("kind", "year", "description", "hours", "rate", "amount")
        ]
    return FormMultiDict(items)


def project_years(p: ProposalRow) -> list[int]:
    """The years a budget line may fall in: the project's period, else three from the round's."""
    if p["start_date"] and p["end_date"] and p["start_date"] <= p["end_date"]:
        return list(range(p["start_date"].year, p["end_date"].year + 1))
    return [p["year"], p["year"] + 1, p["year"] + 2]
