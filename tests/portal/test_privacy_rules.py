"""The rules that keep data about clients out (portal/lib/privacy.py), each pattern both ways."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.lib.privacy import (
    Finding,
    Kind,
    findings,
    passes_eleven_test,
    screen,
)

VALID_BSN = "123456782"  # 9·1+8·2+…+2·8−2 = 154 = 14·11
OTHER_VALID_BSN = "111222333"


def kinds(text: str) -> list[Kind]:
    return [f.kind for f in findings(text)]


def test_the_eleven_test() -> None:
    assert passes_eleven_test(VALID_BSN)
    assert passes_eleven_test(OTHER_VALID_BSN)
    assert not passes_eleven_test("123456789")
    assert not passes_eleven_test("000000000")  # sums to 0
    assert not passes_eleven_test("12345678")
    assert not passes_eleven_test("１２３４５６７８２")  # full-width digits are no BSN


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_a_bsn_is_refused_exactly_when_it_passes_the_eleven_test(digits: str) -> None:
    found = kinds(f"Het nummer is {digits}.")
    assert (Kind.bsn in found) == passes_eleven_test(digits)


@pytest.mark.parametrize(
    "text",
    [
        f"BSN {VALID_BSN}",
        f"bsn: {VALID_BSN}",
        f"Het gaat om {VALID_BSN}.",
        "burgerservicenummer 1234.56.782",
        "nummer 123 456 782 in het dossier",
        "(123.456.782)",
        "BSN 12345672",  # eight digits after the word: a leading zero left off (012345672)
    ],
)
def test_a_bsn_as_people_write_it_is_refused(text: str) -> None:
    assert passes_eleven_test("012345672")
    assert Kind.bsn in kinds(text)
    assert all(f.refused for f in findings(text) if f.kind is Kind.bsn)


@pytest.mark.parametrize(
    "text",
    [
        "NL91ABNA0417164300",  # an IBAN
        "NL91 ABNA 0417 1643 00",
        "KvK 12345678",  # eight digits, not after "BSN"
        "Totaal € 123.456.782",  # an amount with thousands dots
        "€123.456.782,00",
        "1.123.456.782",  # part of a longer number
        "123456782,50 euro",
        "kenmerk 2026-123456782",
        "zaak/123456782",
        "nummer 1234567820",  # ten digits
        "+31 612345678",  # a phone number's nine digits
        "referentie ABC123456782",
    ],
)
def test_numbers_that_only_look_like_a_bsn_pass(text: str) -> None:
    assert Kind.bsn not in kinds(text)


def test_the_bsn_is_masked_in_what_is_shown() -> None:
    (finding,) = [f for f in findings(f"BSN {VALID_BSN}") if f.kind is Kind.bsn]
    assert VALID_BSN not in finding.shown
    assert finding.shown.startswith("12") and finding.shown.endswith("82")


@pytest.mark.parametrize(
    "text",
    [
        "geboren op 12-03-2011",
        "Geboortedatum: 3 maart 2012",
        "geb. 01/02/2010",
    ],
)
def test_a_date_of_birth_is_a_warning(text: str) -> None:
    assert kinds(text) == [Kind.birth_date]
    assert not findings(text)[0].refused


def test_a_date_without_birth_is_fine() -> None:
    assert kinds("De pilot start op 12-03-2027 en loopt tot 1 maart 2028.") == []


@pytest.mark.parametrize(
    "text", ["bel 06-12345678", "06 1234 5678", "+31 6 12345678", "0031612345678"]
)
def test_a_mobile_number_is_a_warning(text: str) -> None:
    assert kinds(text) == [Kind.phone]


@pytest.mark.parametrize("text", ["bel 010-1234567", "088 123 4567", "tel. 043 350 5050"])
def test_an_office_number_is_fine(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "De cliënt Sanne de Vries kwam in beeld",
        "jeugdige Mohammed B. werd geplaatst",
        "Jongere Tim had een wachttijd",
        "de jongere, Priya, is",
        "Sanne (14) woont thuis",
        "Tim, 15 jaar, kreeg hulp",
    ],
)
def test_a_name_next_to_a_client_word_is_a_warning(text: str) -> None:
    assert Kind.client_name in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "jongeren met complexe problematiek",
        "het kind. De ouders krijgen steun",
        "het kind Jeugdhulp biedt",  # an institution, not a name
        "de projectleider Sanne de Vries (AO-lid)",  # a professional, no client word
        "In 2026 hebben 14 jongeren hulp gekregen",
    ],
)
def test_ordinary_writing_about_clients_is_fine(text: str) -> None:
    assert Kind.client_name not in kinds(text)


def test_screen_names_the_field_and_refuses_only_bsns() -> None:
    result = screen(
        {"goals": f"BSN {VALID_BSN}", "results": "geboren op 1-2-2010", "activities": ""},
        {"goals": "Doelen", "results": "Resultaten"},
    )
    assert set(result.refusals) == {"goals"}
    assert "burgerservicenummer" in result.refusals["goals"]
    assert VALID_BSN not in result.refusals["goals"]
    assert result.warnings == [Finding(Kind.birth_date, "geboren op 1-2-2010", "Resultaten")]
    assert not result.clean
    assert screen({"goals": "Betere samenwerking tussen regio's."}).clean


def test_a_finding_survives_being_stored() -> None:
    finding = Finding(Kind.phone, "06••••••78", "verslag.pdf")
    assert Finding.from_dict(finding.as_dict()) == finding
    assert Finding.from_dict({"kind": "nonsense", "shown": "x"}) is None
