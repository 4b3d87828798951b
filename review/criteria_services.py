"""Keeping a network's procedure: its criteria set (proposals/criteria.py), its panel of
reviewer kinds (portal/accounts/panel.py) and its decision route (review/route.py), read from
the forms of their pages, checked, saved on the network with an audit event. Rounds keep the set
and panel they opened with; a route's renamed step keeps its code, so the advice recorded under
it shows the new name; a kind keeps its code, so its reviewers keep it when it is renamed."""

from __future__ import annotations

from litestar.datastructures import FormMultiDict

from portal.accounts import events
from portal.accounts.letter_texts import (
    DEFAULT_TEXTS,
    LETTER_KIND_LABELS,
    LetterKind,
    LetterText,
    text_problems,
    texts_to_json,
)
from portal.accounts.panel import (
    MAX_KINDS,
    MAX_NEED,
    Panel,
    PanelKind,
    panel_problems,
    panel_to_json,
)
from portal.accounts.principal import Principal
from portal.accounts.rules import slugify
from portal.accounts.tables import Membership, Network, Role
from portal.lib.db import write_transaction
from portal.lib.formatting import joined
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
from review.route import DecisionRoute, route_to_json

# Empty rows under the set, to add criteria without JavaScript.
NEW_ROWS = 3
EXPLANATION_LIMIT = 1000  # a criterion's explanation for the reviewer


def parse_set(form: FormMultiDict) -> tuple[Criteria, dict[str, str]]:
    """The rows of the form in their order; a row left wholly empty is no criterion. Problems
    by field (`code2`, `weight3`, …) of the rows as numbered in the form."""
    rows: list[tuple[int, Criterion]] = []
    problems: dict[str, str] = {}
    for i in range(1, MAX_CRITERIA + NEW_ROWS + 1):
        code = text(form, f"code{i}", 6, problems).upper()
        name = text(form, f"name{i}", 200, problems)
        explanation = text(form, f"explanation{i}", EXPLANATION_LIMIT, problems)
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
    _on_form_rows(problems, set_problems(tuple(c for _, c in rows)), [i for i, _ in rows])
    return tuple(c for _, c in rows), problems


def _on_form_rows(problems: dict[str, str], found: dict[str, str], rows: list[int]) -> None:
    """Add the problems of a list (`code2`: its second item) to `problems` on the rows of the
    form they came from (`code5` when the form's rows 1, 3 and 4 were empty)."""
    for field, message in found.items():
        name = field.rstrip("0123456789")
        position = field[len(name) :]
        problems.setdefault(f"{name}{rows[int(position) - 1]}" if position else field, message)


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


def parse_panel(form: FormMultiDict) -> tuple[Panel, dict[str, str]]:
    """The panel's rows in their order; a wholly empty row is no kind. A row without a code
    gets one made from its name (Ervaringsdeskundige -> ervaringsdeskundige)."""
    rows: list[tuple[int, PanelKind]] = []
    problems: dict[str, str] = {}
    for i in range(1, MAX_KINDS + NEW_ROWS + 1):
        code = text(form, f"code{i}", 20, problems).lower()
        name = text(form, f"name{i}", 100, problems)
        raw_need = text(form, f"need{i}")
        if not (code or name):
            continue
        need = whole_number(raw_need or "0", maximum=MAX_NEED)
        if need is None:
            problems[f"need{i}"] = f"Een aantal is een heel getal van 0 tot en met {MAX_NEED}."
        rows.append((i, PanelKind(code or slugify(name).replace("-", "_")[:20], name, need or 0)))
    _on_form_rows(problems, panel_problems(tuple(k for _, k in rows)), [i for i, _ in rows])
    return tuple(k for _, k in rows), problems


def panel_values(panel: Panel) -> dict[str, str]:
    values: dict[str, str] = {}
    for i, k in enumerate(panel, start=1):
        values |= {f"code{i}": k.code, f"name{i}": k.name, f"need{i}": str(k.need)}
    return values


async def save_panel(actor: Principal, network_id: int, panel: Panel) -> dict[str, str]:
    """Save the network's panel; refused (problems by field, nothing saved) when it drops a kind
    that reviewers of the network still have: they would be left without one."""
    if problems := panel_problems(panel):
        raise ValueError(problems)
    async with write_transaction():
        in_use = await Membership.select(Membership.reviewer_kind).where(
            (Membership.network == network_id)
            & (Membership.role == Role.reviewer.value)
            & (Membership.reviewer_kind != "")
            & Membership.reviewer_kind.not_in([k.code for k in panel])
        )
        if in_use:
            dropped = sorted({r["reviewer_kind"] for r in in_use})
            return {
                "panel": f"Er {'is' if len(in_use) == 1 else 'zijn'} nog {len(in_use)} "
                f"beoordelaar{'' if len(in_use) == 1 else 's'} van de soort "
                f"{joined(dropped, 'of')}; geef hen eerst een andere soort (Beheer → gebruikers) "
                "of laat de soort staan."
            }
        await Network.update({Network.panel: panel_to_json(panel)}).where(Network.id == network_id)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="panel_saved",
            object_type="network",
            object_id=network_id,
            summary="Panel gewijzigd: " + ", ".join(f"{k.name} ({k.need})" for k in panel),
            details={"panel": panel_to_json(panel)},
        )
    return {}


def parse_letters(form: FormMultiDict) -> tuple[dict[LetterKind, LetterText], dict[str, str]]:
    """The four letters' subjects and texts; problems by field (`grant_subject`, `change_body`).
    Text over its limit is refused, never cut: what was typed comes back."""
    texts: dict[LetterKind, LetterText] = {}
    problems: dict[str, str] = {}
    for kind in LetterKind:
        text_ = LetterText(
            str(form.get(f"{kind}_subject") or "").strip(),
            str(form.get(f"{kind}_body") or "").replace("\r\n", "\n").strip(),
        )
        texts[kind] = text_
        for field, message in text_problems(kind, text_).items():
            problems[f"{kind}_{field}"] = message
    return texts, problems


def letter_values(texts: dict[LetterKind, LetterText]) -> dict[str, str]:
    values: dict[str, str] = {}
    for kind, t in texts.items():
        values |= {f"{kind}_subject": t.subject, f"{kind}_body": t.body}
    return values


async def save_letters(
    actor: Principal, network_id: int, texts: dict[LetterKind, LetterText]
) -> None:
    """The network's letter texts; letters already sent keep their words."""
    for kind, t in texts.items():
        if text_problems(kind, t):  # the form checked; a caller that did not gets nothing
            raise ValueError(kind)
    async with write_transaction():
        await Network.update({Network.letters: texts_to_json(texts)}).where(
            Network.id == network_id
        )
        changed = [LETTER_KIND_LABELS[k] for k, t in texts.items() if t != DEFAULT_TEXTS[k]]
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="letters_saved",
            object_type="network",
            object_id=network_id,
            summary="Teksten van de brieven opgeslagen"
            + (f" (eigen tekst: {joined(changed)})" if changed else " (standaardteksten)"),
        )


async def save_logo(actor: Principal, network_id: int, logo: str) -> None:
    """The letterhead's logo (a PNG data URI from lib/letters.logo_data_uri), or "" for none."""
    async with write_transaction():
        await Network.update({Network.logo: logo}).where(Network.id == network_id)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="logo_saved" if logo else "logo_removed",
            object_type="network",
            object_id=network_id,
            summary="Logo in het briefhoofd " + ("vervangen" if logo else "verwijderd"),
        )
