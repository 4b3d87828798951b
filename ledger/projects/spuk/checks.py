"""The Controles sheet of the SPUK workbook: formulas that recompute the Samenvatting from the
entries (SUMIFS per kind, the rules of `ledger/books/rules.py` written out in Excel) and from the
projects, tie the budget to the SPUK amount, Bijlage 4 and (for a decision of this year alone)
SiSa to the entries, and test the reserve floors; each row shows WAAR or ONWAAR, and the top
cell says whether all of them are WAAR."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.books.rules import ENTRY_KIND_SHORT
from ledger.projects.spuk.book import SPUK_CELL, TITLE, _Book, _Rows, _Sisa, _Summary
from portal.lib.xlsx_stream import Column, header_height

TRUE, FALSE = "WAAR", "ONWAAR"

# The figures of an account, with their labels in the sheets.
FIGURES = (
    ("budget", "Begroot"),
    ("committed", "Verplicht"),
    ("paid", "Betaald"),
    ("realised", "Gerealiseerd"),
    ("released", "Vrijgevallen"),
    ("recovered", "Teruggevorderd"),
)


def _range(sheet: str, column: str, first: int, last: int) -> str:
    return f"{sheet}!${column}${first}:${column}${last}"


CHECK_COLUMNS = (
    Column("Nr", 6),
    Column("Controle", 44),
    Column("Post", 36),
    Column("Nr post", 10),
    Column("Grootheid", 15),
    Column("Waarde A", 16),
    Column("Waarde B", 16),
    Column("Verschil (A − B)", 16),
    Column("Uitkomst", 11),
)
CHECK_HEADER_ROW = 4

# The rules of ledger/books/rules.py `account_figures`, as (kind, sign) per figure of an account.
_KIND_TERMS: dict[str, tuple[tuple[str, int], ...]] = {
    "budget": (("budget", 1), ("transfer", 1), ("reserve_release", 1), ("carry_over", 1)),
    "committed": (("commitment", 1), ("release", -1)),
    "paid": (("advance_payment", 1), ("final_payment", 1), ("recovery", -1)),
    "realised": (("realised", 1),),
    "released": (("release", 1),),
    "recovered": (("recovery", 1),),
}
# The same figures from the Projecten sheet: the column that holds each.
_PROJECT_COLUMN = {
    "committed": "L",
    "paid": "M",
    "realised": "O",
    "released": "K",
    "recovered": "P",
}
_SUMMARY_COLUMN = {
    "budget": "D",
    "committed": "E",
    "paid": "F",
    "realised": "G",
    "released": "H",
    "recovered": "I",
}


@dataclass(frozen=True)
class _Check:
    title: str
    account: str
    code: str
    figure: str
    a: str  # formula
    b: str  # formula
    at_least: bool = False  # A ≥ B instead of A = B


def _short(kind: str) -> str:
    """The kind as Mutaties' column D names it."""
    return ENTRY_KIND_SHORT[kind]


def _entries_formula(figure: str, code_cell: str | None, entries: _Rows) -> str:
    """A figure recomputed from Mutaties with SUMIFS over the kind (and the account)."""

    def rng(column: str) -> str:
        return _range("Mutaties", column, entries.first, entries.last)

    terms = []
    for kind, sign in _KIND_TERMS[figure]:
        if code_cell is None:
            term = f'SUMIFS({rng("K")},{rng("D")},"{_short(kind)}")'
        else:
            term = f'SUMIFS({rng("K")},{rng("D")},"{_short(kind)}",{rng("E")},{code_cell})'
        terms.append(("+" if sign > 0 else "-") + term)
    if figure == "budget" and code_cell is not None:
        # What a transfer, reserve release or carry-over gives, its counter account loses.
        for kind in ("transfer", "reserve_release", "carry_over"):
            terms.append(f'-SUMIFS({rng("K")},{rng("D")},"{_short(kind)}",{rng("G")},{code_cell})')
    return "=" + "".join(terms).lstrip("+")


def _checks(
    book: _Book,
    summary: _Summary,
    projects: _Rows,
    entries: _Rows,
    sisa: _Sisa,
    budget: _Rows,
) -> None:
    data = book.data
    checks: list[_Check] = []
    names = {a.code: a.name for a in data.accounts}

    def project_sum(figure: str, code_cell: str) -> str:
        column = _PROJECT_COLUMN[figure]
        return (
            f"=SUMIF({_range('Projecten', 'E', projects.first, projects.last)},{code_cell},"
            f"{_range('Projecten', column, projects.first, projects.last)})"
        )

    for code, row in summary.rows.items():
        code_cell = f"Samenvatting!$C${row}"
        for figure, label in FIGURES:
            checks.append(
                _Check(
                    "Samenvatting (A) tegen Mutaties (B)",
                    names[code],
                    code,
                    label,
                    f"=Samenvatting!{_SUMMARY_COLUMN[figure]}{row}",
                    _entries_formula(figure, code_cell, entries),
                )
            )
    for code, row in summary.rows.items():
        code_cell = f"Samenvatting!$C${row}"
        for figure, label in FIGURES[1:]:
            checks.append(
                _Check(
                    "Samenvatting (A) tegen Projecten (B)",
                    names[code],
                    code,
                    label,
                    f"=Samenvatting!{_SUMMARY_COLUMN[figure]}{row}",
                    project_sum(figure, code_cell),
                )
            )
    for figure, label in FIGURES[1:]:
        total = f"=Samenvatting!{_SUMMARY_COLUMN[figure]}{summary.total}"
        checks.append(
            _Check(
                "Totaal Samenvatting (A) tegen totaal Projecten (B)",
                "Alle posten",
                "",
                label,
                total,
                f"=Projecten!{_PROJECT_COLUMN[figure]}{projects.total}",
            )
        )
        checks.append(
            _Check(
                "Totaal Samenvatting (A) tegen alle Mutaties (B)",
                "Alle posten",
                "",
                label,
                total,
                _entries_formula(figure, None, entries),
            )
        )
    checks.append(
        _Check(
            "Begrotingsboekingen in Mutaties (A) tegen het SPUK-bedrag (B)",
            "Alle posten",
            "",
            "Begroot",
            f"=SUMIFS({_range('Mutaties', 'K', entries.first, entries.last)},"
            f'{_range("Mutaties", "D", entries.first, entries.last)},"{_short("budget")}")',
            f"={SPUK_CELL}",
        )
    )
    checks.append(
        _Check(
            "Totaal Samenvatting (A) tegen totaal Begroting, Bijlage 4 (B)",
            "Alle posten",
            "",
            "Begroot",
            f"=Samenvatting!D{summary.total}",
            f"=Begroting!C{budget.total}",
        )
    )
    if sisa.this_year_row is not None:
        periods = _range("Mutaties", "R", entries.first, entries.last)
        amounts = _range("Mutaties", "K", entries.first, entries.last)
        kinds = _range("Mutaties", "D", entries.first, entries.last)
        checks.append(
            _Check(
                f"SiSa besteding {data.year} (A) tegen gerealiseerd in Mutaties, periode "
                f"{data.year} (B)",
                "Alle posten",
                "",
                "Gerealiseerd",
                f"=SiSa!D{sisa.this_year_row}",
                f'=SUMIFS({amounts},{kinds},"{_short("realised")}",{periods},{data.year})',
            )
        )
        checks.append(
            _Check(
                f"SiSa cumulatief t/m {data.year} (A) tegen gerealiseerd in Mutaties, periode "
                f"tot en met {data.year} (B)",
                "Alle posten",
                "",
                "Gerealiseerd",
                f"=SiSa!E{sisa.this_year_row}",
                f'=SUMIFS({amounts},{kinds},"{_short("realised")}",{periods},"<="&{data.year})',
            )
        )
    for a in data.accounts:
        if a.floor is None:
            continue
        row = summary.rows[a.code]
        checks.append(
            _Check(
                "Reserve (A) niet onder de ondergrens min de inzet uit de reserve (B)",
                a.name,
                a.code,
                "Begroot",
                f"=Samenvatting!D{row}",
                f"=Samenvatting!K{row}-Samenvatting!L{row}",
                at_least=True,
            )
        )

    ws, w = book.sheet(
        "Controles",
        CHECK_COLUMNS,
        f"{CHECK_HEADER_ROW}:{CHECK_HEADER_ROW}",
        f"C{CHECK_HEADER_ROW + 1}",
    )
    first = CHECK_HEADER_ROW + 1
    last = first + len(checks) - 1
    ws.append(
        [
            None,
            w.cell("Uitkomst van alle controles", font=TITLE),
            w.formula(
                f'=IF(COUNTIF(I{first}:I{last},"{TRUE}")={len(checks)},"{TRUE}","{FALSE}")',
                None,
                TITLE,
            ),
        ]
    )
    ws.append(
        [
            None,
            "Elke regel zet twee bladen naast elkaar; het verschil moet op de cent nul zijn "
            "(bij een reserve: niet negatief).",
        ]
    )
    ws.append([])
    ws.append(w.header(CHECK_COLUMNS), header_height(CHECK_COLUMNS))
    for row, check in enumerate(checks, start=first):
        test = f"ROUND(H{row},2)>=0" if check.at_least else f"ROUND(H{row},2)=0"
        ws.append(
            [
                row - first + 1,
                check.title,
                w.text(check.account),
                check.code or None,
                check.figure,
                w.formula(check.a),
                w.formula(check.b),
                w.formula(f"=F{row}-G{row}"),
                w.formula(f'=IF({test},"{TRUE}","{FALSE}")', None),
            ]
        )
    book.table(ws, "Controleregels", CHECK_COLUMNS, CHECK_HEADER_ROW, max(last, first))
