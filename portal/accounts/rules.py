"""Pure rules of the portal domain: what a membership needs, how slugs and e-mails look."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from portal.accounts.panel import DEFAULT_PANEL, kind_names
from portal.accounts.tables import OrganisationKind, Role
from portal.lib.formatting import joined

ORGANISATION_KIND_LABELS: dict[str, str] = {
    OrganisationKind.care_provider.value: "Zorgaanbieder",
    OrganisationKind.expert_team.value: "Expertteam",
    OrganisationKind.municipality.value: "Gemeente",
    OrganisationKind.knowledge_institute.value: "Kennisinstituut",
    OrganisationKind.client_organisation.value: "Cliëntorganisatie",
}

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalise_email(value: str) -> str:
    return value.strip().lower()


def email_problem(value: str) -> str | None:
    if not value.strip():
        return "Vul een e-mailadres in."
    if len(value) > 254 or not _EMAIL.match(value.strip()):
        return "Dit is geen geldig e-mailadres (bijvoorbeeld naam@organisatie.nl)."
    return None


def slugify(value: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


# A network's slug is a path segment under /n/ and /beheer/; one that is also a route's own
# segment would shadow a page (/beheer/netwerken/nieuw) or slip under a rule written for that
# segment (the CSRF exemption of /api/). The app's first segments are added at start-up.
RESERVED_SLUGS = {
    "api", "beheer", "static", "login", "logout", "n", "account", "netwerken", "healthz",
    "uitnodiging", "wachtwoord-vergeten", "wachtwoord-herstellen", "al-verwerkt", "nieuw",
    "docs", "v1", "admin", "www", "sisa", "bewaartermijnen",
}  # fmt: skip


def slug_problem(slug: str) -> str | None:
    if not slug:
        return "Vul een korte naam voor in de adresbalk in (letters, cijfers, streepjes)."
    if slug in RESERVED_SLUGS:
        return (
            f"Het adres '{slug}' is al in gebruik door het portaal zelf; kies een ander, "
            "bijvoorbeeld de naam van de regio."
        )
    return None


OUTSIDE_SCOPE = (
    "Dit account hoort ook bij een ander netwerk of beheert de hele installatie. Alleen de "
    "beheerder van de installatie kan het account zelf wijzigen; u beheert alleen de rollen "
    "in uw eigen netwerk."
)
ELSEWHERE = (
    "Er bestaat al een account met dit e-mailadres bij een ander netwerk. Vraag de beheerder "
    "van de installatie om deze persoon aan uw netwerk toe te voegen; zo houdt niemand van een "
    "ander netwerk zeggenschap over dat account."
)


def account_in_scope(
    actor_is_superadmin: bool, network_id: int, target_networks: set[int | None]
) -> bool:
    """May an admin of `network_id` change an account as a whole (deactivate it, reset its
    second factor, give it a first role)? Only when every membership it has is in that network:
    a network's admin must not reach into another network's people, nor the installation's
    admin (a membership without a network). The installation's admin may."""
    return actor_is_superadmin or target_networks <= {network_id}


def membership_problems(
    role: Role,
    *,
    has_network: bool,
    reviewer_kind: str,
    region_id: int | None,
    organisation_id: int | None,
    kinds: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """What a membership of this role lacks, per form field, in Dutch. `kinds` are the
    reviewer kinds of the network's panel (code -> name); without them Zuid-West's."""
    kinds = kinds if kinds is not None else kind_names(DEFAULT_PANEL)
    problems: dict[str, str] = {}
    if role is not Role.admin and not has_network:
        problems["network"] = "Deze rol hoort bij een netwerk."
    if role is Role.applicant and organisation_id is None:
        problems["organisation"] = "Een aanvrager hoort bij een organisatie; kies er een."
    if role is Role.region_officer and region_id is None:
        problems["region"] = "Een regio-indiener dient in voor één jeugdhulpregio; kies de regio."
    if role is Role.reviewer:
        if reviewer_kind not in kinds:
            problems["reviewer_kind"] = "Kies wat voor beoordelaar dit is: " + joined(
                list(kinds.values()), "of"
            )
        # A chair or AO member speaks for a region; an ervaringsdeskundige may come from an
        # organisation only. Either way the portal needs one to see conflicts of interest.
        if region_id is None and organisation_id is None:
            problems["region"] = (
                "Een beoordelaar vertegenwoordigt een regio of een organisatie; kies er een, "
                "zodat het portaal belangenconflicten ziet."
            )
    if role is not Role.reviewer and reviewer_kind:
        problems["reviewer_kind"] = (
            "Alleen een beoordelaar heeft een soort; kies 'Niet van toepassing'."
        )
    return problems


def reserve_percentage_problem(text: str) -> tuple[int | None, str | None]:
    """Parse a Dutch percentage ("10" or "7,5") into basis points."""
    cleaned = text.strip().replace("%", "").replace(",", ".").strip()
    if not cleaned:
        return None, "Vul een percentage in."
    try:
        whole, _, fraction = cleaned.partition(".")
        if not (whole.isascii() and whole.isdigit()):
            raise ValueError
        if (fraction and not (fraction.isascii() and fraction.isdigit())) or len(fraction) > 2:
            raise ValueError
        basis_points = int(whole) * 100 + int((fraction + "00")[:2])
    except ValueError:
        return None, "Vul een percentage in als getal, bijvoorbeeld 10 of 7,5."
    if basis_points > 5000:
        return None, "Een reservepercentage ligt tussen 0 en 50."
    return basis_points, None


def format_basis_points(basis_points: int) -> str:
    whole, rest = divmod(basis_points, 100)
    return f"{whole}" if rest == 0 else f"{whole},{rest:02d}".rstrip("0")
