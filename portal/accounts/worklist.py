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
from dataclasses import dataclass, field
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


# Numbers no route holds as an id, each written once in an address.
_MARK = 7_319_000_000_000_000_000

Link = tuple[list[str], list[str]] | None


def _split_at_markers(address: str, numbers: list[str]) -> Link:
    """The address's text around the markers and the parameters in the order they appear;
    None when a marker is not in it exactly once (then the route is reversed each time)."""
    marks = {str(_MARK + i): k for i, k in enumerate(numbers)}
    if any(address.count(m) != 1 for m in marks):
        return None
    order = sorted(marks, key=address.index)
    pieces: list[str] = []
    rest = address
    for mark in order:
        before, _, rest = rest.partition(mark)
        pieces.append(before)
    pieces.append(rest)
    return pieces, [marks[m] for m in order]


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


@dataclass(frozen=True)
class WorkContext:
    principal: Principal
    network: NetworkRef
    now: dt.datetime
    # Route name and path parameters to an address (Litestar's route_reverse); `network` is
    # filled in with the network's slug when not given.
    reverse: Callable[..., str]
    # The start page's reads, shared by all sources (`portal.lib.together.Batch`): each
    # round of reads of every source is one statement. Without it each read runs alone.
    batch: Batch | None = None
    # Per route name and parameters other than ids: the address split around its ids.
    _links: dict[tuple, Link] = field(default_factory=dict, compare=False, repr=False)

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
        """The address of a route. A list names a few hundred objects by one route that
        differ only in an id, and reversing each cost more than the rest of its item: so
        the route is reversed once with marker numbers, and the ids go where the markers
        were (a path parameter of type int is written as its digits)."""
        params.setdefault("network", self.network.slug)
        numbers = sorted(k for k, v in params.items() if type(v) is int)
        if not numbers:
            return self.reverse(name, **params)
        key = (name, *numbers, *sorted((k, v) for k, v in params.items() if k not in numbers))
        if key not in self._links:
            marked = params | {k: _MARK + i for i, k in enumerate(numbers)}
            self._links[key] = _split_at_markers(self.reverse(name, **marked), numbers)
        link = self._links[key]
        if link is None:
            return self.reverse(name, **params)
        pieces, order = link
        text = pieces[0]
        for i, k in enumerate(order):
            text += str(params[k]) + pieces[i + 1]
        return text

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
