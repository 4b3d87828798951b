"""Demo data: two networks with their youth regions, organisations and one person per role.

Every person is fictitious; the seeds name real people, and none of them belong here.
"""

from __future__ import annotations

from typing import TypedDict

from portal.accounts import totp
from portal.accounts.tables import (
    Membership,
    Network,
    Organisation,
    Region,
    Role,
    User,
)
from portal.lib import clock
from portal.lib.db import write_transaction
from portal.lib.passwords import hash_password

DEMO_PASSWORD = "demo-wachtwoord"
# The demo's coordinator and admin must use two-factor log-in like real ones. Their
# authenticator-app secret is public (README, `portal demo-code`): demo data only.
DEMO_TOTP_SECRET = "FONDSPORTAALDEMOFONDSPORTAALDEMO"


class NetworkSpec(TypedDict):
    slug: str
    name: str
    municipality: str
    regions: list[str]
    # (name, kind, region or None)
    organisations: list[tuple[str, str, str | None]]


NETWORKS: list[NetworkSpec] = [
    {
        "slug": "zuid-west",
        "name": "Expertisenetwerk Zuid-West",
        "municipality": "Rotterdam",
        "regions": [
            "Rotterdam Rijnmond",
            "Midden-Holland",
            "Holland Rijnland",
            "Haaglanden",
            "Zuid-Holland Zuid",
        ],
        "organisations": [
            ("Gemeente Rotterdam", "municipality", "Rotterdam Rijnmond"),
            ("Jeugdhulp Voorbeeld Rijnmond", "care_provider", "Rotterdam Rijnmond"),
            ("Stichting De Kleine Haven", "care_provider", "Midden-Holland"),
            ("Regionaal Expertteam Haaglanden", "expert_team", "Haaglanden"),
            ("Regionaal Expertteam Zuid-Holland Zuid", "expert_team", "Zuid-Holland Zuid"),
            ("Kenniswerkplaats Jeugd Zuid-West", "knowledge_institute", None),
            ("Ouderplatform Jeugd Zuid-West", "client_organisation", None),
            ("Timon", "care_provider", None),
        ],
    },
    {
        "slug": "limburg",
        "name": "Expertisecentrum Jeugdhulp Limburg",
        "municipality": "Roermond",
        # The four youth care regions (seed 002: "de 4 jeugdzorgregio's"), three expert teams.
        "regions": ["Noord-Limburg", "Midden-Limburg", "Westelijke Mijnstreek", "Zuid-Limburg"],
        "organisations": [
            ("Gemeente Roermond", "municipality", "Midden-Limburg"),
            ("Jeugdzorg Maasdal Voorbeeld", "care_provider", "Noord-Limburg"),
            ("Regionaal Expertteam Noord-Limburg", "expert_team", "Noord-Limburg"),
            ("Regionaal Expertteam Midden-Limburg", "expert_team", "Midden-Limburg"),
            ("Regionaal Expertteam Zuid-Limburg", "expert_team", "Zuid-Limburg"),
            ("Kennisplaats Jeugd Limburg", "knowledge_institute", None),
            ("Jongerenraad Limburg", "client_organisation", None),
        ],
    },
]

# (e-mail, name, network slug or None, role, reviewer kind, region, organisation)
PEOPLE: list[tuple[str, str, str | None, Role, str, str | None, str | None]] = [
    (
        "aanvrager@example.org",
        "Anna Aanvrager",
        "zuid-west",
        Role.applicant,
        "",
        None,
        "Stichting De Kleine Haven",
    ),
    (
        "regio@example.org",
        "Ruben Regio",
        "zuid-west",
        Role.region_officer,
        "",
        "Midden-Holland",
        None,
    ),
    (
        "regio-haaglanden@example.org",
        "Hanna Haaglanden",
        "zuid-west",
        Role.region_officer,
        "",
        "Haaglanden",
        None,
    ),
    (
        "ao@example.org",
        "Olga AO-lid",
        "zuid-west",
        Role.reviewer,
        "ao",
        "Haaglanden",
        None,
    ),
    (
        "voorzitter@example.org",
        "Victor Voorzitter",
        "zuid-west",
        Role.reviewer,
        "chair",
        "Zuid-Holland Zuid",
        "Regionaal Expertteam Zuid-Holland Zuid",
    ),
    (
        "coordinator@example.org",
        "Carla Coördinator",
        "zuid-west",
        Role.coordinator,
        "",
        None,
        "Gemeente Rotterdam",
    ),
    (
        "coordinator-limburg@example.org",
        "Lotte Limburg",
        "limburg",
        Role.coordinator,
        "",
        None,
        "Gemeente Roermond",
    ),
    (
        "regio-limburg@example.org",
        "Nick Noord",
        "limburg",
        Role.region_officer,
        "",
        "Noord-Limburg",
        None,
    ),
    (
        "aanvrager-limburg@example.org",
        "Maud Maasdal",
        "limburg",
        Role.applicant,
        "",
        None,
        "Jeugdzorg Maasdal Voorbeeld",
    ),
    # Limburg's projectgroep: the ervaringsdeskundige (a parent), two chairs of regional expert
    # teams and a municipal representative; kinds of Limburg's panel (portal/demo/limburg.py).
    (
        "projectgroep@example.org",
        "Pien Projectgroep",
        "limburg",
        Role.reviewer,
        "ervaringsdeskundige",
        None,
        "Jongerenraad Limburg",
    ),
    (
        "ret-noord-limburg@example.org",
        "Noor Expertteam",
        "limburg",
        Role.reviewer,
        "chair",
        "Noord-Limburg",
        "Regionaal Expertteam Noord-Limburg",
    ),
    (
        "ret-zuid-limburg@example.org",
        "Zeno Expertteam",
        "limburg",
        Role.reviewer,
        "chair",
        "Zuid-Limburg",
        "Regionaal Expertteam Zuid-Limburg",
    ),
    (
        "gemeente-limburg@example.org",
        "Gijs Gemeente",
        "limburg",
        Role.reviewer,
        "gemeente",
        "Midden-Limburg",
        None,
    ),
    ("beheerder@example.org", "Bram Beheerder", None, Role.admin, "", None, None),
]


async def database_is_empty() -> bool:
    return await Network.count() == 0


async def load_demo_data(settings=None) -> list[tuple[str, str]]:
    """Create the demo networks and people; returns the log-ins (e-mail, role label)."""
    from portal.app import register_domain_hooks

    register_domain_hooks()  # as in the app: a grant keeps its projectenbank entry in step
    password_hash = await hash_password(DEMO_PASSWORD)
    network_ids: dict[str, int] = {}
    region_ids: dict[tuple[str, str], int] = {}
    organisation_ids: dict[tuple[str, str], int] = {}
    async with write_transaction():
        for spec in NETWORKS:
            row = await Network.insert(
                Network(
                    name=spec["name"],
                    slug=spec["slug"],
                    coordinating_municipality=spec["municipality"],
                )
            ).returning(Network.id)
            network_id = network_ids[spec["slug"]] = row[0]["id"]
            for region_name in spec["regions"]:
                r = await Region.insert(Region(network=network_id, name=region_name)).returning(
                    Region.id
                )
                region_ids[(spec["slug"], region_name)] = r[0]["id"]
            for name, kind, region in spec["organisations"]:
                o = await Organisation.insert(
                    Organisation(
                        network=network_id,
                        name=name,
                        kind=kind,
                        region=region_ids.get((spec["slug"], region)) if region else None,
                    )
                ).returning(Organisation.id)
                organisation_ids[(spec["slug"], name)] = o[0]["id"]
        logins = []
        for email, name, slug, role, kind, region, organisation in PEOPLE:
            two_factor = totp.required_for([role])
            u = await User.insert(
                User(
                    email=email,
                    name=name,
                    password_hash=password_hash,
                    active=True,
                    totp_secret=DEMO_TOTP_SECRET if two_factor else "",
                    totp_enabled_at=clock.now() if two_factor else None,
                )
            ).returning(User.id)
            await Membership.insert(
                Membership(
                    user=u[0]["id"],
                    network=network_ids[slug] if slug else None,
                    role=role.value,
                    reviewer_kind=kind,
                    region=region_ids[(slug, region)] if slug and region else None,
                    organisation=organisation_ids[(slug, organisation)]
                    if slug and organisation
                    else None,
                )
            )
            logins.append((email, name))
    # The proposals domain adds its rounds and proposals through its own services.
    from portal.demo import ledger as ledger_demo
    from portal.demo import limburg as limburg_demo
    from portal.demo import proposals as proposals_demo
    from portal.demo import review as review_demo
    from portal.lib.settings import Settings

    settings = settings or Settings.from_env()
    await proposals_demo.load(settings)
    await review_demo.load(settings)
    await ledger_demo.load(settings)
    await limburg_demo.load(settings)
    return logins
