"""A label says "(niet verplicht)" only where the field may stay empty in every situation; a
field that one situation requires says which ("(verplicht bij toekennen)"), and the server's
message names the same situation."""

from __future__ import annotations

import re

import httpx

from ledger.books.tables import PaymentRequest
from ledger.projects import payment_requests as requests
from portal.accounts.tables import Network
from proposals.tables import Proposal
from review.tables import Decision
from tests.ledger.conftest import make_year
from tests.ledger.test_ledger_pages import as_user
from tests.ledger.test_payment_requests import ask, setting
from tests.proposals.conftest import make_zuidwest, principal
from tests.web import post_form


def label_of(html: str, field_id: str) -> str:
    """The visible text of the label of one field, tags left out."""
    found = re.search(rf'<label[^>]*for="{re.escape(field_id)}"[^>]*>(.*?)</label>', html, re.S)
    assert found, f"no label for {field_id}"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


async def test_the_macros_mark_optional_required_and_required_in_a_situation(app) -> None:
    env = app.template_engine.engine
    page = env.from_string(
        '{% import "macros/forms.html" as forms %}'
        '{{ forms.field("a", "Titel", required=true) }}'
        '{{ forms.field("b", "Telefoon") }}'
        '{{ forms.field("c", "Bedrag", required_when="bij toekennen") }}'
        '{{ forms.textarea("d", "Redenen", required_when="bij afwijzen") }}'
        '{{ forms.select("e", "Regio", [("1", "Een")], required_when="bij een akkoordverklaring") }}'
    ).render()
    assert label_of(page, "veld-a") == "Titel"
    assert label_of(page, "veld-b") == "Telefoon (niet verplicht)"
    assert label_of(page, "veld-c") == "Bedrag (verplicht bij toekennen)"
    assert label_of(page, "veld-d") == "Redenen (verplicht bij afwijzen)"
    assert label_of(page, "veld-e") == "Regio (verplicht bij een akkoordverklaring)"
    # Required in one situation only: the browser must not insist on it in the others.
    assert re.search(r'id="veld-c"[^>]*\srequired', page) is None
    assert re.search(r'id="veld-a"[^>]*\srequired', page)


DECISION = {
    "decision_date": "2021-11-01",
    "advice_date": "2021-10-20",
    "advice_reference": "BA-2021-7",
}


async def test_the_decision_amount_is_required_when_granting_only(
    database, client: httpx.AsyncClient
) -> None:
    zw = await make_zuidwest()
    proposal_id = await zw.proposal(state="submitted")
    await Proposal.update({Proposal.state: "advised"}).where(Proposal.id == proposal_id)
    await as_user(client, zw.coordinator)
    url = f"/n/zuid-west/beoordeling/voorstellen/{proposal_id}"
    page = (await client.get(url)).text
    assert label_of(page, "veld-amount") == "Toegekend bedrag (€) (verplicht bij toekennen)"
    assert label_of(page, "veld-conditions") == (
        "Voorwaarden (verplicht bij toekennen onder voorwaarden)"
    )
    assert label_of(page, "veld-reasons") == "Redenen (verplicht bij afwijzen of terugsturen)"
    assert label_of(page, "veld-decision_date") == "Datum besluit"
    assert label_of(page, "veld-reference") == "Kenmerk besluit (niet verplicht)"

    refused = await post_form(client, f"{url}/besluit", {**DECISION, "outcome": "granted"})
    assert refused.status_code == 422
    assert "Vul het toegekende bedrag in: dat is verplicht bij toekennen." in refused.text
    refused = await post_form(
        client,
        f"{url}/besluit",
        {**DECISION, "outcome": "granted_with_conditions", "amount": "5.000,00"},
    )
    assert refused.status_code == 422
    assert "Noem de voorwaarden: die zijn verplicht bij toekennen onder voorwaarden." in (
        refused.text
    )
    refused = await post_form(client, f"{url}/besluit", {**DECISION, "outcome": "rejected"})
    assert refused.status_code == 422
    assert "Geef de redenen: die zijn verplicht bij afwijzen of terugsturen" in refused.text
    assert await Decision.count() == 0

    rejected = await post_form(
        client,
        f"{url}/besluit",
        {**DECISION, "outcome": "rejected", "reasons": "Past niet in het thema."},
    )
    assert rejected.status_code == 303
    decision = await Decision.select().first()
    assert decision["outcome"] == "rejected" and decision["amount_cents"] is None


async def test_the_round_screen_says_when_the_amount_is_required(
    database, client: httpx.AsyncClient
) -> None:
    zw = await make_zuidwest()
    proposal_id = await zw.proposal(state="submitted")
    await Proposal.update({Proposal.state: "advised"}).where(Proposal.id == proposal_id)
    await as_user(client, zw.coordinator)
    page = (await client.get(f"/n/zuid-west/beoordeling/rondes/{zw.round}/besluiten")).text
    assert "Bedrag (€) (verplicht bij toekennen)" in " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert label_of(page, f"veld-p{proposal_id}_amount").endswith("(verplicht bij toekennen)")


async def test_ledger_decisions_name_the_situation(database, client: httpx.AsyncClient) -> None:
    year = await make_year()
    project, officer_a, _ = await setting(year)
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]

    # A change: the new end date for a longer period, the new amount for another amount.
    await as_user(client, officer_a)
    page = (await client.get(f"/n/{slug}/wijzigingen/nieuw")).text
    assert label_of(page, "veld-new_end_date") == (
        "Nieuwe einddatum (verplicht bij een langere looptijd)"
    )
    assert label_of(page, "veld-new_amount") == (
        "Nieuw subsidiebedrag (€) (verplicht bij een ander bedrag)"
    )
    refused = await post_form(
        client,
        f"/n/{slug}/wijzigingen/nieuw",
        {"project": str(project["id"]), "kind": "amount", "reason": "Meer jongeren"},
    )
    assert refused.status_code == 422
    assert "Vul het nieuwe subsidiebedrag in: dat is verplicht bij een ander bedrag." in (
        refused.text
    )

    # A payment request: the payment's reference to approve, a reason to refuse.
    await requests.request_payment(await principal(officer_a), year.network, ask(project, 1000))
    (row,) = await PaymentRequest.select(PaymentRequest.id)
    await as_user(client, year.coordinator)
    base = f"/n/{slug}/betaalverzoeken"
    page = (await client.get(base)).text
    assert label_of(page, "veld-document_reference") == (
        "Kenmerk betaling (verplicht bij goedkeuren)"
    )
    assert label_of(page, "veld-note") == "Reden (verplicht bij afwijzen)"
    refused = await post_form(
        client, f"{base}/{row['id']}/beoordelen", {"decision": "goedkeuren", "note": ""}
    )
    assert refused.status_code == 422
    assert "Vul het kenmerk van de betaling in: dat is verplicht bij goedkeuren." in refused.text
    assert 'id="veld-document_reference-fout"' in refused.text
    refused = await post_form(client, f"{base}/{row['id']}/beoordelen", {"decision": "afwijzen"})
    assert refused.status_code == 422
    assert "Geef de reden: die is verplicht bij afwijzen" in refused.text
    assert await PaymentRequest.count().where(PaymentRequest.state == "requested") == 1
