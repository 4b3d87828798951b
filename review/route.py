"""A network's decision route (DESIGN §2.9): the bodies that advise on a proposal, in order,
and the one that decides, with the names the network uses for them.

Zuid-West: the AO with the chairs of the expert teams advise, the bestuurlijk ambassadeurs
advise, the college of the coordinating municipality decides. Limburg: the projectgroep
assesses, the ambtelijk overleg prepares, the bestuurlijk overleg decides. The first advice is
recorded on its own and moves the proposal to "advised"; with two or more steps, the last one's
date and reference are recorded with the decision (as Zuid-West's ambassadors' advice is); the
steps between are recorded on their own too. Pages, e-mails, the timeline and the letter say
the network's names. Kept on the network (`Network.decision_route`; empty: Zuid-West's).

Pure: no database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_STEPS = 4


@dataclass(frozen=True)
class Step:
    code: str  # stored with each advice; stays when the step is renamed
    name: str


@dataclass(frozen=True)
class DecisionRoute:
    advice: tuple[Step, ...]
    decider: str  # as the letter names it: "besluit <decider>"; empty: the municipality's college

    @property
    def first(self) -> Step:
        return self.advice[0]

    @property
    def with_decision(self) -> Step | None:
        """The step whose advice is recorded with the decision, if the route has two or more."""
        return self.advice[-1] if len(self.advice) > 1 else None

    @property
    def on_their_own(self) -> tuple[Step, ...]:
        """The steps recorded before the decision, each on its own."""
        return self.advice[:-1] if len(self.advice) > 1 else self.advice

    def names(self) -> dict[str, str]:
        return {s.code: s.name for s in self.advice}

    def decider_for(self, municipality: str) -> str:
        return self.decider or f"het college van burgemeester en wethouders van {municipality}"


DEFAULT_ROUTE = DecisionRoute(
    (
        Step("ao_chairs", "AO en voorzitters expertteams"),
        Step("ambassadors", "Bestuurlijk ambassadeurs"),
    ),
    "",
)


def route_from_json(data: Mapping[str, Any] | str | None) -> DecisionRoute:
    loaded = json.loads(data or "{}") if isinstance(data, str) else (data or {})
    steps = tuple(Step(str(s["code"]), str(s["name"])) for s in loaded.get("advice", ()))
    if not steps:
        return DEFAULT_ROUTE
    return DecisionRoute(steps, str(loaded.get("decider", "")))


def route_to_json(route: DecisionRoute) -> dict[str, Any]:
    return {
        "advice": [{"code": s.code, "name": s.name} for s in route.advice],
        "decider": route.decider,
    }


def with_names(current: DecisionRoute, names: list[str], decider: str) -> DecisionRoute:
    """The route with these step names in this order: a step keeps the code of the one at its
    place (its recorded advice keeps its name), a new place gets a new code."""
    codes = [s.code for s in current.advice]
    steps = []
    for i, name in enumerate(names):
        code = codes[i] if i < len(codes) else f"advies{i + 1}"
        steps.append(Step(code, name.strip()))
    return DecisionRoute(tuple(steps), decider.strip())


def route_problems(names: list[str], decider: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not [n for n in names if n.strip()]:
        problems["step1"] = "Vul minstens één adviserend orgaan in."
    if len(names) > MAX_STEPS:
        problems["step1"] = f"Een route heeft hoogstens {MAX_STEPS} adviesstappen."
    if decider and not re.search(r"\w", decider):
        problems["decider"] = "Vul in wie besluit, of laat het leeg."
    return problems
