"""What a text may not hold: data about the young people the networks help (DESIGN §2.11).

The portal holds data about professionals, never about their clients. A number that passes the
BSN eleven-test is refused outright; a date of birth, a mobile number, or a name next to words
such as "cliënt" or "jeugdige" is only likely to be a client's, so it is a warning the author
confirms. Pure: text in, findings out. One module, so that every form and every upload judges
the same way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    bsn = "bsn"
    birth_date = "birth_date"
    phone = "phone"
    client_name = "client_name"


REFUSED_KINDS = frozenset({Kind.bsn})

KIND_LABELS = {
    Kind.bsn: "een burgerservicenummer (BSN)",
    Kind.birth_date: "een geboortedatum",
    Kind.phone: "een mobiel telefoonnummer",
    Kind.client_name: "de naam van een jeugdige of cliënt",
}

REFUSAL = (
    "Hier staat een nummer dat een burgerservicenummer (BSN) kan zijn ({shown}). Het portaal "
    "bewaart geen gegevens van jeugdigen of cliënten: haal het nummer weg en beschrijf de "
    "situatie zonder dat iemand te herkennen is, bijvoorbeeld 'een jongere van 15 uit de regio'."
)
FILE_REFUSAL = (
    "In dit bestand staat een nummer dat een burgerservicenummer (BSN) kan zijn ({shown}). Het "
    "portaal bewaart geen gegevens van jeugdigen of cliënten: haal het nummer uit het document, "
    "sla het opnieuw op en voeg het dan toe."
)
WARNING_ADVICE = (
    "Het portaal bewaart geen gegevens van jeugdigen of cliënten. Staat hier iets over een "
    "cliënt, haal het dan weg of beschrijf het zonder dat iemand te herkennen is. Gaat het om "
    "een professional of iets anders, bevestig dat dan."
)


@dataclass(frozen=True)
class Finding:
    kind: Kind
    shown: str  # what was found, partly masked where it is a number
    where: str = ""  # the field's or file's name, filled in by `screen`

    @property
    def refused(self) -> bool:
        return self.kind in REFUSED_KINDS

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind.value, "shown": self.shown, "where": self.where}

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> Finding | None:
        try:
            return cls(Kind(data["kind"]), str(data["shown"]), str(data.get("where", "")))
        except (KeyError, ValueError):
            return None


# --- BSN -------------------------------------------------------------------------------------


def passes_eleven_test(digits: str) -> bool:
    """The BSN's check: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not 0)."""
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(w * int(d) for w, d in zip(weights, digits, strict=True))
    return total != 0 and total % 11 == 0


# Nine digits, as one run or in the groups people write them in (1234.56.782, 123 456 782,
# 123-45-6782 is American and not matched). Not part of a longer number, word, IBAN, amount or
# reference: no digit, letter, separator-with-digit, "€", "+" or "/" against it.
_BSN = re.compile(
    r"(?<![\w+/€.,-])"
    r"(?P<number>\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3} \d{3} \d{3}|\d{3}\.\d{3}\.\d{3})"
    r"(?![\w/-])(?![.,]\d)"
)
# After "BSN" an eight-digit number is a BSN without its leading zero.
_BSN_AFTER_WORD = re.compile(
    r"\b(?:bsn|burgerservicenummer|sofinummer)\b\W{0,5}(?P<number>\d{8})(?!\d)", re.IGNORECASE
)
# A euro amount written with dots between thousands is not a BSN (€ 123.456.782).
_AMOUNT_BEFORE = re.compile(r"(?:€|eur|euro)\s*$", re.IGNORECASE)


def _mask(digits: str) -> str:
    return digits[:2] + "•" * (len(digits) - 4) + digits[-2:]


def _bsn_findings(text: str) -> Iterable[Finding]:
    phones = [m.span() for m in _MOBILE.finditer(text)]
    for match in _BSN.finditer(text):
        if any(start <= match.start() < end for start, end in phones):
            continue  # +31 612345678: a phone number's nine digits
        number = match["number"]
        dotted_like_money = "." in number and len(number) == 11 and number[3] == "."
        if dotted_like_money and _AMOUNT_BEFORE.search(
            text[max(0, match.start() - 6) : match.start()]
        ):
            continue
        digits = re.sub(r"\D", "", number)
        if passes_eleven_test(digits):
            yield Finding(Kind.bsn, _mask(digits))
    for match in _BSN_AFTER_WORD.finditer(text):
        digits = "0" + match["number"]
        if passes_eleven_test(digits):
            yield Finding(Kind.bsn, _mask(digits))


# --- warnings --------------------------------------------------------------------------------

_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    "|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
_DATE = (
    r"(?:\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d{2}"
    rf"|\d{{1,2}}\s+(?:{_MONTHS})\.?\s+(?:19|20)\d{{2}})"
)
_BIRTH = re.compile(
    rf"\b(?:geboren|geb\.|geboortedatum|geb\.datum|dob)\s*(?:op|:)?\s*(?P<date>{_DATE})",
    re.IGNORECASE,
)
# A Dutch mobile number (06 …, +31 6 …, 0031 6 …): a private person's as often as not. Office
# numbers (010 …, 088 …) are an organisation's and pass.
_MOBILE = re.compile(r"(?<![\w+])(?P<number>(?:\+31|0031)[\s-]?\(?0?\)?6|06)(?:[\s-]?\d){8}(?!\d)")
_CLIENT_WORDS = (
    "cliënt|client|cliënte|jeugdige|jongere|pupil|pleegkind|kind|meisje|jongen|zoon|dochter"
    "|patiënt|patient|minderjarige"
)
# The word, then a capitalised name within a word or two ("cliënt Sanne", "de jongere, Tim,").
_NAMED_CLIENT = re.compile(
    rf"\b(?i:{_CLIENT_WORDS})\b[\s,:(]+(?:genaamd\s+|met de naam\s+)?"
    r"(?P<name>[A-Z][a-zà-ÿ]+(?:\s+(?:[A-Z]\.|[A-Z][a-zà-ÿ]+))?)"
)
# A name and an age: "Sanne (14)", "Tim, 15 jaar".
_NAME_AND_AGE = re.compile(
    r"\b(?P<name>[A-Z][a-zà-ÿ]{2,})(?:\s*\((?:\d{1,2})(?:\s*jaar)?\)|,\s*\d{1,2}\s*jaar\b)"
)
# Capitalised words that follow "kind" or "jongere" without being a name.
_NOT_NAMES = frozenset(
    {
        "Jeugdzorg", "Jeugdhulp", "Jeugdwet", "Wmo", "Zuid", "Noord", "Oost", "West", "Limburg",
        "Het", "De", "Een", "In", "En", "Of", "Op", "Met", "Die", "Dat", "Dit", "Voor", "Naar",
        "Bij", "Als", "Zo", "Er", "Wij", "We", "Ze", "Zij", "Hij", "Ik", "Nederland", "Regio",
        "GGZ", "Ggz", "Veilig", "Thuis", "Raad", "Kinderbescherming", "Sociaal", "Team",
    }
)  # fmt: skip


def _warning_findings(text: str) -> Iterable[Finding]:
    for match in _BIRTH.finditer(text):
        yield Finding(Kind.birth_date, match.group(0).strip())
    for match in _MOBILE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        yield Finding(Kind.phone, _mask(digits))
    for pattern in (_NAMED_CLIENT, _NAME_AND_AGE):
        for match in pattern.finditer(text):
            if match["name"].split()[0] not in _NOT_NAMES:
                yield Finding(Kind.client_name, _excerpt(text, match.start(), match.end()))


def _excerpt(text: str, start: int, end: int) -> str:
    shown = " ".join(text[start:end].split())
    return shown if len(shown) <= 80 else shown[:77] + "…"


# --- judging ---------------------------------------------------------------------------------


def findings(text: str) -> list[Finding]:
    """What `text` holds that may be about a client: BSNs first, then the warnings, once each."""
    return list(_findings(text))


# The proposal page judges every stored text of the proposal for its checklist on each view,
# and the texts seldom change: judging them was a tenth of that page's time under load
# (bench/spy_page.py). Findings are frozen, so the cached ones can be shared.
@functools.lru_cache(maxsize=4096)
def _findings(text: str) -> tuple[Finding, ...]:
    return tuple(dict.fromkeys([*_bsn_findings(text), *_warning_findings(text)]))


@dataclass(frozen=True)
class Screening:
    refusals: dict[str, str]  # field -> the Dutch message that refuses it
    warnings: list[Finding]

    @property
    def clean(self) -> bool:
        return not self.refusals and not self.warnings


def screen(texts: Mapping[str, str], labels: Mapping[str, str] | None = None) -> Screening:
    """Judge a form's free-text fields (name -> typed text). `labels` names them for people."""
    refusals: dict[str, str] = {}
    warnings: list[Finding] = []
    for name, value in texts.items():
        if not value:
            continue
        where = (labels or {}).get(name, name)
        for finding in findings(value):
            if finding.refused:
                refusals.setdefault(name, REFUSAL.format(shown=finding.shown))
            else:
                warnings.append(Finding(finding.kind, finding.shown, where))
    return Screening(refusals, warnings)


def confirmed(value: object) -> bool:
    """The form's tick "I checked: this is not about a client" (`privacy_ok`)."""
    return str(value or "") == "1"


def summary(warnings: Iterable[Finding]) -> str:
    """One line for a flash message or a checklist: what was found where."""
    return "; ".join(f"{w.where + ': ' if w.where else ''}{w.label} ({w.shown})" for w in warnings)
