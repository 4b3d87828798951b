"""The accountability report's form: what was typed, read into a report with Dutch messages per
field, every problem at once; a budget line's message names the line ("Regel 2, Materiële
kosten: vul een bedrag in.")."""

from __future__ import annotations

from litestar.datastructures import FormMultiDict

from ledger.projects.reports import ReportInput, about_line, line_label, report_problems
from portal.lib import privacy
from portal.lib.forms import money_field, text
from portal.lib.money import MoneyError, parse_euros

TEXT_LIMIT = 5000
AMOUNT_LIMIT = 40
LESSONS = ("lessons_worked", "lessons_not_worked", "lessons_for_others")
LESSON_LABELS = {
    "lessons_worked": "Wat werkte",
    "lessons_not_worked": "Wat werkte niet",
    "lessons_for_others": "Wat moeten anderen weten",
}


def field_names(goals: list[str], lines: list[dict]) -> list[str]:
    """The form's fields in the order the page shows them (and the error summary lists them)."""
    return [
        *(f"result{i}" for i in range(1, len(goals) + 1)),
        *(f"realised{i}" for i in range(1, len(lines) + 1)),
        *LESSONS,
        "preconditions_met",
    ]


def typed_values(
    form: FormMultiDict, goals: list[str], lines: list[dict]
) -> tuple[dict[str, str], dict[str, str]]:
    """The fields as typed, for a draft: the form's own fields only, nothing else judged (an
    amount that does not read yet is kept as it was typed); and a text over its length, which
    is refused (never cut), by field."""
    values: dict[str, str] = {}
    too_long: dict[str, str] = {}
    for name in field_names(goals, lines):
        limit = AMOUNT_LIMIT if name.startswith("realised") else TEXT_LIMIT
        value = text(form, name, limit, too_long)
        if name == "preconditions_met":
            value = "1" if value == "1" else ""
        if value:
            values[name] = value
    return values, too_long


def parse_report(
    form: FormMultiDict, goals: list[str], lines: list[dict], year: int
) -> tuple[ReportInput, dict[str, str]]:
    """The report as typed, and every problem that keeps it from being handed in."""
    unread: dict[str, str] = {}
    too_long: dict[str, str] = {}
    realised_lines = []
    for i, line in enumerate(lines, start=1):
        name = f"realised{i}"
        found: dict[str, str] = {}
        cents = money_field(form, name, found)
        if name in found:
            unread[name] = about_line(line_label(i, line, year), found[name])
        realised_lines.append({**line, "realised_cents": cents or 0})
    data = ReportInput(
        results=[
            {"goal": goal, "result": text(form, f"result{i}", TEXT_LIMIT, too_long)}
            for i, goal in enumerate(goals, start=1)
        ],
        realised_lines=realised_lines,
        lessons_worked=text(form, "lessons_worked", TEXT_LIMIT, too_long),
        lessons_not_worked=text(form, "lessons_not_worked", TEXT_LIMIT, too_long),
        lessons_for_others=text(form, "lessons_for_others", TEXT_LIMIT, too_long),
        preconditions_met=text(form, "preconditions_met") == "1",
    )
    # An amount that does not read says so; the report's own rules speak for the rest.
    problems = {**report_problems(data, year), **unread, **too_long}
    order = field_names(goals, lines)
    ordered = {name: problems[name] for name in order if name in problems}
    return data, {**ordered, **{k: v for k, v in problems.items() if k not in ordered}}


def typed_lines(values: dict[str, str], lines: list[dict]) -> list[dict]:
    """The budget lines with the amounts typed so far (a draft, a returned report, a refused
    form), for the warning about lines that spent more than their budget; an amount that does
    not read counts as nothing spent."""
    typed = []
    for i, line in enumerate(lines, start=1):
        try:
            cents = parse_euros(values.get(f"realised{i}", ""))
        except MoneyError:
            cents = 0
        typed.append({**line, "realised_cents": cents})
    return typed


def privacy_screening(form: FormMultiDict, goals: list[str]) -> privacy.Screening:
    """The report's free text judged for data about clients (a BSN refused on its field, the
    rest a warning the person confirms with `privacy_ok`)."""
    labels = {f"result{i}": f"Doel: {goal}" for i, goal in enumerate(goals, start=1)}
    labels |= LESSON_LABELS
    return privacy.screen({name: text(form, name) for name in labels}, labels)


def privacy_problems(
    form: FormMultiDict, goals: list[str]
) -> tuple[dict[str, str], list[privacy.Finding]]:
    """What keeps the report's text from being stored: the refusals by field, and the warnings
    while they are not confirmed."""
    screening = privacy_screening(form, goals)
    confirmed = privacy.confirmed(text(form, "privacy_ok"))
    return screening.refusals, [] if confirmed else screening.warnings
