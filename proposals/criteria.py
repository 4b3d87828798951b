"""A network's criteria set: what reviewers score a proposal on (DESIGN §2.3, §2.9).

Each network keeps its own set (`Network.criteria`; empty means Zuid-West's default below), and
a round copies the set it opens with into `Round.criteria`: editing the network's set later
changes no round that exists. Review reads the round's copy for its form, its statistics, the
ranking and the exports.

A criterion has a code (C1, R3, V2: a capital and up to five capitals or digits, unique in the
set), a name, an explanation for the reviewer, a scale (a score of 1 to 5, or voldoet / voldoet
niet), a weight in the overall mean (scores only), and whether failing it excludes a proposal
(pass/fail only: a proposal a reviewer finds "voldoet niet" on it fits no budget until the
coordinator has looked at it).

Pure: no database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Scale(StrEnum):
    score = "score"  # 1 to 5
    pass_fail = "pass_fail"  # voldoet / voldoet niet / onduidelijk


SCALE_LABELS: dict[str, str] = {
    Scale.score: "Score 1 tot en met 5",
    Scale.pass_fail: "Voldoet / voldoet niet",
}
CODE = re.compile(r"[A-Z][A-Z0-9]{0,5}")
MAX_CRITERIA = 20
MAX_WEIGHT = 10


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    explanation: str = ""
    scale: Scale = Scale.score
    weight: int = 1
    excluding: bool = False

    @property
    def is_score(self) -> bool:
        return self.scale == Scale.score

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def field(self) -> str:
        """The name of its field in the review form."""
        return self.code.lower()

    @property
    def note_field(self) -> str:
        """The name of the field that motivates (a score) or explains (an answer) it."""
        return self.field + ("_motivation" if self.is_score else "_explanation")


Criteria = tuple[Criterion, ...]

# Zuid-West's set (seed 004 §6.4, steps 2 and 4): four criteria scored 1 to 5, three
# preconditions. A "voldoet niet" on one of those is a warning to the meeting, as it was before
# sets existed, not an exclusion: a network that wants that marks its criterion `excluding`.
DEFAULT_CRITERIA: Criteria = (
    Criterion(
        "C1",
        "Duurzame transformatie",
        "Draagt bij aan een duurzame transformatie van de jeugdhulp.",
    ),
    Criterion("C2", "Bovenregionaal belang", "Bovenregionaal belang: speelt in het hele netwerk."),
    Criterion(
        "C3",
        "Past binnen de drie functies",
        "Past binnen de drie functies van het expertisenetwerk.",
    ),
    Criterion(
        "C4",
        "Samenhang van doelen, activiteiten en middelen",
        "Doelen, activiteiten en inzet van middelen hangen logisch en consistent samen.",
    ),
    Criterion(
        "R1",
        "Ondersteunend aan de bestaande infrastructuur",
        "Ondersteunend aan de bestaande infrastructuur; geen verbreding van eigen aanbod.",
        Scale.pass_fail,
    ),
    Criterion(
        "R3",
        "Verantwoording geregeld",
        "De jeugdhulpregio monitort en verantwoordt de besteding.",
        Scale.pass_fail,
    ),
    Criterion(
        "R4",
        "Rechtmatig (aanbestedingsrecht)",
        "Rechtmatig: past in het aanbestedingsrecht en het inkoopbeleid van de regio.",
        Scale.pass_fail,
    ),
)


def from_json(items: Iterable[Mapping[str, Any]] | str | None) -> Criteria:
    """A stored set (as loaded, or its JSON text); an empty one is the default. Reads the first
    format too, in which rounds kept {"code", "label", "kind": "score" | "precondition"}."""
    loaded: Iterable[Mapping[str, Any]] = (
        json.loads(items or "[]") if isinstance(items, str) else items or ()
    )
    result = []
    for item in loaded:
        if "kind" in item and "scale" not in item:
            default = next((c for c in DEFAULT_CRITERIA if c.code == item["code"]), None)
            scale = Scale.score if item["kind"] == "score" else Scale.pass_fail
            result.append(
                default
                or Criterion(
                    item["code"],
                    item.get("label", item["code"]),
                    scale=scale,
                    excluding=scale == Scale.pass_fail,
                )
            )
            continue
        result.append(
            Criterion(
                code=str(item["code"]),
                name=str(item["name"]),
                explanation=str(item.get("explanation", "")),
                scale=Scale(item.get("scale", Scale.score)),
                weight=int(item.get("weight", 1)),
                excluding=bool(item.get("excluding", False)),
            )
        )
    return tuple(result) or DEFAULT_CRITERIA


def to_json(criteria: Criteria) -> list[dict[str, Any]]:
    return [{**asdict(c), "scale": str(c.scale)} for c in criteria]


def scored(criteria: Criteria) -> Criteria:
    return tuple(c for c in criteria if c.is_score)


def pass_fail(criteria: Criteria) -> Criteria:
    return tuple(c for c in criteria if not c.is_score)


def set_problems(criteria: Criteria) -> dict[str, str]:
    """What is wrong with a set a coordinator wrote, per row field (`code3`, `name3`, …), in
    Dutch; empty when it may be saved."""
    problems: dict[str, str] = {}
    if not criteria:
        problems["criteria"] = "Een set heeft minstens één criterium."
    if len(criteria) > MAX_CRITERIA:
        problems["criteria"] = f"Een set heeft hoogstens {MAX_CRITERIA} criteria."
    if criteria and not scored(criteria):
        problems["criteria"] = "Minstens één criterium krijgt een score: daarop wordt gerangschikt."
    seen: set[str] = set()
    for i, c in enumerate(criteria, start=1):
        if not CODE.fullmatch(c.code):
            problems[f"code{i}"] = (
                "Een code is een hoofdletter met hoogstens vijf hoofdletters of cijfers, "
                "bijvoorbeeld C1 of R3."
            )
        elif c.code in seen:
            problems[f"code{i}"] = f"De code {c.code} staat al eerder in de set."
        seen.add(c.code)
        if not c.name.strip():
            problems[f"name{i}"] = "Geef het criterium een naam."
        if c.is_score and not 1 <= c.weight <= MAX_WEIGHT:
            problems[f"weight{i}"] = f"Een gewicht is een heel getal van 1 tot en met {MAX_WEIGHT}."
    return problems
