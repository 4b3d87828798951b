"""Several reads in one statement: the parts of a page in one round trip.

A page that reads its proposal's budget lines, attachments, bouwteam, themes and regions with
one query each pays each statement's fixed cost (Piccolo building it, the driver sending it,
the database planning it) five times. `together` sends them as one: each part stays an ordinary
Piccolo `Select` (so it reads, filters and orders as before, and can still be run on its own),
and the statement selects each part as a JSON array of its rows: PostgreSQL's `json_agg`,
SQLite's `json_group_array(json_object(...))`. The rows are then turned back into what Piccolo
itself returns (dates and times, booleans, JSON columns read or not as the part asked), which
`tests/portal/test_together.py` checks part by part against the query run alone, on both
databases.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from piccolo.columns import JSON, JSONB, Boolean, Date, Timestamp, Timestamptz
from piccolo.engine.base import Engine
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

from portal.lib.compiled import Shaped

Row = dict[str, Any]
T = TypeVar("T")


def _alias(selected: Any) -> str:
    alias = getattr(selected, "_alias", None)
    if alias:
        return str(alias)
    return str(selected._meta.get_default_alias())


def _aware(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _converter(selected: Any, load_json: bool, sqlite: bool) -> Callable[[Any], Any] | None:
    """How a column's JSON value becomes the value Piccolo returns for it, if it differs."""
    if isinstance(selected, Timestamptz):
        return _aware
    if isinstance(selected, Timestamp):
        return dt.datetime.fromisoformat
    if isinstance(selected, Date):
        return dt.date.fromisoformat
    if isinstance(selected, Boolean):
        return bool
    if isinstance(selected, JSON | JSONB):
        if sqlite:  # stored as text: a string inside the JSON
            return json.loads if load_json else None
        return None if load_json else json.dumps
    return None


@dataclass(frozen=True)
class Raw:
    """A hand-written read for `together`: its SQL with `{}` for each argument, and the names
    of the columns it selects (SQLite's JSON needs them). Its values come back as JSON gives
    them: numbers and text, so keep to those."""

    sql: str
    args: tuple[Any, ...]
    columns: tuple[str, ...]
    db: Engine

    async def run(self) -> list[Row]:
        return await self.db.run_querystring(QueryString(self.sql, *self.args))


Part = Select | Raw | Shaped


def _fragment(query: Part, sqlite: bool) -> tuple[QueryString, list[str], dict[str, Callable]]:
    if isinstance(query, Shaped):
        return query.fragment(sqlite, _fragment)
    if isinstance(query, Raw):
        inner, aliases = QueryString(query.sql, *query.args), list(query.columns)
        if sqlite:
            pairs = ", ".join(f"'{a}', t.\"{a}\"" for a in aliases)
            template = (
                f"(SELECT COALESCE(json_group_array(json_object({pairs})), '[]') FROM ({{}}) t)"  # noqa: S608
            )
        else:
            template = "(SELECT COALESCE(json_agg(t), '[]'::json) FROM ({}) t)"
        return QueryString(template, inner), aliases, {}
    inner = query.querystrings[0]  # also fills in the selected columns of a bare select()
    selected = list(query.columns_delegate.selected_columns)
    load_json = bool(query.output_delegate._output.load_json)
    aliases = [_alias(c) for c in selected]
    converters = {
        alias: convert
        for alias, column in zip(aliases, selected, strict=True)
        if (convert := _converter(column, load_json, sqlite)) is not None
    }
    return _as_json(inner, aliases, sqlite), aliases, converters


def _as_json(inner: QueryString, aliases: list[str], sqlite: bool) -> QueryString:
    """The rows of `inner` as one JSON array of objects."""
    if sqlite:
        # The aliases are the code's column names, never a request's text. SQLite takes at
        # most 127 arguments to a function in older builds: a wide row is made of objects of
        # at most 50 columns each, merged by json_patch.
        objects = [
            "json_object(" + ", ".join(f"'{a}', t.\"{a}\"" for a in aliases[i : i + 50]) + ")"
            for i in range(0, len(aliases), 50)
        ]
        row = objects[0]
        for more in objects[1:]:
            row = f"json_patch({row}, {more})"
        template = f"(SELECT COALESCE(json_group_array({row}), '[]') FROM ({{}}) t)"  # noqa: S608
    else:
        template = "(SELECT COALESCE(json_agg(t), '[]'::json) FROM ({}) t)"
    return QueryString(template, inner)


def _engine(part: Part) -> Engine:
    return part.db if isinstance(part, Raw) else part.table._meta.db  # Shaped has .table


async def together(**parts: Part) -> dict[str, list[Row]]:
    """Run `parts` (name -> Piccolo select, or `Raw`) as one statement; each name gets its
    rows, as the select alone would return them. The parts must be of one database."""
    if not parts:
        return {}
    engine = _engine(next(iter(parts.values())))
    sqlite = engine.engine_type == "sqlite"
    fragments, shapes = [], {}
    for name, query in parts.items():
        if not name.isidentifier():
            raise ValueError(f"part name {name!r} must be an identifier")
        fragment, aliases, converters = _fragment(query, sqlite)
        fragments.append(fragment)
        shapes[name] = (aliases, converters)
    columns = ", ".join(f'{{}} AS "{name}"' for name in parts)
    response = await engine.run_querystring(QueryString(f"SELECT {columns}", *fragments))
    row = response[0]
    result: dict[str, list[Row]] = {}
    for name, (aliases, converters) in shapes.items():
        raw = row[name]
        rows = json.loads(raw) if isinstance(raw, str | bytes) else raw
        for item in rows:
            for alias, convert in converters.items():
                if item.get(alias) is not None:
                    item[alias] = convert(item[alias])
        result[name] = [{alias: item.get(alias) for alias in aliases} for item in rows]
    return result


# The batch whose `gather` runs the current coroutine, if any.
_inside: ContextVar[Batch | None] = ContextVar("together_batch", default=None)


class Batch:
    """Reads of several coroutines at once, sent as one statement per round.

    The start page asks every domain for its work lists; each asks the database a few things,
    some only after an earlier answer. Run through `gather`, each source reads with
    `batch.read(query)`: once every source is either waiting for a read or done, the waiting
    reads go out together (`together`), and the sources go on with their rows. A source that
    reads in three steps costs three rounds, but the sources' rounds are shared: ten sources of
    two steps each cost two statements, not twenty.
    """

    def __init__(self) -> None:
        self._waiting: list[tuple[Part, asyncio.Future[list[Row]]]] = []
        self._running = 0  # coroutines of `gather` that are neither done nor waiting
        self.rounds = 0  # statements sent (tests and the bench count them)
        self._sending: set[asyncio.Future[None]] = set()

    async def read(self, query: Part) -> list[Row]:
        future: asyncio.Future[list[Row]] = asyncio.get_running_loop().create_future()
        self._waiting.append((query, future))
        self._running -= 1
        self._send_when_all_wait()
        return await future

    async def gather(self, *work: Awaitable[T]) -> list[T]:
        """Run `work` at once, their reads shared. Called from inside another coroutine of this
        batch, that one counts as waiting until `work` is done, and runs on in the place of the
        last of `work` to finish (so no round goes out without what it reads next)."""
        if not work:
            return []
        nested = _inside.get() is self
        self._running += len(work) - (1 if nested else 0)
        left = len(work)

        async def run(one: Awaitable[T]) -> T:
            nonlocal left
            _inside.set(self)
            try:
                return await one
            finally:
                left -= 1
                if not (nested and left == 0):
                    self._running -= 1
                    self._send_when_all_wait()

        # Every one of `work` ends before this returns, also when one fails: none is left
        # waiting for a round that would never go out.
        results = await asyncio.gather(*(run(one) for one in work), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return cast(list[T], results)

    def _send_when_all_wait(self) -> None:
        if self._running == 0 and self._waiting:
            waiting, self._waiting = self._waiting, []
            # Each waiting coroutine runs again once its rows are there.
            self._running += len(waiting)
            self.rounds += 1
            sending = asyncio.ensure_future(self._send(waiting))
            self._sending.add(sending)  # held until done: the loop keeps only a weak reference
            sending.add_done_callback(self._sending.discard)

    async def _send(self, waiting: list[tuple[Part, asyncio.Future[list[Row]]]]) -> None:
        try:
            read = await together(**{f"part_{i}": query for i, (query, _) in enumerate(waiting)})
        except BaseException as error:  # every waiting reader hears of it
            for _, future in waiting:
                if not future.done():
                    future.set_exception(error)
            return
        for i, (_, future) in enumerate(waiting):
            if not future.done():
                future.set_result(read[f"part_{i}"])


async def read_alone(query: Part) -> list[Row]:
    """`Batch.read` without a batch: the query on its own."""
    if isinstance(query, Shaped):  # its SQL from the cache
        return (await together(alone=query))["alone"]
    return await (query.run() if isinstance(query, Raw) else query)
