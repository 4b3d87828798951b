"""Addresses by route name, reversed once.

Litestar's `route_reverse` finds the handler by name and formats its path on every call
(3–5 µs); a list of two hundred rows with a link each, or a start page naming a few hundred
objects, spent a tenth of its request on it. The routes of an app do not change, so `Links`
reverses each route once per set of parameters: an id (a path parameter of type int) is
reversed as a marker number, and later ids are written where the marker was; other values
(a network's slug, a file's path) are part of what is kept. The answer is always the one
route_reverse gives (tests/portal/test_links.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

# Numbers no route holds as an id; each should be written once in an address.
_MARK = 7_319_000_000_000_000_000
# Kept addresses per app; beyond it a new one is reversed each time (values that are not ids
# could in theory come from anywhere).
MAX_KEPT = 4096

Split = tuple[tuple[str, ...], tuple[str, ...]] | None


def _split_at_markers(address: str, numbers: list[str]) -> Split:
    """The address's text around the markers and the ids' names in the order they appear;
    None when a marker is not in it exactly once (then the route is reversed each time)."""
    marks = {str(_MARK + i): name for i, name in enumerate(numbers)}
    if any(address.count(mark) != 1 for mark in marks):
        return None
    order = sorted(marks, key=address.index)
    pieces: list[str] = []
    rest = address
    for mark in order:
        before, _, rest = rest.partition(mark)
        pieces.append(before)
    pieces.append(rest)
    return tuple(pieces), tuple(marks[mark] for mark in order)


class Links:
    """`links("proposals:detail", network="zuid-west", proposal_id=3)`: route_reverse's
    answer, from what was kept of an earlier call to the same route."""

    def __init__(self, reverse: Callable[..., str]) -> None:
        self._reverse = reverse
        self._kept: dict[Hashable, Split] = {}

    def __call__(self, name: Any, /, **params: Any) -> str:
        numbers = sorted(k for k, v in params.items() if type(v) is int)
        try:
            key = (name, *numbers, *sorted((k, v) for k, v in params.items() if type(v) is not int))
            split = self._kept[key]
        except KeyError:
            if len(self._kept) >= MAX_KEPT:
                return self._reverse(name, **params)
            marked = params | {k: _MARK + i for i, k in enumerate(numbers)}
            split = self._kept[key] = _split_at_markers(self._reverse(name, **marked), numbers)
        except TypeError:  # a value that cannot be kept (unhashable or not comparable)
            return self._reverse(name, **params)
        if split is None:
            return self._reverse(name, **params)
        pieces, order = split
        address = pieces[0]
        for i, k in enumerate(order):
            address += str(params[k]) + pieces[i + 1]
        return address


def links_of(app: Any) -> Links:
    """The app's `Links` (its route_reverse, kept in its state: the app has no room for
    attributes of its own, nor for a weak reference)."""
    links = app.state.get("links")
    if links is None:
        links = app.state["links"] = Links(app.route_reverse)
    return links
