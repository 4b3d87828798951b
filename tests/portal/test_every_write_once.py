"""Every write happens once: each state-changing route of the app, posted ten times at once with
the same form (one one-time key, as a double-click or a browser retry sends it) and once more
after those have answered (the back button and "send again"), has the effect of one post, on
SQLite and PostgreSQL.

The routes come from the app's route table: a new POST route fails
`test_every_write_route_has_a_scenario` until it has a scenario below (or a reason in
NOT_A_WRITE). A scenario builds what the route needs in the access matrix's world and says who
posts what. The test then sets up that world twice: once to post the form a single time, once
to post it eleven times; what changed in the database must be the same both times (every row
added, removed or changed in every table, compared column by column, and the files in the
upload directory), and must not be nothing. Ten of the eleven answers are "Dit was al
verwerkt", none is an error.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyotp
import pytest
from litestar import Litestar
from litestar.datastructures import FormMultiDict
from litestar.exceptions import NotFoundException
from piccolo.engine.base import Engine
from piccolo.querystring import QueryString
from piccolo.table import sort_table_classes

from ledger.books import services as ledger
from ledger.books.tables import Account, CatalogueEntry, Entry
from ledger.projects import reports
from portal.accounts import totp, two_factor
from portal.accounts.api_tokens import create_token
from portal.accounts.principal import Principal
from portal.accounts.tables import RecoveryCode, Region, Role, User
from portal.lib import clock, db, once
from portal.lib.files import check_upload, store
from portal.lib.flash import FLASH_COOKIE
from portal.lib.settings import Settings
from proposals import queries
from proposals import services as proposal_services
from proposals.budget_template import build_template
from proposals.budget_workbook import BudgetLineInput
from proposals.criteria import DEFAULT_CRITERIA
from proposals.rules import Actor
from review import forms as review_forms
from review import queries as review_queries
from review import question_services
from review import services as review
from review.tables import Question
from tests import factories
from tests.conftest import _empty_all_tables
from tests.portal.test_access_matrix import PDF, World, build_world, concrete, http_routes
from tests.proposals.conftest import Zuidwest, make_zuidwest, principal
from tests.web import csrf_token, log_in

# Tables whose rows are not the effect of a form: the log-ins of the test itself, the keys,
# the pages and files the test reads (the view log).
NOT_EFFECTS = {
    "portal_session",
    "login_throttle",
    "form_submission",
    "piccolo_migration",
    "portal_view_event",
}
# Columns that differ between two runs of the same scenario by design (secrets and their
# hashes, random file names, the authenticator's time step, mails that carry a secret link):
# only whether they are set, and whether a post changed them, is compared.
RANDOM_COLUMNS = {
    "portal_user": {"password_hash", "totp_secret", "totp_last_step"},
    "recovery_code": {"code_hash"},
    "account_token": {"token_hash"},
    "portal_api_token": {"token_hash", "hint"},
    "attachment": {"stored_name"},
    "report_attachment": {"stored_name"},
    "outbox_message": {"body"},
    # A new random number from every booking (ledger/books/booking.book).
    "budget_year": {"entries_stamp"},
}
# A moment written out inside a text or JSON column (an audit event's details, a snapshot).
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
RECOVERY_CODE = "k7mq-2xpa"
NEW_PASSWORD = "een-ander-goed-wachtwoord-77"

Data = dict[str, str | list[str]]


@dataclass(frozen=True)
class Post:
    """Who posts what to the scenario's route: the form's fields and files, and the path
    parameters that are not the world's own (`concrete` fills in the rest)."""

    role: str | None  # a key of World.users; None: nobody is logged in
    data: Data = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] | None = None
    path: dict[str, int | str] = field(default_factory=dict)


@dataclass
class Scene:
    """What a scenario builds on: the access matrix's world and Zuid-West's builders."""

    world: World
    zw: Zuidwest
    settings: Settings

    async def principal(self, role: str) -> Principal:
        return await principal(self.world.users[role])

    async def proposal(self, proposal_id: int | None = None) -> dict:
        """A proposal as the controllers load it; the world's own by default."""
        proposal_id = proposal_id or int(self.world.values["proposal_id"])
        row = await queries.proposal_row(self.zw.network, proposal_id)
        assert row is not None
        return row


Scenario = Callable[[Scene], Awaitable[Post]]


# --- scenarios: what each route needs, and who posts what -------------------------------------
# Account and two-factor log-in.


async def _change_password(scene: Scene) -> Post:
    return Post(
        "applicant",
        {
            "current_password": factories.PASSWORD,
            "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD,
        },
    )


async def _forgot_password(scene: Scene) -> Post:
    return Post(None, {"email": "x@example.org"})


async def _confirm_two_factor(scene: Scene) -> Post:
    """An applicant (for whom it is optional) who started turning it on types the app's code."""
    secret = await two_factor.pending_secret(scene.world.users["applicant"])
    return Post("applicant", {"code": pyotp.TOTP(secret).at(clock.now())})


async def _with_recovery_code(user_id: int) -> None:
    await RecoveryCode.insert(
        RecoveryCode(user=user_id, code_hash=totp.recovery_hash(RECOVERY_CODE))
    )


async def _with_two_factor(user_id: int) -> None:
    """Two-factor log-in on with the factories' secret (tests.web.log_in types its codes)."""
    await User.update(
        {User.totp_secret: factories.TOTP_SECRET, User.totp_enabled_at: clock.now()}
    ).where(User.id == user_id)
    await _with_recovery_code(user_id)


async def _next_app_code() -> str:
    """The authenticator's code of the next half minute: the log-in before the post spends this
    half minute's, and the portal accepts each once. Near the end of a half minute it first
    waits for the next, so that the log-in cannot fall in the half minute of this code."""
    step = totp.STEP_SECONDS
    left = step - clock.now().timestamp() % step
    if left < 3:
        await asyncio.sleep(left + 0.1)
    return pyotp.TOTP(factories.TOTP_SECRET).at(clock.now() + dt.timedelta(seconds=step))


async def _renew_recovery_codes(scene: Scene) -> Post:
    return Post("coordinator", {"renew_code": await _next_app_code()})


async def _turn_off_two_factor(scene: Scene) -> Post:
    await _with_two_factor(scene.world.users["applicant"])
    return Post("applicant", {"off_code": RECOVERY_CODE})


async def _new_api_token(scene: Scene) -> Post:
    return Post("coordinator", {"name": "Financieel systeem", "nonce": "formulier-1"})


async def _revoke_api_token(scene: Scene) -> Post:
    coordinator = scene.world.users["coordinator"]
    token_id, _ = await create_token(coordinator, "Oud systeem", actor_id=coordinator)
    return Post("coordinator", path={"token_id": token_id})


# The beheerder: the world's admin administers Zuid-West and acts on its users, regions and
# organisations; only a beheerder of all networks makes a network.


async def _new_network(scene: Scene) -> Post:
    scene.world.users["superadmin"] = await factories.member(
        None, Role.admin, user_id=await factories.user("alle@example.org", "Bea Beheer")
    )
    return Post(
        "superadmin",
        {
            "name": "Noord",
            "slug": "noord",
            "coordinating_municipality": "Groningen",
            "unforeseen_reserve": "10",
            "themes_reserve": "10",
        },
    )


async def _network_settings(scene: Scene) -> Post:
    return Post(
        "admin",
        {
            "name": "Zuid-West Nederland",
            "slug": "zuid-west",
            "coordinating_municipality": "Rotterdam",
            "unforeseen_reserve": "12,5",
            "themes_reserve": "10",
        },
    )


async def _invite(scene: Scene) -> Post:
    return Post(
        "admin",
        {
            "email": "nieuw@example.org",
            "name": "Nieuwe Collega",
            "role": "applicant",
            "organisation": str(scene.zw.org_x),
        },
    )


# The user of the world's paths (`user_id`, `membership_id`) is its applicant.


async def _deactivate(scene: Scene) -> Post:
    return Post("admin", {"active": "0"})


async def _add_role(scene: Scene) -> Post:
    return Post("admin", {"role": "region_officer", "region": str(scene.zw.region_b)})


async def _remove_role(scene: Scene) -> Post:
    return Post("admin")


async def _reset_two_factor(scene: Scene) -> Post:
    await _with_two_factor(scene.world.users["applicant"])
    return Post("admin")


async def _erase_person(scene: Scene) -> Post:
    return Post("admin", {"reason": "Verzoek van de persoon per e-mail"})


async def _retention_periods(scene: Scene) -> Post:
    scene.world.users["superadmin"] = await factories.member(
        None, Role.admin, user_id=await factories.user("alle@example.org", "Bea Beheer")
    )
    return Post("superadmin", {"financial": "96", "closed_proposal": "24", "account": "18"})


async def _new_organisation(scene: Scene) -> Post:
    return Post(
        "admin", {"name": "Stichting Z", "kind": "care_provider", "region": str(scene.zw.region_a)}
    )


async def _rename_organisation(scene: Scene) -> Post:
    return Post(
        "admin",
        {"name": "Stichting X-tra", "kind": "care_provider", "region": str(scene.zw.region_a)},
    )


async def _new_region(scene: Scene) -> Post:
    return Post("admin", {"name": "Rijnmond"})


async def _rename_region(scene: Scene) -> Post:
    return Post("admin", {"name": "Midden-Holland Noord"})


# Rounds and proposals.


async def _new_round(scene: Scene) -> Post:
    return Post(
        "coordinator",
        {
            "budget_year": str(scene.zw.budget_year),
            "title": "Ronde 2021 najaar",
            "opens_at": "2021-09-01T09:00",
            "closes_at": "2021-10-01T17:00",
            "attachment_limit_mb": "10",
            "theme_id": [""],
            "theme_name": ["Ambulant"],
            "theme_description": ["Hulp thuis"],
            "theme_budget": ["10.000,00"],
        },
    )


async def _move_deadline(scene: Scene) -> Post:
    """The world's round has a submitted proposal: of its form only the closing moment counts."""
    return Post(
        "coordinator",
        {
            "budget_year": str(scene.zw.budget_year),
            "title": "Ronde 2021",
            "opens_at": "2021-09-01T09:00",
            "closes_at": "2030-02-01T12:00",
            "attachment_limit_mb": "1",
        },
    )


async def _new_proposal(scene: Scene) -> Post:
    return Post("applicant", {"round": str(scene.zw.round), "title": "Nieuw voorstel"})


async def _draft(scene: Scene) -> int:
    return await scene.zw.proposal(state="draft", title="Tweede voorstel")


async def _add_author(scene: Scene) -> Post:
    return Post("applicant", {"email": "y@example.org"})


async def _import_budget(scene: Scene) -> Post:
    proposal_id = await _draft(scene)
    workbook = build_template(
        [2021, 2022],
        "Tweede voorstel",
        [BudgetLineInput("material", 2022, "Laptops", 750_000)],
    )
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Post(
        "applicant",
        files={"file": ("begroting.xlsx", workbook, xlsx)},
        path={"proposal_id": proposal_id},
    )


async def _save_section(scene: Scene) -> Post:
    proposal_id = await _draft(scene)
    return Post(
        "applicant",
        {
            "procurement_expert_name": "Ingrid Inkoop-Jansen",
            "procurement_route": "subsidy",
            "procurement_service_kind": "social",
            "estimated_contract_value": "10.000,00",
            "procurement_policy_fit": "yes",
        },
        path={"proposal_id": proposal_id, "section": "inkoop"},
    )


async def _upload_attachment(scene: Scene) -> Post:
    proposal_id = await _draft(scene)
    return Post(
        "applicant",
        {"kind": "other", "region": ""},
        files={"file": ("plan.pdf", PDF, "application/pdf")},
        path={"proposal_id": proposal_id},
    )


async def _remove_attachment(scene: Scene) -> Post:
    proposal_id = await _draft(scene)
    attachment_id = await proposal_services.add_attachment(
        await scene.principal("applicant"),
        await scene.proposal(proposal_id),
        {Actor.author},
        "other",
        None,
        check_upload(PDF, "plan.pdf", 1024 * 1024),
        store(scene.settings.upload_dir, PDF),
    )
    return Post("applicant", path={"proposal_id": proposal_id, "attachment_id": attachment_id})


async def _step(scene: Scene) -> Post:
    proposal_id = await _draft(scene)
    return Post("applicant", path={"proposal_id": proposal_id, "action": "mark_ready"})


async def _ask(scene: Scene) -> Post:
    return Post("coordinator", {"question": "Wie leidt het project?", "back": ""})


async def _answer(scene: Scene) -> Post:
    await question_services.ask_question(
        await scene.principal("coordinator"),
        await scene.proposal(),
        "Wie leidt het project?",
        scene.settings,
    )
    question = await Question.select(Question.id).first()
    return Post("applicant", {"answer": "Stichting X."}, path={"question_id": question["id"]})


# Review, advice and decisions (the world's proposal is in review, the reviewer assigned).

REVIEW_FORM = {
    **{f"c{n}": "4" for n in range(1, 5)},
    **{f"c{n}_motivation": "Sterk onderbouwd" for n in range(1, 5)},
    **{r: "voldoet" for r in ("r1", "r3", "r4")},
    "recommendation": "toekennen",
    "advice": "Goed plan",
}


async def _submit_review(scene: Scene) -> Post:
    return Post("reviewer", {**REVIEW_FORM, "action": "submit"})


async def _declare_conflict(scene: Scene) -> Post:
    return Post("reviewer", {"kind": "personal", "reason": "Mijn zus werkt bij Stichting X."})


async def _new_reviewer(scene: Scene) -> int:
    return await factories.member(
        scene.zw.network,
        Role.reviewer,
        region_id=scene.zw.region_b,
        reviewer_kind="chair",
        user_id=await factories.user("voorzitter@example.org", "Vera Voorzitter"),
    )


async def _assign(scene: Scene) -> Post:
    return Post("coordinator", {"reviewer": str(await _new_reviewer(scene))})


async def _auto_assign(scene: Scene) -> Post:
    await _new_reviewer(scene)
    problems = await proposal_services.set_review_settings(
        await scene.principal("coordinator"),
        scene.zw.network,
        scene.zw.round,
        dt.datetime(2030, 1, 1, 11, tzinfo=dt.UTC),
        2,
    )
    assert not problems, problems
    return Post("coordinator")


async def _unassign(scene: Scene) -> Post:
    return Post("coordinator")


async def _review_submitted(scene: Scene) -> None:
    """The world's one assigned review handed in (advice waits for it)."""
    review_id = int(scene.world.values["review_id"])
    values, errors = review_forms.parse_review(FormMultiDict(REVIEW_FORM), DEFAULT_CRITERIA, True)
    assert not errors, errors
    await review.save_review(
        await scene.principal("reviewer"), await review_queries.review_row(review_id), values, True
    )


async def _reopen(scene: Scene) -> Post:
    await _review_submitted(scene)
    return Post("coordinator")


async def _review_settings(scene: Scene) -> Post:
    return Post(
        "coordinator", {"review_deadline": "2030-01-01T12:00", "reviewers_per_proposal": "2"}
    )


ADVICE_FORM = {
    "body": "ao_chairs",
    "meeting_date": "2021-10-14",
    "reference": "ADV-1",
    "advice": "Toekennen",
}


async def _advice(scene: Scene) -> Post:
    await _review_submitted(scene)
    return Post("coordinator", ADVICE_FORM)


async def _advised(scene: Scene) -> dict:
    await _review_submitted(scene)
    data, errors = review_forms.parse_advice(FormMultiDict(ADVICE_FORM))
    assert not errors, errors
    await review.record_advice(await scene.principal("coordinator"), await scene.proposal(), data)
    return await scene.proposal()


DECISION = {
    "outcome": "granted",
    "amount": "5.000,00",
    "decision_date": "2021-11-15",
    "reference": "B-2",
    "advice_date": "2021-11-01",
    "advice_reference": "AMB-1",
}


async def _decide(scene: Scene) -> Post:
    await _advised(scene)
    return Post("coordinator", DECISION)


async def _decide_round(scene: Scene) -> Post:
    proposal = await _advised(scene)
    prefix = f"p{proposal['id']}_"
    shared = ("decision_date", "reference", "advice_date", "advice_reference")
    return Post(
        "coordinator",
        {
            **{key: DECISION[key] for key in shared},
            f"{prefix}outcome": DECISION["outcome"],
            f"{prefix}amount": DECISION["amount"],
        },
    )


# The ledger: budget, payments, reports and the projectenbank.


async def _reverse_entry(scene: Scene) -> Post:
    entry = await Entry.select(Entry.id).where(Entry.kind == "commitment").first()
    return Post("coordinator", {"reason": "Verkeerd geboekt"}, path={"entry_id": entry["id"]})


async def _divide_year(scene: Scene) -> Post:
    year_id, problems = await ledger.create_budget_year(
        await scene.principal("coordinator"), scene.zw.network, 2022, 10_000_000
    )
    assert not problems, problems
    return Post(
        "coordinator",
        {
            "process_a": "20.000,00",
            "themes_reserve_amount": "60.000,00",
            "learning": "10.000,00",
            "unforeseen": "10.000,00",
            "unforeseen_reserve": "10",
            "themes_reserve": "10",
        },
        path={"year_id": year_id or 0},
    )


async def _pay(scene: Scene) -> Post:
    return Post(
        "coordinator",
        {"amount": "100,00", "kind": "advance_payment", "document_reference": "BET-1"},
    )


async def _advance_share(scene: Scene) -> Post:
    return Post("coordinator", {"advance_share": "40"})


async def _new_budget_year(scene: Scene) -> Post:
    return Post(
        "coordinator",
        {"year": "2023", "spuk_amount": "1.000.000,00", "grant_reference": "SPUK-2023"},
    )


async def _move(scene: Scene) -> Post:
    accounts = {
        a["code"]: a["id"]
        for a in await Account.select(Account.id, Account.code).where(
            Account.budget_year == scene.zw.budget_year
        )
    }
    return Post(
        "coordinator",
        {
            "kind": "transfer",
            "amount": "1.000,00",
            "from_account": str(accounts["process_a"]),
            "to_account": str(accounts["learning"]),
            "reason": "Meer leren",
            "document_reference": "",
        },
    )


async def _allocate(scene: Scene) -> Post:
    (account,) = await Account.select(Account.id).where(
        (Account.budget_year == scene.zw.budget_year) & (Account.code == "process_a")
    )
    return Post(
        "coordinator",
        {
            "title": "Coördinatiekosten",
            "account": str(account["id"]),
            "recipient_choice": "buiten",
            "recipient_name": "Gemeente Rotterdam",
            "recipient_kvk": "24370565",
            "amount": "1.000,00",
            "start_date": "2021-01-01",
            "end_date": "2021-12-31",
            "decision_reference": "BW-2021-17",
            "decision_date": "2021-01-15",
            "decided_by": "College van B&W Rotterdam",
        },
    )


async def _fee_scheme(scene: Scene, rate_cents: int | None = 5_000) -> int:
    """An expert-fee scheme of € 1.000 on line d, moved there from line a."""
    from ledger.projects import allocations, expert_fees
    from ledger.projects.allocation_forms import AllocationInput

    coordinator = await scene.principal("coordinator")
    accounts = {
        a["code"]: a["id"]
        for a in await Account.select(Account.id, Account.code).where(
            Account.budget_year == scene.zw.budget_year
        )
    }
    await ledger.move(
        coordinator,
        scene.zw.network,
        scene.zw.budget_year,
        "transfer",
        accounts["process_a"],
        accounts["process_d"],
        100_000,
        "Vacatiegeld",
        "",
    )
    project_id = await allocations.allocate(
        coordinator,
        scene.zw.network,
        scene.zw.budget_year,
        AllocationInput(
            title="Vacatiegeldregeling 2021",
            account_id=accounts["process_d"],
            organisation_id=None,
            region_id=None,
            recipient="Experts van het netwerk",
            recipient_kvk="",
            amount_cents=100_000,
            start_date=dt.date(2021, 1, 1),
            end_date=dt.date(2021, 12, 31),
            decision_reference="VAC-2021",
            decision_date=dt.date(2021, 1, 15),
            decided_by="College van B&W Rotterdam",
        ),
    )
    if rate_cents is not None:
        await expert_fees.set_rate(coordinator, scene.zw.network, project_id, rate_cents)
    return project_id


CLAIM_FORM = {
    "expert_name": "Dr. A. de Vries",
    "work_date": "2021-03-01",
    "hours": "1,5",
    "description": "Consultatie expertteam",
}


async def _fee_rate(scene: Scene) -> Post:
    scheme = await _fee_scheme(scene, rate_cents=None)
    return Post("coordinator", {"fee_rate": "60,00"}, path={"project_id": scheme})


async def _fee_claim(scene: Scene) -> Post:
    return Post("coordinator", CLAIM_FORM, path={"project_id": await _fee_scheme(scene)})


async def _fee_pay(scene: Scene) -> Post:
    from ledger.projects import expert_fees

    scheme = await _fee_scheme(scene)
    claim, _ = expert_fees.parse_claim(FormMultiDict(CLAIM_FORM), dt.date(2021, 6, 1))
    assert claim is not None
    await expert_fees.add_claim(
        await scene.principal("coordinator"), scene.zw.network, scheme, claim
    )
    return Post("coordinator", {"document_reference": "VAC-BET-1"}, path={"project_id": scheme})


async def _umbrella_part(scene: Scene) -> Post:
    scheme = await _fee_scheme(scene, rate_cents=None)  # any direct allocation has parts
    return Post(
        "coordinator",
        {
            "title": "Doorgaande zorglijn 18-/18+",
            "amount": "250,00",
            "decision_reference": "BW-2021-40",
            "decision_date": "2021-04-01",
        },
        path={"project_id": scheme},
    )


CRITERIA_FORM = {
    "code1": "V1",
    "name1": "Vragen van kinderen en ouders leiden",
    "scale1": "score",
    "weight1": "2",
    "code2": "V2",
    "name2": "Bovenregionaal",
    "scale2": "pass_fail",
    "excluding2": "1",
}


async def _criteria(scene: Scene) -> Post:
    return Post("coordinator", CRITERIA_FORM)


async def _eligibility(scene: Scene) -> Post:
    return Post("coordinator", {"procurement_policy": "block", "vierkant": "off"})


async def _route(scene: Scene) -> Post:
    return Post(
        "coordinator",
        {
            "step1": "Projectgroep",
            "step2": "Ambtelijk overleg",
            "decider": "het bestuurlijk overleg",
        },
    )


async def _panel(scene: Scene) -> Post:
    return Post(
        "coordinator",
        {
            "name1": "AO-lid",
            "code1": "ao",
            "need1": "1",
            "name2": "Voorzitter expertteam",
            "code2": "chair",
            "need2": "1",
            "name3": "Ervaringsdeskundige",
            "need3": "1",
        },
    )


async def _letters(scene: Scene) -> Post:
    from portal.accounts.letter_texts import DEFAULT_TEXTS

    fields = {}
    for kind, text in DEFAULT_TEXTS.items():
        fields |= {f"{kind}_subject": text.subject, f"{kind}_body": "Eigen tekst over {titel}."}
    return Post("coordinator", fields)


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 90, 160)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()


async def _logo(scene: Scene) -> Post:
    return Post("coordinator", files={"logo": ("logo.png", PNG, "image/png")})


INSTALMENT = {
    "description": "Tweede termijn",
    "amount": "100,00",
    "condition": "none",
    "not_before": "",
}


async def _instalment_add(scene: Scene) -> Post:
    return Post("coordinator", INSTALMENT)


async def _instalment(scene: Scene) -> int:
    from ledger.projects import instalments

    data, _ = instalments.parse_instalment(FormMultiDict(INSTALMENT))
    assert data is not None
    return await instalments.add_instalment(
        await scene.principal("coordinator"),
        scene.zw.network,
        int(scene.world.values["project_id"]),
        data,
    )


async def _instalment_pay(scene: Scene) -> Post:
    return Post(
        "coordinator",
        {"document_reference": "TERMIJN-1"},
        path={"instalment_id": await _instalment(scene)},
    )


async def _instalment_remove(scene: Scene) -> Post:
    return Post("coordinator", {}, path={"instalment_id": await _instalment(scene)})


PAYMENT_REQUEST = {"kind": "advance", "amount": "100,00", "statement": "Start van het project"}


async def _request_payment(scene: Scene) -> Post:
    project = scene.world.values["project_id"]
    return Post("region_officer", {**PAYMENT_REQUEST, "project": str(project)})


async def _decide_payment_request(scene: Scene) -> Post:
    from ledger.projects import payment_requests

    project = int(scene.world.values["project_id"])
    data, _ = payment_requests.parse_request(
        FormMultiDict({**PAYMENT_REQUEST, "project": str(project)}), {project}
    )
    assert data is not None
    request_id = await payment_requests.request_payment(
        await scene.principal("region_officer"), scene.zw.network, data
    )
    return Post(
        "coordinator",
        {"decision": "goedkeuren", "document_reference": "BET-9", "note": ""},
        path={"request_id": request_id},
    )


CHANGE = {"kind": "amount", "new_amount": "12.000,00", "reason": "Meer jongeren"}


async def _request_change(scene: Scene) -> Post:
    return Post("region_officer", {**CHANGE, "project": str(scene.world.values["project_id"])})


async def _decide_change(scene: Scene) -> Post:
    from ledger.projects import changes

    project = int(scene.world.values["project_id"])
    data, errors = changes.parse_change(
        FormMultiDict({**CHANGE, "project": str(project)}), {project: {"end_date": None}}
    )
    assert data is not None, errors
    change_id = await changes.request_change(
        await scene.principal("region_officer"), scene.zw.network, data
    )
    return Post(
        "coordinator",
        {"decision": "goedkeuren", "decision_reference": "WB-1", "note": ""},
        path={"change_id": change_id},
    )


async def _sisa_wording(scene: Scene) -> Post:
    scene.world.users["superadmin"] = await factories.member(
        None, Role.admin, user_id=await factories.user("alle@example.org", "Bea Beheer")
    )
    return Post(
        "superadmin",
        {
            "from_year": "2026",
            "regulation": "Regeling specifieke uitkering jeugd 2026",
            "decision": "Beschikkingsnummer",
            "spending": "Besteding {year}",
            "cumulative": "Cumulatief tot en met {year}",
            "final": "Eindverantwoording Ja/Nee",
            "explanation": "Toelichting",
        },
    )


async def _sisa_submitted(scene: Scene) -> Post:
    return Post("coordinator", {"submitted_on": "2022-07-01", "reference": "SiSa-2021"})


async def _spend_until(scene: Scene) -> Post:
    return Post("coordinator", {"spend_until": "2030-06-30"})


REPORT_FORM = {
    "result1": "Wachtlijst gehalveerd",
    "realised1": "8.000,00",
    "lessons_worked": "Korte lijnen",
    "lessons_not_worked": "Te veel overleg",
    "lessons_for_others": "Begin klein",
    "preconditions_met": "1",
}


async def _submit_report(scene: Scene) -> Post:
    return Post("region_officer", REPORT_FORM)


async def _save_report_draft(scene: Scene) -> Post:
    """Half a report, kept as a draft: the state stays, the draft is saved once."""
    return Post("region_officer", {"result1": "Halverwege", "realised1": "-1"})


async def _submitted_report(scene: Scene) -> dict:
    report_id = int(scene.world.values["report_id"])
    report = await reports.report_row(scene.zw.network, report_id)
    problems = await reports.submit_report(
        await scene.principal("region_officer"),
        report,
        reports.ReportInput(
            results=[{"goal": "Doelen van het project", "result": REPORT_FORM["result1"]}],
            realised_lines=[
                {"description": "Totaal", "budget_cents": 0, "realised_cents": 800_000}
            ],
            lessons_worked=REPORT_FORM["lessons_worked"],
            lessons_not_worked=REPORT_FORM["lessons_not_worked"],
            lessons_for_others=REPORT_FORM["lessons_for_others"],
            preconditions_met=True,
        ),
    )
    assert not problems, problems
    return await reports.report_row(scene.zw.network, report_id)


async def _judge_report(scene: Scene) -> Post:
    await _submitted_report(scene)
    return Post("coordinator", {"decision": "accept", "final_amount": ""})


async def _report_attachment(scene: Scene) -> Post:
    return Post("region_officer", files={"file": ("factuur.pdf", PDF, "application/pdf")})


async def _share(scene: Scene) -> Post:
    """Only a settled project is shared with every network: its final report accepted."""
    report = await _submitted_report(scene)
    await reports.accept_report(await scene.principal("coordinator"), report)
    entry = await CatalogueEntry.select(CatalogueEntry.status).first()
    assert entry["status"] == "finished", entry
    return Post("coordinator", {"shared": "1"})


SCENARIOS: dict[tuple[str, str], Scenario] = {
    ("POST", "/account/wachtwoord"): _change_password,
    ("POST", "/account/tweestaps/bevestigen"): _confirm_two_factor,
    ("POST", "/account/tweestaps/herstelcodes"): _renew_recovery_codes,
    ("POST", "/account/tweestaps/uitzetten"): _turn_off_two_factor,
    ("POST", "/wachtwoord-vergeten"): _forgot_password,
    ("POST", "/n/{network:str}/api-sleutels"): _new_api_token,
    ("POST", "/n/{network:str}/api-sleutels/{token_id:int}/intrekken"): _revoke_api_token,
    ("POST", "/beheer/netwerken/nieuw"): _new_network,
    ("POST", "/beheer/{network:str}/instellingen"): _network_settings,
    ("POST", "/beheer/{network:str}/gebruikers/uitnodigen"): _invite,
    ("POST", "/beheer/{network:str}/gebruikers/{user_id:int}/actief"): _deactivate,
    ("POST", "/beheer/{network:str}/gebruikers/{user_id:int}/rollen"): _add_role,
    (
        "POST",
        "/beheer/{network:str}/gebruikers/{user_id:int}/rollen/{membership_id:int}/intrekken",
    ): _remove_role,
    (
        "POST",
        "/beheer/{network:str}/gebruikers/{user_id:int}/tweestaps-herstellen",
    ): _reset_two_factor,
    ("POST", "/beheer/{network:str}/organisaties/nieuw"): _new_organisation,
    ("POST", "/beheer/{network:str}/organisaties/{organisation_id:int}"): _rename_organisation,
    ("POST", "/beheer/{network:str}/regios/nieuw"): _new_region,
    ("POST", "/beheer/{network:str}/regios/{region_id:int}"): _rename_region,
    ("POST", "/n/{network:str}/rondes/nieuw"): _new_round,
    ("POST", "/n/{network:str}/rondes/{round_id:int}"): _move_deadline,
    ("POST", "/n/{network:str}/voorstellen/nieuw"): _new_proposal,
    ("POST", "/n/{network:str}/voorstellen/{proposal_id:int}/auteurs"): _add_author,
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/begroting/importeren",
    ): _import_budget,
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/bewerken/{section:str}",
    ): _save_section,
    ("POST", "/n/{network:str}/voorstellen/{proposal_id:int}/bijlagen"): _upload_attachment,
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/bijlagen/{attachment_id:int}/verwijderen",
    ): _remove_attachment,
    ("POST", "/n/{network:str}/voorstellen/{proposal_id:int}/stap/{action:str}"): _step,
    ("POST", "/n/{network:str}/voorstellen/{proposal_id:int}/vragen"): _ask,
    (
        "POST",
        "/n/{network:str}/voorstellen/{proposal_id:int}/vragen/{question_id:int}/antwoord",
    ): _answer,
    ("POST", "/n/{network:str}/beoordelingen/{review_id:int}"): _submit_review,
    ("POST", "/n/{network:str}/beoordelingen/conflict/{proposal_id:int}"): _declare_conflict,
    ("POST", "/n/{network:str}/beoordeling/rondes/{round_id:int}/instellingen"): (_review_settings),
    ("POST", "/n/{network:str}/beoordeling/rondes/{round_id:int}/toewijzen"): _auto_assign,
    ("POST", "/n/{network:str}/beoordeling/rondes/{round_id:int}/besluiten"): _decide_round,
    ("POST", "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/toewijzen"): _assign,
    (
        "POST",
        "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/toewijzing/{review_id:int}/intrekken",
    ): _unassign,
    (
        "POST",
        "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/heropenen/{review_id:int}",
    ): _reopen,
    ("POST", "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/advies"): _advice,
    ("POST", "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/besluit"): _decide,
    ("POST", "/n/{network:str}/begroting/{year_id:int}/mutaties/{entry_id:int}/corrigeren"): (
        _reverse_entry
    ),
    ("POST", "/n/{network:str}/begroting/{year_id:int}/indelen"): _divide_year,
    ("POST", "/n/{network:str}/begroting/{year_id:int}/herschikken"): _move,
    ("POST", "/n/{network:str}/begroting/{year_id:int}/toewijzingen/nieuw"): _allocate,
    ("POST", "/n/{network:str}/begroting/projecten/{project_id:int}/betalen"): _pay,
    ("POST", "/n/{network:str}/begroting/projecten/{project_id:int}/voorschot"): _advance_share,
    ("POST", "/n/{network:str}/begroting/projecten/{project_id:int}/termijnen"): _instalment_add,
    ("POST", "/n/{network:str}/beoordeling/criteria"): _criteria,
    ("POST", "/n/{network:str}/beoordeling/besluitvorming"): _route,
    ("POST", "/n/{network:str}/beoordeling/panel"): _panel,
    ("POST", "/n/{network:str}/beoordeling/brieven"): _letters,
    ("POST", "/n/{network:str}/beoordeling/brieven/logo"): _logo,
    ("POST", "/n/{network:str}/rondes/toetsing"): _eligibility,
    (
        "POST",
        "/n/{network:str}/begroting/projecten/{project_id:int}/termijnen/{instalment_id:int}/betalen",
    ): _instalment_pay,
    (
        "POST",
        "/n/{network:str}/begroting/projecten/{project_id:int}/termijnen/{instalment_id:int}/schrappen",
    ): _instalment_remove,
    (
        "POST",
        "/n/{network:str}/begroting/projecten/{project_id:int}/vacatiegeld/tarief",
    ): _fee_rate,
    (
        "POST",
        "/n/{network:str}/begroting/projecten/{project_id:int}/vacatiegeld/declaraties",
    ): _fee_claim,
    (
        "POST",
        "/n/{network:str}/begroting/projecten/{project_id:int}/vacatiegeld/uitbetalen",
    ): _fee_pay,
    ("POST", "/n/{network:str}/begroting/projecten/{project_id:int}/delen"): _umbrella_part,
    ("POST", "/n/{network:str}/betaalverzoeken/nieuw"): _request_payment,
    ("POST", "/n/{network:str}/wijzigingen/nieuw"): _request_change,
    ("POST", "/beheer/sisa"): _sisa_wording,
    ("POST", "/beheer/bewaartermijnen"): _retention_periods,
    ("POST", "/beheer/{network:str}/gebruikers/{user_id:int}/wissen"): _erase_person,
    ("POST", "/n/{network:str}/begroting/{year_id:int}/sisa"): _sisa_submitted,
    ("POST", "/n/{network:str}/begroting/{year_id:int}/besteden-tot"): _spend_until,
    ("POST", "/n/{network:str}/wijzigingen/{change_id:int}/beslissen"): _decide_change,
    ("POST", "/n/{network:str}/betaalverzoeken/{request_id:int}/beoordelen"): (
        _decide_payment_request
    ),
    ("POST", "/n/{network:str}/begrotingsjaren"): _new_budget_year,
    ("POST", "/n/{network:str}/verantwoording/{report_id:int}"): _submit_report,
    ("POST", "/n/{network:str}/verantwoording/{report_id:int}/beoordelen"): _judge_report,
    ("POST", "/n/{network:str}/verantwoording/{report_id:int}/bijlagen"): _report_attachment,
    ("POST", "/n/{network:str}/verantwoording/{report_id:int}/concept"): _save_report_draft,
    ("POST", "/n/{network:str}/projectenbank/{entry_id:int}/delen"): _share,
}

# Routes that post but change nothing that a repeat could double, and why.
NOT_A_WRITE: dict[tuple[str, str], str] = {
    # The log-in steps make a session that only their own answer carries (see portal/app.py);
    # their repeats are judged on their own (a code is accepted once, lockout counts each).
    ("POST", "/login"): "log-in",
    ("POST", "/login/code"): "log-in",
    ("POST", "/login/tweestaps-instellen"): "log-in",
    ("POST", "/login/annuleren"): "log-in",
    ("POST", "/logout"): "ends the session; a second log-out ends nothing more",
    ("POST", "/wachtwoord-herstellen/{token:str}"): "log-in: a single-use link that sets a session",
    ("POST", "/uitnodiging/{token:str}"): "log-in: a single-use link that sets a session",
    # Live figures that htmx asks for while a form is filled in; nothing is stored.
    ("POST", "/n/{network:str}/voorstellen/{proposal_id:int}/begroting/totalen"): "a preview",
    ("POST", "/n/{network:str}/voorstellen/{proposal_id:int}/begroting/regel"): "an empty row",
    ("POST", "/n/{network:str}/beoordelingen/{review_id:int}/gemiddelde"): "a preview",
    # Shows the enrolment page (a POST only because it is a button). The one thing it may
    # store is the pending secret, once: every later post, and the log-in's enrolment page,
    # read that same secret back (two_factor.pending_secret), so that a QR code already
    # scanned stays valid. The effect is /account/tweestaps/bevestigen's.
    ("POST", "/account/tweestaps/instellen"): "shows the enrolment page; its secret is kept",
}


# --- the harness ------------------------------------------------------------------------------


def write_routes(app: Litestar) -> set[tuple[str, str]]:
    return {key for key in http_routes(app) if key[0] not in ("GET", "HEAD")}


async def test_every_write_route_has_a_scenario(app: Litestar) -> None:
    routes = write_routes(app)
    missing = sorted(routes - set(SCENARIOS) - set(NOT_A_WRITE))
    assert not missing, (
        "State-changing routes without a scenario in tests/portal/test_every_write_once.py: "
        + ", ".join(f"{m} {p}" for m, p in missing)
    )
    stale = sorted((set(SCENARIOS) | set(NOT_A_WRITE)) - routes)
    assert not stale, "Scenarios for routes the app no longer has: " + ", ".join(
        f"{m} {p}" for m, p in stale
    )
    both = sorted(set(SCENARIOS) & set(NOT_A_WRITE))
    assert not both, f"Both a scenario and 'not a write': {both}"


# What the database holds: per table, its rows by id; and the names in the upload directory.
Rows = dict[str, dict[int, dict]]


@dataclass(frozen=True)
class Contents:
    rows: Rows
    files: frozenset[str]


async def contents(upload_dir: Path) -> Contents:
    rows: Rows = {}
    for table in db.all_tables():
        name = table._meta.tablename
        if name not in NOT_EFFECTS:
            rows[name] = {row["id"]: row for row in await table.select()}
    files = frozenset(p.name for p in upload_dir.iterdir()) if upload_dir.exists() else frozenset()
    return Contents(rows, files)


def _shown(table: str, column: str, value: object) -> object:
    """A value as two runs of one scenario can compare it (see RANDOM_COLUMNS)."""
    if column in RANDOM_COLUMNS.get(table, ()):
        return "<willekeurig>" if value else value
    if isinstance(value, dt.datetime):
        return "<tijdstip>"
    if isinstance(value, str):
        return MOMENT.sub("<tijdstip>", value)
    return value


def _row(table: str, row: dict) -> dict:
    return {column: _shown(table, column, value) for column, value in row.items()}


def changes(before: Contents, after: Contents) -> dict[str, list[str]]:
    """Per table, every row added (+), removed (-) or changed (~, the columns that changed),
    comparable between two runs of one scenario; and how many files appeared or went."""
    found: dict[str, list[str]] = {}
    for table, rows in after.rows.items():
        old = before.rows[table]
        lines = []
        for key in sorted(rows.keys() - old.keys()):
            lines.append(f"+ {_row(table, rows[key])}")
        for key in sorted(old.keys() - rows.keys()):
            lines.append(f"- {_row(table, old[key])}")
        for key in sorted(rows.keys() & old.keys()):
            was, now = old[key], rows[key]
            if was != now:
                changed = {
                    c: (_shown(table, c, was[c]), _shown(table, c, now[c]))
                    for c in now
                    if now[c] != was[c]
                }
                lines.append(f"~ {key}: {changed}")
        if lines:
            found[table] = lines
    new, gone = len(after.files - before.files), len(before.files - after.files)
    files = [f"+ {new} file(s)"] * bool(new) + [f"- {gone} file(s)"] * bool(gone)
    if files:
        found["(upload directory)"] = files
    return found


def counts(found: dict[str, list[str]]) -> dict[str, int]:
    """Rows added per table, less those removed."""
    return {
        table: sum(1 if line[0] == "+" else -1 for line in lines if line[0] in "+-")
        for table, lines in found.items()
        if not table.startswith("(")
    }


def already_processed(response: httpx.Response) -> bool:
    """The answer to a repeat: sent on to where the first post went ("Dit was al verwerkt")."""
    location = response.headers.get("location") or response.headers.get("hx-redirect") or ""
    return location.startswith("/al-verwerkt?")


def said(response: httpx.Response) -> str:
    """What an answer tells: the messages it puts on the next page, or the errors on its own."""
    if response.status_code != 303:
        shown: list[str] = []
        for match in re.finditer(r"error-message|alert--error", response.text):
            opened = response.text.index(">", match.end()) + 1
            text = " ".join(
                re.sub(r"<[^>]*(>|$)", " ", response.text[opened : opened + 300]).split()
            )
            if text[:100] not in shown:
                shown.append(text[:100])
        return " | ".join(shown)
    flashes = []
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{FLASH_COOKIE}="):
            payload = header.split("=", 1)[1].split(";", 1)[0].rsplit(".", 1)[0].strip('"')
            if payload:  # empty: the page shown cleared the messages it showed
                flashes += [text for _, text in json.loads(base64.urlsafe_b64decode(payload))]
    return " ".join(flashes)


async def _follow(client: httpx.AsyncClient, response: httpx.Response) -> tuple[str, str]:
    """Where a repeat's answer leads, and the flash it shows there."""
    onward = await client.get(response.headers["location"])
    assert onward.status_code == 303
    return onward.headers["location"], said(onward)


@dataclass(frozen=True)
class Outcome:
    responses: list[httpx.Response]  # those posted at once, then the late repeat (if any)
    changes: dict[str, list[str]]
    onward: list[tuple[str, str]]  # where each "already processed" answer led, and its flash


def url_of(route: tuple[str, str], scene: Scene, post: Post) -> str:
    values = {**scene.world.values, **post.path}
    return concrete(route[1], dataclasses.replace(scene.world, values=values))


async def post_times(
    app: Litestar, scene: Scene, route: tuple[str, str], post: Post, times: int, late: int = 0
) -> Outcome:
    """Post one form `times` times at once, then `late` times more after those have answered;
    the answers, what changed, and where each repeat's answer leads."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    ) as client:
        if post.role is not None:
            await log_in(client, await factories.email_of(scene.world.users[post.role]))
        data = {**post.data, "_csrf_token": await csrf_token(client), once.FIELD: once.new_key()}
        url = url_of(route, scene, post)
        before = await contents(scene.settings.upload_dir)

        async def send() -> httpx.Response:
            # Each post in a task of its own, as each request of a server is: what a request
            # sets in a context variable does not leak into the next one.
            return await asyncio.create_task(client.post(url, data=data, files=post.files))

        responses = list(await asyncio.gather(*(send() for _ in range(times))))
        for _ in range(late):
            responses.append(await send())
        found = changes(before, await contents(scene.settings.upload_dir))
        onward = await asyncio.gather(
            *(_follow(client, r) for r in responses if already_processed(r))
        )
        return Outcome(responses, found, list(onward))


@dataclass(frozen=True)
class Saved:
    """The world as first built on an engine: its rows, SQLite's full-text index, its files."""

    scene: Scene
    rows: dict[str, list[dict]]
    fts: list[dict]
    files: dict[str, bytes]


# Built once per engine and copied back for every run: building it (a dozen services and four
# uploads and log-ins over HTTP) took most of this file's time. A copy holds the same ids, so
# that two runs of one scenario can be compared row by row.
_SAVED: dict[int, Saved] = {}


def _tables() -> list:
    # Parents before children; Piccolo's own migration table stays as it is.
    return sort_table_classes(db.all_tables()[:-1])


async def fresh_scene(engine: Engine, app: Litestar, settings: Settings) -> Scene:
    saved = _SAVED.get(id(engine))
    if saved is None:
        await _empty_all_tables(engine)
        zw = await make_zuidwest()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://testserver",
        ) as client:
            world = await build_world(zw, client, settings)
        rows = {table._meta.tablename: await table.select() for table in _tables()}
        fts = []
        if db.is_sqlite(engine):
            fts = await engine.run_querystring(
                QueryString("SELECT rowid, stems, scope FROM catalogue_fts")
            )
        stored = [r["stored_name"] for r in rows["attachment"] + rows["report_attachment"]]
        files = {name: (settings.upload_dir / name).read_bytes() for name in stored}
        saved = _SAVED[id(engine)] = Saved(Scene(world, zw, settings), rows, fts, files)
    else:
        await _restore(engine, saved)
    world = saved.scene.world
    copy = dataclasses.replace(world, users=dict(world.users), values=dict(world.values))
    return Scene(copy, saved.scene.zw, settings)


async def _restore(engine: Engine, saved: Saved) -> None:
    await _empty_all_tables(engine)
    for table in _tables():
        name = table._meta.tablename
        if saved.rows[name]:
            await table.insert(*[table(**row) for row in saved.rows[name]])
            if not db.is_sqlite(engine):
                # The rows keep their ids; the next id comes after them.
                await engine.run_ddl(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f'(SELECT MAX(id) FROM "{name}"))'
                )
    for row in saved.fts:
        await engine.run_querystring(
            QueryString(
                "INSERT INTO catalogue_fts (rowid, stems, scope) VALUES ({}, {}, {})",
                row["rowid"],
                row["stems"],
                row["scope"],
            )
        )
    for name, content in saved.files.items():
        path = saved.scene.settings.upload_dir / name
        if not path.exists():
            path.write_bytes(content)


def _table(found: dict[str, list[str]]) -> str:
    return "\n".join(
        f"  {table}:\n" + "\n".join(f"    {x}" for x in v) for table, v in found.items()
    )


@pytest.mark.parametrize("route", sorted(SCENARIOS), ids=lambda r: f"{r[0]} {r[1]}")
async def test_posted_ten_times_at_once_has_one_effect(
    route: tuple[str, str], database: Engine, app: Litestar, settings: Settings
) -> None:
    scenario = SCENARIOS[route]

    scene = await fresh_scene(database, app, settings)
    one = await post_times(app, scene, route, await scenario(scene), 1)
    [single] = one.responses
    assert single.status_code < 400 and not already_processed(single), (
        f"the form itself is refused: {single.status_code} {said(single)!r}"
    )
    assert one.changes, f"{route}: one post changed nothing; the scenario does not write"
    # Every service records one event per use case in the audit log.
    assert counts(one.changes).get("audit_event", 0) >= 1, "no audit event:\n" + _table(one.changes)

    scene = await fresh_scene(database, app, settings)
    ten = await post_times(app, scene, route, await scenario(scene), 10, late=1)

    statuses = [r.status_code for r in ten.responses]
    assert not [s for s in statuses if s >= 500], f"server errors: {statuses}"
    assert ten.changes == one.changes, (
        f"ten posts at once and one after them changed\n{_table(ten.changes)}\n"
        f"one post changed\n{_table(one.changes)}"
    )
    firsts = [r for r in ten.responses if not already_processed(r)]
    assert len(firsts) == 1, (
        f"{len(firsts)} of 11 posts were processed (the last one came after the others had "
        f"answered); statuses {statuses}; those processed answered "
        + "; ".join(
            f"{r.status_code} {r.headers.get('location') or ''} {said(r)!r}" for r in firsts
        )
    )
    for location, message in ten.onward:
        assert "Dit was al verwerkt" in message
        if firsts[0].status_code == 303:
            # A repeat ends where the first post went.
            assert location == firsts[0].headers["location"]


async def test_a_refused_form_leaves_its_key_for_the_repeat(
    database: Engine, app: Litestar, settings: Settings
) -> None:
    """A post that a rule refuses (here: a payment above the commitment) writes nothing and
    uses up nothing: its repeat is judged afresh and refused the same way, not 'al verwerkt'."""
    route = ("POST", "/n/{network:str}/begroting/projecten/{project_id:int}/betalen")
    scene = await fresh_scene(database, app, settings)
    post = await _pay(scene)
    post = dataclasses.replace(post, data={**post.data, "amount": "999.999,00"})
    outcome = await post_times(app, scene, route, post, 3)
    assert outcome.changes == {}
    assert [r.status_code for r in outcome.responses] == [422, 422, 422]


async def test_two_different_forms_of_one_reversal_book_it_once(
    database: Engine, app: Litestar, settings: Settings
) -> None:
    """Two tabs (two keys) reversing one entry at once: the check runs inside the transaction
    and the schema allows one reversal per entry."""
    route = ("POST", "/n/{network:str}/begroting/{year_id:int}/mutaties/{entry_id:int}/corrigeren")
    scene = await fresh_scene(database, app, settings)
    post = await _reverse_entry(scene)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    ) as client:
        await log_in(client, await factories.email_of(scene.world.users["coordinator"]))
        token = await csrf_token(client)

        async def one_tab() -> httpx.Response:
            data = {**post.data, "_csrf_token": token, once.FIELD: once.new_key()}
            return await client.post(url_of(route, scene, post), data=data)

        answers = await asyncio.gather(*(one_tab() for _ in range(5)))
    assert all(r.status_code < 500 for r in answers)
    assert await Entry.count().where(Entry.reverses == post.path["entry_id"]) == 1


async def test_the_schema_allows_one_reversal_per_entry_and_one_division_per_year(
    database: Engine, app: Litestar, settings: Settings
) -> None:
    """The last word for any writer that skips the services."""
    await fresh_scene(database, app, settings)
    entry = await Entry.select().where(Entry.kind == "commitment").first()
    copy = {k: v for k, v in entry.items() if k != "id"}
    await Entry.insert(Entry(**{**copy, "reverses": entry["id"], "sign": -1}))
    with pytest.raises(Exception, match=r"(?i)unique"):
        await Entry.insert(Entry(**{**copy, "reverses": entry["id"], "sign": -1}))
    account = await Account.select().first()
    with pytest.raises(Exception, match=r"(?i)unique"):
        await Account.insert(Account(**{k: v for k, v in account.items() if k != "id"}))


@pytest.mark.parametrize(
    "refusal",
    [
        review.ReviewRefused("Vera Voorzitter is al toegewezen."),
        NotFoundException("Dit voorstel bestaat niet, of u heeft er geen toegang toe."),
    ],
    ids=["refused", "not-found"],
)
async def test_a_post_refused_after_its_form_had_its_effect_answers_as_a_repeat(
    database: Engine,
    app: Litestar,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    refusal: Exception,
) -> None:
    """The window the key's lookup before the handler cannot close: a post checks (outside its
    transaction) after another post of the same form has committed, and sees that effect. Its
    refusal, rendered or raised, is not what the poster reads: it goes where the first went."""
    route = ("POST", "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/toewijzen")
    scene = await fresh_scene(database, app, settings)
    post = await _assign(scene)

    async def first_post_committed_meanwhile(*args: object, **kwargs: object) -> None:
        key = once.unused()
        assert key is not None
        await database.run_querystring(
            QueryString(
                "INSERT INTO form_submission (key, location) VALUES ({}, {})",
                key,
                "/n/zuid-west/beoordeling/voorstellen/1#beoordelaars",
            )
        )
        raise refusal

    monkeypatch.setattr(review, "assign", first_post_committed_meanwhile)
    outcome = await post_times(app, scene, route, post, 1)
    [answer] = outcome.responses
    assert already_processed(answer), (answer.status_code, said(answer))
    assert answer.content == b""
    assert outcome.onward == [
        ("/n/zuid-west/beoordeling/voorstellen/1#beoordelaars", "Dit was al verwerkt.")
    ]
    assert outcome.changes == {}


async def test_a_refused_post_of_a_form_nobody_else_posted_keeps_its_refusal(
    database: Engine, app: Litestar, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = ("POST", "/n/{network:str}/beoordeling/voorstellen/{proposal_id:int}/toewijzen")
    scene = await fresh_scene(database, app, settings)
    post = await _assign(scene)

    async def refuse(*args: object, **kwargs: object) -> None:
        raise review.ReviewRefused("Vera Voorzitter is al toegewezen.")

    monkeypatch.setattr(review, "assign", refuse)
    outcome = await post_times(app, scene, route, post, 1)
    [answer] = outcome.responses
    assert not already_processed(answer)
    assert said(answer) == "Vera Voorzitter is al toegewezen."


async def test_two_different_forms_adding_one_region_make_one(
    database: Engine, app: Litestar, settings: Settings
) -> None:
    """Two tabs (two keys) adding 'Rijnmond' at once: the duplicate check runs inside the
    transaction with the network's row locked, so the other is told it exists."""
    route = ("POST", "/beheer/{network:str}/regios/nieuw")
    scene = await fresh_scene(database, app, settings)
    post = await _new_region(scene)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    ) as client:
        await log_in(client, await factories.email_of(scene.world.users["admin"]))
        token = await csrf_token(client)

        async def one_tab() -> httpx.Response:
            data = {**post.data, "_csrf_token": token, once.FIELD: once.new_key()}
            return await client.post(url_of(route, scene, post), data=data)

        answers = await asyncio.gather(*(one_tab() for _ in range(5)))
    assert sorted(r.status_code for r in answers) == [303, 422, 422, 422, 422]
    assert all("bestaat al" in said(r) for r in answers if r.status_code == 422)
    assert await Region.count().where(Region.name == "Rijnmond") == 1
