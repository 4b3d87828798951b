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

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from piccolo.columns import JSON, JSONB, Boolean, Date, Timestamp, Timestamptz
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

Row = dict[str, Any]


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


def _fragment(query: Select, sqlite: bool) -> tuple[QueryString, list[str], dict[str, Callable]]:
    inner = query.querystrings[0]  # also fills in the selected columns of a bare select()
    selected = list(query.columns_delegate.selected_columns)
    load_json = bool(query.output_delegate._output.load_json)
    aliases = [_alias(c) for c in selected]
    converters = {
        alias: convert
        for alias, column in zip(aliases, selected, strict=True)
        if (convert := _converter(column, load_json, sqlite)) is not None
    }
    if sqlite:
        # The aliases are the code's column names, never a request's text.
        pairs = ", ".join(f"'{a}', t.\"{a}\"" for a in aliases)
        template = f"(SELECT COALESCE(json_group_array(json_object({pairs})), '[]') FROM ({{}}) t)"  # noqa: S608
    else:
        template = "(SELECT COALESCE(json_agg(t), '[]'::json) FROM ({}) t)"
    return QueryString(template, inner), aliases, converters


async def together(**parts: Select) -> dict[str, list[Row]]:
    """Run `parts` (name -> Piccolo select) as one statement; each name gets its rows, as the
    select alone would return them. The parts must be of one database."""
    if not parts:
        return {}
    engine = next(iter(parts.values())).table._meta.db
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
