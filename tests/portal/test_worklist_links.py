"""`WorkContext.url` reverses a route once per request and fills the ids of its items into the
address around marker numbers (the coordinator's start page names hundreds of objects): every
address must be the one Litestar's route_reverse gives, in any order of its parameters."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.worklist import WorkContext
from portal.app import create_app
from portal.lib.settings import Settings


@pytest.fixture(scope="module")
def reverse():
    app = create_app(Settings.from_env({"PORTAL_ENV": "test"}), manage_engine=False)
    return app.route_reverse


def context(reverse, calls: list[str]) -> WorkContext:
    def counted(name: str, **params: object) -> str:
        calls.append(name)
        return reverse(name, **params)

    return WorkContext(
        principal=Principal(user_id=1, email="c@example.org", name="C", memberships=()),
        network=NetworkRef(1, "zuid-west", "Zuid-West"),
        now=dt.datetime(2026, 12, 4, tzinfo=dt.UTC),
        reverse=counted,
    )


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("review:proposal", [{"proposal_id": n} for n in (1, 7, 42, 1_000_000, 7319)]),
        ("ledger:year", [{"year_id": n} for n in (3, 30)]),
        # Two ids: in the address in an order other than their names'.
        (
            "proposals:version",
            [{"proposal_id": 12, "number": 3}, {"proposal_id": 3, "number": 12}],
        ),
        ("ledger:report", [{"report_id": 5}, {"report_id": 5, "network": "limburg"}]),
    ],
)
def test_each_address_is_route_reverse_s(reverse, name: str, params: list[dict]) -> None:
    calls: list[str] = []
    ctx = context(reverse, calls)
    for p in params:
        assert ctx.url(name, **p) == reverse(name, **({"network": "zuid-west"} | p))
    # One reverse per route and set of other parameters, however many ids.
    assert len(calls) == len({p.get("network") for p in params})


def test_a_route_without_ids_is_reversed_as_it_is(reverse) -> None:
    calls: list[str] = []
    ctx = context(reverse, calls)
    assert ctx.url("ledger:payment_requests") == reverse(
        "ledger:payment_requests", network="zuid-west"
    )
    assert ctx.url("ledger:payment_requests") == reverse(
        "ledger:payment_requests", network="zuid-west"
    )
    assert len(calls) == 2
