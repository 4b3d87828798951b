"""The start page as a work list: what waits for a person now, per role, from every domain.

Each domain offers sources: given who asks in which network, the lists of its work for one role
(a list has a title, a count, its first items with their deadlines and links, and the page with
all of them). It also says how to name and link the objects its audit events are about, so that
"Uw recente activiteit" says *which* proposal was handed to the region. The domains sit above
this layer, so the assembly registers them at start-up (`portal/app.register_domain_hooks`), as
it does for the reminders (`portal/accounts/reminders.py`); the start page asks `work_for` and
`recent_activity`.

A source runs only for a role the person holds in the network, and runs a few aggregate or
list statements however many items there are (`tests/portal/test_query_counts.py` pins them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from piccolo.query import Select

from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import AuditEvent, Role
from portal.lib.compiled import compiled
from portal.lib.together import Batch, Part, read_alone

T = TypeVar("T")

# Items a list shows on the start page; the count and the "all" link tell the rest.
SHOWN = 10
# Lines of the person's own recent activity.
RECENT = 8

# The order of the role blocks on the start page.
ROLE_ORDER = (
    Role.coordinator,
    Role.region_officer,
    Role.applicant,
    Role.reviewer,
    Role.auditor,
    Role.admin,
)


@dataclass(frozen=True)
class WorkItem:
    title: str  # names the object: the proposal's title, the project and year, the person
    href: str | None  # the object's own page (url_for by route name)
    note: str = ""  # what is asked, in Dutch: "2 vragen open", "teruggestuurd: …"
    due: dt.date | dt.datetime | None = None  # shown as a Dutch date (in Dutch local time)
    due_label: str = "uiterlijk"  # the word before the date ("sluit", "vóór", "uiterlijk")
    late: bool = False  # the deadline has passed


@dataclass(frozen=True)
class WorkList:
    key: str  # stable, for tests and the page's anchors: "applicant-drafts"
    title: str  # Dutch heading
    count: int  # all items, also those not shown
    items: tuple[WorkItem, ...]
    more_href: str | None = None  # the page with all of them, where one exists
    empty: str = ""  # said when nothing waits in a list that is always shown


def work_list(
    key: str,
    title: str,
    items: Sequence[WorkItem],
    more_href: str | None = None,
    *,
    count: int | None = None,
) -> WorkList:
    """A list of the first `SHOWN` items; `count` when there are more than `items` holds."""
    return WorkList(
        key, title, len(items) if count is None else count, tuple(items[:SHOWN]), more_href
    )


def work_list_of(
    key: str,
    title: str,
    rows: Sequence[T],
    item: Callable[[T], WorkItem],
    more_href: str | None = None,
) -> WorkList:
    """A list of all `rows` counted, with the items of only the first `SHOWN` made: the
    coordinator's lists run into the hundreds (every proposal under review, every report due),
    and making each item with its address was a tenth of the start page's time."""
    return WorkList(key, title, len(rows), tuple(item(r) for r in rows[:SHOWN]), more_href)


@dataclass(frozen=True)
class WorkContext:
    principal: Principal
    network: NetworkRef
    now: dt.datetime
    # Route name and path parameters to an address (Litestar's route_reverse, kept by
    # portal.lib.links: a list names hundreds of objects by one route); `network` is filled
    # in with the network's slug when not given.
    reverse: Callable[..., str]
    # The start page's reads, shared by all sources (`portal.lib.together.Batch`): each
    # round of reads of every source is one statement. Without it each read runs alone.
    batch: Batch | None = None

    async def read(self, query: Part) -> list[dict]:
        return await (self.batch.read(query) if self.batch else read_alone(query))

    async def gather(self, *work: Awaitable[T]) -> list[T]:
        if self.batch is not None:
            return await self.batch.gather(*work)
        return [await one for one in work]

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def url(self, name: str, **params: object) -> str:
        params.setdefault("network", self.network.slug)
        return self.reverse(name, **params)

    def has_role(self, *roles: Role) -> bool:
        return self.principal.has_role(self.network.id, *roles)


WorkSource = Callable[[WorkContext], Awaitable[list[WorkList]]]
SOURCES: list[tuple[Role, WorkSource]] = []


def register(role: Role, source: WorkSource) -> None:
    """Add a domain's lists for one role; lists show in the order their sources register."""
    if (role, source) not in SOURCES:
        SOURCES.append((role, source))


async def work_for(ctx: WorkContext) -> dict[Role, list[WorkList]]:
    """Per role the person holds in the network (in `ROLE_ORDER`), the lists of every domain."""
    roles = ctx.principal.roles_in(ctx.network.id)
    result: dict[Role, list[WorkList]] = {role: [] for role in ROLE_ORDER if role in roles}
    asked = [(role, source) for role, source in SOURCES if role in result]
    answers = await ctx.gather(*(source(ctx) for _, source in asked))
    for (role, _), lists in zip(asked, answers, strict=True):
        result[role].extend(lists)
    return result


@dataclass(frozen=True)
class ObjectLink:
    name: str  # "voorstel Wachtlijstbrug"
    href: str | None  # None where this person cannot open the object's page


# Given the ids of one object type, their names and links for this person: one or two
# statements for all of them.
ObjectNamer = Callable[[WorkContext, list[int]], Awaitable[dict[int, ObjectLink]]]
NAMERS: dict[str, ObjectNamer] = {}


def register_object(object_type: str, namer: ObjectNamer) -> None:
    NAMERS.setdefault(object_type, namer)


@dataclass(frozen=True)
class Activity:
    at: dt.datetime
    summary: str
    link: ObjectLink | None


@compiled("limit")
def recent_events_query(user_id: int, network_id: int, limit: int) -> Select:
    return (
        AuditEvent.select(
            AuditEvent.at, AuditEvent.summary, AuditEvent.object_type, AuditEvent.object_id
        )
        .where((AuditEvent.actor == user_id) & (AuditEvent.network == network_id))
        .order_by(AuditEvent.id, ascending=False)
        .limit(limit)
    )


async def recent_activity(ctx: WorkContext, limit: int = RECENT) -> list[Activity]:
    """The person's latest audit events in this network, each with the object it is about."""
    events = await ctx.read(recent_events_query(ctx.principal.user_id, ctx.network.id, limit))
    ids: dict[str, set[int]] = defaultdict(set)
    for e in events:
        if e["object_type"] in NAMERS and _is_id(e["object_id"]):
            ids[e["object_type"]].add(int(e["object_id"]))
    named = await ctx.gather(
        *(NAMERS[object_type](ctx, sorted(object_ids)) for object_type, object_ids in ids.items())
    )
    links = dict(zip(ids, named, strict=True))
    return [
        Activity(
            e["at"],
            e["summary"],
            links.get(e["object_type"], {}).get(int(e["object_id"]))
            if _is_id(e["object_id"])
            else None,
        )
        for e in events
    ]


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) < 19
