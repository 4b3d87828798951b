"""`portal retention` on a data set with records on both sides of each period, run twice, on
SQLite and PostgreSQL: the first run anonymises exactly what is past its period, the second
changes nothing, and the books (entries, invariants, the SPUK workbook) stay as they were."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from piccolo.table import Table

from ledger.books.booking import check_year
from ledger.books.tables import Entry, Project, Report, ReportAttachment
from ledger.projects import spuk
from portal.accounts import retention
from portal.accounts.letters import ANONYMISED_HTML
from portal.accounts.retention import MARKER, RetentionKind
from portal.accounts.retention_services import periods, run
from portal.accounts.tables import AuditEvent, Letter, RetentionPeriod, User
from portal.app import register_domain_hooks
from portal.cli import main
from portal.lib.files import store
from portal.lib.settings import Settings
from proposals.tables import (
    Attachment,
    BouwteamMember,
    Proposal,
    ProposalVersion,
    Round,
)
from review.tables import ConflictDeclaration, Question
from tests import factories
from tests.ledger.test_spuk import busy_year
from tests.proposals.conftest import principal

TODAY = dt.date(2029, 1, 10)  # financial 84 months: settled on or before 10 January 2022
UTC = dt.UTC


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@dataclass
class World:
    year_ids: tuple[int, int]
    network: int
    projects: dict[str, int]
    proposals: dict[str, int]
    users: dict[str, int]
    files: dict[str, str]  # what -> stored name
    reports: list[int]


async def _proposal(
    world_network: int,
    round_id: int,
    author: int,
    state: str,
    closed: dt.date,
    files: dict[str, str],
    upload_dir: Path,
    name: str,
    contact_email: str = "",
) -> int:
    row = await Proposal.insert(
        Proposal(
            network=world_network,
            round=round_id,
            created_by=author,
            state=state,
            title=f"Voorstel {name}",
            summary=f"Samen met {name} van de buurt",
            contact_name=f"Contact {name}",
            contact_email=contact_email or f"{name.lower()}@example.org",
            contact_phone="06-12345678",
            procurement_expert_name="Ingrid Inkoop",
            transformation_goals={"earlier_help": f"{name} helpt eerder"},
            updated_at=at(closed),
        )
    ).returning(Proposal.id)
    proposal_id = row[0]["id"]
    await BouwteamMember.insert(
        BouwteamMember(proposal=proposal_id, position="lead", name=f"Kartrekker {name}")
    )
    await ProposalVersion.insert(
        ProposalVersion(
            proposal=proposal_id,
            number=1,
            snapshot={"title": f"Voorstel {name}", "contact": f"Contact {name}", "bouwteam": []},
        )
    )
    stored = store(upload_dir, f"%PDF-1.4 bijlage van {name}".encode())
    files[name] = stored
    await Attachment.insert(
        Attachment(
            proposal=proposal_id,
            kind="other",
            display_name=f"cv-{name}.pdf",
            stored_name=stored,
            format="pdf",
            size=10,
            sha256="0" * 64,
        )
    )
    await Question.insert(
        Question(proposal=proposal_id, question=f"Wie is {name}?", answer=f"{name} is de trekker")
    )
    return proposal_id


async def build(settings: Settings) -> World:
    year, next_year, projects = await busy_year()
    network = year.network
    upload_dir = settings.upload_dir
    upload_dir.mkdir(parents=True, exist_ok=True)
    # The process allocation is settled later: within its period on TODAY.
    await Project.update({Project.settled_on: dt.date(2022, 3, 1)}).where(
        Project.id == projects["process"]
    )
    round_row = await Round.insert(
        Round(
            network=network,
            budget_year=year.budget_year,
            title="Ronde 2021",
            opens_at=at(dt.date(2021, 1, 1)),
            closes_at=at(dt.date(2021, 3, 1)),
        )
    ).returning(Round.id)
    round_id = round_row[0]["id"]
    applicant = await factories.member(network, factories.Role.applicant)
    # Accounts: deactivated long ago, deactivated lately, never logged in, active and old.
    officer_old = await factories.user("oud@example.org", "Olga Oud", active=False)
    await User.update({User.last_login_at: at(dt.date(2027, 6, 1))}).where(User.id == officer_old)
    await factories.member(network, factories.Role.region_officer, user_id=officer_old)
    recent = await factories.user("recent@example.org", "Rik Recent", active=False)
    await User.update({User.last_login_at: at(dt.date(2028, 6, 1))}).where(User.id == recent)
    never = await factories.user("nooit@example.org", "Nina Nooit", active=False)
    await User.update({User.created_at: at(dt.date(2020, 1, 1))}).where(User.id == never)
    active_old = await factories.user("actief@example.org", "Anton Actief")
    await User.update({User.last_login_at: at(dt.date(2020, 1, 1))}).where(User.id == active_old)

    files: dict[str, str] = {}
    make = {
        # name: (state, closed on)
        "Settled": ("granted", dt.date(2021, 11, 1)),
        "Running": ("granted", dt.date(2021, 11, 1)),
        "Process": ("granted", dt.date(2021, 11, 2)),
        "RejectedOld": ("rejected", dt.date(2025, 1, 1)),
        "RejectedNew": ("rejected", dt.date(2028, 6, 1)),
        "WithdrawnOld": ("withdrawn", dt.date(2026, 12, 1)),
        "DraftOld": ("draft", dt.date(2020, 1, 1)),
    }
    proposals = {}
    for name, (state, closed) in make.items():
        proposals[name] = await _proposal(
            network,
            round_id,
            applicant,
            state,
            closed,
            files,
            upload_dir,
            name,
            # The old officer is the contact of the running project's proposal.
            contact_email="OUD@example.org" if name == "Running" else "",
        )
    await ConflictDeclaration.insert(
        ConflictDeclaration(
            proposal=proposals["RejectedOld"],
            reviewer=active_old,
            kind="personal",
            reason="Mijn zus werkt daar",
        )
    )
    for key, name in (("settled", "Settled"), ("running", "Running"), ("process", "Process")):
        await Project.update({Project.proposal_id: proposals[name]}).where(
            Project.id == projects[key]
        )
    reports = [r["id"] for r in await Report.select(Report.id)]
    for report_id in reports:
        stored = store(upload_dir, f"%PDF-1.4 factuur {report_id}".encode())
        files[f"report-{report_id}"] = stored
        await ReportAttachment.insert(
            ReportAttachment(
                report=report_id,
                display_name="factuur.pdf",
                stored_name=stored,
                format="pdf",
                size=10,
                sha256="0" * 64,
            )
        )
    await Report.update({Report.return_reason: "Graag de naam van Jan toevoegen"}).where(
        Report.id.is_in(reports)
    )
    # The old officer handed in the reports: they keep pointing at the erased row.
    await Report.update({Report.submitted_by: officer_old}).where(Report.id.is_in(reports))
    # A letter about each project (the settled one has its settlement letter already).
    for key in ("running", "process"):
        await Letter.insert(
            Letter(
                network=network,
                kind="grant",
                object_type="project",
                object_id=projects[key],
                subject="Brief",
                html="<p>Beste Jan Jansen</p>",
            )
        )
    return World(
        (year.budget_year, next_year.budget_year),
        network,
        projects,
        proposals,
        {
            "officer_old": officer_old,
            "recent": recent,
            "never": never,
            "active_old": active_old,
            "applicant": applicant,
            "coordinator": year.coordinator,
        },
        files,
        reports,
    )


TABLES: list[type[Table]] = [
    User,
    Proposal,
    BouwteamMember,
    ProposalVersion,
    Attachment,
    Question,
    ConflictDeclaration,
    Project,
    Report,
    ReportAttachment,
    Letter,
    Entry,
]


async def dump() -> dict[str, list[dict]]:
    out = {}
    for table in TABLES:
        rows = await table.select().order_by(table._meta.primary_key).output(load_json=True)
        out[table._meta.tablename] = [
            {k: (bytes(v) if isinstance(v, memoryview) else v) for k, v in r.items()} for r in rows
        ]
    return out


async def books(world: World) -> list:
    """The SPUK workbook's data of both years, and the entries: what must not change."""
    for year_id in world.year_ids:
        await check_year(year_id)  # raises on a broken invariant
    data = [dataclasses.asdict(await spuk.gather(world.network, y)) for y in (2021, 2022)]
    entries = await Entry.select().order_by(Entry.id)
    return [data, entries]


def cells(workbook: bytes) -> dict[str, list[tuple]]:
    """Every value of every sheet of a workbook: its totals and its checks among them."""
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


@pytest.fixture
async def world(database, settings: Settings) -> World:
    register_domain_hooks()
    return await build(settings)


async def test_a_run_anonymises_exactly_what_is_past_its_period(
    world: World, settings: Settings
) -> None:
    before_books = await books(world)
    workbook_before = spuk.build_workbook(
        await spuk.gather(world.network, 2021), exported_at=at(TODAY)
    )
    before = await dump()
    events_before = await AuditEvent.count()

    summary = await run(TODAY, settings.upload_dir)

    done = {k: sorted(d.object_id for d in v) for k, v in summary.done.items()}
    assert done == {
        RetentionKind.financial: [world.projects["settled"]],
        RetentionKind.closed_proposal: sorted(
            [world.proposals["RejectedOld"], world.proposals["WithdrawnOld"]]
        ),
        RetentionKind.account: sorted([world.users["officer_old"], world.users["never"]]),
    }
    # One audit event per record, with what kinds of data went and none of the values.
    events = await AuditEvent.select().where(AuditEvent.action == "retention_anonymised")
    assert len(events) == 5 == await AuditEvent.count() - events_before
    for event in events:
        assert "Jan" not in str(event["details"]) and "example.org" not in str(event["details"])
    project_event = next(e for e in events if e["object_type"] == "project")
    details = project_event["details"]
    if isinstance(details, str):
        details = json.loads(details)
    assert {"contact", "attachments", "letters", "report_texts", "report_attachments"} <= set(
        details["removed"]
    )

    # The books are whole: the same entries, no broken invariant, the same SPUK workbook.
    assert await books(world) == before_books
    workbook_after = spuk.build_workbook(
        await spuk.gather(world.network, 2021), exported_at=at(TODAY)
    )
    assert cells(workbook_after) == cells(workbook_before)

    after = await dump()
    proposals = {p["id"]: p for p in after["proposal"]}
    old = {p["id"]: p for p in before["proposal"]}
    settled = proposals[world.proposals["Settled"]]
    assert (settled["contact_name"], settled["contact_email"], settled["contact_phone"]) == (
        MARKER,
        "",
        "",
    )
    assert settled["procurement_expert_name"] == MARKER
    assert settled["summary"] == old[settled["id"]]["summary"]  # its texts stay
    assert settled["title"] == old[settled["id"]]["title"]
    for name in ("RejectedOld", "WithdrawnOld"):
        closed = proposals[world.proposals[name]]
        assert closed["summary"] == MARKER and closed["contact_email"] == ""
        assert closed["transformation_goals"] == {"earlier_help": MARKER}
        assert closed["title"] == f"Voorstel {name}"
        assert closed["anonymised_at"] is not None
    for name in ("Running", "Process", "RejectedNew", "DraftOld"):
        row = proposals[world.proposals[name]]
        assert row["anonymised_at"] is None
        assert row["summary"] == old[row["id"]]["summary"]
    # The running proposal's contact was the erased officer: blanked; the others keep theirs.
    assert proposals[world.proposals["Running"]]["contact_email"] == ""
    assert proposals[world.proposals["Process"]]["contact_email"] == "process@example.org"

    gone = {world.proposals[n] for n in ("Settled", "RejectedOld", "WithdrawnOld")}
    assert {a["proposal"] for a in after["attachment"]} == set(world.proposals.values()) - gone
    for name in ("Settled", "RejectedOld", "WithdrawnOld"):
        assert not (settings.upload_dir / world.files[name]).exists()
    for name in ("Running", "Process", "RejectedNew", "DraftOld"):
        assert (settings.upload_dir / world.files[name]).exists()
    versions = {v["proposal"]: v for v in after["proposal_version"]}
    assert versions[world.proposals["Settled"]]["snapshot"]["contact"] == MARKER
    assert versions[world.proposals["RejectedNew"]]["snapshot"]["contact"] == "Contact RejectedNew"
    bouwteam = {b["proposal"]: b["name"] for b in after["bouwteam_member"]}
    assert bouwteam[world.proposals["Settled"]] == MARKER
    assert bouwteam[world.proposals["Running"]] == "Kartrekker Running"
    questions = {q["proposal"]: q for q in after["question"]}
    assert questions[world.proposals["Settled"]]["answer"] == MARKER
    assert questions[world.proposals["RejectedOld"]]["question"] == MARKER
    assert questions[world.proposals["RejectedNew"]]["question"] == "Wie is RejectedNew?"
    assert after["conflict_declaration"][0]["reason"] == MARKER

    # The settled project's reports, their files and its letters; the others keep theirs.
    settled_reports = {
        r["id"] for r in after["ledger_report"] if r["project"] == world.projects["settled"]
    }
    for report in after["ledger_report"]:
        mine = report["id"] in settled_reports
        assert (report["return_reason"] == MARKER) is mine
        assert (settings.upload_dir / world.files[f"report-{report['id']}"]).exists() is not mine
    assert {a["report"] for a in after["report_attachment"]}.isdisjoint(settled_reports)
    letters = {(lt["object_type"], lt["object_id"]): lt for lt in after["letter"]}
    assert letters[("project", world.projects["settled"])]["html"] == ANONYMISED_HTML
    assert letters[("project", world.projects["running"])]["html"] == "<p>Beste Jan Jansen</p>"
    projects = {p["id"]: p for p in after["ledger_project"]}
    assert projects[world.projects["settled"]]["anonymised_at"] is not None
    assert projects[world.projects["process"]]["anonymised_at"] is None
    for project in before["ledger_project"]:
        kept = {k: v for k, v in project.items() if k != "anonymised_at"}
        assert {k: projects[project["id"]][k] for k in kept} == kept

    # Accounts: the two past their period are erased; the rest are as they were.
    users = {u["id"]: u for u in after["portal_user"]}
    for key in ("officer_old", "never"):
        user = users[world.users[key]]
        assert user["name"] == f"Gewiste gebruiker {user['id']}"
        assert user["email"] == f"gewist-{user['id']}@invalid"
        assert user["password_hash"] == "" and user["erased_at"] is not None
    for key in ("recent", "active_old", "applicant", "coordinator"):
        user_id = world.users[key]
        assert users[user_id] == next(u for u in before["portal_user"] if u["id"] == user_id)
    # The reports the erased officer handed in still point at the row.
    assert {r["submitted_by"] for r in after["ledger_report"]} == {world.users["officer_old"]}

    # A second run does nothing more.
    events_after = await AuditEvent.count()
    again = await run(TODAY, settings.upload_dir)
    assert again.done == {} and again.files_deleted == 0
    assert await dump() == after
    assert await AuditEvent.count() == events_after
    assert await books(world) == before_books


async def test_a_dry_run_writes_nothing(world: World, settings: Settings) -> None:
    before = await dump()
    events = await AuditEvent.count()
    summary = await run(TODAY, settings.upload_dir, dry_run=True)
    assert sum(len(v) for v in summary.done.values()) == 5
    assert any("zou worden geanonimiseerd" in line for line in summary.lines())
    assert await dump() == before
    assert await AuditEvent.count() == events
    for stored in world.files.values():
        assert (settings.upload_dir / stored).exists()


async def test_a_longer_period_keeps_more(world: World, settings: Settings) -> None:
    coordinator = await principal(world.users["coordinator"])
    from portal.accounts.retention_services import set_periods

    await set_periods(coordinator, {RetentionKind.financial: 120, RetentionKind.account: 24})
    assert (await periods())[RetentionKind.financial] == 120
    summary = await run(TODAY, settings.upload_dir)
    assert RetentionKind.financial not in summary.done
    assert [d.object_id for d in summary.done[RetentionKind.account]] == [world.users["never"]]
    assert await RetentionPeriod.count() == 2


def test_portal_retention_on_the_command_line(tmp_path, monkeypatch, capsys) -> None:
    from portal.lib import db

    previous = db.current_engine()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path))
    try:
        assert main(["migrate"]) == 0
        capsys.readouterr()
        assert main(["retention", "--dry-run"]) == 0
        dry = capsys.readouterr().out
        assert main(["retention"]) == 0
        real = capsys.readouterr().out
    finally:
        db.use_engine(previous)
    assert dry.startswith("Proefdraai: er is niets veranderd.")
    assert "Gedeactiveerde accounts: 0 zou worden geanonimiseerd (niets)" in dry
    assert "Afgewezen en ingetrokken voorstellen: 0 geanonimiseerd (niets)" in real
    assert "0 bestand(en) verwijderd." in real


async def test_registry_is_filled_by_the_assembly(database) -> None:
    register_domain_hooks()
    register_domain_hooks()
    assert [k.kind for k in retention.KEEPERS] == [
        RetentionKind.financial,
        RetentionKind.closed_proposal,
        RetentionKind.account,
    ]
