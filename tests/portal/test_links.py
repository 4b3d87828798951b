"""`portal.lib.links.Links` reverses a route once per set of parameters other than ids and
writes later ids where its marker numbers were (templates' url_for, `url`, the start page's
work lists): every address must be the one Litestar's route_reverse gives, with ids in any
order in the path, and a route is reversed once however many ids it is asked for."""

from __future__ import annotations

import pytest

from portal.app import create_app
from portal.lib import links as links_module
from portal.lib.links import Links
from portal.lib.settings import Settings


@pytest.fixture(scope="module")
def reverse():
    app = create_app(Settings.from_env({"PORTAL_ENV": "test"}), manage_engine=False)
    return app.route_reverse


def counted(reverse, calls: list[str]) -> Links:
    def one(name: str, **params: object) -> str:
        calls.append(name)
        return reverse(name, **params)

    return Links(one)


@pytest.mark.parametrize(
    ("name", "params", "reversed_"),
    [
        (
            "review:proposal",
            [{"network": "zuid-west", "proposal_id": n} for n in (1, 7, 42, 1_000_000, 7319)],
            1,
        ),
        # Two ids: in the address in an order other than their names'.
        (
            "proposals:version",
            [
                {"network": "zuid-west", "proposal_id": 12, "number": 3},
                {"network": "zuid-west", "proposal_id": 3, "number": 12},
            ],
            1,
        ),
        # Another network is another address to keep.
        (
            "ledger:report",
            [
                {"network": "zuid-west", "report_id": 5},
                {"network": "limburg", "report_id": 5},
                {"network": "limburg", "report_id": 6},
            ],
            2,
        ),
        # No ids: the whole address is kept.
        ("static", [{"file_path": "css/tokens.css"}, {"file_path": "css/tokens.css"}], 1),
        ("portal:index", [{}, {}, {}], 1),
    ],
)
def test_each_address_is_route_reverse_s(
    reverse, name: str, params: list[dict], reversed_: int
) -> None:
    calls: list[str] = []
    links = counted(reverse, calls)
    for p in params:
        assert links(name, **p) == reverse(name, **p)
    assert len(calls) == reversed_


def test_an_id_the_path_does_not_hold_is_reversed_each_time(reverse) -> None:
    calls: list[str] = []
    links = counted(reverse, calls)
    # route_reverse leaves out what its path has no place for; no marker to fill in.
    for _ in range(2):
        assert links("portal:index", page=2) == reverse("portal:index", page=2)
    assert len(calls) == 3  # the marked one, then each


def test_beyond_the_limit_nothing_more_is_kept(reverse, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(links_module, "MAX_KEPT", 2)
    calls: list[str] = []
    links = counted(reverse, calls)
    for slug in ("a", "b", "c", "c"):
        assert links("ledger:years", network=slug) == reverse("ledger:years", network=slug)
    assert len(calls) == 4


async def test_templates_and_pages_link_through_it(client) -> None:
    page = await client.get("/login")
    assert page.status_code == 200
    assert 'href="/static/css/tokens.css"' in page.text
