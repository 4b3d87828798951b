"""Pure rules of the proposals domain: vocabularies, the state machine and the version diff.

No I/O here; everything is tested without a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from proposals.tables import ProposalState

# The three functions of an expertise network (seed 004 §6.4 criterion 3).
FUNCTIONS: dict[str, str] = {
    "consultation": "Consultatie en advies aan behandelaren wanneer jeugdhulp stagneert",
    "organising_help": "Organiseren van hulp met aanvullende expertise op de plek waar de jongere "
    "al hulp krijgt",
    "knowledge": "Bundelen van kennis en expertise en leren van complexe casussen",
}

# The transformation goals of the Jeugdwet (seed 004 §6.4 criterion 1).
TRANSFORMATION_GOALS: dict[str, str] = {
    "own_strength": "Gebruikmaken van de eigen kracht van jongeren, ouders en hun sociale netwerk",
    "less_medicalisation": "Minder snel medicijnen voorschrijven en de zorgvraag terugbrengen",
    "earlier_help": "Eerder (jeugd)hulp bieden op maat voor kwetsbare kinderen",
    "one_family_one_plan": "Samenhangende hulp: één gezin, één plan, één regisseur",
    "room_for_professionals": "Meer ruimte voor jeugdprofessionals en minder regeldruk",
}

# The "vierkant" of the bouwteam (seed 004 §6.4 step 3), then further members.
BOUWTEAM_POSITIONS: dict[str, str] = {
    "region": "Jeugdhulpregio",
    "expert_team": "Expertteam",
    "client": "Cliëntperspectief",
    "research": "Onderzoek / wetenschap",
    "other": "Overig lid",
}
VIERKANT = ("region", "expert_team", "client", "research")

EXTENDS_OFFER: dict[str, str] = {
    "no": "Nee, het voorstel breidt geen bestaand zorgaanbod uit",
    "own_region": "Ja, in de eigen jeugdhulpregio",
    "other_region": "Ja, naar een andere jeugdhulpregio van het netwerk",
}

PROCUREMENT_ROUTES: dict[str, str] = {
    "existing_contract": "Binnen een bestaand contract of raamovereenkomst",
    "subsidy": "Subsidie",
    "single_private": "Enkelvoudig onderhands",
    "multiple_private": "Meervoudig onderhands",
    "national_tender": "Nationale aanbesteding",
    "european_tender": "Europese aanbesteding",
    "other": "Anders (toelichten)",
}

PROCUREMENT_SERVICE_KINDS: dict[str, str] = {
    "social": "Sociale en andere specifieke diensten (zoals jeugdhulp)",
    "other": "Overige diensten",
}

ATTACHMENT_KINDS: dict[str, str] = {
    "consent_letter": "Akkoordverklaring van een andere jeugdhulpregio",
    "procurement_advice": "Advies van de inkoopexpert",
    "other": "Overige bijlage",
}

STATE_LABELS: dict[str, str] = {
    ProposalState.draft: "Concept",
    ProposalState.ready: "Klaar voor de regio",
    ProposalState.submitted: "Ingediend",
    ProposalState.in_review: "In beoordeling",
    ProposalState.advised: "Geadviseerd",
    ProposalState.granted: "Toegekend",
    ProposalState.rejected: "Afgewezen",
    ProposalState.withdrawn: "Ingetrokken",
}
# States in which a decision has been taken; nothing can be withdrawn after it.
DECIDED_STATES = frozenset({ProposalState.granted, ProposalState.rejected})


class Actor(str, Enum):
    """How the person acting relates to the proposal."""

    author = "author"
    region_officer = "region_officer"  # of the proposal's submitting region
    coordinator = "coordinator"
    reviewer = "reviewer"  # assigned to the proposal, without a conflict of interest


@dataclass(frozen=True)
class Transition:
    to_state: ProposalState
    actors: frozenset[Actor]
    label: str  # the button text
    done: str  # the timeline line


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (ProposalState.draft, "mark_ready"): Transition(
        ProposalState.ready,
        frozenset({Actor.author}),
        "Klaar voor de regio",
        "Klaargezet voor de regio",
    ),
    (ProposalState.ready, "back_to_draft"): Transition(
        ProposalState.draft,
        frozenset({Actor.author, Actor.region_officer}),
        "Terug naar concept",
        "Teruggezet naar concept",
    ),
    (ProposalState.ready, "submit"): Transition(
        ProposalState.submitted,
        frozenset({Actor.region_officer}),
        "Indienen namens de regio",
        "Ingediend",
    ),
    (ProposalState.draft, "withdraw"): Transition(
        ProposalState.withdrawn, frozenset({Actor.author}), "Intrekken", "Ingetrokken"
    ),
    (ProposalState.ready, "withdraw"): Transition(
        ProposalState.withdrawn,
        frozenset({Actor.author, Actor.region_officer}),
        "Intrekken",
        "Ingetrokken",
    ),
    (ProposalState.submitted, "withdraw"): Transition(
        ProposalState.withdrawn,
        frozenset({Actor.author, Actor.region_officer}),
        "Intrekken",
        "Ingetrokken",
    ),
    (ProposalState.submitted, "start_review"): Transition(
        ProposalState.in_review,
        frozenset({Actor.coordinator}),
        "Beoordeling starten",
        "Beoordeling gestart",
    ),
    (ProposalState.in_review, "withdraw"): Transition(
        ProposalState.withdrawn,
        frozenset({Actor.author, Actor.region_officer}),
        "Intrekken",
        "Ingetrokken",
    ),
    (ProposalState.in_review, "record_advice"): Transition(
        ProposalState.advised,
        frozenset({Actor.coordinator}),
        "Advies vastleggen",
        "Advies vastgelegd",
    ),
    (ProposalState.advised, "withdraw"): Transition(
        ProposalState.withdrawn,
        frozenset({Actor.author, Actor.region_officer}),
        "Intrekken",
        "Ingetrokken",
    ),
    (ProposalState.advised, "grant"): Transition(
        ProposalState.granted, frozenset({Actor.coordinator}), "Toekennen", "Toegekend"
    ),
    (ProposalState.advised, "reject"): Transition(
        ProposalState.rejected, frozenset({Actor.coordinator}), "Afwijzen", "Afgewezen"
    ),
    (ProposalState.advised, "return"): Transition(
        ProposalState.draft,
        frozenset({Actor.coordinator}),
        "Terug voor aanpassing",
        "Teruggestuurd voor aanpassing",
    ),
}
# Steps taken on other screens (review, decision), not as buttons on the proposal page.
SCREEN_ACTIONS = frozenset({"start_review", "record_advice", "grant", "reject", "return"})

EDITABLE_STATES = frozenset({ProposalState.draft})


class TransitionRefused(ValueError):
    """str() is the Dutch reason."""


def apply_transition(state: str, action: str, actors: set[Actor]) -> Transition:
    transition = TRANSITIONS.get((state, action))
    if transition is None:
        raise TransitionRefused(
            f"Dit kan niet: een voorstel met status '{STATE_LABELS.get(state, state)}' "
            "kan deze stap niet zetten."
        )
    if not transition.actors & actors:
        raise TransitionRefused("U mag deze stap voor dit voorstel niet zetten.")
    return transition


def allowed_actions(state: str, actors: set[Actor]) -> list[tuple[str, Transition]]:
    return [
        (action, t)
        for (from_state, action), t in TRANSITIONS.items()
        if from_state == state and t.actors & actors and action not in SCREEN_ACTIONS
    ]


# --- labels -------------------------------------------------------------------------------

# The sections of the proposal form, in the order the form walks them, with their titles: the
# form's steps, the proposal page's headings and the audit log all read these.
SECTIONS: dict[str, str] = {
    "algemeen": "Algemeen",
    "bouwteam": "Bouwteam",
    "inhoud": "Doelen en aanpak",
    "criteria": "Criteria",
    "inkoop": "Inkoop",
    "begroting": "Begroting",
    "bijlagen": "Bijlagen",
}

# A field's name as the person sees it, by the form field's name: the form's labels, the list
# of errors above a refused form, the proposal page, the version diff and the list's download.
# A proposal's free text: what may, against the rules, name people (the privacy check reads
# it, retention blanks it).
FREE_TEXT_COLUMNS = (
    "summary",
    "goals",
    "results",
    "activities",
    "target_group",
    "supra_regional_reason",
    "innovation",
    "extension_description",
    "procurement_notes",
)

FIELD_LABELS: dict[str, str] = {
    "title": "Titel",
    "summary": "Samenvatting",
    "theme": "Thema",
    "region": "Indienende jeugdhulpregio",
    "lead_organisation": "Penvoerende organisatie",
    "contact_name": "Naam contactpersoon",
    "contact_email": "E-mailadres contactpersoon",
    "contact_phone": "Telefoon contactpersoon",
    "goals": "Doelen",
    "results": "Resultaten",
    "target_group": "Doelgroep",
    "start_date": "Begindatum",
    "end_date": "Einddatum",
    "extends_offer": "Uitbreiding bestaand aanbod",
    "extension_region": "Regio van de uitbreiding",
    "procurement_route": "Inkoopvorm",
    "estimated_contract_value": "Geraamde opdrachtwaarde",
    "requested_amount": "Gevraagd bedrag",
    "file": "Excel-bestand",
    "kartrekker": "Kartrekker",
}


# --- editing --------------------------------------------------------------------------------

NOT_AN_AUTHOR = "Alleen de auteurs van dit voorstel kunnen het bewerken."
NOT_A_DRAFT = (
    "Dit voorstel is niet meer in concept en kan niet worden bewerkt. Zet het eerst terug "
    "naar concept."
)


def edit_refusal(actors: set[Actor], state: str) -> str | None:
    """Why this person may not change the proposal's text now, or None if they may: only its
    authors, and only while it is a draft (what was handed on stays as it was handed on)."""
    if Actor.author not in actors:
        return NOT_AN_AUTHOR
    if state not in EDITABLE_STATES:
        return NOT_A_DRAFT
    return None


def may_edit(actors: set[Actor], proposal: Mapping[str, Any]) -> bool:
    return edit_refusal(actors, proposal["state"]) is None


# --- versions -------------------------------------------------------------------------------

SNAPSHOT_LABELS: dict[str, str] = {
    "title": FIELD_LABELS["title"],
    "summary": FIELD_LABELS["summary"],
    "theme": FIELD_LABELS["theme"],
    "region": FIELD_LABELS["region"],
    "lead_organisation": FIELD_LABELS["lead_organisation"],
    "contact": "Contactpersoon",
    "bouwteam": SECTIONS["bouwteam"],
    "goals": FIELD_LABELS["goals"],
    "results": FIELD_LABELS["results"],
    "activities": "Activiteiten",
    "target_group": FIELD_LABELS["target_group"],
    "period": "Looptijd",
    "functions": "Functies",
    "transformation_goals": "Transformatiedoelen",
    "participating_regions": "Deelnemende regio's",
    "benefiting_regions": "Regio's die er baat bij hebben",
    "supra_regional_reason": "Bovenregionaal belang",
    "innovation": "Wat is vernieuwend",
    "extension": FIELD_LABELS["extends_offer"],
    "procurement": SECTIONS["inkoop"],
    "requested_amount": FIELD_LABELS["requested_amount"],
    "budget_lines": SECTIONS["begroting"],
    "attachments": SECTIONS["bijlagen"],
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


def diff_snapshots(before: dict, after: dict) -> list[Change]:
    """What changed between two versions, field by field, in display text."""
    changes = []
    for field, label in SNAPSHOT_LABELS.items():
        a, b = _display(before.get(field)), _display(after.get(field))
        if a != b:
            changes.append(Change(field, label, a, b))
    return changes


def _display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_display(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_display(v)}" for k, v in value.items())
    return str(value)


# --- timeline privacy ---------------------------------------------------------------------

# Applicants never learn who reviewed: these events show only to the coordinator, and these
# others show without the name of who acted.
COORDINATOR_ONLY_EVENTS = frozenset(
    {
        "reviewer_assigned",
        "reviewer_unassigned",
        "conflict_declared",
        "review_submitted",
        "review_reopened",
    }
)
ANONYMOUS_EVENTS = frozenset({"question_asked"})


def visible_timeline(events: list[dict], coordinator: bool) -> list[dict]:
    if coordinator:
        return events
    return [
        {**e, "actor_name": None} if e["action"] in ANONYMOUS_EVENTS else e
        for e in events
        if e["action"] not in COORDINATOR_ONLY_EVENTS
    ]
