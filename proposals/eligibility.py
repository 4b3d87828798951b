"""The eligibility checklist: each rule with a code, blocking or warning, the field it concerns
and a Dutch explanation of why it does not hold. Pure: the caller gathers the facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ledger.books.rules import spend_window_problem
from portal.lib.money import format_euros
from proposals.rules import FUNCTIONS, TRANSFORMATION_GOALS

# EU thresholds excluding VAT (2024-2025); settings of the installation (DESIGN.md §2.8).
DEFAULT_THRESHOLDS_CENTS = {"social": 75_000_000, "other": 22_100_000}


@dataclass(frozen=True)
class Facts:
    now: dt.datetime
    round_opens_at: dt.datetime
    round_closes_at: dt.datetime
    round_theme_ids: frozenset[int]
    network_region_ids: frozenset[int]
    title: str = ""
    summary: str = ""
    theme_id: int | None = None
    region_id: int | None = None
    functions: tuple[str, ...] = ()
    transformation_goals: dict[str, str] = field(default_factory=dict)
    goals: str = ""
    results: str = ""
    activities: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    participating_region_ids: frozenset[int] = frozenset()
    supra_regional_reason: str = ""
    innovation: str = ""
    requested_amount_cents: int | None = None
    budget_line_total_cents: int = 0
    budget_line_count: int = 0
    budget_line_years: frozenset[int] = frozenset()
    theme_guide_budget_cents: int | None = None
    theme_claimed_by_others_cents: int = 0
    extends_offer: str = ""
    extension_region_id: int | None = None
    consent_letter_region_ids: frozenset[int] = frozenset()
    procurement_expert_name: str = ""
    procurement_service_kind: str = "social"
    procurement_policy_fit: str = ""  # "yes", "no" or "" (not answered)
    estimated_contract_value_cents: int | None = None
    thresholds_cents: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS_CENTS))
    vierkant_missing: tuple[str, ...] = ()
    # The round's budget year and the last day its money may be spent (None: no window set).
    budget_year: int | None = None
    spend_until: dt.date | None = None
    # How the network applies each rule ("off", "warn", "block"); Network.eligibility.
    rule_settings: Mapping[str, str] = field(default_factory=dict)
    # What the text and files hold that may be about a client, one line each (privacy check).
    client_data: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    code: str
    blocking: bool
    field: str  # the form field (and section) it concerns
    rule: str  # the rule, in Dutch
    holds: bool
    why_not: str = ""  # Dutch, only when it does not hold

    @property
    def status(self) -> str:
        return "ok" if self.holds else ("fail" if self.blocking else "warn")


Verdict = tuple[bool, str]


@dataclass(frozen=True)
class Rule:
    code: str
    blocking: bool
    field: str
    rule: str
    check: Callable[[Facts], Verdict]


def _round_open(f: Facts) -> Verdict:
    if f.now < f.round_opens_at:
        return False, "De ronde is nog niet open voor indiening."
    if f.now >= f.round_closes_at:
        return False, "De sluitingstermijn van de ronde is verstreken."
    return True, ""


def _filled(*names: tuple[str, str]) -> Callable[[Facts], Verdict]:
    def check(f: Facts) -> Verdict:
        missing = [label for attr, label in names if not str(getattr(f, attr) or "").strip()]
        if missing:
            return False, "Vul nog in: " + ", ".join(missing) + "."
        return True, ""

    return check


def _theme(f: Facts) -> Verdict:
    if f.theme_id is None:
        return False, "Kies het thema waarop het voorstel aansluit."
    if f.theme_id not in f.round_theme_ids:
        return False, "Het gekozen thema hoort niet bij deze ronde."
    return True, ""


def _region(f: Facts) -> Verdict:
    if f.region_id is None:
        return False, "Kies de jeugdhulpregio die het voorstel indient."
    if f.region_id not in f.network_region_ids:
        return False, "De gekozen regio hoort niet bij dit netwerk."
    return True, ""


def _functions(f: Facts) -> Verdict:
    if not set(f.functions) & set(FUNCTIONS):
        return False, "Kies minstens één van de drie functies van het expertisenetwerk."
    return True, ""


def _transformation(f: Facts) -> Verdict:
    chosen = {k: v for k, v in f.transformation_goals.items() if k in TRANSFORMATION_GOALS}
    if not chosen:
        return False, "Kies minstens één transformatiedoel."
    unexplained = [TRANSFORMATION_GOALS[k] for k, v in chosen.items() if not (v or "").strip()]
    if unexplained:
        return False, "Licht kort toe hoe het voorstel bijdraagt aan: " + "; ".join(unexplained)
    return True, ""


def _period(f: Facts) -> Verdict:
    if f.start_date is None or f.end_date is None:
        return False, "Vul de begin- en einddatum in."
    if f.start_date >= f.end_date:
        return False, "De begindatum moet vóór de einddatum liggen."
    return True, ""


def _spend_window(f: Facts) -> Verdict:
    problem = spend_window_problem(f.end_date, f.spend_until, f.budget_year or 0)
    return (False, problem) if problem else (True, "")


def _supra_regional(f: Facts) -> Verdict:
    if len(f.participating_region_ids) < 2:
        return False, "Noem minstens twee regio's die deelnemen of er baat bij hebben."
    if not f.supra_regional_reason.strip():
        return False, "Leg uit waarom dit thema in het hele netwerk speelt."
    return True, ""


def _budget(f: Facts) -> Verdict:
    if not f.requested_amount_cents or f.requested_amount_cents <= 0:
        return False, "Vul het gevraagde bedrag in; het moet groter zijn dan nul."
    if f.budget_line_count == 0:
        return False, "Voeg de begrotingsregels toe."
    if f.requested_amount_cents != f.budget_line_total_cents:
        return False, (
            f"Het gevraagde bedrag ({format_euros(f.requested_amount_cents)}) is niet gelijk aan "
            f"het totaal van de begrotingsregels ({format_euros(f.budget_line_total_cents)})."
        )
    return True, ""


def _budget_years(f: Facts) -> Verdict:
    if f.start_date is None or f.end_date is None or not f.budget_line_years:
        return True, ""
    outside = sorted(
        y for y in f.budget_line_years if not f.start_date.year <= y <= f.end_date.year
    )
    if outside:
        return False, (
            "Begrotingsregels in " + ", ".join(map(str, outside)) + " vallen buiten de looptijd "
            f"({f.start_date.year}–{f.end_date.year})."
        )
    return True, ""


def _theme_budget(f: Facts) -> Verdict:
    if f.theme_guide_budget_cents is None or not f.requested_amount_cents:
        return True, ""
    remaining = f.theme_guide_budget_cents - f.theme_claimed_by_others_cents
    if f.requested_amount_cents > remaining:
        return False, (
            f"Het gevraagde bedrag ({format_euros(f.requested_amount_cents)}) is hoger dan wat "
            f"van het richtinggevend budget van het thema nog over is ({format_euros(remaining)})."
        )
    return True, ""


def _own_region_extension(f: Facts) -> Verdict:
    if f.extends_offer == "own_region":
        return (
            False,
            "Het bestaande zorgaanbod in de eigen jeugdhulpregio verbreden is niet toegestaan.",
        )
    return True, ""


def _consent(f: Facts) -> Verdict:
    if f.extends_offer != "other_region":
        return True, ""
    if f.extension_region_id is None:
        return False, "Kies naar welke jeugdhulpregio het aanbod wordt uitgebreid."
    if f.extension_region_id == f.region_id:
        return False, "Uitbreiden in de eigen jeugdhulpregio is niet toegestaan."
    if f.extension_region_id not in f.consent_letter_region_ids:
        return False, (
            "Voeg de schriftelijke akkoordverklaring van die jeugdhulpregio toe als bijlage "
            "(soort: akkoordverklaring)."
        )
    return True, ""


def _procurement_expert(f: Facts) -> Verdict:
    if not f.procurement_expert_name.strip():
        return False, "Noem de inkoopexpert die heeft meegedacht over de rechtmatigheid."
    return True, ""


def _threshold(f: Facts) -> Verdict:
    if f.estimated_contract_value_cents is None:
        return True, ""
    threshold = f.thresholds_cents.get(f.procurement_service_kind, f.thresholds_cents["other"])
    if f.estimated_contract_value_cents > threshold:
        return False, (
            f"De geraamde opdrachtwaarde ({format_euros(f.estimated_contract_value_cents)}) ligt "
            f"boven de Europese drempel ({format_euros(threshold)}): een Europese procedure is "
            "van toepassing. Een opdracht opknippen om onder de drempel te blijven mag niet."
        )
    return True, ""


def _policy_fit(f: Facts) -> Verdict:
    if f.procurement_policy_fit == "no":
        return False, (
            "Volgens het voorstel past het niet in het inkoopbeleid van de regio. Overleg met de "
            "inkoopexpert van de regio hoe het wel past, of licht toe waarom; de regio, de "
            "beoordelaars en de coördinator zien deze waarschuwing."
        )
    return True, ""


def _vierkant(f: Facts) -> Verdict:
    if f.vierkant_missing:
        return False, "Het vierkant van het bouwteam is niet compleet: " + ", ".join(
            f.vierkant_missing
        ) + " ontbreekt."
    return True, ""


def _client_data(facts: Facts) -> Verdict:
    """Warned about and confirmed by the author on saving; shown again until it is gone, and
    confirmed once more by the region officer who submits."""
    if not facts.client_data:
        return True, ""
    return False, (
        "Mogelijk gegevens van een jeugdige of cliënt: "
        + "; ".join(facts.client_data)
        + ". Haal ze weg, of bevestig bij het indienen dat het niet om een cliënt gaat."
    )


RULES: tuple[Rule, ...] = (
    Rule("round_open", True, "round", "De ronde is open voor indiening", _round_open),
    Rule(
        "title_summary",
        True,
        "general",
        "Titel en samenvatting zijn ingevuld",
        _filled(("title", "titel"), ("summary", "samenvatting")),
    ),
    Rule("theme_in_round", True, "general", "Het thema hoort bij de ronde", _theme),
    Rule(
        "region_in_network", True, "general", "De indienende regio hoort bij het netwerk", _region
    ),
    Rule("function", True, "criteria", "Minstens één van de drie functies", _functions),
    Rule(
        "transformation_goal",
        True,
        "criteria",
        "Minstens één transformatiedoel, toegelicht",
        _transformation,
    ),
    Rule(
        "goals_results_activities",
        True,
        "content",
        "Doelen, resultaten en activiteiten ingevuld",
        _filled(("goals", "doelen"), ("results", "resultaten"), ("activities", "activiteiten")),
    ),
    Rule("period", True, "content", "Begindatum ligt vóór de einddatum", _period),
    # A warning while drafting; the decision refuses it (ledger/books/services.commit_grant).
    Rule(
        "spend_window",
        False,
        "content",
        "Looptijd binnen de bestedingstermijn van het begrotingsjaar",
        _spend_window,
    ),
    Rule("supra_regional", True, "criteria", "Bovenregionaal belang onderbouwd", _supra_regional),
    Rule(
        "innovation",
        True,
        "criteria",
        "Beschreven wat vernieuwend is",
        _filled(("innovation", "wat het voorstel vernieuwend maakt")),
    ),
    Rule(
        "budget_total",
        True,
        "budget",
        "Gevraagd bedrag groter dan nul en gelijk aan de regels",
        _budget,
    ),
    Rule("budget_years", True, "budget", "Begrotingsjaren binnen de looptijd", _budget_years),
    Rule(
        "theme_budget",
        False,
        "budget",
        "Past binnen het resterende richtinggevend budget",
        _theme_budget,
    ),
    Rule(
        "own_region_extension",
        True,
        "criteria",
        "Geen verbreding van bestaand aanbod in de eigen regio",
        _own_region_extension,
    ),
    Rule(
        "consent_letter",
        True,
        "criteria",
        "Akkoord van de andere regio bij uitbreiding van aanbod",
        _consent,
    ),
    Rule(
        "procurement_expert", True, "procurement", "Inkoopexpert geraadpleegd", _procurement_expert
    ),
    Rule(
        "procurement_threshold",
        False,
        "procurement",
        "Onder de Europese aanbestedingsdrempel",
        _threshold,
    ),
    Rule(
        "procurement_policy",
        False,
        "procurement",
        "Past in het inkoopbeleid van de regio",
        _policy_fit,
    ),
    Rule("vierkant", False, "bouwteam", "Vierkant van het bouwteam compleet", _vierkant),
    Rule(
        "client_data",
        False,
        "content",
        "Geen gegevens van jeugdigen of cliënten",
        _client_data,
    ),
)


# Rules every network applies as they are: without them a proposal is not a proposal of the
# round (its round open, a title, its theme and region, a period, a budget).
# Nor is the privacy check a network's choice (DESIGN §2.11).
ESSENTIAL_RULES = frozenset(
    {
        "round_open",
        "title_summary",
        "theme_in_round",
        "region_in_network",
        "period",
        "budget_total",
        "client_data",
    }
)
RULE_SETTINGS: dict[str, str] = {
    "": "Standaard",
    "block": "Blokkeert indienen",
    "warn": "Waarschuwing",
    "off": "Niet van toepassing",
}


def applies_as(rule: Rule, settings: Mapping[str, str]) -> bool | None:
    """Whether the rule blocks (True), warns (False) or does not apply (None) in a network with
    these settings."""
    setting = "" if rule.code in ESSENTIAL_RULES else settings.get(rule.code, "")
    if setting == "off":
        return None
    if setting in ("block", "warn"):
        return setting == "block"
    return rule.blocking


def checklist(facts: Facts) -> list[Check]:
    checks = []
    for rule in RULES:
        blocking = applies_as(rule, facts.rule_settings)
        if blocking is None:
            continue
        holds, why_not = rule.check(facts)
        checks.append(
            Check(rule.code, blocking, rule.field, rule.rule, holds, "" if holds else why_not)
        )
    return checks


def settings_problems(settings: Mapping[str, str]) -> dict[str, str]:
    known = {r.code for r in RULES}
    return {
        code: "Kies standaard, blokkeert, waarschuwing of niet van toepassing."
        for code, value in settings.items()
        if code not in known or code in ESSENTIAL_RULES or value not in RULE_SETTINGS
    }


def blocking_failures(checks: list[Check], *, ignore: frozenset[str] = frozenset()) -> list[Check]:
    return [c for c in checks if c.blocking and not c.holds and c.code not in ignore]
