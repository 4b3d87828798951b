"""One number that changes with every committed change to the portal's data.

Rendered pages are kept under it (portal/lib/kept_pages.py): a page kept under version 41 is
served only while the database still says 41. So that no writer can forget to change it, the
database changes it itself: a trigger on every table (but the few below, written by reading a
page or logging in) adds one to it in the transaction that writes, and the new number is seen
by others exactly when the data is, at commit. A rolled-back write changes neither.

On PostgreSQL the triggers are deferred to the commit and add one once per transaction: the
one row is then locked only at the very end, after every other lock a transaction takes, so two
writers never wait on each other in a circle because of it. On SQLite writers take turns on the
whole database anyway.

The epoch (random, made with the row) tells a rebuilt or restored database from the one before,
whose numbers start again.

The table and triggers are not Piccolo tables: `install` (run by `portal migrate` after the
migrations) creates them and adds the triggers of any table that has none yet, so a table made
by a later migration is covered the next time the portal migrates, without anyone remembering.
"""

from __future__ import annotations

from piccolo.engine.base import Engine

from portal.lib.db import is_sqlite

TABLE = "data_version"
TRIGGER = "data_version_bump"
# Written by reading or logging in, never shown on a kept page: the session's last-seen time
# (every minute of use), the one-time keys of forms (written with the change they guard), the
# migrations' own bookkeeping.
UNVERSIONED = frozenset({TABLE, "portal_session", "form_submission", "migration"})

# The version as one string, for a SELECT list: "<epoch>.<number>".
VERSION_SQL = f"(SELECT epoch || '.' || n FROM {TABLE} WHERE id = 1)"

_SQLITE_TABLE = f"""
    CREATE TABLE IF NOT EXISTS {TABLE} (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        epoch TEXT NOT NULL,
        n INTEGER NOT NULL
    )
"""
_SQLITE_ROW = f"INSERT OR IGNORE INTO {TABLE} VALUES (1, lower(hex(randomblob(8))), 0)"

_POSTGRES_TABLE = f"""
    CREATE TABLE IF NOT EXISTS {TABLE} (
        id integer PRIMARY KEY CHECK (id = 1),
        epoch text NOT NULL,
        n bigint NOT NULL
    )
"""
_POSTGRES_ROW = (
    f"INSERT INTO {TABLE} VALUES (1, substr(md5(random()::text), 1, 16), 0) "
    "ON CONFLICT (id) DO NOTHING"
)
# Once per transaction: the rows after the first find the transaction's id in the setting
# (set_config(..., true) lasts until the transaction ends).
_POSTGRES_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('portal.data_version_bumped', true)
                IS DISTINCT FROM txid_current()::text THEN
            UPDATE {TABLE} SET n = n + 1 WHERE id = 1;
            PERFORM set_config('portal.data_version_bumped', txid_current()::text, true);
        END IF;
        RETURN NULL;
    END
    $$
"""


async def versioned_tables(engine: Engine) -> list[str]:
    """The database's own tables that the version follows (all but UNVERSIONED)."""
    if is_sqlite(engine):
        rows = await engine.run_ddl(
            "SELECT name, sql LIKE 'CREATE VIRTUAL TABLE%' AS virtual FROM sqlite_master "
            "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        # A full-text index (virtual) and its shadow tables (catalogue_fts_data, …) follow the
        # table they index.
        virtual = [r["name"] for r in rows if r["virtual"]]
        names = [
            r["name"]
            for r in rows
            if not r["virtual"] and not any(r["name"].startswith(f"{v}_") for v in virtual)
        ]
    else:
        rows = await engine.run_ddl(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
        )
        names = [r["name"] for r in rows]
    return sorted(n for n in names if n not in UNVERSIONED)


async def tables_with_trigger(engine: Engine) -> set[str]:
    if is_sqlite(engine):
        rows = await engine.run_ddl(
            f"SELECT tbl_name AS name FROM sqlite_master WHERE type = 'trigger' "
            f"AND name LIKE '{TRIGGER}%'"
        )
    else:
        rows = await engine.run_ddl(
            f"SELECT c.relname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            f"WHERE t.tgname = '{TRIGGER}'"
        )
    return {r["name"] for r in rows}


async def install(engine: Engine) -> list[str]:
    """The version's table and row, and its trigger on every versioned table that has none.
    Idempotent; returns the tables that got a trigger now."""
    sqlite = is_sqlite(engine)
    await engine.run_ddl(_SQLITE_TABLE if sqlite else _POSTGRES_TABLE)
    await engine.run_ddl(_SQLITE_ROW if sqlite else _POSTGRES_ROW)
    if not sqlite:
        await engine.run_ddl(_POSTGRES_FUNCTION)
    have = await tables_with_trigger(engine)
    added = [t for t in await versioned_tables(engine) if t not in have]
    for table in added:
        if sqlite:
            for event in ("INSERT", "UPDATE", "DELETE"):
                await engine.run_ddl(
                    f'CREATE TRIGGER IF NOT EXISTS "{TRIGGER}_{table}_{event.lower()}" '
                    f'AFTER {event} ON "{table}" '
                    f"BEGIN UPDATE {TABLE} SET n = n + 1 WHERE id = 1; END"
                )
        else:
            await engine.run_ddl(
                f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE "
                f'ON "{table}" DEFERRABLE INITIALLY DEFERRED '
                f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()"
            )
    return added


async def current(engine: Engine) -> str:
    rows = await engine.run_ddl(f"SELECT {VERSION_SQL} AS version")
    return rows[0]["version"]
