"""The read-only API fuzzed with schemathesis against its own OpenAPI schema, on both databases.

Schemathesis' own ASGI transport runs the app on an event loop of its own, while the database
engine of these tests lives on pytest-asyncio's session loop. So schemathesis only *generates*
the requests (Hypothesis strategies from /api/docs/openapi.json) and *judges* the answers
(`case.validate_response`); the requests themselves go through the ordinary async `client`
fixture. Generation is derandomized and bounded, so every run sends the same requests.
How to rerun and what was found: docs/api-fuzzing.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.portal.test_api import World
from tests.portal.test_api import world as world  # the fixture
from tests.proposals.conftest import zw as zw  # the fixture `world` builds on

BASE_URL = "http://testserver"
# Examples per operation and generation pass (fewer where there is little to vary: /networks
# has no parameters). With five operations that is about 400 requests with the token, 200
# without a valid one and 120 with another network's, per database: some 15 seconds each.
EXAMPLES = 40
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same requests on every run and in CI
    database=None,  # nothing carried over from earlier runs either
    deadline=None,
    # Only generating: the requests are sent afterwards, so there is nothing to shrink.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@dataclass
class Tally:
    """What was sent, per operation, and every check that failed (reported all at once)."""

    sent: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def count(self, label: str, response: httpx.Response) -> None:
        self.sent[label] = self.sent.get(label, 0) + 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1


def draw(strategy: st.SearchStrategy[Any]) -> list[Any]:
    """The examples Hypothesis generates for a strategy, collected to be sent asynchronously."""
    drawn: list[Any] = []

    @FUZZ
    @given(strategy)
    def collect(example: Any) -> None:
        drawn.append(example)

    # Negative generation for an operation whose only parameter is fixed: nothing to break.
    with contextlib.suppress(Unsatisfiable):
        collect()
    return drawn


async def send(
    client: httpx.AsyncClient,
    case: Case,
    authorization: str | None = None,
    *,
    replace: bool = False,
) -> httpx.Response:
    """The case as schemathesis would send it; with `replace`, `authorization` (None: no
    header at all) instead of the case's own."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    headers = dict(kwargs["headers"])
    if replace:
        headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        if authorization is not None:
            headers["Authorization"] = authorization
    # Bytes, so that any Latin-1 header value reaches the app as it was generated (httpx would
    # refuse to encode a non-ASCII str itself).
    raw = {k: v.encode("latin-1") if isinstance(v, str) else v for k, v in headers.items()}
    return await client.request(
        kwargs["method"], kwargs["url"], headers=raw, params=kwargs.get("params")
    )


def judge(
    tally: Tally,
    case: Case,
    response: httpx.Response,
    checks: list[Callable[..., Any]],
    expect: int | None = None,
) -> None:
    label = f"{case.method} {case.path}"
    tally.count(label, response)
    problems: list[str] = []
    if expect is not None and response.status_code != expect:
        problems.append(f"expected {expect}, got {response.status_code}")
    try:
        case.validate_response(response, checks=checks)
    except (Failure, FailureGroup) as failed:  # reported with the others at the end
        problems.append(str(failed))
    if problems:
        request = response.request
        tally.failures.append(
            f"{label}: {request.method} {request.url} -> {response.status_code} "
            f"{response.text[:300]!r}\n  " + "\n  ".join(problems)
        )


@pytest.fixture
async def api_schema(client: httpx.AsyncClient) -> schemathesis.BaseSchema:
    # The schema the app publishes, exactly as a client of the API reads it.
    response = await client.get("/api/docs/openapi.json")
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(response.json())


def operations(schema: schemathesis.BaseSchema) -> list[Any]:
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) == 6, [f"{o.method} {o.path}" for o in found]
    return found


def report(tally: Tally, what: str) -> None:
    print(
        f"\n{what}: {sum(tally.sent.values())} requests; per operation {tally.sent}; "
        f"statuses {dict(sorted(tally.statuses.items()))}"
    )
    assert not tally.failures, f"{len(tally.failures)} failures:\n" + "\n".join(tally.failures)


async def test_fuzz_with_the_token(client, world: World, api_schema) -> None:
    """Every operation with generated parameters and a valid token: valid values (in any
    network, and in the token's own one so that real rows come back) and invalid ones."""
    bearer = f"Bearer {world.token}"
    tally = Tally()
    for operation in operations(api_schema):
        own = {"network": "zuid-west"} if "{network}" in operation.path else None
        # Any slug (a stranger's network or garbage: 404 before any query), then the token's
        # own network with valid and with invalid parameters, where the queries do run.
        passes = [
            (GenerationMode.POSITIVE, None),
            (GenerationMode.POSITIVE, own),
            (GenerationMode.NEGATIVE, own),
        ]
        for mode, path_parameters in passes:
            # The token as a fixed header: negative generation then breaks the parameters, not
            # the authentication (that is the other test's subject).
            strategy = operation.as_strategy(
                generation_mode=mode,
                path_parameters=path_parameters,
                headers={"Authorization": bearer},
            )
            # Valid values must be accepted (else the declaration is too wide), invalid ones
            # refused with 4xx (else it is too narrow).
            if mode.is_negative:
                checks = [*CHECKS, negative_data_rejection]
            else:
                checks = [*CHECKS, positive_data_acceptance]
            for case in draw(strategy):
                judge(tally, case, await send(client, case), checks)
    report(tally, "with the token")
    # The run reached the queries, not only the doors: real rows and refused parameters.
    assert tally.statuses.get(200, 0) >= 20 and tally.statuses.get(400, 0) >= 20, tally.statuses


async def test_fuzz_without_a_valid_token(client, world: World, api_schema) -> None:
    """Without a token, with a wrong one or a mangled header: always 401, never more."""
    # Any Latin-1 text an HTTP server lets through to the app: no control characters (h11 and
    # uvicorn refuse CR, LF and NUL in a header before the app sees it) and no leading blank.
    latin1 = st.text(st.characters(codec="latin-1", exclude_categories=("Cc",)), max_size=80)
    headers = st.one_of(
        st.none(),
        st.just(f"Bearer {world.token}x"),
        st.just(f"Bearer {world.token[:-1]}"),
        st.just(f"Basic {world.token}"),
        st.just("Bearer"),
        st.builds(lambda secret: f"Bearer {secret}", latin1),
        latin1.map(str.lstrip),
    )
    tally = Tally()
    for operation in operations(api_schema):
        strategy = st.tuples(operation.as_strategy(), headers)
        for case, authorization in draw(strategy):
            response = await send(client, case, authorization, replace=True)
            judge(tally, case, response, CHECKS, expect=401)
    report(tally, "without a valid token")


async def test_fuzz_with_another_networks_token(client, world: World, api_schema) -> None:
    """Limburg's token on Zuid-West's paths, whatever the parameters: 404 and no Zuid-West data;
    /networks lists Limburg alone."""
    bearer = f"Bearer {world.limburg_token}"
    tally = Tally()
    for operation in operations(api_schema):
        theirs = {"network": "zuid-west"} if "{network}" in operation.path else None
        strategy = operation.as_strategy(path_parameters=theirs, headers={"Authorization": bearer})
        for case in draw(strategy):
            response = await send(client, case)
            judge(tally, case, response, CHECKS, expect=404 if theirs else 200)
            if theirs is None:
                assert [n["slug"] for n in response.json()] == ["limburg"]
            assert "Zuid-West" not in response.text and "Wachtlijst" not in response.text
    report(tally, "with another network's token")
