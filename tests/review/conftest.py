"""Zuid-West with reviewers: the proposals world of tests/proposals plus AO members and chairs."""

from __future__ import annotations

import pytest

from portal.accounts.tables import Role
from tests import factories
from tests.proposals.conftest import Zuidwest, principal, zw


@pytest.fixture
async def reviewers(zw: Zuidwest) -> dict[str, int]:
    region_c = await factories.region(zw.network, "Zuid-Holland Zuid")
    return {
        # From the submitting region A: a conflict for proposals of region A.
        "ao_a": await factories.member(
            zw.network,
            Role.reviewer,
            email="ao-a@example.org",
            region_id=zw.region_a,
            reviewer_kind="ao",
        ),
        "ao_b": await factories.member(
            zw.network,
            Role.reviewer,
            email="ao-b@example.org",
            region_id=zw.region_b,
            reviewer_kind="ao",
        ),
        "chair_b": await factories.member(
            zw.network,
            Role.reviewer,
            email="chair-b@example.org",
            region_id=zw.region_b,
            reviewer_kind="chair",
        ),
        "chair_c": await factories.member(
            zw.network,
            Role.reviewer,
            email="chair-c@example.org",
            region_id=region_c,
            reviewer_kind="chair",
            organisation_id=zw.org_x,
        ),
        "ao_c": await factories.member(
            zw.network,
            Role.reviewer,
            email="ao-c@example.org",
            region_id=region_c,
            reviewer_kind="ao",
        ),
    }


__all__ = ["principal", "reviewers", "zw"]
