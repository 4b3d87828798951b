"""Tables of the ledger domain. Budget years come first; entries follow with the ledger issue."""

from __future__ import annotations

from piccolo.columns import BigInt, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.tables import Network


class BudgetYear(Table):
    """The SPUK grant of one network for one calendar year."""

    network = ForeignKey(Network, null=False, on_delete=OnDelete.restrict)
    year = Integer()
    spuk_amount_cents = BigInt()
    # Basis points; copied from the network's defaults when the year is created (2020: 0).
    unforeseen_reserve_bp = Integer(default=1000)
    themes_reserve_bp = Integer(default=1000)
    grant_reference = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())
