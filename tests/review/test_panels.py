"""Each network its own panel (issue 16): the kinds of reviewer a network has and how many of
each a proposal needs, kept per network, copied by a round, changed per round, and followed by
the automatic assignment. The rules without a database; the pages on both."""

from __future__ import annotations

import datetime as dt

from portal.accounts import services as account_services
from portal.accounts.panel import (
    DEFAULT_PANEL,
    PanelKind,
    describe,
    kind_names,
    needs,
    panel_from_json,
    panel_of_round,
    panel_problems,
    panel_to_json,
)
from portal.accounts.tables import Membership, Network, Role
from portal.lib.db import required
from proposals import round_services
from proposals.tables import Round
from review import criteria_services
from review.tables import Review
from tests import factories
from tests.proposals.conftest import Zuidwest, principal
from tests.review.test_review_pages import as_user
from tests.web import post_form

LIMBURG = (
    PanelKind("chair", "Voorzitter regionaal expertteam", 1),
    PanelKind("ervaringsdeskundige", "Ervaringsdeskundige", 1),
    PanelKind("gemeente", "Gemeentelijk vertegenwoordiger", 0),
)


# --- the panel, pure --------------------------------------------------------------------------


def test_an_empty_panel_is_zuid_wests_and_a_panel_survives_its_json() -> None:
    assert panel_from_json(None) == panel_from_json("[]") == panel_from_json([]) == DEFAULT_PANEL
    assert panel_from_json(panel_to_json(LIMBURG)) == LIMBURG
    assert needs(LIMBURG) == {"chair": 1, "ervaringsdeskundige": 1}
    assert kind_names(LIMBURG)["gemeente"] == "Gemeentelijk vertegenwoordiger"
    assert (
        describe(LIMBURG)
        == "minstens 1 × Voorzitter regionaal expertteam en 1 × Ervaringsdeskundige"
    )
    assert describe((PanelKind("a", "A", 0),)) == ""


def test_a_round_from_before_panels_with_one_reviewer_asks_for_no_kind() -> None:
    assert needs(panel_of_round("[]", 1)) == {}
    assert needs(panel_of_round("[]", 3)) == {"ao": 1, "chair": 1}
    assert panel_of_round(panel_to_json(LIMBURG), 1) == LIMBURG


def test_each_problem_of_a_panel_on_its_row() -> None:
    assert panel_problems(LIMBURG) == {}
    assert panel_problems(LIMBURG, reviewers_per_proposal=2) == {}
    assert "panel" in panel_problems(LIMBURG, reviewers_per_proposal=1)
    bad = (
        PanelKind("Chair", "Voorzitter", 1),
        PanelKind("ao", "", 1),
        PanelKind("ao", "AO", 11),
    )
    assert set(panel_problems(bad)) == {"code1", "name2", "code3", "need3"}
    assert panel_problems(()) == {"panel": "Noem minstens één soort beoordelaar."}


# --- on both databases ----------------------------------------------------------------------


async def test_the_panel_page_keeps_what_was_typed_and_rounds_keep_their_panel(
    client, zw: Zuidwest
) -> None:
    await as_user(client, zw.coordinator)
    page = await client.get("/n/zuid-west/beoordeling/panel")
    assert page.status_code == 200 and 'value="AO-lid"' in page.text
    typed = {
        "name1": "AO-lid",
        "code1": "ao",
        "need1": "1",
        "name2": "Voorzitter expertteam",
        "code2": "chair",
        "need2": "twee",
        "name3": "Ervaringsdeskundige",
        "need3": "1",
    }
    refused = await post_form(client, "/n/zuid-west/beoordeling/panel", typed)
    assert refused.status_code == 422
    assert "Een aantal is een heel getal van 0 tot en met 10." in refused.text
    assert 'value="twee"' in refused.text and 'value="Ervaringsdeskundige"' in refused.text
    saved = await post_form(client, "/n/zuid-west/beoordeling/panel", {**typed, "need2": "1"})
    assert saved.status_code == 303
    network = required(await Network.select(Network.panel).where(Network.id == zw.network).first())
    stored = panel_from_json(network["panel"])
    # A kind typed without a code gets one from its name.
    assert [k.code for k in stored] == ["ao", "chair", "ervaringsdeskundige"]
    assert needs(stored) == {"ao": 1, "chair": 1, "ervaringsdeskundige": 1}

    # The round that was open keeps Zuid-West's panel; a new one takes the network's, with as
    # many reviewers per proposal as its kinds ask for at least.
    old = required(await Round.select().where(Round.id == zw.round).first())
    assert panel_of_round(old["panel"], old["reviewers_per_proposal"]) == DEFAULT_PANEL
    round_id, problems = await round_services.save_round(
        await principal(zw.coordinator),
        zw.network,
        round_services.RoundInput(
            budget_year_id=zw.budget_year,
            title="Ronde 2022",
            opens_at=dt.datetime(2022, 1, 1, tzinfo=dt.UTC),
            closes_at=dt.datetime(2022, 3, 1, tzinfo=dt.UTC),
            attachment_limit_mb=10,
            themes=[round_services.ThemeInput(None, "Thema", "", 1_000_000)],
        ),
    )
    assert round_id is not None, problems
    new = required(await Round.select().where(Round.id == round_id).first())
    assert panel_from_json(new["panel"]) == stored and new["reviewers_per_proposal"] == 3
    # Changing the network's panel again changes no round.
    await post_form(client, "/n/zuid-west/beoordeling/panel", {**typed, "need2": "0"})
    new = required(await Round.select().where(Round.id == round_id).first())
    assert needs(panel_from_json(new["panel"]))["chair"] == 1


async def test_a_kind_that_reviewers_have_cannot_be_dropped(client, zw: Zuidwest) -> None:
    await factories.member(
        zw.network, Role.reviewer, email="ao@example.org", region_id=zw.region_a, reviewer_kind="ao"
    )
    await as_user(client, zw.coordinator)
    only_chairs = {"name1": "Voorzitter expertteam", "code1": "chair", "need1": "1"}
    refused = await post_form(client, "/n/zuid-west/beoordeling/panel", only_chairs)
    assert refused.status_code == 422
    assert "nog 1 beoordelaar van de soort ao" in refused.text
    network = required(await Network.select(Network.panel).where(Network.id == zw.network).first())
    assert panel_from_json(network["panel"]) == DEFAULT_PANEL


async def test_a_reviewer_gets_a_kind_of_the_networks_own_panel(zw: Zuidwest) -> None:
    coordinator = await principal(zw.coordinator)
    assert not await criteria_services.save_panel(coordinator, zw.network, LIMBURG)
    admin = await factories.member(zw.network, Role.admin, email="beheer@example.org")
    person = await factories.user(email="pien@example.org")
    as_admin = await principal(admin)
    zuid_west_kind = account_services.MembershipInput("reviewer", "ao", zw.region_a, None)
    problems = await account_services.add_membership(as_admin, zw.network, person, zuid_west_kind)
    assert "Ervaringsdeskundige" in problems["reviewer_kind"]
    # An ervaringsdeskundige comes from an organisation, not a region.
    own = account_services.MembershipInput("reviewer", "ervaringsdeskundige", None, zw.org_y)
    assert await account_services.add_membership(as_admin, zw.network, person, own) == {}
    member = required(
        await Membership.select(Membership.reviewer_kind).where(Membership.user == person).first()
    )
    assert member["reviewer_kind"] == "ervaringsdeskundige"
    reviewer = await principal(person)
    assert "Beoordelaar (ervaringsdeskundige)" in [
        m.label.split(",")[0] for m in reviewer.memberships
    ]


async def test_the_assignment_follows_the_rounds_panel(client, zw: Zuidwest) -> None:
    """Limburg's projectgroep: each proposal gets a chair from another region and the
    ervaringsdeskundige; the round's numbers, changed on its page, count, not the network's."""
    coordinator = await principal(zw.coordinator)
    assert not await criteria_services.save_panel(coordinator, zw.network, LIMBURG)
    region_c = await factories.region(zw.network, "Zuid-Limburg")
    people = {
        "chair_a": ("chair", zw.region_a, None),
        "chair_c": ("chair", region_c, None),
        "ervaring": ("ervaringsdeskundige", None, zw.org_y),
        "gemeente": ("gemeente", zw.region_b, None),
        "gemeente_c": ("gemeente", region_c, None),
    }
    ids = {
        name: await factories.member(
            zw.network,
            Role.reviewer,
            email=f"{name}@example.org",
            reviewer_kind=kind,
            region_id=region,
            organisation_id=org,
        )
        for name, (kind, region, org) in people.items()
    }
    proposals = [await zw.proposal(state="submitted", title=f"Voorstel {i}") for i in range(2)]
    await as_user(client, zw.coordinator)
    page = await client.get(f"/n/zuid-west/beoordeling/rondes/{zw.round}")
    # The round opened before the panel changed: it still asks for an AO member.
    assert "minstens 1 × AO-lid en 1 × Voorzitter expertteam" in page.text
    settings = {
        "review_deadline": "2030-01-01T12:00",
        "reviewers_per_proposal": "3",
        "need_ao": "0",
        "need_chair": "1",
    }
    # The round has Zuid-West's kinds; it takes the network's new ones only by a new round. So
    # here the round's own numbers: no AO member, one chair.
    saved = await post_form(
        client, f"/n/zuid-west/beoordeling/rondes/{zw.round}/instellingen", settings
    )
    assert saved.status_code == 303
    too_many = await post_form(
        client,
        f"/n/zuid-west/beoordeling/rondes/{zw.round}/instellingen",
        {**settings, "need_chair": "4"},
    )
    assert too_many.status_code == 422
    assert "Samen vragen de soorten 4 beoordelaars per voorstel" in too_many.text
    assert 'value="4"' in too_many.text
    await Round.update({Round.panel: panel_to_json(LIMBURG)}).where(Round.id == zw.round)
    page = await client.get(f"/n/zuid-west/beoordeling/rondes/{zw.round}")
    assert "Ervaringsdeskundige" in page.text
    assigned = await post_form(client, f"/n/zuid-west/beoordeling/rondes/{zw.round}/toewijzen")
    assert assigned.status_code == 303
    for proposal_id in proposals:
        reviewers = {
            r["reviewer"]
            for r in await Review.select(Review.reviewer).where(Review.proposal == proposal_id)
        }
        assert len(reviewers) == 3
        # Region A submitted: its chair never; the other chair and the ervaringsdeskundige always.
        assert {ids["chair_c"], ids["ervaring"]} <= reviewers
        assert ids["chair_a"] not in reviewers
    # Without an ervaringsdeskundige free of conflicts, the page says so in Limburg's words.
    other = await zw.proposal(state="submitted", title="Ouders aan tafel")
    from review.tables import ConflictDeclaration

    await ConflictDeclaration.insert(
        ConflictDeclaration(
            proposal=other,
            reviewer=ids["ervaring"],
            kind="personal",
            reason="Familie",
            declared_at=dt.datetime.now(dt.UTC),
        )
    )
    shown = await post_form(client, f"/n/zuid-west/beoordeling/rondes/{zw.round}/toewijzen")
    assert shown.status_code == 200
    assert "Ouders aan tafel: geen Ervaringsdeskundige zonder belangenconflict." in shown.text


async def test_assigning_without_choosing_a_reviewer_says_so(client, zw: Zuidwest) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await as_user(client, zw.coordinator)
    url = f"/n/zuid-west/beoordeling/voorstellen/{proposal_id}"
    response = await post_form(client, f"{url}/toewijzen", {"reviewer": ""})
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Kies de beoordelaar die u wilt toewijzen." in page.text
    assert "geen beoordelaar in dit netwerk" not in page.text
