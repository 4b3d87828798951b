"""The templates' `row.name` on a dict row looks the key up first (portal/app.configure_jinja):
the same answers as Jinja's own lookup, dict methods and attributes of other objects included."""

from __future__ import annotations

from pathlib import Path

from litestar.plugins.jinja import JinjaTemplateEngine

from portal.app import configure_jinja


def render(source: str, **context: object) -> str:
    engine = JinjaTemplateEngine(directory=Path(__file__).parent)
    plain = engine.engine.from_string(source).render(**context)
    configure_jinja(engine)
    fast = engine.engine.from_string(source).render(**context)
    assert fast == plain  # what Jinja itself answers
    return fast


class Thing:
    title = "attribuut"


def test_a_key_a_missing_key_and_a_dict_method() -> None:
    row = {"title": "Wachtlijstbrug", "items": "een sleutel"}
    assert render("{{ r.title }}", r=row) == "Wachtlijstbrug"
    assert render("[{{ r.missing }}]", r=row) == "[]"
    # `items` is a method of dict: Jinja prefers the attribute, and so does the fast lookup.
    assert render("{{ r.items() | list | length }}", r=row) == "2"
    assert render("{{ r.get('title') }}", r=row) == "Wachtlijstbrug"


def test_other_objects_keep_jinja_s_lookup() -> None:
    assert render("{{ t.title }}", t=Thing()) == "attribuut"
    assert render("{{ xs.0 }}", xs=["eerste"]) == "eerste"

    class Row(dict):
        title = "attribuut van een subklasse"

    assert render("{{ r.title }}", r=Row(title="sleutel")) == "attribuut van een subklasse"
