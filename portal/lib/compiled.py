"""Hot reads whose SQL Piccolo builds once per shape, not once per request.

Piccolo turns a `Select` into SQL anew for every request: for the proposal page's reads that
costs more than the database does (0,7 ms for the proposal's row of 55 columns with its five
joins, against 0,2 ms for SQLite to run it; docs/performance.md). A query function decorated
with `@compiled` still builds its `Select` each call (cheap: 0,02 ms), but `together` takes the
SQL from a cache: built the first time a query of that *shape* runs, by calling the function
once more with a `Slot` in place of each argument, so that the compiled statement shows where
each argument went.

The shape of a call is what decides its SQL apart from the values of its arguments: which
arguments are None, the values of booleans and enums (a function may choose its filters by
them), the length of a list (`is_in` writes a placeholder per element), and the values of the
arguments named in `fixed` (Piccolo writes LIMIT and OFFSET into the SQL itself).

A decorated function must put every value it filters on into the SQL only through its
arguments: a date it reads from the clock, a number it computes from an argument, would be
kept in the cache as it was the first time. Computing with an argument (`page * 50`, an
f-string, `sorted(ids)`) raises on a `Slot`, so such a function is never cached; the first use
of each shape compares the cached SQL and arguments with what Piccolo builds and keeps the
shape out of the cache if they differ; and with `PORTAL_CHECK_COMPILED=1` (the test suite)
every use is compared, so a function that breaks the rule fails its tests.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import logging
import os
from collections.abc import Callable, Generator
from dataclasses import dataclass
from enum import Enum
from string import Formatter
from typing import Any, ParamSpec

from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

P = ParamSpec("P")
log = logging.getLogger(__name__)
MAX_SHAPES = 256  # per function; `fixed` values (page numbers) come from requests
SCALARS = (int, str, float, dt.date)  # dt.datetime is a dt.date
_formatter = Formatter()


class Unshaped(TypeError):
    """The function did something with an argument other than hand it to Piccolo."""


class Slot:
    """Stands in for one argument (or one element of a list argument) while the SQL is built."""

    __slots__ = ("place",)

    def __init__(self, place: tuple[str, int | None]) -> None:
        self.place = place

    def __repr__(self) -> str:
        return f"Slot{self.place!r}"

    def _refuse(self, *_: object) -> Any:
        raise Unshaped(f"{self!r} was used in Python, not only handed to Piccolo")

    __bool__ = __len__ = __iter__ = __str__ = __format__ = __int__ = __index__ = _refuse
    __float__ = __neg__ = __abs__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __floordiv__ = __mod__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse


@dataclass(frozen=True)
class Flat:
    """A statement as one template and its arguments: each argument a constant or a `Slot`."""

    template: str
    args: tuple[Any, ...]

    @classmethod
    def of(cls, query: QueryString) -> Flat:
        _, fragments, args = query.bundle(start_index=1, bundled=[], combined_args=[])
        template = "".join(
            f.prefix.replace("{", "{{").replace("}", "}}") + ("" if f.no_arg else "{}")
            for f in fragments
        )
        return cls(template, tuple(args))

    def filled(self, values: dict[str, Any]) -> QueryString:
        return QueryString(self.template, *(_fill(a, values) for a in self.args))


def _fill(arg: Any, values: dict[str, Any]) -> Any:
    if type(arg) is not Slot:
        return arg
    name, index = arg.place
    return values[name] if index is None else values[name][index]


Fragment = tuple[QueryString, list[str], dict[str, Callable]]
MakeFragment = Callable[[Select, bool], Fragment]


@dataclass(frozen=True)
class Cached:
    flat: Flat
    aliases: list[str]
    converters: dict[str, Callable]


def _check_all() -> bool:
    return os.environ.get("PORTAL_CHECK_COMPILED", "") not in ("", "0")


class Shaped:
    """What a `@compiled` function returns: its `Select` (built only when needed), and how to
    find its SQL in the cache. `together` reads it from the cache; run alone (awaited, `.run()`,
    `.first()`) it is the plain `Select`."""

    __slots__ = ("_built", "_function", "_key", "_values")

    def __init__(self, function: _Function, key: tuple | None, values: dict[str, Any]) -> None:
        self._function = function
        self._key = key
        self._values = values
        self._built: Select | None = None

    @property
    def select(self) -> Select:
        if self._built is None:
            self._built = self._function.build(self._values)
        return self._built

    @property
    def table(self) -> Any:
        """The select's table, without building it once its shape has been seen."""
        tables = self._function.tables
        table = tables.get(self._key) if self._key is not None else None
        if table is None:
            table = self.select.table
            if self._key is not None and len(tables) < MAX_SHAPES:
                tables[self._key] = table
        return table

    def __await__(self) -> Generator[Any, None, list[dict[str, Any]]]:
        return self.select.__await__()

    async def run(self) -> list[dict[str, Any]]:
        return await self.select.run()

    def first(self) -> Any:
        return self.select.first()

    def fragment(self, sqlite: bool, make: MakeFragment) -> Fragment:
        """The select's JSON fragment for `together`: from the cache when this shape is there."""
        if self._key is None:
            return make(self.select, sqlite)
        key = (sqlite, self._key)
        cache = self._function.cache
        if key in cache:
            cached = cache[key]
        else:
            cached = self._learn(sqlite, make)
            if len(cache) < MAX_SHAPES:
                cache[key] = cached
        if cached is None:
            return make(self.select, sqlite)
        if _check_all():
            self._compare(cached, make(self.select, sqlite))
        return cached.flat.filled(self._values), cached.aliases, cached.converters

    def _learn(self, sqlite: bool, make: MakeFragment) -> Cached | None:
        try:
            query, aliases, converters = make(self._function.build_with_slots(self._values), sqlite)
        except Unshaped:
            if _check_all():
                raise
            log.warning("not compiled once: %s", self._function.name)
            return None
        cached = Cached(Flat.of(query), aliases, converters)
        try:
            self._compare(cached, make(self.select, sqlite))
        except AssertionError:
            if _check_all():
                raise
            log.warning("not compiled once: %s", self._function.name, exc_info=True)
            return None
        return cached

    def _compare(self, cached: Cached, built: Fragment) -> None:
        query, aliases, _ = built
        mine, theirs = Flat.of(cached.flat.filled(self._values)), Flat.of(query)
        same_args = len(mine.args) == len(theirs.args) and all(
            type(a) is type(b) and a == b for a, b in zip(mine.args, theirs.args, strict=True)
        )
        if mine.template != theirs.template or not same_args or cached.aliases != aliases:
            raise AssertionError(
                f"{self._function.name}: the cached SQL differs from Piccolo's:\n{mine}\n{theirs}"
            )


def _slotted(value: Any) -> bool:
    """Whether the argument is a value of the statement (a parameter), not part of its shape."""
    if isinstance(value, list | tuple):
        return all(_slotted(v) for v in value)
    return isinstance(value, SCALARS) and not isinstance(value, bool | Enum)


def _shape(value: Any) -> Any:
    if _slotted(value):
        if isinstance(value, list | tuple):
            return ("list", tuple(type(v) for v in value))
        return type(value)
    if value is None or isinstance(value, bool | Enum):
        return ("value", value)
    if isinstance(value, list | tuple):  # of enums, say: baked into the SQL, so the shape
        for element in value:
            _shape(element)  # each of a kind this module knows, or TypeError
        return ("value", tuple(value))
    raise TypeError


def _slots(values: dict[str, Any], fixed: tuple[str, ...]) -> dict[str, Any]:
    """The arguments for building the shape once: a `Slot` for each value of the statement."""
    return {
        name: (
            (
                [Slot((name, i)) for i in range(len(value))]
                if isinstance(value, list | tuple)
                else Slot((name, None))
            )
            if _slotted(value) and name not in fixed
            else value
        )
        for name, value in values.items()
    }


class _Function:
    """A decorated query function: its parameters, and its cache of shapes."""

    def __init__(self, function: Callable[..., Select], fixed: tuple[str, ...]) -> None:
        parameters = inspect.signature(function).parameters.values()
        if any(p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in parameters):
            raise TypeError(f"{function.__qualname__}: only named parameters can be compiled")
        self.function = function
        self.name = f"{function.__module__}.{function.__qualname__}"
        self.fixed = fixed
        self.names = [p.name for p in parameters]
        self.defaults = {p.name: p.default for p in parameters if p.default is not p.empty}
        self.cache: dict[tuple, Cached | None] = {}
        self.tables: dict[tuple, Any] = {}

    def values(self, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
        if len(args) > len(self.names):
            raise TypeError(f"{self.name}: too many arguments")
        values = {**self.defaults, **dict(zip(self.names, args, strict=False)), **kwargs}
        if len(values) != len(self.names) or not values.keys() <= set(self.names):
            raise TypeError(f"{self.name}: arguments {sorted(values)} for {self.names}")
        return values

    def key(self, values: dict[str, Any]) -> tuple | None:
        try:
            key = tuple(
                ("fixed", values[name]) if name in self.fixed else _shape(values[name])
                for name in self.names
            )
            hash(key)
        except TypeError:  # an argument of another kind: no cache for this call
            return None
        return key

    def build(self, values: dict[str, Any]) -> Select:
        return self.function(**values)

    def build_with_slots(self, values: dict[str, Any]) -> Select:
        return self.function(**_slots(values, self.fixed))


def compiled(
    *fixed: str,
) -> Callable[[Callable[P, Select]], Callable[P, Shaped]]:
    """Cache the SQL of the query function's select per shape (see the module). `fixed` names
    the arguments whose values Piccolo writes into the SQL (LIMIT, OFFSET)."""

    def decorate(function: Callable[P, Select]) -> Callable[P, Shaped]:
        compiled_function = _Function(function, fixed)

        @functools.wraps(function)
        def query(*args: P.args, **kwargs: P.kwargs) -> Shaped:
            values = compiled_function.values(args, kwargs)
            return Shaped(compiled_function, compiled_function.key(values), values)

        query.cache = compiled_function.cache  # type: ignore[attr-defined]
        return query

    return decorate
