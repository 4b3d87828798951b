"""Direct allocations (DESIGN §2.10): the process costs a–e, learning and development,
coordination and the like, allocated by a decision of the coordinating municipality without a
proposal. From then on an allocation is a project like a grant: paid, reported on, settled, in
the SPUK workbook."""

from __future__ import annotations

from ledger.books.booking import EntryDraft, LedgerRefused, book
from ledger.books.projects import open_project, project_changed, refuse_outside_spend_window
from ledger.books.rules import ACCOUNT_CATEGORY, CATEGORY_LABELS
from ledger.books.tables import Account, BudgetYear, EntryKind, Project
from ledger.projects.allocation_forms import ALLOCATABLE_KINDS, AllocationInput, Recipient
from portal.accounts.principal import Principal
from portal.accounts.tables import Organisation, Region
from portal.lib.db import write_transaction
from portal.lib.money import format_euros


async def allocatable_accounts(budget_year_id: int) -> dict[int, str]:
    """The lines of a year that take an allocation, by id, named as the budget names them."""
    rows = (
        await Account.select(Account.id, Account.kind, Account.name)
        .where(
            (Account.budget_year == budget_year_id)
            & Account.kind.is_in([k.value for k in ALLOCATABLE_KINDS])
        )
        .order_by(Account.id)
    )
    return {
        r["id"]: f"{CATEGORY_LABELS[ACCOUNT_CATEGORY[r['kind']]]} – {r['name']}"
        if r["kind"] == "theme"
        else r["name"]
        for r in rows
    }


async def recipients_of(network_id: int) -> dict[str, Recipient]:
    """The recipients of the network by their choice in the form: the youth regions first (the
    usual recipients of the process costs), then the organisations."""
    regions = await Region.select(Region.id, Region.name).where(Region.network == network_id)
    organisations = await Organisation.select(
        Organisation.id, Organisation.name, Organisation.region
    ).where(Organisation.network == network_id)
    return {
        **{
            f"regio-{r['id']}": Recipient(r["name"], region_id=r["id"])
            for r in sorted(regions, key=lambda r: r["name"])
        },
        **{
            f"organisatie-{o['id']}": Recipient(
                o["name"], organisation_id=o["id"], region_id=o["region"]
            )
            for o in sorted(organisations, key=lambda o: o["name"])
        },
    }


async def allocate(
    actor: Principal, network_id: int, budget_year_id: int, allocation: AllocationInput
) -> int:
    """Book the allocation's commitment and open its project with a report per year of its
    period. The checks of what the form offered run again here, inside the transaction: a line
    or an organisation may have gone since the form was shown."""
    async with write_transaction():
        year = (
            await BudgetYear.select(BudgetYear.id)
            .where((BudgetYear.id == budget_year_id) & (BudgetYear.network == network_id))
            .first()
        )
        if year is None:
            raise LedgerRefused("Dit begrotingsjaar bestaat niet in dit netwerk.")
        await refuse_outside_spend_window(budget_year_id, allocation.end_date)
        if allocation.account_id not in await allocatable_accounts(budget_year_id):
            raise LedgerRefused(
                "Deze begrotingspost hoort niet bij dit jaar of neemt geen toewijzing aan; "
                "kies een proceskostenpost, leren en ontwikkelen of een thema."
            )
        if (allocation.organisation_id, allocation.region_id) != (None, None):
            known = {
                (r.organisation_id, r.region_id) for r in (await recipients_of(network_id)).values()
            }
            if (allocation.organisation_id, allocation.region_id) not in known:
                raise LedgerRefused("Deze ontvanger hoort niet bij dit netwerk.")
        project_id = await open_project(
            Project(
                budget_year=budget_year_id,
                account=allocation.account_id,
                proposal_id=None,
                network=network_id,
                title=allocation.title,
                recipient=allocation.recipient,
                recipient_organisation=allocation.organisation_id,
                recipient_kvk=allocation.recipient_kvk,
                region_id=allocation.region_id,
                start_date=allocation.start_date,
                end_date=allocation.end_date,
                decision_reference=allocation.decision_reference,
                decision_date=allocation.decision_date,
                decided_by=allocation.decided_by,
            ),
            allocation.start_date,
            allocation.end_date,
        )
        await book(
            actor,
            budget_year_id,
            [
                EntryDraft(
                    EntryKind.commitment,
                    allocation.account_id,
                    allocation.amount_cents,
                    project_id=project_id,
                    reason=f"Toewijzing {allocation.title} aan {allocation.recipient}",
                    document_reference=allocation.decision_reference,
                )
            ],
            network_id=network_id,
            summary=(
                f"Toewijzing {format_euros(allocation.amount_cents)} aan "
                f"{allocation.recipient}: {allocation.title}"
            ),
            object_type="project",
            object_id=project_id,
            booked_on=allocation.decision_date,
        )
        await project_changed(project_id)
    return project_id
