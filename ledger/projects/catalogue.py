"""The projectenbank: what the network funded, what it achieved and what it learned.

Each funded project has one catalogue entry, rebuilt from the proposal, the ledger and the
accepted reports whenever one of them changes. Search is full text with Dutch stemming: SQLite's
FTS5 over stems computed here (snowball's Dutch stemmer), PostgreSQL's own Dutch dictionary —
behind one function, `search`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, cast

import snowballstemmer
from markupsafe import Markup, escape

from ledger.books import queries
from ledger.books.projects import later_parts_of
from ledger.books.rows import ProjectRow
from ledger.books.tables import CatalogueEntry, Project, Report
from portal.accounts import events
from portal.accounts.principal import Principal
from portal.accounts.tables import Network, Region
from portal.lib import clock
from portal.lib.db import is_sqlite, write_transaction
from portal.lib.together import Raw, together

_WORD = re.compile(r"\w+", re.UNICODE)


@cache
def _stemmer():
    return snowballstemmer.stemmer("dutch")


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    # The pure-Python snowball stemmer costs tens of microseconds a word; a result page stems
    # the same few thousand words of Dutch over and over.
    return _stemmer().stemWord(word)


def stems(text: str) -> list[str]:
    return [_stem(w.lower()) for w in _WORD.findall(text or "") if len(w) > 1]


def highlight(text: str, query_stems: set[str]) -> Markup:
    """The text, escaped, with the words that match the query wrapped in <mark>."""
    text = text or ""
    if not query_stems:
        return escape(text)
    # Pieces as plain strings, made markup once: a Markup per piece was a third of the search
    # page's time in Python (sixty excerpts of forty words each).
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        if _stem(word.lower()) in query_stems:
            out.append(escape(text[last : match.start()]))
            out.append(f"<mark>{escape(word)}</mark>")
            last = match.end()
    if not out:
        return escape(text)
    out.append(escape(text[last:]))
    return Markup("".join(out))  # noqa: S704 - every piece of text above is escaped


async def refresh(project_id: int) -> None:
    """Rebuild the catalogue entry of one project (inside the caller's transaction)."""
    project = cast(
        ProjectRow | None, await Project.select().where(Project.id == project_id).first()
    )
    if project is None:
        return
    if project["grant_of"] is not None:
        # A later year of a multi-year grant is in the projectenbank as part of its grant.
        await refresh(project["grant_of"])
        return
    from proposals import queries as proposal_queries
    from proposals.rules import FUNCTIONS

    granted, realised = await _grant_totals(project)
    region_names = {
        r["id"]: r["name"]
        for r in await Region.select(Region.id, Region.name).where(
            Region.network == project["network"]
        )
    }
    summary, theme_name, theme_id, functions, goals, region_ids, organisations = (
        "",
        "",
        None,
        [],
        [],
        [],
        "",
    )
    if project["proposal_id"]:
        proposal = await proposal_queries.proposal_row(project["network"], project["proposal_id"])
        if proposal:
            summary = proposal["summary"]
            theme_name, theme_id = proposal["theme_name"] or "", proposal["theme"]
            functions = [c for c in proposal["functions"] or [] if c in FUNCTIONS]
            goals = list((proposal["transformation_goals"] or {}).keys())
            region_ids = sorted(
                {
                    *(proposal["participating_region_ids"] or []),
                    *(proposal["benefiting_region_ids"] or []),
                    *([proposal["region"]] if proposal["region"] else []),
                }
            )
            # Only organisations: the people of the bouwteam stay out of the catalogue.
            organisations = ", ".join(
                sorted(
                    {
                        m["organisation_name"]
                        for m in await proposal_queries.bouwteam_of(proposal["id"])
                        if m["organisation_name"]
                    }
                )
            )
    else:
        region_ids = [project["region_id"]] if project["region_id"] else []
        account = await queries.account_row(project["account"])
        if account and account["theme_id"] is not None:
            theme_name, theme_id = account["name"], account["theme_id"]
    accepted = (
        await Report.select()
        .where((Report.project == project_id) & (Report.state == "accepted"))
        .order_by(Report.year)
        .output(load_json=True)
    )
    results = "\n".join(f"{r['goal']}: {r['result']}" for rep in accepted for r in rep["results"])
    lessons = "\n".join(
        part
        for rep in accepted
        for part in (
            f"Wat werkte: {rep['lessons_worked']}" if rep["lessons_worked"] else "",
            f"Wat niet werkte: {rep['lessons_not_worked']}" if rep["lessons_not_worked"] else "",
            f"Voor anderen: {rep['lessons_for_others']}" if rep["lessons_for_others"] else "",
        )
        if part
    )
    start, end = project["start_date"], project["end_date"]
    values: dict[str, Any] = {
        "network": project["network"],
        "proposal_id": project["proposal_id"],
        "title": project["title"],
        "summary": summary,
        "theme_name": theme_name,
        "theme_id": theme_id,
        "year": year_row_year(project),
        "functions": functions,
        "goals": goals,
        "region_ids": region_ids,
        "region_names": ", ".join(region_names.get(r, "") for r in region_ids if r in region_names)
        or project["recipient"],
        "organisations": organisations,
        "period": f"{start.isoformat()} – {end.isoformat()}" if start and end else "",
        "granted_cents": granted,
        "realised_cents": realised,
        "results_text": results,
        "lessons_text": lessons,
        "status": "finished" if project["final_amount_cents"] is not None else "running",
        "stems": " ".join(
            stems(" ".join([project["title"]] * 2 + [summary, theme_name, results, lessons]))
        ),
        "updated_at": clock.now(),
    }
    async with write_transaction():
        existing = (
            await CatalogueEntry.select(CatalogueEntry.id, CatalogueEntry.shared)
            .where(CatalogueEntry.project == project_id)
            .first()
        )
        if existing:
            await CatalogueEntry.update(
                {getattr(CatalogueEntry, k): v for k, v in values.items()}
            ).where(CatalogueEntry.id == existing["id"])
            entry_id = existing["id"]
        else:
            row = await CatalogueEntry.insert(
                CatalogueEntry(project=project_id, **values)
            ).returning(CatalogueEntry.id)
            entry_id = row[0]["id"]
        if is_sqlite():
            await CatalogueEntry.raw("DELETE FROM catalogue_fts WHERE rowid = {}", entry_id)
            shared = bool(existing and existing["shared"])
            await CatalogueEntry.raw(
                "INSERT INTO catalogue_fts (rowid, stems, scope) VALUES ({}, {}, {})",
                entry_id,
                values["stems"],
                fts_scope(project["network"], shared),
            )


def fts_scope(network_id: int, shared: bool) -> str:
    """Who sees an entry, as tokens of the SQLite index's `scope` column: its network's, and
    every network's once shared (the search matches them with its words, in one MATCH)."""
    return f"n{network_id} gedeeld" if shared else f"n{network_id}"


def _scope_match(network_id: int) -> str:
    return f'scope : ("n{network_id}" OR "gedeeld")'


async def _grant_totals(project: ProjectRow) -> tuple[int, int]:
    """What the grant is now (committed plus released) and what was realised, over all its
    years: the later years' projects where booked, the parts still waiting as decided."""
    found = await queries.figures_of_projects(project["budget_year"], [project["id"]])
    f = found.get(project["id"])
    granted, realised = ((f.committed + f.released), f.realised) if f else (0, 0)
    for part in await later_parts_of(project["id"]):
        if part["booked_project"] is None:
            granted += part["amount_cents"]
            continue
        later = (
            await Project.select(Project.budget_year)
            .where(Project.id == part["booked_project"])
            .first()
        )
        assert later is not None  # on_delete restrict
        found = await queries.figures_of_projects(later["budget_year"], [part["booked_project"]])
        g = found.get(part["booked_project"])
        if g:
            granted, realised = granted + g.committed + g.released, realised + g.realised
    return granted, realised


def year_row_year(project: ProjectRow) -> int:
    return (project["start_date"] or project["decision_date"] or clock.now().date()).year


@dataclass(frozen=True)
class Filters:
    theme: str = ""
    function: str = ""
    goal: str = ""
    region: int | None = None
    year: int | None = None
    status: str = ""


def _visible(network_id: int):
    return (CatalogueEntry.network == network_id) | (CatalogueEntry.shared == True)  # noqa: E712


_SORT_SQL = "c.id, c.title, c.year, c.theme_name, c.status"
_JSON_SORT_COLUMNS = ("functions", "goals", "region_ids")


def _needs_lists(filters: Filters) -> bool:
    """Whether the filters look into the JSON lists: reading them for every match of a common
    word (thousands) was a third of the search's time, for nothing when no such filter is set."""
    return bool(filters.function or filters.goal or filters.region is not None)


async def _ranked_rows(network_id: int, query: str, with_lists: bool) -> list[dict]:
    """The sort columns and the rank (higher is better) of the entries this network sees that
    match a full-text query: one query that joins the index to the entries, rather than an
    IN list of every matching id (thousands for a common word)."""
    columns = _SORT_SQL + "".join(f", c.{c}" for c in _JSON_SORT_COLUMNS if with_lists)
    if is_sqlite():
        query_stems = sorted(set(stems(query)))
        if not query_stems:
            return []
        words = " AND ".join(f'stems : "{s}"' for s in query_stems)
        # Who may see an entry is part of the match (the index's scope column), so the index
        # hands over only the visible matches; bm25 (lower is better) weighs that column 0.
        rows = await CatalogueEntry.raw(
            f"SELECT {columns}, -bm25(catalogue_fts, 1.0, 0.0) AS rank FROM catalogue_fts "
            "JOIN catalogue_entry c ON c.id = catalogue_fts.rowid "
            "WHERE catalogue_fts MATCH {}",
            f"({words}) AND {_scope_match(network_id)}",
        )
    else:
        # c.search_document is the Dutch tsvector of title, summary, results and lessons, kept
        # by PostgreSQL itself (a generated column with a GIN index, ledger migration of
        # 2026-11-30T05:20): matching and ranking read it and build nothing.
        rows = await CatalogueEntry.raw(
            f"SELECT {columns}, ts_rank(c.search_document, plainto_tsquery('dutch', {{}})) "
            "AS rank FROM catalogue_entry c "
            "WHERE c.search_document @@ plainto_tsquery('dutch', {}) "
            "AND (c.network = {} OR c.shared)",
            query,
            query,
            network_id,
        )
    for row in rows:
        row["rank"] = float(row["rank"])
        for column in _JSON_SORT_COLUMNS if with_lists else ():
            if isinstance(row[column], str):  # raw queries hand JSON back as text
                row[column] = json.loads(row[column])
    return rows


_SORT_COLUMNS = (
    CatalogueEntry.id,
    CatalogueEntry.title,
    CatalogueEntry.year,
    CatalogueEntry.theme_name,
    CatalogueEntry.status,
)
_LIST_COLUMNS = (CatalogueEntry.functions, CatalogueEntry.goals, CatalogueEntry.region_ids)


async def facets(network_id: int) -> tuple[list[str], list[int]]:
    """The themes and years the filters offer: those of the entries this network sees."""
    rows = (
        await CatalogueEntry.select(CatalogueEntry.theme_name, CatalogueEntry.year)
        .where(_visible(network_id))
        .distinct()
    )
    return (
        sorted({r["theme_name"] for r in rows if r["theme_name"]}),
        sorted({r["year"] for r in rows}, reverse=True),
    )


async def _page_in_python(
    network_id: int, query: str, filters: Filters, page: int, per_page: int
) -> tuple[list[int], int]:
    """The ids of the page and the number of matches, filtered and sorted here: for the lists
    of every entry (no words) and for the filters that look into the JSON lists."""
    # Filter and sort on the short columns of every match; the long texts are loaded for the
    # shown page only (a common word matches thousands of entries).
    ranks: dict[int, float] = {}
    if query:
        rows = await _ranked_rows(network_id, query, _needs_lists(filters))
        ranks = {r["id"]: r["rank"] for r in rows}
    else:
        lists = _LIST_COLUMNS if _needs_lists(filters) else ()
        rows = (
            await CatalogueEntry.select(*_SORT_COLUMNS, *lists)
            .where(_visible(network_id))
            .output(load_json=True)
        )
    rows = [r for r in rows if _matches(r, filters)]
    lowered = query.lower()
    rows.sort(
        key=lambda r: (
            r["title"].lower() != lowered,  # an exact title match first
            -ranks.get(r["id"], 0.0),
            -r["year"],
            r["title"],
        )
    )
    return [r["id"] for r in rows[(page - 1) * per_page : page * per_page]], len(rows)


async def _ranked_page(
    network_id: int, query: str, filters: Filters, page: int, per_page: int
) -> tuple[list[int], int]:
    """`_page_in_python` for words without the list filters, in the database: the matches are
    counted, sorted and cut to the page there, in the same order (exact title first, rank,
    newest year, title), so only the page's ids come back, not every match of a common word
    (issue 19). SQLite's lower() folds ASCII letters only: a title in capitals with accented
    letters counts as an exact match only as typed."""
    conditions, args = [], []
    for column, value in (
        ("theme_name", filters.theme or None),
        ("year", filters.year),
        ("status", filters.status or None),
    ):
        if value is not None:
            conditions.append(f" AND c.{column} = {{}}")
            args.append(value)
    where = "".join(conditions)
    if is_sqlite():
        query_stems = sorted(set(stems(query)))
        if not query_stems:
            return [], 0
        words = " AND ".join(f'stems : "{s}"' for s in query_stems)
        match = (
            "FROM catalogue_fts JOIN catalogue_entry c ON c.id = catalogue_fts.rowid "
            "WHERE catalogue_fts MATCH {}" + where
        )
        match_args = [f"({words}) AND {_scope_match(network_id)}", *args]
        order = "bm25(catalogue_fts, 1.0, 0.0), c.year DESC, c.title"
        order_args: list = []
    else:
        match = (
            "FROM catalogue_entry c WHERE c.search_document @@ plainto_tsquery('dutch', {}) "
            "AND (c.network = {} OR c.shared)" + where
        )
        match_args = [query, network_id, *args]
        order = (
            "ts_rank(c.search_document, plainto_tsquery('dutch', {})) DESC, c.year DESC, "
            'c.title COLLATE "C"'
        )
        order_args = [query]
    db = CatalogueEntry._meta.db
    read = await together(
        page=Raw(
            f"SELECT c.id AS id {match} ORDER BY lower(c.title) <> {{}}, {order} "
            "LIMIT {} OFFSET {}",
            (*match_args, query.lower(), *order_args, per_page, (page - 1) * per_page),
            ("id",),
            db,
        ),
        total=Raw(f"SELECT COUNT(*) AS total {match}", tuple(match_args), ("total",), db),
    )
    return [r["id"] for r in read["page"]], int(read["total"][0]["total"])


async def search(
    network_id: int,
    query: str = "",
    filters: Filters = Filters(),
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[dict], int]:
    query = query.replace("\x00", "").strip()[:200]
    if query and not _needs_lists(filters):
        page_ids, total = await _ranked_page(network_id, query, filters, page, per_page)
    else:
        page_ids, total = await _page_in_python(network_id, query, filters, page, per_page)
    query_stems = set(stems(query))
    full: dict[int, dict] = {}
    # In chunks: the yearly overview asks for every entry, and SQLite bounds the parameters.
    for start in range(0, len(page_ids), 1000):
        for r in (
            await CatalogueEntry.select(
                *CatalogueEntry.all_columns(exclude=[CatalogueEntry.stems]),
                CatalogueEntry.network.name.as_alias("network_name"),
            )
            .where(CatalogueEntry.id.is_in(page_ids[start : start + 1000]))
            .output(load_json=True)
        ):
            full[r["id"]] = r
    page_rows = [full[i] for i in page_ids]
    for r in page_rows:
        r["title_html"] = highlight(r["title"], query_stems)
        r["summary_html"] = highlight(_excerpt(r["summary"], query_stems), query_stems)
        r["results_html"] = highlight(
            _excerpt(r["results_text"] + "\n" + r["lessons_text"], query_stems), query_stems
        )
    return page_rows, total


def _excerpt(text: str, query_stems: set[str], length: int = 280) -> str:
    text = (text or "").strip()
    if len(text) <= length:
        return text
    if query_stems:
        for match in _WORD.finditer(text):
            if _stem(match.group(0).lower()) in query_stems:
                start = max(0, match.start() - length // 3)
                return ("…" if start else "") + text[start : start + length] + "…"
    return text[:length] + "…"


def _matches(row: dict, f: Filters) -> bool:
    return (
        (not f.theme or row["theme_name"] == f.theme)
        and (not f.function or f.function in row["functions"])
        and (not f.goal or f.goal in row["goals"])
        and (f.region is None or f.region in row["region_ids"])
        and (f.year is None or row["year"] == f.year)
        and (not f.status or row["status"] == f.status)
    )


async def entry(network_id: int, entry_id: int) -> dict | None:
    row = (
        await CatalogueEntry.select(
            *CatalogueEntry.all_columns(exclude=[CatalogueEntry.stems]),
            CatalogueEntry.network.name.as_alias("network_name"),
        )
        .where((CatalogueEntry.id == entry_id) & _visible(network_id))
        .output(load_json=True)
        .first()
    )
    return row


async def similar(
    network_id: int, theme_id: int | None, text: str, exclude_proposal: int, limit: int = 5
) -> list[dict]:
    """Funded projects like a draft: same theme first, then by shared words."""
    rows, _ = await search(network_id, "", Filters(), 1, 500)
    draft = set(stems(text))
    scored = []
    for r in rows:
        if r["proposal_id"] == exclude_proposal:
            continue
        overlap = len(draft & set(stems(" ".join([r["title"], r["summary"]]))))
        same_theme = theme_id is not None and r["theme_id"] == theme_id
        if overlap or same_theme:
            scored.append((same_theme, overlap, r))
    scored.sort(key=lambda t: (not t[0], -t[1], t[2]["title"]))
    return [r for _, _, r in scored[:limit]]


async def set_shared(actor: Principal, network_id: int, entry_id: int, shared: bool) -> str | None:
    row = (
        await CatalogueEntry.select()
        .where((CatalogueEntry.id == entry_id) & (CatalogueEntry.network == network_id))
        .first()
    )
    if row is None:
        return "Dit project hoort niet bij uw netwerk."
    if shared and row["status"] != "finished":
        return "Alleen een afgerond (vastgesteld) project kan met alle netwerken worden gedeeld."
    async with write_transaction():
        await CatalogueEntry.update({CatalogueEntry.shared: shared}).where(
            CatalogueEntry.id == entry_id
        )
        if is_sqlite():
            await CatalogueEntry.raw(
                "UPDATE catalogue_fts SET scope = {} WHERE rowid = {}",
                fts_scope(network_id, shared),
                entry_id,
            )
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="catalogue_shared",
            object_type="project",
            object_id=row["project"],
            summary=(
                "Gedeeld met alle netwerken" if shared else "Niet meer gedeeld met andere netwerken"
            ),
        )
    return None


async def network_name(network_id: int) -> str:
    row = await Network.select(Network.name).where(Network.id == network_id).first()
    return row["name"] if row else ""
