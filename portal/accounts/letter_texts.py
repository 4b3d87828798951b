"""The letters a network sends and the texts it writes them in (issue 16).

Four kinds: the grant (verleningsbeschikking), the rejection, the change after award and the
settlement (vaststellingsbeschikking). Each has a subject and a body with invulvelden
(portal/lib/letters.py); the fields a kind offers are listed here with what they hold, and the
domain that decides fills exactly these (a test holds each domain to it). A network keeps its
own texts (`Network.letters`); a kind it never edited uses the default below.

The layout around the text (letterhead, addressee, date, reference, subject, closing and
signature) is not editable: it is what makes a letter complete.

Pure: no database. Here, below review and the ledger, because both send letters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from portal.lib.letters import text_problem

MAX_SUBJECT = 200
MAX_BODY = 10_000


class LetterKind(StrEnum):
    grant = "grant"
    rejection = "rejection"
    change = "change"
    settlement = "settlement"


LETTER_KIND_LABELS: dict[LetterKind, str] = {
    LetterKind.grant: "Verleningsbeschikking",
    LetterKind.rejection: "Beschikking afwijzing",
    LetterKind.change: "Wijzigingsbeschikking",
    LetterKind.settlement: "Vaststellingsbeschikking",
}

_COMMON = {
    "titel": "de titel van het project",
    "regio": "de jeugdhulpregio die aanvroeg, bijvoorbeeld: jeugdhulpregio Noord-Limburg",
    "organisatie": "de penvoerende organisatie",
    "netwerk": "de naam van het netwerk",
    "gemeente": "de coördinerende gemeente",
    "besluitdatum": "de datum van het besluit",
    "kenmerk": "het kenmerk van deze brief",
}
_APPLICATION = {
    "ingediend_op": "de datum waarop de aanvraag is ingediend",
    "ronde": "de ronde",
    "thema": "het thema",
    "gevraagd_bedrag": "het gevraagde bedrag",
    "advies_van": "wie adviseerden, in de woorden van de besluitvorming van het netwerk",
    "besluitorgaan": "wie besluit, in de woorden van de besluitvorming van het netwerk",
}
_GRANT = {
    "verleningsdatum": "de datum van de verleningsbeschikking",
    "verleningskenmerk": "het kenmerk van de verleningsbeschikking (of leeg)",
}

FIELDS: dict[LetterKind, dict[str, str]] = {
    LetterKind.grant: _COMMON
    | _APPLICATION
    | {
        "verleend_bedrag": "het verleende bedrag",
        "startdatum": "de startdatum van het project",
        "einddatum": "de einddatum van het project",
        "bedragen_per_jaar": "bij een project over meer jaren: wat elk begrotingsjaar draagt "
        "(anders leeg)",
        "voorwaarden": "de voorwaarden van het besluit (of leeg)",
    },
    LetterKind.rejection: _COMMON
    | _APPLICATION
    | {
        "motivering": "de redenen van het besluit",
        "advies": "wat de aanvragers van het advies mogen lezen (of leeg)",
    },
    LetterKind.change: _COMMON
    | _GRANT
    | {
        "verzoek_op": "de datum van het verzoek om wijziging",
        "wijziging": "wat er verandert, bijvoorbeeld: de einddatum wordt 31 december 2023 "
        "(was 30 juni 2023)",
        "reden": "de reden van het verzoek",
        "toelichting": "de toelichting bij het besluit (of leeg)",
    },
    LetterKind.settlement: _COMMON
    | _GRANT
    | {
        "verleend_bedrag": "het verleende bedrag",
        "vastgesteld_bedrag": "het vastgestelde bedrag",
        "betaald_bedrag": "wat als voorschot is betaald",
        "nabetaling": "wat nog wordt betaald",
        "terugvordering": "wat wordt teruggevorderd",
        "niet_besteed": "wat niet is besteed en vervalt",
        "betaling": "de zin over de betaling: nabetaling of betalingsverzoek",
    },
}

_BEZWAAR = (
    "Bent u het niet eens met dit besluit? Dan kunt u binnen zes weken na de dag van verzending "
    "bezwaar maken bij het college van burgemeester en wethouders van de gemeente {gemeente}. "
    "Vermeld daarbij het kenmerk van deze brief."
)


@dataclass(frozen=True)
class LetterText:
    subject: str
    body: str


DEFAULT_TEXTS: dict[LetterKind, LetterText] = {
    LetterKind.grant: LetterText(
        'Verleningsbeschikking "{titel}"',
        'Op {ingediend_op} heeft {regio} een aanvraag ingediend voor het project "{titel}" '
        "binnen {ronde} (thema: {thema}). Gevraagd is {gevraagd_bedrag}.\n\n"
        "Gelet op de specifieke uitkering van het Rijk voor {netwerk}, en na advies van "
        "{advies_van}, besluit {besluitorgaan}:\n\n"
        '- een subsidie te verlenen van ten hoogste {verleend_bedrag} voor het project "{titel}", '
        "uit te voeren van {startdatum} tot en met {einddatum};\n"
        "- {bedragen_per_jaar}\n"
        "- {voorwaarden}\n"
        "- dat {regio} na afloop van het project, en uiterlijk vóór 1 maart van het jaar volgend "
        "op elk projectjaar, een verantwoordingsverslag indient met de behaalde resultaten "
        "tegenover de doelen, de gerealiseerde uitgaven per begrotingspost en het bewijs dat aan "
        "de voorwaarden is voldaan (waaronder de regels van het aanbestedingsrecht en het "
        "inkoopbeleid van de regio);\n"
        "- dat de subsidie na ontvangst van het verslag definitief wordt vastgesteld; wat niet "
        "of niet volgens de voorwaarden is besteed, wordt niet uitbetaald of teruggevorderd.\n\n"
        + _BEZWAAR,
    ),
    LetterKind.rejection: LetterText(
        'Besluit op uw aanvraag "{titel}"',
        'Op {ingediend_op} heeft {regio} een aanvraag ingediend voor het project "{titel}" '
        "binnen {ronde} (thema: {thema}). Gevraagd is {gevraagd_bedrag}.\n\n"
        "Na advies van {advies_van} besluit {besluitorgaan} deze aanvraag af te wijzen.\n\n"
        "Redenen:\n{motivering}\n\n"
        "{advies}\n\n" + _BEZWAAR,
    ),
    LetterKind.change: LetterText(
        'Wijzigingsbeschikking "{titel}"',
        "Bij verleningsbeschikking van {verleningsdatum} is aan {regio} voor het project "
        '"{titel}" een subsidie verleend. Op uw verzoek van {verzoek_op} wijzigt de gemeente '
        "{gemeente} deze verlening als volgt: {wijziging}.\n\n"
        "Reden van het verzoek:\n{reden}\n\n"
        "{toelichting}\n\n"
        "Voor het overige blijft de verleningsbeschikking ongewijzigd.\n\n" + _BEZWAAR,
    ),
    LetterKind.settlement: LetterText(
        'Vaststellingsbeschikking "{titel}"',
        "Bij verleningsbeschikking van {verleningsdatum} is aan {regio} voor het project "
        '"{titel}" een subsidie verleend van {verleend_bedrag}. Op grond van het '
        "verantwoordingsverslag stelt de gemeente {gemeente} de subsidie vast op "
        "{vastgesteld_bedrag}.\n\n"
        "- Betaald als voorschot: {betaald_bedrag}\n"
        "- Nog te betalen: {nabetaling}\n"
        "- Terug te betalen: {terugvordering}\n"
        "- Niet besteed (vervalt): {niet_besteed}\n\n"
        "{betaling}\n\n" + _BEZWAAR,
    ),
}


def texts_from_json(value: Any) -> dict[LetterKind, LetterText]:
    """The network's texts (JSON text on SQLite, a dict on PostgreSQL); a kind it never wrote
    (or one that no longer passes its check) is the default."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            value = {}
    texts = dict(DEFAULT_TEXTS)
    for kind in LetterKind:
        item = value.get(kind.value) if isinstance(value, dict) else None
        if isinstance(item, dict):
            text = LetterText(str(item.get("subject", "")), str(item.get("body", "")))
            if not text_problems(kind, text):
                texts[kind] = text
    return texts


def texts_to_json(texts: dict[LetterKind, LetterText]) -> dict[str, dict[str, str]]:
    return {kind.value: {"subject": t.subject, "body": t.body} for kind, t in texts.items()}


def text_problems(kind: LetterKind, text: LetterText) -> dict[str, str]:
    """Problems by field (`subject`, `body`), in Dutch."""
    problems: dict[str, str] = {}
    if not text.subject.strip():
        problems["subject"] = "Vul het onderwerp van de brief in."
    elif len(text.subject) > MAX_SUBJECT:
        problems["subject"] = f"Een onderwerp heeft ten hoogste {MAX_SUBJECT} tekens."
    elif problem := text_problem(text.subject, FIELDS[kind]):
        problems["subject"] = problem
    if not text.body.strip():
        problems["body"] = "Vul de tekst van de brief in."
    elif len(text.body) > MAX_BODY:
        problems["body"] = (
            f"De tekst is {len(text.body):,} tekens; er passen er ten hoogste {MAX_BODY:,} in. "
            "Maak hem korter.".replace(",", ".")
        )
    elif problem := text_problem(text.body, FIELDS[kind]):
        problems["body"] = problem
    return problems
