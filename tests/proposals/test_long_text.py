"""Issue 17: a tester typed 120.000 characters in "Doelen" and got 10.000 saved with "Gelukt".
Every text of a proposal, of a new one and of a round is now refused over its limit, with the
message on its field and the whole text back in the form; nothing is stored. Both databases."""

from __future__ import annotations

from ledger.books.tables import BudgetYear
from proposals.tables import BouwteamMember, Proposal, Round, Theme
from tests.proposals.conftest import Zuidwest
from tests.proposals.test_proposal_pages import as_user, url
from tests.web import post_form


def too_long(length: int, limit: int) -> str:
    def dotted(n: int) -> str:
        return f"{n:,}".replace(",", ".")

    return (
        f"Deze tekst is {dotted(length)} tekens; er passen er ten hoogste {dotted(limit)} in. "
        "Maak hem korter."
    )


async def _stored(proposal_id: int) -> dict:
    return await Proposal.select().where(Proposal.id == proposal_id).first()


async def test_the_testers_120000_characters_in_goals_are_refused_not_cut(
    client, zw: Zuidwest
) -> None:
    proposal_id = await zw.proposal(complete=False)
    before = await _stored(proposal_id)
    await as_user(client, zw.applicant_x)
    goals = "Doelen " * 17_142 + "Doelen"  # 120.000 characters
    refused = await post_form(
        client,
        url(proposal_id, "/bewerken/inhoud"),
        {"goals": goals, "results": "Resultaat blijft staan", "start_date": "1-9-2021"},
    )
    assert refused.status_code == 422
    assert too_long(120_000, 10_000) in refused.text
    assert 'id="veld-goals-fout"' in refused.text
    assert goals.strip() in refused.text and "Resultaat blijft staan" in refused.text
    assert "Ten hoogste 10.000 tekens." in refused.text and 'data-limit="10000"' in refused.text
    after = await _stored(proposal_id)
    assert after["goals"] == before["goals"] and after["results"] == before["results"]
    # Exactly at the limit, line breaks sent as CR LF counted once: saved whole.
    fits = ("x" * 99 + "\r\n") * 100
    saved = await post_form(client, url(proposal_id, "/bewerken/inhoud"), {"goals": fits})
    assert saved.status_code == 303
    assert (await _stored(proposal_id))["goals"] == fits.strip()


async def test_each_section_refuses_its_long_text(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(complete=False)
    await as_user(client, zw.applicant_x)
    cases = [
        ("algemeen", {"title": "Kort", "summary": "s" * 10_001}, "summary", (10_001, 10_000)),
        ("algemeen", {"title": "t" * 301}, "title", (301, 300)),
        ("criteria", {"innovation": "i" * 10_001}, "innovation", (10_001, 10_000)),
        (
            "criteria",
            {"transformation_goals": "own_strength", "goal_own_strength_explanation": "g" * 2001},
            "goal_own_strength_explanation",
            (2001, 2000),
        ),
        ("inkoop", {"procurement_notes": "n" * 10_001}, "procurement_notes", (10_001, 10_000)),
        ("bouwteam", {"region_name": "b" * 201}, "region_name", (201, 200)),
    ]
    before = await _stored(proposal_id)
    for section, data, field, (length, limit) in cases:
        refused = await post_form(client, url(proposal_id, f"/bewerken/{section}"), data)
        assert refused.status_code == 422, (section, field)
        assert too_long(length, limit) in refused.text, (section, field)
        assert f'id="veld-{field}-fout"' in refused.text, (section, field)
        assert data[field] in refused.text, (section, field)  # kept, whole
    after = await _stored(proposal_id)
    for column in ("title", "summary", "innovation", "procurement_notes", "transformation_goals"):
        assert after[column] == before[column], column
    assert not await BouwteamMember.exists().where(BouwteamMember.name == "b" * 201)


async def test_a_new_proposal_with_a_long_title_is_refused(client, zw: Zuidwest) -> None:
    await as_user(client, zw.applicant_x)
    count = await Proposal.count()
    refused = await post_form(
        client, "/n/zuid-west/voorstellen/nieuw", {"round": str(zw.round), "title": "t" * 301}
    )
    assert refused.status_code == 422 and too_long(301, 300) in refused.text
    assert "t" * 301 in refused.text and await Proposal.count() == count


async def test_round_and_budget_year_texts_are_refused_over_their_limit(
    client, zw: Zuidwest
) -> None:
    await as_user(client, zw.coordinator)
    rounds, themes = await Round.count(), await Theme.count()
    refused = await post_form(
        client,
        "/n/zuid-west/rondes/nieuw",
        {
            "budget_year": str(zw.budget_year),
            "title": "Ronde 2022",
            "opens_at": "2022-05-01T09:00",
            "closes_at": "2022-06-01T09:00",
            "attachment_limit_mb": "10",
            "theme_id": ["", ""],
            "theme_name": ["n" * 201, "Thema"],
            "theme_budget": ["", ""],
            "theme_description": ["", "d" * 10_001],
        },
    )
    assert refused.status_code == 422
    assert too_long(201, 200) in refused.text and too_long(10_001, 10_000) in refused.text
    assert "d" * 10_001 in refused.text and await Round.count() == rounds
    assert await Theme.count() == themes
    years = await BudgetYear.count()
    refused = await post_form(
        client,
        "/n/zuid-west/begrotingsjaren",
        {"year": "2023", "spuk_amount": "4.850.000", "grant_reference": "k" * 201},
    )
    assert refused.status_code == 422 and too_long(201, 200) in refused.text
    assert await BudgetYear.count() == years
