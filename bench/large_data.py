"""A large data set for the performance benchmarks (issue 8): 8 networks, 5 budget years each,
300 proposals per network-year in realistic states, users for every role per network, and
50.000 ledger entries in total.

    .venv/bin/python bench/large_data.py --database sqlite:///var/bench.sqlite
    .venv/bin/python bench/large_data.py --database postgres://postgres@127.0.0.1:5432/bench

The database is migrated first (the same code as `portal migrate`) and must hold no networks.

How rows are made: the small, rule-heavy steps go through the real services (budget years and
their division with `ledger.books.services`, rounds and themes with `proposals.services`). The
bulk (proposals, bouwteams, budget lines, reviews, advice, decisions, projects, reports,
entries, audit events) is inserted directly, in batches, with the values the services would
write; going through the services one proposal at a time would take hours. Frozen versions use
the real `proposals.queries.snapshot`, catalogue entries the real
`ledger.projects.catalogue.refresh`, and every budget year is checked afterwards with
`ledger.books.booking.check_year` (the invariants of `ledger/books/rules.py` that every booking
must pass). The e-mail outbox is left empty: no page reads it.

Deterministic: the same arguments give the same rows (a seeded random generator).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

PASSWORD = "bench-wachtwoord-42"
NETWORKS = 8
YEARS = (2023, 2024, 2025, 2026, 2027)
# 2027's round is open now (November 2026): drafts and reviews in progress, no decisions yet.
OPEN_YEAR = 2027
# Projects of these years have settled (final report accepted); 2025 is half-way.
SETTLED_YEARS = (2023, 2024)
PROPOSALS_PER_YEAR = 300
ENTRIES_TOTAL = 50_000
REGIONS_PER_NETWORK = 5
APPLICANTS_PER_NETWORK = 40
CHAIRS_PER_NETWORK = 3
COORDINATORS_PER_NETWORK = 2
REVIEWERS_PER_PROPOSAL = 3

# Budget of a year in cents: € 7.000.000 divided as the coordinator would (10 % reserves).
SPUK_CENTS = 700_000_000
PROCESS_CENTS = {
    "process_a": 25_000_000,
    "process_b": 20_000_000,
    "process_c": 12_000_000,
    "process_d": 8_000_000,
    "process_e": 5_000_000,
}
LEARNING_CENTS = 20_000_000
UNFORESEEN_CENTS = 70_000_000  # 10 % of the SPUK amount
THEMES_POT_CENTS = (
    SPUK_CENTS - sum(PROCESS_CENTS.values()) - LEARNING_CENTS - UNFORESEEN_CENTS
)  # € 5.400.000
THEMES_RESERVE_CENTS = THEMES_POT_CENTS // 10
THEME_NAMES = (
    "Nabijheid en kleinschaligheid in de hulpverlening",
    "Wachtlijstproblematiek",
    "Doorlopende lijn voor de forensische doelgroep",
    "Hoogspecialistische zorgvragen",
)

# States of the 300 proposals of a closed round and of the open round (counts add up to 300).
CLOSED_MIX = {
    "draft": 21,  # never finished
    "returned": 9,  # sent back for revision: a draft of version 2
    "ready": 6,  # never submitted by the region
    "withdrawn": 12,
    "rejected": 87,
    "granted": 165,
}
OPEN_MIX = {
    "draft": 90,
    "ready": 30,
    "submitted": 60,
    "in_review": 90,
    "advised": 30,
}
BATCH_VALUES = 20_000  # bound parameters per INSERT (SQLite allows 32.766)

WORDS = tuple(
    [
        "bovenregionale",
        "aanpak",
        "jongeren",
        "complexe",
        "zorgvragen",
        "wachtlijst",
        "expertteam",
        "consultatie",
        "gezin",
        "regie",
        "pleegzorg",
        "verblijf",
        "ambulant",
        "onderwijs",
        "forensisch",
        "trauma",
        "autisme",
        "verslaving",
        "ouders",
        "netwerk",
        "kennis",
        "leren",
        "casuïstiek",
        "overbrugging",
        "kleinschalig",
        "maatwerk",
        "crisis",
        "nazorg",
        "jongvolwassenen",
        "doorstroom",
        "samenwerking",
        "wijkteam",
        "specialistisch",
    ]
)


@dataclass
class Net:
    id: int
    slug: str
    regions: list[int]
    region_names: dict[int, str]
    organisations: list[int]
    applicants: list[int] = field(default_factory=list)
    officers: dict[int, int] = field(default_factory=dict)  # region -> user
    reviewers: list[tuple[int, int | None]] = field(default_factory=list)  # (user, region)
    coordinators: list[int] = field(default_factory=list)
    admin: int = 0


@dataclass
class Stats:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, name: str, n: int) -> None:
        self.counts[name] += n


def scaled(mix: dict[str, int], count: int) -> dict[str, int]:
    """The mix of states for `count` proposals instead of 300 (largest remainders)."""
    total = sum(mix.values())
    exact = {state: n * count / total for state, n in mix.items()}
    result = {state: int(x) for state, x in exact.items()}
    for state in sorted(exact, key=lambda s: exact[s] - result[s], reverse=True)[
        : count - sum(result.values())
    ]:
        result[state] += 1
    return result


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


async def insert_all(table: Any, rows: list[Any], returning: bool = False) -> list[int]:
    """Insert Table instances in batches that stay under the bound-parameter limit."""
    if not rows:
        return []
    per_row = len(table._meta.columns)
    size = max(1, BATCH_VALUES // per_row)
    ids: list[int] = []
    for start in range(0, len(rows), size):
        query = table.insert(*rows[start : start + size])
        if returning:
            ids += [r["id"] for r in await query.returning(table.id)]
        else:
            await query
    return ids


async def _principal(user_id: int):
    from portal.accounts.principal import Principal
    from portal.accounts.sessions import memberships_of
    from portal.accounts.tables import User

    user = await User.select().where(User.id == user_id).first()
    return Principal(
        user_id=user["id"],
        email=user["email"],
        name=user["name"],
        memberships=await memberships_of(user["id"]),
    )


# Used when portal.demo has no DEMO_TOTP_SECRET (yet): any fixed base32 secret works.
FALLBACK_TOTP_SECRET = "BENCHBENCHBENCHBENCHBENCHBENCH22"


def totp_secret() -> str:
    """The secret of every coordinator and admin of the data set: the demo's, so that one
    authenticator entry serves the demo and the benchmark."""
    from portal import demo

    return getattr(demo, "DEMO_TOTP_SECRET", FALLBACK_TOTP_SECRET)


def _totp_columns() -> dict[str, Any]:
    """Two-factor log-in switched on for coordinators and admins, when this checkout has it
    (User.totp_secret): the benchmark then logs in with codes from `totp_secret()`."""
    from portal.accounts.tables import User

    if not hasattr(User, "totp_secret"):
        return {}
    return {"totp_secret": totp_secret(), "totp_enabled_at": _at(2022, 1, 1)}


async def build_people(rng: random.Random, stats: Stats, networks: int) -> list[Net]:
    from portal.accounts.tables import Membership, Network, Organisation, Region, Role, User
    from portal.lib.passwords import hash_password_sync

    password_hash = hash_password_sync(PASSWORD)
    totp = _totp_columns()
    nets: list[Net] = []
    users: list[Any] = []
    memberships: list[dict[str, Any]] = []

    def person(email: str, name: str, **extra: Any) -> int:
        users.append(
            User(email=email, name=name, password_hash=password_hash, active=True, **extra)
        )
        return len(users) - 1  # an index; replaced by the id after the insert

    superadmin = person("beheerder@bench.example.org", "Bram Beheerder", **totp)
    memberships.append({"user": superadmin, "network": None, "role": Role.admin.value})
    for n in range(1, networks + 1):
        slug = f"netwerk-{n}"
        network_id = (
            await Network.insert(
                Network(
                    name=f"Expertisenetwerk {n}",
                    slug=slug,
                    coordinating_municipality=f"Gemeente {n}",
                )
            ).returning(Network.id)
        )[0]["id"]
        region_ids = await insert_all(
            Region,
            [Region(network=network_id, name=f"Regio {n}.{r}") for r in range(1, 6)],
            returning=True,
        )
        orgs = (
            [Organisation(network=network_id, name=f"Gemeente {n}", kind="municipality")]
            + [
                Organisation(
                    network=network_id,
                    name=f"Zorgaanbieder {n}.{i}",
                    kind="care_provider",
                    region=region_ids[i % len(region_ids)],
                )
                for i in range(1, 11)
            ]
            + [
                Organisation(
                    network=network_id,
                    name=f"Regionaal Expertteam {n}.{r}",
                    kind="expert_team",
                    region=region_ids[r - 1],
                )
                for r in range(1, 1 + CHAIRS_PER_NETWORK)
            ]
        )
        org_ids = await insert_all(Organisation, orgs, returning=True)
        net = Net(
            network_id,
            slug,
            region_ids,
            {r: f"Regio {n}.{i + 1}" for i, r in enumerate(region_ids)},
            org_ids[1:11],
        )
        for i in range(1, APPLICANTS_PER_NETWORK + 1):
            u = person(f"aanvrager{i}@{slug}.example.org", f"Aanvrager {n}.{i}")
            net.applicants.append(u)
            memberships.append(
                {
                    "user": u,
                    "network": network_id,
                    "role": Role.applicant.value,
                    "organisation": org_ids[1 + (i % 10)],
                }
            )
        for i, region in enumerate(region_ids, start=1):
            u = person(f"regio{i}@{slug}.example.org", f"Regio-indiener {n}.{i}")
            net.officers[region] = u
            memberships.append(
                {
                    "user": u,
                    "network": network_id,
                    "role": Role.region_officer.value,
                    "region": region,
                }
            )
            u = person(f"ao{i}@{slug}.example.org", f"AO-lid {n}.{i}")
            net.reviewers.append((u, region))
            memberships.append(
                {
                    "user": u,
                    "network": network_id,
                    "role": Role.reviewer.value,
                    "reviewer_kind": "ao",
                    "region": region,
                }
            )
        for i in range(1, CHAIRS_PER_NETWORK + 1):
            u = person(f"voorzitter{i}@{slug}.example.org", f"Voorzitter {n}.{i}")
            net.reviewers.append((u, region_ids[i - 1]))
            memberships.append(
                {
                    "user": u,
                    "network": network_id,
                    "role": Role.reviewer.value,
                    "reviewer_kind": "chair",
                    "region": region_ids[i - 1],
                    "organisation": org_ids[10 + i],
                }
            )
        for i in range(1, COORDINATORS_PER_NETWORK + 1):
            u = person(f"coordinator{i}@{slug}.example.org", f"Coördinator {n}.{i}", **totp)
            net.coordinators.append(u)
            memberships.append(
                {
                    "user": u,
                    "network": network_id,
                    "role": Role.coordinator.value,
                    "organisation": org_ids[0],
                }
            )
        net.admin = person(f"beheerder@{slug}.example.org", f"Beheerder {n}", **totp)
        memberships.append({"user": net.admin, "network": network_id, "role": Role.admin.value})
        nets.append(net)
    user_ids = await insert_all(User, users, returning=True)
    await insert_all(
        Membership,
        [
            Membership(
                **{**m, "user": user_ids[m["user"]], "reviewer_kind": m.get("reviewer_kind", "")}
            )
            for m in memberships
        ],
    )
    for net in nets:
        net.applicants = [user_ids[u] for u in net.applicants]
        net.officers = {r: user_ids[u] for r, u in net.officers.items()}
        net.reviewers = [(user_ids[u], r) for u, r in net.reviewers]
        net.coordinators = [user_ids[u] for u in net.coordinators]
        net.admin = user_ids[net.admin]
    stats.add("users", len(users))
    stats.add("memberships", len(memberships))
    return nets


async def build_years(net: Net, settings: Any) -> dict[int, dict[str, Any]]:
    """Budget years, their division, rounds and themes: through the real services."""
    from ledger.books import queries as ledger_queries
    from ledger.books import services as ledger
    from proposals import queries as proposal_queries
    from proposals import services as proposals

    coordinator = await _principal(net.coordinators[0])
    years: dict[int, dict[str, Any]] = {}
    for year in YEARS:
        year_id, problems = await ledger.create_budget_year(
            coordinator, net.id, year, SPUK_CENTS, f"SPUK {year} {net.slug}"
        )
        assert year_id and not problems, problems
        theme_cents = (THEMES_POT_CENTS - THEMES_RESERVE_CENTS) // len(THEME_NAMES)
        round_id, problems = await proposals.save_round(
            coordinator,
            net.id,
            proposals.RoundInput(
                budget_year_id=year_id,
                title=f"Ronde {year}: bovenregionale thema's",
                opens_at=_at(year - 1, 9, 1),
                closes_at=_at(year - 1, 12, 15) if year != OPEN_YEAR else _at(year, 1, 31),
                attachment_limit_mb=10,
                themes=[proposals.ThemeInput(None, name, "", theme_cents) for name in THEME_NAMES],
            ),
        )
        assert round_id and not problems, problems
        themes = await proposal_queries.themes_of(round_id)
        problems = await ledger.set_up_year(
            coordinator,
            net.id,
            year_id,
            ledger.SetupInput(
                process_cents=PROCESS_CENTS,
                theme_cents={t["id"]: theme_cents for t in themes},
                theme_names={t["id"]: t["name"] for t in themes},
                # What the pot leaves after the themes (the rounding goes to the reserve).
                themes_reserve_cents=THEMES_POT_CENTS - theme_cents * len(themes),
                learning_cents=LEARNING_CENTS,
                unforeseen_cents=UNFORESEEN_CENTS,
                unforeseen_reserve_bp=1000,
                themes_reserve_bp=1000,
            ),
        )
        assert not problems, problems
        review_deadline = _at(year, 1, 31) if year != OPEN_YEAR else _at(year, 2, 28)
        await proposals.set_review_settings(
            coordinator, net.id, round_id, review_deadline, REVIEWERS_PER_PROPOSAL
        )
        accounts = await ledger_queries.accounts_of(year_id)
        years[year] = {
            "id": year_id,
            "round": round_id,
            "themes": [t["id"] for t in themes],
            "theme_names": {t["id"]: t["name"] for t in themes},
            "accounts": {a["theme_id"]: a["id"] for a in accounts if a["kind"] == "theme"},
            "theme_room": {a["theme_id"]: theme_cents for a in accounts if a["kind"] == "theme"},
            "review_deadline": review_deadline,
        }
    return years


def _budget_lines(rng: random.Random, year: int, multi_year: bool) -> list[dict[str, Any]]:
    from proposals.budget_workbook import personnel_amount_cents

    lines = []
    for i, (description, hours, rate) in enumerate(
        (
            ("Projectleider", rng.randint(80, 160), 9_500),
            ("Inzet expertteam", rng.randint(60, 140), 11_000),
        )
    ):
        lines.append(
            {
                "sort_order": i,
                "kind": "personnel",
                "year": year,
                "description": description,
                "hours_hundredths": hours * 100,
                "hourly_rate_cents": rate,
                "amount_cents": personnel_amount_cents(hours * 100, rate),
            }
        )
    lines.append(
        {
            "sort_order": 2,
            "kind": "vacation_fees",
            "year": year + 1 if multi_year else year,
            "description": "Vacatiegelden experts",
            "hours_hundredths": None,
            "hourly_rate_cents": None,
            "amount_cents": rng.randint(10, 60) * 10_000,
        }
    )
    lines.append(
        {
            "sort_order": 3,
            "kind": "material",
            "year": year,
            "description": "Evaluatie en communicatie",
            "hours_hundredths": None,
            "hourly_rate_cents": None,
            "amount_cents": rng.randint(5, 30) * 10_000,
        }
    )
    return lines


async def build_proposals(
    rng: random.Random, net: Net, year: int, info: dict[str, Any], stats: Stats, count: int
) -> list[dict[str, Any]]:
    """The 300 proposals of one network-year with their authors, bouwteam, budget lines,
    versions, reviews, advice and decisions. Returns the granted ones (for the ledger)."""
    from portal.accounts.tables import AuditEvent
    from proposals import queries as proposal_queries
    from proposals.tables import (
        BouwteamMember,
        BudgetLine,
        Proposal,
        ProposalAuthor,
        ProposalVersion,
    )
    from review.tables import Advice, Decision, Review

    mix = scaled(OPEN_MIX if year == OPEN_YEAR else CLOSED_MIX, count)
    states = [state for state, n in mix.items() for _ in range(n)]
    rng.shuffle(states)
    coordinator = net.coordinators[0]
    created_base = _at(year - 1, 9, 5)
    specs: list[dict[str, Any]] = []
    rows: list[Any] = []
    for i, state in enumerate(states):
        region = net.regions[i % len(net.regions)]
        applicant = net.applicants[rng.randrange(len(net.applicants))]
        theme = info["themes"][i % len(info["themes"])]
        multi_year = i % 4 == 0
        created = created_base + dt.timedelta(hours=i * 5)
        title = f"{_text(rng, 5)[:-1]} ({year}-{i + 1})"
        submitted = state not in ("draft", "ready", "withdrawn") or (
            state == "withdrawn" and i % 2 == 0
        )
        lines = _budget_lines(rng, year, multi_year)
        requested = sum(line["amount_cents"] for line in lines)
        others = [r for r in net.regions if r != region]
        rows.append(
            Proposal(
                network=net.id,
                round=info["round"],
                theme=theme,
                region=region,
                lead_organisation=net.organisations[i % len(net.organisations)],
                created_by=applicant,
                state="draft" if state == "returned" else state,
                version=2 if state == "returned" else 1,
                title=title,
                summary=_text(rng, 40),
                contact_name=f"Contact {i + 1}",
                contact_email=f"contact{i + 1}@{net.slug}.example.org",
                contact_phone="010 123 45 67",
                goals=_text(rng, 30),
                results=_text(rng, 30),
                activities=_text(rng, 50),
                target_group=_text(rng, 15),
                start_date=dt.date(year, 3, 1),
                end_date=dt.date(year + 1, 6, 30) if multi_year else dt.date(year, 12, 31),
                functions=["consultation", "organising_help"] if i % 2 else ["knowledge"],
                transformation_goals={
                    "earlier_help": _text(rng, 10),
                    "one_family_one_plan": _text(rng, 10),
                },
                participating_region_ids=[region, *others[:2]],
                benefiting_region_ids=list(net.regions),
                supra_regional_reason=_text(rng, 25),
                innovation=_text(rng, 20),
                extends_offer="no",
                procurement_expert_name="Ingrid Inkoop",
                procurement_expert_organisation="Inkoopbureau Jeugd (fictief)",
                procurement_route="existing_contract",
                procurement_service_kind="social",
                estimated_contract_value_cents=requested,
                procurement_policy_fit="yes",
                requested_amount_cents=requested,
                created_at=created,
                updated_at=created + dt.timedelta(days=20),
                ready_at=created + dt.timedelta(days=14) if state != "draft" else None,
                submitted_at=created + dt.timedelta(days=20) if submitted else None,
                submitted_by=net.officers[region] if submitted else None,
            )
        )
        specs.append(
            {
                "state": state,
                "region": region,
                "applicant": applicant,
                "theme": theme,
                "lines": lines,
                "requested": requested,
                "submitted": submitted,
                "created": created,
                "title": title,
                "multi_year": multi_year,
            }
        )
    ids = await insert_all(Proposal, rows, returning=True)
    authors, members, budget_lines, events = [], [], [], []
    for pid, spec in zip(ids, specs, strict=True):
        spec["id"] = pid
        authors.append(
            ProposalAuthor(proposal=pid, user=spec["applicant"], added_at=spec["created"])
        )
        if pid % 3 == 0:  # a co-author
            co = net.applicants[(net.applicants.index(spec["applicant"]) + 1) % len(net.applicants)]
            authors.append(ProposalAuthor(proposal=pid, user=co, added_at=spec["created"]))
        for order, (position, name) in enumerate(
            (
                ("region", f"Regio-indiener {spec['region']}"),
                ("expert_team", "Esra Expert"),
                ("client", "Chris Cliënt"),
                ("research", "Wendy Wetenschap"),
            )
        ):
            members.append(
                BouwteamMember(
                    proposal=pid,
                    position=position,
                    name=name,
                    organisation_name=f"Organisatie {order + 1}",
                    is_kartrekker=order == 1,
                    sort_order=order,
                )
            )
        budget_lines += [BudgetLine(proposal=pid, **line) for line in spec["lines"]]
        events.append(
            AuditEvent(
                at=spec["created"],
                actor=spec["applicant"],
                network=net.id,
                action="proposal_created",
                object_type="proposal",
                object_id=str(pid),
                summary=f"Voorstel '{spec['title']}' aangemaakt",
                details={},
            )
        )
    await insert_all(ProposalAuthor, authors)
    await insert_all(BouwteamMember, members)
    await insert_all(BudgetLine, budget_lines)
    stats.add("proposals", len(ids))
    stats.add("budget lines", len(budget_lines))

    # Frozen versions: the real snapshot of what was submitted.
    versions = []
    for spec in specs:
        if not spec["submitted"]:
            continue
        row = await proposal_queries.proposal_row(net.id, spec["id"])
        versions.append(
            ProposalVersion(
                proposal=spec["id"],
                number=1,
                snapshot=await proposal_queries.snapshot(row),
                frozen_at=spec["created"] + dt.timedelta(days=20),
                frozen_by=net.officers[spec["region"]],
            )
        )
    await insert_all(ProposalVersion, versions)
    stats.add("versions", len(versions))

    reviews, advice, decisions, granted = [], [], [], []
    for spec in specs:
        pid, state, created = spec["id"], spec["state"], spec["created"]
        if state in (
            "ready",
            "returned",
            "rejected",
            "granted",
            "submitted",
            "in_review",
            "advised",
        ):
            events.append(
                _event(
                    net,
                    spec["applicant"],
                    pid,
                    "proposal_mark_ready",
                    "Klaargezet voor de regio",
                    created + dt.timedelta(days=14),
                )
            )
        if spec["submitted"]:
            events.append(
                _event(
                    net,
                    net.officers[spec["region"]],
                    pid,
                    "proposal_submit",
                    "Ingediend (versie 1)",
                    created + dt.timedelta(days=20),
                )
            )
        if state == "withdrawn":
            events.append(
                _event(
                    net,
                    spec["applicant"],
                    pid,
                    "proposal_withdraw",
                    "Ingetrokken",
                    created + dt.timedelta(days=25),
                )
            )
        if state not in ("in_review", "advised", "returned", "rejected", "granted"):
            continue
        # Reviewers without a conflict: not from the proposal's own region.
        pool = [u for u, r in net.reviewers if r != spec["region"]]
        chosen = rng.sample(pool, REVIEWERS_PER_PROPOSAL)
        assigned = created + dt.timedelta(days=40)
        events.append(
            _event(net, coordinator, pid, "proposal_start_review", "Beoordeling gestart", assigned)
        )
        scores = []
        for k, reviewer in enumerate(chosen):
            # In the open round some reviews are still being written.
            done = state != "in_review" or (k < 2 and pid % 3 != 0)
            score = rng.randint(2, 5)
            scores.append(score)
            reviews.append(
                Review(
                    proposal=pid,
                    reviewer=reviewer,
                    version=1,
                    state="submitted" if done else ("draft" if k == 0 else "assigned"),
                    assigned_by=coordinator,
                    assigned_at=assigned,
                    **(
                        {
                            # By criterion code (proposals/criteria.py): Zuid-West's set.
                            "scores": {
                                "C1": score,
                                "C2": min(5, score + 1),
                                "C3": score,
                                "C4": max(1, score - 1),
                                "R1": "voldoet",
                                "R3": "voldoet",
                                "R4": "voldoet" if score > 2 else "onduidelijk",
                            },
                            "notes": {
                                "C1": _text(rng, 12),
                                "C2": _text(rng, 12),
                                "C3": _text(rng, 12),
                                "C4": _text(rng, 12),
                            },
                            "recommendation": "toekennen" if score >= 4 else "aanpassen",
                            "advice": _text(rng, 25),
                            "submitted_at": assigned + dt.timedelta(days=10 + k),
                        }
                        if done
                        else {}
                    ),
                    updated_at=assigned + dt.timedelta(days=10 + k),
                )
            )
            events.append(
                _event(
                    net,
                    coordinator,
                    pid,
                    "reviewer_assigned",
                    f"Beoordelaar {reviewer} toegewezen als beoordelaar",
                    assigned,
                )
            )
            if done:
                events.append(
                    _event(
                        net,
                        reviewer,
                        pid,
                        "review_submitted",
                        "Een beoordeling is ingediend",
                        assigned + dt.timedelta(days=10 + k),
                    )
                )
        if state == "in_review":
            continue
        advised_on = (assigned + dt.timedelta(days=20)).date()
        advice.append(
            Advice(
                proposal=pid,
                body="ao_chairs",
                meeting_date=advised_on,
                reference=f"AO-{year}-{pid}",
                advice=_text(rng, 15),
                recorded_by=coordinator,
                recorded_at=assigned + dt.timedelta(days=20),
            )
        )
        events.append(
            _event(
                net,
                coordinator,
                pid,
                "proposal_record_advice",
                "Advies van AO en voorzitters vastgelegd",
                assigned + dt.timedelta(days=20),
            )
        )
        if state == "advised":
            continue
        decided_on = advised_on + dt.timedelta(days=14)
        outcome = {"returned": "returned", "rejected": "rejected", "granted": "granted"}[state]
        amount = None
        if outcome == "granted":
            # A lower amount when the theme has less room left: "toekennen onder voorwaarden".
            room = info["theme_room"][spec["theme"]]
            amount = spec["requested"] if pid % 5 else spec["requested"] * 9 // 10
            if amount > room:
                outcome, amount = "rejected", None
                spec["state"] = "rejected"
            else:
                info["theme_room"][spec["theme"]] -= amount
                if pid % 5 == 0:
                    outcome = "granted_with_conditions"
        advice.append(
            Advice(
                proposal=pid,
                body="ambassadors",
                meeting_date=decided_on - dt.timedelta(days=7),
                reference=f"BA-{year}-{pid}",
                advice="",
                recorded_by=coordinator,
                recorded_at=assigned + dt.timedelta(days=34),
            )
        )
        decisions.append(
            Decision(
                proposal=pid,
                version=1,
                outcome=outcome,
                amount_cents=amount,
                conditions="Tussenrapportage na zes maanden."
                if outcome == "granted_with_conditions"
                else "",
                reasons=_text(rng, 15),
                decision_date=decided_on,
                reference=f"RTD-{year}-{pid}",
                shared_advice=_text(rng, 15),
                decided_by=coordinator,
                decided_at=assigned + dt.timedelta(days=34),
            )
        )
        action = {"returned": "return", "rejected": "reject"}.get(outcome, "grant")
        events.append(
            _event(
                net,
                coordinator,
                pid,
                f"proposal_{action}",
                f"Besluit: {outcome}",
                assigned + dt.timedelta(days=34),
                {"outcome": outcome, "amount_cents": amount},
            )
        )
        if amount is not None:
            spec["amount"] = amount
            spec["decided_on"] = decided_on
            granted.append(spec)
    # A proposal the theme had no room for was rejected instead of granted.
    demoted = [s["id"] for s in specs if s["state"] == "rejected" and "amount" not in s]
    if demoted:
        for start in range(0, len(demoted), 500):
            await Proposal.update({Proposal.state: "rejected"}).where(
                Proposal.id.is_in(demoted[start : start + 500])
            )
    await insert_all(Review, reviews)
    await insert_all(Advice, advice)
    await insert_all(Decision, decisions)
    await insert_all(AuditEvent, events)
    stats.add("reviews", len(reviews))
    stats.add("decisions", len(decisions))
    stats.add("audit events", len(events))
    return granted


def _event(
    net: Net,
    actor: int,
    proposal_id: int,
    action: str,
    summary: str,
    at: dt.datetime,
    details: dict[str, Any] | None = None,
) -> Any:
    from portal.accounts.tables import AuditEvent

    return AuditEvent(
        at=at,
        actor=actor,
        network=net.id,
        action=action,
        object_type="proposal",
        object_id=str(proposal_id),
        summary=summary,
        details=details or {},
    )


@dataclass
class Plan:
    """One granted proposal as a project: the entries the services would book for it."""

    spec: dict[str, Any]
    net: Net
    year: int
    year_id: int
    account: int
    instalments: int = 1
    corrections: int = 0
    project_id: int = 0


def _project_entries(plan: Plan, rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The entries of one project, as commit_grant, pay, accept_report and reverse book them,
    and the project's report states."""
    from ledger.books.deadlines import report_schedule
    from ledger.projects.settlement import settle

    spec, year = plan.spec, plan.year
    amount = spec["amount"]
    decided = spec["decided_on"]
    entries = [
        {
            "kind": "commitment",
            "amount_cents": amount,
            "reason": f"Verleningsbeschikking {spec['title']}",
            "document_reference": f"RTD-{year}-{spec['id']}",
            "booked_on": decided,
        }
    ]
    # The 80 % advance, paid in instalments.
    advance = amount * 8000 // 10_000
    share, rest = divmod(advance, plan.instalments)
    for k in range(plan.instalments):
        entries.append(
            {
                "kind": "advance_payment",
                "amount_cents": share + (rest if k == plan.instalments - 1 else 0),
                "reason": f"Voorschot {spec['title']}",
                "document_reference": f"BET-{year}-{spec['id']}-{k + 1}",
                "booked_on": decided + dt.timedelta(days=14 + 30 * k),
            }
        )
    for k in range(plan.corrections):
        # A payment booked twice by mistake and corrected (reversal with the opposite sign).
        entries.append(
            {
                "kind": "advance_payment",
                # Small enough that the double payment stayed within the commitment.
                "amount_cents": max(1, min(share, amount - advance) // 2),
                "reason": f"Voorschot {spec['title']} (dubbel)",
                "document_reference": f"BET-{year}-{spec['id']}-D{k + 1}",
                "booked_on": decided + dt.timedelta(days=15),
                "wrong": True,
            }
        )
    schedule = report_schedule(
        dt.date(year, 3, 1),
        dt.date(year + 1, 6, 30) if spec["multi_year"] else dt.date(year, 12, 31),
    )
    settled = year in SETTLED_YEARS or (
        year == 2025 and spec["id"] % 2 == 0 and not spec["multi_year"]
    )
    reports = {"schedule": schedule, "accepted": set(), "submitted": set(), "final": None}
    if settled:
        realised_so_far = 0
        paid = advance
        reported_total = 0
        for due in schedule:
            spent = amount * rng.randint(40, 50) // 100 if not due.final else 0
            if due.final:
                # What the whole project spent: 85–100 % of the grant.
                total = amount * rng.randint(85, 100) // 100
                spent = total - reported_total
                result = settle(amount, paid, total, None, realised_so_far)
                for kind, cents in (
                    ("realised", result.realised_cents),
                    ("release", result.release_cents),
                    ("recovery", result.recovery_cents),
                    ("final_payment", result.final_payment_cents),
                ):
                    if cents:
                        entries.append(
                            {
                                "kind": kind,
                                "amount_cents": cents,
                                "reason": f"Vaststelling {spec['title']}",
                                "document_reference": f"Verslag {due.year}",
                                "booked_on": due.due_date - dt.timedelta(days=20),
                            }
                        )
                reports["final"] = result.final_cents
            else:
                entries.append(
                    {
                        "kind": "realised",
                        "amount_cents": spent,
                        "reason": f"Besteding {due.year} {spec['title']}",
                        "document_reference": f"Verslag {due.year}",
                        "booked_on": due.due_date - dt.timedelta(days=20),
                    }
                )
                realised_so_far += spent
            reported_total += spent
            reports["accepted"].add(due.year)
            reports.setdefault("realised", {})[due.year] = spent
    elif year == 2025:
        reports["submitted"].add(year)
    return entries, reports


async def build_ledger(
    rng: random.Random, granted: list[Plan], stats: Stats, budget_entries: int, total: int
) -> None:
    from ledger.books.booking import check_year
    from ledger.books.tables import Entry, Project, Report
    from ledger.projects import catalogue
    from portal.accounts.tables import AuditEvent
    from portal.lib.db import write_transaction

    # Spread the entries still to reach ENTRIES_TOTAL: every tenth project has a corrected
    # double payment, the rest of the count goes into more advance instalments.
    for i, plan in enumerate(granted):
        plan.corrections = 1 if i % 10 == 0 else 0
    base = 0
    for plan in granted:
        entries, _ = _project_entries(plan, random.Random(plan.spec["id"]))
        base += len(entries) + sum(1 for e in entries if e.get("wrong"))
    remaining = total - budget_entries - base
    if remaining < 0:
        raise SystemExit(f"{base} project entries already exceed {total}")
    for i in range(remaining):
        granted[i % len(granted)].instalments += 1

    projects = []
    for plan in granted:
        spec = plan.spec
        projects.append(
            Project(
                budget_year=plan.year_id,
                account=plan.account,
                proposal_id=spec["id"],
                network=plan.net.id,
                title=spec["title"],
                region_id=spec["region"],
                start_date=dt.date(plan.year, 3, 1),
                end_date=dt.date(plan.year + 1, 6, 30)
                if spec["multi_year"]
                else dt.date(plan.year, 12, 31),
                advance_bp=8000,
                decision_reference=f"RTD-{plan.year}-{spec['id']}",
                decision_date=spec["decided_on"],
            )
        )
    for plan, pid in zip(granted, await insert_all(Project, projects, returning=True), strict=True):
        plan.project_id = pid
    stats.add("projects", len(projects))

    rows, wrong_rows, reports, events, finals = [], [], [], [], []
    for plan in granted:
        entries, report_plan = _project_entries(plan, random.Random(plan.spec["id"]))
        coordinator = plan.net.coordinators[0]
        for e in entries:
            entry = Entry(
                budget_year=plan.year_id,
                kind=e["kind"],
                account=plan.account,
                project=plan.project_id,
                amount_cents=e["amount_cents"],
                sign=1,
                reason=e["reason"],
                document_reference=e["document_reference"],
                booked_on=e["booked_on"],
                created_by=coordinator,
                created_at=dt.datetime.combine(e["booked_on"], dt.time(11), tzinfo=dt.UTC),
            )
            (wrong_rows if e.get("wrong") else rows).append(entry)
            events.append(
                AuditEvent(
                    at=dt.datetime.combine(e["booked_on"], dt.time(11), tzinfo=dt.UTC),
                    actor=coordinator,
                    network=plan.net.id,
                    action="ledger_booked",
                    object_type="project",
                    object_id=str(plan.project_id),
                    summary=f"{e['kind']} {e['amount_cents']} voor {plan.spec['title']}",
                    details={"total_cents": e["amount_cents"]},
                )
            )
        for due in report_plan["schedule"]:
            accepted = due.year in report_plan["accepted"]
            submitted = due.year in report_plan["submitted"]
            realised = report_plan.get("realised", {}).get(due.year, 0)
            reports.append(
                Report(
                    project=plan.project_id,
                    year=due.year,
                    due_date=due.due_date,
                    final=due.final,
                    state="accepted" if accepted else ("submitted" if submitted else "due"),
                    results=[
                        {
                            "goal": "Passende hulp binnen vier weken",
                            "result": "Behaald in drie regio's.",
                        }
                    ]
                    if accepted or submitted
                    else [],
                    realised_lines=[
                        {
                            "description": "Projectleider",
                            "budget_cents": plan.spec["amount"],
                            "realised_cents": realised,
                        }
                    ]
                    if accepted
                    else [],
                    realised_cents=realised,
                    lessons_worked="Eén vast aanspreekpunt." if accepted else "",
                    lessons_not_worked="Het onderwijs te laat betrokken." if accepted else "",
                    lessons_for_others="Begin met een gedeelde casusbespreking."
                    if accepted
                    else "",
                    preconditions_met=accepted or submitted,
                    submitted_by=plan.net.officers[plan.spec["region"]]
                    if accepted or submitted
                    else None,
                    submitted_at=dt.datetime.combine(due.due_date, dt.time(9), tzinfo=dt.UTC)
                    - dt.timedelta(days=30)
                    if accepted or submitted
                    else None,
                    reviewed_by=coordinator if accepted else None,
                    reviewed_at=dt.datetime.combine(due.due_date, dt.time(9), tzinfo=dt.UTC)
                    - dt.timedelta(days=20)
                    if accepted
                    else None,
                )
            )
        if report_plan["final"] is not None:
            finals.append(
                (
                    plan.project_id,
                    report_plan["final"],
                    report_plan["schedule"][-1].due_date - dt.timedelta(days=20),
                )
            )
    await insert_all(Entry, rows)
    # The double payments, then their reversals pointing at them (as `reverse` books them).
    wrong_ids = await insert_all(Entry, wrong_rows, returning=True)
    reversals = [
        Entry(
            budget_year=w.budget_year,
            kind=w.kind,
            account=w.account,
            project=w.project,
            amount_cents=w.amount_cents,
            sign=-1,
            reverses=wid,
            reason="Dubbel betaald; gecorrigeerd",
            document_reference=w.document_reference,
            booked_on=w.booked_on + dt.timedelta(days=3),
            created_by=w.created_by,
            created_at=w.created_at + dt.timedelta(days=3),
        )
        for w, wid in zip(wrong_rows, wrong_ids, strict=True)
    ]
    await insert_all(Entry, reversals)
    await insert_all(Report, reports)
    await insert_all(AuditEvent, events)
    for project_id, final_cents, settled_on in finals:
        await Project.update(
            {Project.final_amount_cents: final_cents, Project.settled_on: settled_on}
        ).where(Project.id == project_id)
    stats.add("project entries", len(rows) + 2 * len(wrong_rows))
    stats.add("reports", len(reports))
    stats.add("audit events", len(events))

    # Every year must pass the invariants each booking checks.
    for year_id in sorted({plan.year_id for plan in granted}):
        await check_year(year_id)
    # The projectenbank: the real rebuild, in chunks of one transaction each (fast on SQLite).
    ids = [plan.project_id for plan in granted]
    for start in range(0, len(ids), 200):
        async with write_transaction():
            for project_id in ids[start : start + 200]:
                await catalogue.refresh(project_id)
    stats.add("catalogue entries", len(ids))


async def build(
    database: str,
    seed: int = 8,
    networks: int = NETWORKS,
    proposals: int = PROPOSALS_PER_YEAR,
    entries: int = ENTRIES_TOTAL,
) -> Stats:
    from ledger.books.tables import Entry
    from portal.accounts.tables import Network
    from portal.cli import migrate
    from portal.lib import db
    from portal.lib.settings import Settings

    engine = db.engine_from_url(database)
    db.use_engine(engine)
    await db.start(engine)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            assert await migrate(), "migration failed"
        if await Network.count():
            raise SystemExit("This database already holds networks; use an empty one.")
        rng = random.Random(seed)
        stats = Stats()
        settings = Settings.from_env()
        started = time.perf_counter()
        nets = await build_people(rng, stats, networks)
        plans: list[Plan] = []
        for net in nets:
            years = await build_years(net, settings)
            for year, info in years.items():
                for spec in await build_proposals(rng, net, year, info, stats, proposals):
                    plans.append(Plan(spec, net, year, info["id"], info["accounts"][spec["theme"]]))
            print(f"  {net.slug}: {time.perf_counter() - started:.0f} s", flush=True)
        budget_entries = await Entry.count()
        await build_ledger(rng, plans, stats, budget_entries, entries)
        stats.counts["ledger entries"] = await Entry.count()
        if not db.is_sqlite(engine):
            # The planner's statistics and the visibility map, as autovacuum keeps them in a
            # database that has been in use (it also vacuums tables that are only inserted
            # into): right after a bulk load there are no statistics, and PostgreSQL then
            # guesses a few dozen rows per network and picks nested loops that take 5-10 times
            # longer; without the visibility map it cannot answer from an index alone.
            await engine.run_ddl("VACUUM ANALYZE")
        stats.counts["seconds"] = round(time.perf_counter() - started)
        return stats
    finally:
        await db.stop(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="sqlite:///path or postgres://…/db")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--networks", type=int, default=NETWORKS)
    parser.add_argument("--proposals", type=int, default=PROPOSALS_PER_YEAR, help="per year")
    parser.add_argument("--entries", type=int, default=ENTRIES_TOTAL, help="in total")
    args = parser.parse_args()
    stats = asyncio.run(
        build(args.database, args.seed, args.networks, args.proposals, args.entries)
    )
    for name, n in stats.counts.items():
        print(f"{name:>20}: {n}")


if __name__ == "__main__":
    main()
