"""Each network its own letters (issue 16): texts with invulvelden, checked when saved and filled
safely; a logo; each letter made when the decision is taken, kept as sent and printed to PDF.
The placeholder language without a database; the pages and the PDFs on both."""

from __future__ import annotations

import io

from PIL import Image

from portal.accounts.letter_texts import (
    DEFAULT_TEXTS,
    FIELDS,
    LetterKind,
    LetterText,
    text_problems,
    texts_from_json,
    texts_to_json,
)
from portal.accounts.tables import Letter, Network, Role
from portal.lib.db import required
from portal.lib.letters import fill, fill_line, logo_data_uri, placeholders_in, text_problem
from tests import factories
from tests.pdf import pdf_text
from tests.proposals.conftest import Zuidwest
from tests.review.test_review_pages import _scored, as_user, review_url
from tests.web import csrf_token, post_form

# --- the placeholder language, pure -----------------------------------------------------------


def test_an_unknown_field_or_a_stray_brace_is_refused() -> None:
    fields = {"titel": "de titel"}
    assert text_problem("Over {titel}.", fields) is None
    problem = text_problem("Over {titel} en {bedrag} en {bedrag}.", fields)
    assert problem is not None and problem.startswith("Onbekend invulveld {bedrag}.")
    assert "losse accolade" in (text_problem("Over {titel.", fields) or "")
    assert "losse accolade" in (text_problem("Over titel}.", fields) or "")
    # Nothing that looks like code gets through as a field.
    assert text_problem("{{ config }}", fields) is not None
    assert text_problem("{titel.__class__}", fields) is not None
    assert placeholders_in("{a} {b_c}") == ["a", "b_c"]


def test_values_are_escaped_and_empty_fields_leave_no_empty_lines() -> None:
    text = "Beste {titel},\n\n{voorwaarden}\n\n- eerste\n- {voorwaarden}\n- {titel}\n\nSlot."
    html = fill(text, {"titel": "<script>alert(1)</script> & co", "voorwaarden": ""})
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert html.count("<p>") == 2  # the paragraph of only {voorwaarden} is left out
    assert html.count("<li>") == 2  # so is the list item of only {voorwaarden}
    assert fill_line('Besluit "{titel}"', {"titel": "A<b>"}) == 'Besluit "A<b>"'
    multi = fill("{titel}", {"titel": "regel 1\nregel <2>"})
    assert multi == "<p>regel 1<br>regel &lt;2&gt;</p>"


def test_every_default_text_uses_only_its_own_fields() -> None:
    for kind in LetterKind:
        assert text_problems(kind, DEFAULT_TEXTS[kind]) == {}, kind
        used = set(placeholders_in(DEFAULT_TEXTS[kind].body))
        assert used <= set(FIELDS[kind]), kind
    # A text for one kind with a field of another is refused for it.
    refused = text_problems(LetterKind.rejection, LetterText("X", "{verleend_bedrag}"))
    assert "Onbekend invulveld {verleend_bedrag}" in refused["body"]
    # Stored texts come back; a stored text that no longer passes is the default again.
    own = dict(DEFAULT_TEXTS) | {LetterKind.grant: LetterText("Toekenning {titel}", "Ja.")}
    assert texts_from_json(texts_to_json(own)) == own
    broken = texts_to_json(own) | {"grant": {"subject": "{onbekend}", "body": "x"}}
    assert texts_from_json(broken)[LetterKind.grant] == DEFAULT_TEXTS[LetterKind.grant]


def test_a_logo_is_re_encoded_and_anything_else_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (30, 10), (200, 0, 0)).save(out, format="JPEG")
    uri, problem = logo_data_uri(out.getvalue())
    assert problem is None and uri is not None and uri.startswith("data:image/png;base64,")
    assert logo_data_uri(b"%PDF-1.4 nothing")[1] == "Dit is geen PNG- of JPEG-afbeelding."
    assert (
        logo_data_uri(b"\x89PNG\r\n\x1a\n broken")[1] == "Deze afbeelding kan niet worden gelezen."
    )
    assert logo_data_uri(b"")[1] is not None
    assert "500 kB" in (logo_data_uri(b"\x89PNG\r\n\x1a\n" + bytes(600_000))[1] or "")


# --- on both databases ----------------------------------------------------------------------


OWN_GRANT = (
    'Het bestuur van {netwerk} kent {verleend_bedrag} toe aan {regio} voor "{titel}".\n\n'
    "{voorwaarden}\n\n"
    "Vragen? Bel de gemeente {gemeente}."
)


async def test_a_network_writes_its_own_grant_letter_and_the_sent_letter_never_changes(
    client, zw: Zuidwest, reviewers
) -> None:
    await as_user(client, zw.coordinator)
    page = await client.get("/n/zuid-west/beoordeling/brieven")
    assert page.status_code == 200 and "{verleend_bedrag}" in page.text
    form = {}
    for kind, text in DEFAULT_TEXTS.items():
        form |= {f"{kind}_subject": text.subject, f"{kind}_body": text.body}
    typed = form | {"grant_body": OWN_GRANT.replace("{titel}", "{projectnaam}")}
    refused = await post_form(client, "/n/zuid-west/beoordeling/brieven", typed)
    assert refused.status_code == 422
    assert "Onbekend invulveld {projectnaam}" in refused.text
    assert "Het bestuur van {netwerk} kent" in refused.text  # what was typed comes back
    saved = await post_form(
        client, "/n/zuid-west/beoordeling/brieven", form | {"grant_body": OWN_GRANT}
    )
    assert saved.status_code == 303
    preview = await client.get("/n/zuid-west/beoordeling/brieven/grant/voorbeeld.pdf")
    assert preview.headers["content-type"] == "application/pdf"
    assert "[verleend bedrag]" in pdf_text(preview.content)

    proposal_id = await _scored(client, zw, reviewers, [{}])
    await as_user(client, zw.coordinator)
    await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"body": "ao_chairs", "meeting_date": "2021-10-01", "reference": "AO-1", "advice": "Ja"},
    )
    decided = await post_form(
        client,
        review_url(proposal_id, "/besluit"),
        {
            "outcome": "granted_with_conditions",
            "amount": "8.000,00",
            "conditions": "Deel de resultaten <b>met</b> alle regio's.",
            "decision_date": "2021-11-01",
            "reference": "RTD-21-9",
            "advice_date": "2021-10-20",
            "advice_reference": "BA-9",
        },
    )
    assert decided.status_code == 303
    letters = await Letter.select().where(Letter.kind == "grant")
    assert len(letters) == 1
    sent = letters[0]
    assert "Het bestuur van " in sent["html"] and "kent € 8.000,00 toe" in sent["html"]
    assert "Deel de resultaten &lt;b&gt;met&lt;/b&gt;" in sent["html"]
    assert sent["pdf"] is None  # printed the first time someone opens it

    # The author reads the letter and its PDF; the PDF is the stored one from then on.
    await as_user(client, zw.applicant_x)
    shown = await client.get(review_url(proposal_id, "/beschikking"))
    assert shown.status_code == 200 and "RTD-21-9" in shown.text
    pdf = await client.get(review_url(proposal_id, "/beschikking.pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    words = pdf_text(pdf.content)
    assert "kent € 8.000,00 toe aan" in words and "RTD-21-9" in words
    assert "Hoogachtend" in words and "{" not in words
    assert "Fondsportaal" not in words and "vrijval" not in words.lower()
    stored = required(await Letter.select(Letter.pdf).where(Letter.id == sent["id"]).first())
    assert bytes(stored["pdf"]) == pdf.content

    # Another text later changes nothing in the letter as sent.
    await as_user(client, zw.coordinator)
    await post_form(client, "/n/zuid-west/beoordeling/brieven", form)
    again = await client.get(review_url(proposal_id, "/beschikking.pdf"))
    assert again.content == pdf.content
    assert await Letter.count() == 1

    # An applicant of another organisation reads no one else's letter.
    await as_user(client, zw.applicant_y)
    assert (await client.get(review_url(proposal_id, "/beschikking"))).status_code in (403, 404)
    assert (await client.get(review_url(proposal_id, "/beschikking.pdf"))).status_code in (403, 404)


async def test_a_rejection_has_its_letter_with_the_reasons(client, zw: Zuidwest, reviewers) -> None:
    proposal_id = await _scored(client, zw, reviewers, [{}])
    await as_user(client, zw.coordinator)
    await post_form(
        client,
        review_url(proposal_id, "/advies"),
        {"body": "ao_chairs", "meeting_date": "2021-10-01", "reference": "AO-1", "advice": "Nee"},
    )
    decided = await post_form(
        client,
        review_url(proposal_id, "/besluit"),
        {
            "outcome": "rejected",
            "reasons": "Past niet binnen het thema.",
            "decision_date": "2021-11-01",
            "reference": "RTD-21-10",
            "advice_date": "2021-10-20",
            "advice_reference": "BA-10",
        },
    )
    assert decided.status_code == 303
    await as_user(client, zw.officer_a)
    page = await client.get(review_url(proposal_id, "/beschikking"))
    assert page.status_code == 200
    assert "Beschikking afwijzing" in page.text and "Past niet binnen het thema." in page.text
    words = pdf_text((await client.get(review_url(proposal_id, "/beschikking.pdf"))).content)
    assert "af te wijzen" in words and "{" not in words


async def test_the_logo_goes_into_letters_made_after_it(client, zw: Zuidwest) -> None:
    await as_user(client, zw.coordinator)
    out = io.BytesIO()
    Image.new("RGB", (60, 20), (0, 90, 160)).save(out, format="PNG")
    refused = await client.post(
        "/n/zuid-west/beoordeling/brieven/logo",
        files={"logo": ("logo.png", b"%PDF-1.4 not an image", "image/png")},
        data={"_csrf_token": await csrf_token(client)},
    )
    assert refused.status_code == 303
    assert (
        required(await Network.select(Network.logo).where(Network.id == zw.network).first())["logo"]
        == ""
    )
    saved = await client.post(
        "/n/zuid-west/beoordeling/brieven/logo",
        files={"logo": ("logo.png", out.getvalue(), "image/png")},
        data={"_csrf_token": await csrf_token(client)},
    )
    assert saved.status_code == 303
    logo = required(await Network.select(Network.logo).where(Network.id == zw.network).first())
    assert logo["logo"].startswith("data:image/png;base64,")
    page = await client.get("/n/zuid-west/beoordeling/brieven")
    assert 'alt="Huidig logo"' in page.text


async def test_the_admin_of_another_network_cannot_reach_the_letters(client, zw: Zuidwest) -> None:
    other = await factories.network("limburg-test")
    outsider = await factories.member(other, Role.coordinator, email="c@limburg.example.org")
    await as_user(client, outsider)
    assert (await client.get("/n/zuid-west/beoordeling/brieven")).status_code in (403, 404)


def test_a_letter_pdf_embeds_the_logo_and_loads_nothing_else() -> None:
    from portal.lib.letters import pdf_from_html

    out = io.BytesIO()
    Image.new("RGB", (60, 20), (0, 90, 160)).save(out, format="PNG")
    uri, _ = logo_data_uri(out.getvalue())
    with_logo = pdf_from_html(f'<img src="{uri}" alt="Logo"><p>Beschikking</p>', "t")
    assert b"/Image" in with_logo
    outside = pdf_from_html(
        '<img src="file:///etc/hostname"><img src="http://127.0.0.1:9/x.png"><p>Beschikking</p>',
        "t",
    )
    assert b"/Image" not in outside and "Beschikking" in pdf_text(outside)
