"""Keeping a network's procedure: its criteria set (proposals/criteria.py) and its decision
route (review/route.py), read from the forms of their pages, checked, saved on the network with
an audit event. Rounds keep the set they opened with; a route's renamed step keeps its code, so
the advice recorded under it shows the new name."""

from __future__ import annotations

from litestar.datastructures import FormMultiDict

from portal.accounts import events
from portal.accounts.principal import Principal
from portal.accounts.tables import Network
from portal.lib.db import write_transaction
from portal.lib.forms import text, whole_number
from proposals.criteria import (
    MAX_CRITERIA,
    MAX_WEIGHT,
    SCALE_LABELS,
    Criteria,
    Criterion,
    Scale,
    from_json,
    set_problems,
    to_json,
)
from review.route import DecisionRoute, joined, route_to_json

# Empty rows under the set, to add criteria without JavaScript.
NEW_ROWS = 3


def parse_set(form: FormMultiDict) -> tuple[Criteria, dict[str, str]]:
    """The rows of the form in their order; a row left wholly empty is no criterion. Problems
    by field (`code2`, `weight3`, …) of the rows as numbered in the form."""
    rows: list[tuple[int, Criterion]] = []
    problems: dict[str, str] = {}
    for i in range(1, MAX_CRITERIA + NEW_ROWS + 1):
        code = text(form, f"code{i}", 6).upper()
        name = text(form, f"name{i}", 200)
        explanation = text(form, f"explanation{i}", 1000)
        if not (code or name or explanation):
            continue
        scale = text(form, f"scale{i}") or Scale.score
        if scale not in SCALE_LABELS:
            problems[f"scale{i}"] = "Kies een score van 1 tot en met 5 of voldoet / voldoet niet."
            scale = Scale.score
        raw_weight = text(form, f"weight{i}") or "1"
        weight = whole_number(raw_weight, minimum=1, maximum=MAX_WEIGHT)
        if weight is None:
            problems[f"weight{i}"] = f"Een gewicht is een heel getal van 1 tot en met {MAX_WEIGHT}."
        criterion = Criterion(
            code=code,
            name=name,
            explanation=explanation,
            scale=Scale(scale),
            weight=weight or 1,
            excluding=scale == Scale.pass_fail and text(form, f"excluding{i}") == "1",
        )
        rows.append((i, criterion))
    # The set's own rules, told on the row of the form they are about.
    numbered = {position: i for position, (i, _) in enumerate(rows, start=1)}
    for field, message in set_problems(tuple(c for _, c in rows)).items():
        name = field.rstrip("0123456789")
        position = field[len(name) :]
        problems.setdefault(f"{name}{numbered[int(position)]}" if position else field, message)
    return tuple(c for _, c in rows), problems


def form_values(criteria: Criteria) -> dict[str, str]:
    values: dict[str, str] = {}
    for i, c in enumerate(criteria, start=1):
        values |= {
            f"code{i}": c.code,
            f"name{i}": c.name,
            f"explanation{i}": c.explanation,
            f"scale{i}": str(c.scale),
            f"weight{i}": str(c.weight),
            f"excluding{i}": "1" if c.excluding else "",
        }
    return values


async def network_set(network_id: int) -> Criteria:
    row = await Network.select(Network.criteria).where(Network.id == network_id).first()
    return from_json(row["criteria"] if row else None)


async def save_set(actor: Principal, network_id: int, criteria: Criteria) -> None:
    problems = set_problems(criteria)
    if problems:  # the form checked; a caller that did not gets no half-checked set
        raise ValueError(problems)
    async with write_transaction():
        await Network.update({Network.criteria: to_json(criteria)}).where(Network.id == network_id)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="criteria_saved",
            object_type="network",
            object_id=network_id,
            summary="Criteriaset gewijzigd: " + ", ".join(c.code for c in criteria),
            details={"criteria": to_json(criteria)},
        )


async def save_route(
    actor: Principal,
    network_id: int,
    route: DecisionRoute,
    letterhead: dict[str, str] | None = None,
) -> None:
    """The route and, when given, the letters' letterhead and signature."""
    values: dict = {Network.decision_route: route_to_json(route)}
    if letterhead is not None:
        values[Network.letterhead] = letterhead
    async with write_transaction():
        await Network.update(values).where(Network.id == network_id)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="decision_route_saved",
            object_type="network",
            object_id=network_id,
            summary="Besluitvorming gewijzigd: advies van "
            + joined([s.name for s in route.advice])
            + (f"; besluit: {route.decider}" if route.decider else ""),
            details=route_to_json(route),
        )
