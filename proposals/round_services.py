"""Services of the proposals domain for rounds and their themes: the coordinator opens a round
with its themes and guide budgets; after the first submission only the deadline moves."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column

from ledger.books import services as ledger
from portal.accounts import events
from portal.accounts.panel import needs, panel_from_json, panel_to_json
from portal.accounts.principal import Principal
from portal.accounts.tables import Network
from portal.lib import clock
from portal.lib.db import required, write_transaction
from portal.lib.formatting import datumtijd
from proposals import queries
from proposals.criteria import from_json
from proposals.criteria import to_json as criteria_json
from proposals.eligibility import RULE_SETTINGS, settings_problems
from proposals.tables import (
    Proposal,
    Round,
    Theme,
)

Problems = dict[str, str]


# --- rounds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeInput:
    id: int | None
    name: str
    description: str
    guide_budget_cents: int


@dataclass(frozen=True)
class RoundInput:
    budget_year_id: int | None
    title: str
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    attachment_limit_mb: int | None
    themes: list[ThemeInput]


async def save_round(
    actor: Principal, network_id: int, data: RoundInput, round_id: int | None = None
) -> tuple[int | None, Problems]:
    """Create or change a round with its themes. Once a proposal has been submitted in it, only
    the closing moment may move, and the move is logged."""
    existing = await queries.round_of(network_id, round_id) if round_id else None
    if round_id and existing is None:
        return None, {"title": "Deze ronde bestaat niet in dit netwerk."}
    if existing and await queries.round_has_submissions(existing["id"]):
        return await _move_deadline(actor, network_id, existing, data.closes_at)
    problems: Problems = {}
    if (
        data.budget_year_id is None
        or await ledger.budget_year(network_id, data.budget_year_id) is None
    ):
        problems["budget_year"] = "Kies een begrotingsjaar van dit netwerk."
    if not data.title.strip():
        problems["title"] = "Vul de titel van de ronde in."
    if data.opens_at is None:
        problems["opens_at"] = "Vul in wanneer de ronde opent."
    if data.closes_at is None:
        problems["closes_at"] = "Vul de sluitingstermijn in."
    if data.opens_at and data.closes_at and data.opens_at >= data.closes_at:
        problems["closes_at"] = "De ronde moet sluiten na het moment waarop zij opent."
    if data.attachment_limit_mb is None or not 1 <= data.attachment_limit_mb <= 50:
        problems["attachment_limit_mb"] = "Kies een grens tussen 1 en 50 MB."
    if not data.themes:
        problems["themes"] = "Een ronde heeft minstens één thema."
    for i, theme in enumerate(data.themes, start=1):
        if not theme.name.strip():
            problems[f"theme{i}_name"] = "Vul de naam van het thema in."
        if theme.guide_budget_cents < 0:
            problems[f"theme{i}_budget"] = "Een richtinggevend budget kan niet negatief zijn."
    if problems:
        return None, problems
    values: dict[Column | str, Any] = {
        Round.budget_year: data.budget_year_id,
        Round.title: data.title.strip(),
        Round.opens_at: data.opens_at,
        Round.closes_at: data.closes_at,
        Round.attachment_limit_mb: data.attachment_limit_mb,
    }
    async with write_transaction():
        if round_id is None:
            # The round keeps the set and the panel it opens with: the network's may change.
            network = (
                await Network.select(Network.criteria, Network.panel)
                .where(Network.id == network_id)
                .first()
            )
            criteria = criteria_json(from_json(network["criteria"] if network else None))
            panel = panel_from_json(network["panel"] if network else None)
            row = await Round.insert(
                Round(
                    network=network_id,
                    budget_year=data.budget_year_id,
                    title=data.title.strip(),
                    opens_at=data.opens_at,
                    closes_at=data.closes_at,
                    attachment_limit_mb=data.attachment_limit_mb,
                    criteria=criteria,
                    panel=panel_to_json(panel),
                    reviewers_per_proposal=max(3, sum(needs(panel).values())),
                )
            ).returning(Round.id)
            round_id = row[0]["id"]
            summary = f"Ronde {data.title.strip()} aangemaakt"
        else:
            await Round.update(values).where(Round.id == round_id)
            summary = f"Ronde {data.title.strip()} gewijzigd"
        await _save_themes(round_id, data.themes)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="round_saved",
            object_type="round",
            object_id=round_id,
            summary=summary,
            details={"themes": [t.name for t in data.themes]},
        )
    return round_id, {}


async def _save_themes(round_id: int, themes: list[ThemeInput]) -> None:
    kept = [t.id for t in themes if t.id]
    in_use = {
        r["theme"] for r in await Proposal.select(Proposal.theme).where(Proposal.round == round_id)
    }
    current = await Theme.select(Theme.id).where(Theme.round == round_id)
    for row in current:
        if row["id"] not in kept and row["id"] not in in_use:
            await Theme.delete().where(Theme.id == row["id"])
    for position, theme in enumerate(themes, start=1):
        values: dict[Column | str, Any] = {
            Theme.name: theme.name.strip(),
            Theme.description: theme.description.strip(),
            Theme.guide_budget_cents: theme.guide_budget_cents,
            Theme.position: position,
        }
        if theme.id:
            await Theme.update(values).where((Theme.id == theme.id) & (Theme.round == round_id))
        else:
            await Theme.insert(
                Theme(
                    round=round_id,
                    name=theme.name.strip(),
                    description=theme.description.strip(),
                    guide_budget_cents=theme.guide_budget_cents,
                    position=position,
                )
            )


async def _move_deadline(
    actor: Principal, network_id: int, existing: dict, closes_at: dt.datetime | None
) -> tuple[int | None, Problems]:
    if closes_at is None:
        return None, {"closes_at": "Vul de sluitingstermijn in."}
    opens_at = clock.as_utc(existing["opens_at"])
    if closes_at <= opens_at:
        return None, {"closes_at": "De ronde moet sluiten na het moment waarop zij opent."}
    async with write_transaction():
        # The closing moment as it is now, asked after the form's key: a repeat of the same form
        # stops there, instead of finding nothing to move and answering like a first post.
        current = required(
            await Round.select(Round.closes_at).where(Round.id == existing["id"]).first()
        )
        before = clock.as_utc(current["closes_at"])
        if closes_at == before:
            return existing["id"], {}
        await Round.update({Round.closes_at: closes_at}).where(Round.id == existing["id"])
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="round_deadline_moved",
            object_type="round",
            object_id=existing["id"],
            summary=f"Sluitingstermijn van {existing['title']} verplaatst van {datumtijd(before)} "
            f"naar {datumtijd(closes_at)}",
            details={"from": before.isoformat(), "to": closes_at.isoformat()},
        )
    return existing["id"], {}


async def rule_settings(network_id: int) -> dict[str, str]:
    row = await Network.select(Network.eligibility).where(Network.id == network_id).first()
    value = row["eligibility"] if row else {}
    return json.loads(value) if isinstance(value, str) else dict(value or {})


async def save_rule_settings(
    actor: Principal, network_id: int, settings: dict[str, str]
) -> Problems:
    """How the network applies the eligibility rules; a rule left on its default is not kept."""
    problems = settings_problems(settings)
    if problems:
        return problems
    kept = {code: value for code, value in settings.items() if value}
    said = ", ".join(f"{code} {RULE_SETTINGS[value].lower()}" for code, value in kept.items())
    async with write_transaction():
        await Network.update({Network.eligibility: kept}).where(Network.id == network_id)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="eligibility_saved",
            object_type="network",
            object_id=network_id,
            summary="Toetsingsregels gewijzigd" + (f": {said}" if said else ""),
            details=kept,
        )
    return {}
