"""Pure rules of the portal domain, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.accounts.principal import MembershipInfo, Principal
from portal.accounts.rules import (
    email_problem,
    format_basis_points,
    membership_problems,
    reserve_percentage_problem,
    slugify,
)
from portal.accounts.tables import Role
from portal.lib.formatting import datum, datumtijd
from portal.lib.passwords import MIN_LENGTH, password_problem
from portal.lib.settings import Settings, SettingsError


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("kort", True),
        ("a" * (MIN_LENGTH - 1), True),
        ("wachtwoord123", True),  # common, although long enough
        ("Password1234", True),
        ("aaaaaaaaaaaaaa", True),
        ("groene-fiets-op-de-dijk", False),
        ("Vijf zonnige dagen in mei", False),
    ],
)
def test_new_password_rules(password: str, refused: bool) -> None:
    assert (password_problem(password) is not None) is refused


def test_password_may_not_contain_the_email_name() -> None:
    assert password_problem("carla.jansen-2026!", email="carla.jansen@example.org") is not None


@pytest.mark.parametrize("email", ["", "geen-adres", "a@b", "twee@@example.org", "x y@example.org"])
def test_bad_email_addresses(email: str) -> None:
    assert email_problem(email)


def test_good_email_address() -> None:
    assert email_problem("Naam.Achternaam@gemeente.nl") is None


def test_membership_needs_its_scope() -> None:
    def problems(role: Role, **kwargs) -> set[str]:
        base = {
            "has_network": True,
            "reviewer_kind": "",
            "region_id": None,
            "organisation_id": None,
        }
        return set(membership_problems(role, **(base | kwargs)))

    assert problems(Role.applicant) == {"organisation"}
    assert problems(Role.applicant, organisation_id=1) == set()
    assert problems(Role.region_officer) == {"region"}
    assert problems(Role.reviewer) == {"reviewer_kind", "region"}
    assert problems(Role.reviewer, reviewer_kind="ao", region_id=3) == set()
    # A network's own kinds: Limburg's ervaringsdeskundige, from an organisation only.
    limburg = {"ervaringsdeskundige": "Ervaringsdeskundige", "chair": "Voorzitter RET"}
    assert (
        problems(
            Role.reviewer, reviewer_kind="ervaringsdeskundige", organisation_id=2, kinds=limburg
        )
        == set()
    )
    assert problems(Role.reviewer, reviewer_kind="ao", region_id=3, kinds=limburg) == {
        "reviewer_kind"
    }
    assert problems(Role.coordinator, reviewer_kind="ao") == {"reviewer_kind"}
    assert problems(Role.coordinator, has_network=False) == {"network"}
    assert problems(Role.admin, has_network=False) == set()


@pytest.mark.parametrize(
    ("text", "basis_points"),
    [("10", 1000), ("0", 0), ("7,5", 750), ("12,25 %", 1225), ("10.5", 1050)],
)
def test_reserve_percentages(text: str, basis_points: int) -> None:
    assert reserve_percentage_problem(text) == (basis_points, None)
    assert reserve_percentage_problem(format_basis_points(basis_points))[0] == basis_points


@pytest.mark.parametrize("text", ["", "tien", "-1", "60", "7,555"])
def test_bad_reserve_percentages(text: str) -> None:
    value, problem = reserve_percentage_problem(text)
    assert value is None and problem


def test_slugify_dutch_names() -> None:
    assert slugify("Zuid-West ") == "zuid-west"
    assert slugify("Coördinatie & Beleid") == "coordinatie-beleid"


def test_dutch_dates() -> None:
    assert datum(dt.date(2022, 3, 1)) == "1 maart 2022"
    # 23:30 UTC on 31 December is already New Year in Amsterdam.
    assert datumtijd(dt.datetime(2021, 12, 31, 23, 30, tzinfo=dt.UTC)) == "1 januari 2022, 00:30"


def _principal(*memberships: MembershipInfo) -> Principal:
    return Principal(user_id=1, email="a@example.org", name="A", memberships=memberships)


def test_principal_scopes_per_network() -> None:
    p = _principal(
        MembershipInfo(1, 10, "zw", "Zuid-West", Role.region_officer, region_id=5),
        MembershipInfo(2, 20, "li", "Limburg", Role.applicant, organisation_id=7),
    )
    assert p.has_role(10, Role.region_officer) and not p.has_role(20, Role.region_officer)
    assert p.region_ids(10, Role.region_officer) == {5}
    assert p.region_ids(20, Role.region_officer) == set()
    assert p.organisation_ids(20) == {7} and p.organisation_ids(10) == set()
    assert [n.slug for n in p.networks()] == ["li", "zw"]
    assert not p.is_superadmin and not p.administers(10)


def test_superadmin_administers_every_network() -> None:
    p = _principal(MembershipInfo(1, None, None, None, Role.admin))
    assert p.is_superadmin and p.administers(99) and not p.has_role(99, Role.coordinator)


def test_production_requires_a_secret_key(tmp_path) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({"PORTAL_ENV": "production", "PORTAL_VAR_DIR": str(tmp_path)})
    settings = Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path)})
    assert len(settings.secret_key) >= 32
    # The generated development key is kept for the next start.
    assert Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path)}).secret_key == settings.secret_key
    assert settings.database_url.startswith("sqlite:///")
