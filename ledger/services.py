"""Services of the ledger domain (the only writers), and the reads other domains may use."""

from __future__ import annotations

from ledger.money import format_euros
from ledger.tables import BudgetYear
from portal import events
from portal.db import write_transaction
from portal.principal import Principal
from portal.tables import Network

Problems = dict[str, str]
FIRST_YEAR, LAST_YEAR = 2015, 2100


async def create_budget_year(
    actor: Principal,
    network_id: int,
    year: int | None,
    spuk_amount_cents: int | None,
    grant_reference: str = "",
) -> tuple[int | None, Problems]:
    problems: Problems = {}
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        problems["year"] = f"Vul een jaartal in tussen {FIRST_YEAR} en {LAST_YEAR}."
    if spuk_amount_cents is None or spuk_amount_cents <= 0:
        problems.setdefault("spuk_amount", "Vul het SPUK-bedrag in; het moet groter zijn dan nul.")
    if problems:
        return None, problems
    network = await Network.select().where(Network.id == network_id).first()
    async with write_transaction():
        if await BudgetYear.exists().where(
            (BudgetYear.network == network_id) & (BudgetYear.year == year)
        ):
            return None, {"year": f"Het begrotingsjaar {year} bestaat al."}
        row = await BudgetYear.insert(
            BudgetYear(
                network=network_id,
                year=year,
                spuk_amount_cents=spuk_amount_cents,
                unforeseen_reserve_bp=network["unforeseen_reserve_bp"],
                themes_reserve_bp=network["themes_reserve_bp"],
                grant_reference=grant_reference.strip()[:200],
            )
        ).returning(BudgetYear.id)
        budget_year_id = row[0]["id"]
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="budget_year_created",
            object_type="budget_year",
            object_id=budget_year_id,
            summary=f"Begrotingsjaar {year} aangemaakt met SPUK-bedrag "
            f"{format_euros(spuk_amount_cents)}",
            details={"year": year, "spuk_amount_cents": spuk_amount_cents},
        )
    return budget_year_id, {}


async def budget_years_of(network_id: int) -> list[dict]:
    return (
        await BudgetYear.select()
        .where(BudgetYear.network == network_id)
        .order_by(BudgetYear.year, ascending=False)
    )


async def budget_year(network_id: int, budget_year_id: int) -> dict | None:
    return (
        await BudgetYear.select()
        .where((BudgetYear.id == budget_year_id) & (BudgetYear.network == network_id))
        .first()
    )
