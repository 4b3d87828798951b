"""A network's panel: the kinds of reviewer it has and how many of each kind a proposal needs
(DESIGN.md §2.3).

Zuid-West's reviewers are AO members and expert-team chairs, and each proposal is read by at
least one of each. Limburg's projectgroep has the chairs of its three regional expert teams, an
ervaringsdeskundige and a municipal representative. So the kinds are data: each network keeps
its list (`Network.panel`; empty means Zuid-West's below), a reviewer's membership names one kind
of its network by code, and a round copies the list with the numbers it opens with
(`Round.panel`), so that changing the network's panel later changes no round.

Pure: no database. Here, below proposals and review, because a membership (accounts) names a kind
and a round (proposals) copies the panel.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CODE = re.compile(r"[a-z][a-z0-9_]{0,19}")
MAX_KINDS = 10
MAX_NEED = 10


@dataclass(frozen=True)
class PanelKind:
    code: str  # what a membership stores: "ao", "chair", "ervaringsdeskundige"
    name: str  # how pages and letters name one of them: "AO-lid"
    need: int = 0  # at least this many of the kind on every proposal


Panel = tuple[PanelKind, ...]

DEFAULT_PANEL: Panel = (
    PanelKind("ao", "AO-lid", 1),
    PanelKind("chair", "Voorzitter expertteam", 1),
)


def panel_from_json(value: Any) -> Panel:
    """The panel stored in a JSON column (text on SQLite, a list on PostgreSQL); empty or
    unreadable: Zuid-West's."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            value = []
    kinds = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, Mapping) or not CODE.fullmatch(str(item.get("code", ""))):
            continue
        need = item.get("need", 0)
        kinds.append(
            PanelKind(
                code=str(item["code"]),
                name=str(item.get("name") or item["code"]),
                need=need if isinstance(need, int) and 0 <= need <= MAX_NEED else 0,
            )
        )
    return tuple(kinds) or DEFAULT_PANEL


def panel_to_json(panel: Panel) -> list[dict[str, Any]]:
    return [{"code": k.code, "name": k.name, "need": k.need} for k in panel]


def kind_names(panel: Panel) -> dict[str, str]:
    return {k.code: k.name for k in panel}


def needs(panel: Panel) -> dict[str, int]:
    """kind code -> how many each proposal needs at least; only kinds that need one."""
    return {k.code: k.need for k in panel if k.need}


def with_needs(panel: Panel, counts: Mapping[str, int]) -> Panel:
    """The same kinds with the numbers of `counts` (a kind not named needs none)."""
    return tuple(PanelKind(k.code, k.name, counts.get(k.code, 0)) for k in panel)


def panel_problems(panel: Panel, reviewers_per_proposal: int | None = None) -> dict[str, str]:
    """What is wrong with a panel, by form field (`code2`, `need1`, or `panel`), in Dutch."""
    problems: dict[str, str] = {}
    if not panel:
        problems["panel"] = "Noem minstens één soort beoordelaar."
    if len(panel) > MAX_KINDS:
        problems["panel"] = f"Noem ten hoogste {MAX_KINDS} soorten beoordelaars."
    seen: set[str] = set()
    for i, kind in enumerate(panel, start=1):
        if not CODE.fullmatch(kind.code):
            problems[f"code{i}"] = (
                "Een code begint met een kleine letter en heeft daarna ten hoogste 19 kleine "
                "letters, cijfers of liggende streepjes, bijvoorbeeld ervaringsdeskundige."
            )
        elif kind.code in seen:
            problems[f"code{i}"] = f"De code {kind.code} staat al hoger in de lijst."
        seen.add(kind.code)
        if not kind.name.strip():
            problems[f"name{i}"] = "Geef de soort een naam, zoals de mensen hem kennen."
        if not 0 <= kind.need <= MAX_NEED:
            problems[f"need{i}"] = f"Een aantal is een heel getal van 0 tot en met {MAX_NEED}."
    total = sum(k.need for k in panel)
    if reviewers_per_proposal is not None and total > reviewers_per_proposal:
        problems["panel"] = (
            f"Samen vragen de soorten {total} beoordelaars per voorstel, maar een voorstel krijgt "
            f"er {reviewers_per_proposal}; verlaag een aantal of verhoog het aantal per voorstel."
        )
    return problems


def describe(panel: Panel) -> str:
    """The panel's numbers in a sentence's words: "minstens 1 AO-lid en 1 Voorzitter expertteam"
    ("" when no kind needs one)."""
    parts = [f"{k.need} × {k.name}" for k in panel if k.need]
    if not parts:
        return ""
    return "minstens " + (
        " en ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]
    )


def panel_of_round(value: Any, reviewers_per_proposal: int) -> Panel:
    """A round's panel. A round from before panels has none stored: Zuid-West's, which asked
    for no kind when one reviewer reads each proposal."""
    panel = panel_from_json(value)
    stored = value if not isinstance(value, str) else (value.strip() not in ("", "[]"))
    if not stored and reviewers_per_proposal < 2:
        return with_needs(panel, {})
    return panel
