"""`portal backup` and `portal restore`: the database plus the upload folder, in two files.

A back-up made with ``portal backup --output FILE`` consists of:

* ``FILE`` — the database.
  SQLite: a copy made with SQLite's online backup API, so a running portal (WAL mode) is backed
  up consistently; the copy is a single self-contained SQLite file (journal mode DELETE).
  PostgreSQL: ``pg_dump --format=custom --no-owner``.
* ``FILE.uploads.tar.gz`` — a gzip'ed tar of the contents of the upload folder
  (``settings.upload_dir``, set by UPLOAD_DIR); empty when there is no upload folder yet.

``portal restore --input FILE`` puts both back:

* It refuses in production (PORTAL_ENV=production) and when the target database is not empty
  (any row in a portal table other than the migration table), unless ``--force`` is given.
* SQLite: the file at the DATABASE_URL path is overwritten with the backup API, then set to WAL.
  PostgreSQL: ``pg_restore --clean --if-exists --no-owner --single-transaction -d DB FILE``;
  the database itself must exist (it may be empty).
* The upload folder is replaced by the archive's contents. Without an archive next to ``FILE``
  the upload folder stays as it is (with a warning).

Connection details come from DATABASE_URL; a PostgreSQL password goes to the tools through the
PGPASSWORD environment variable, never on the command line. Messages are in Dutch; the commands
return 0 on success and non-zero on failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from portal.lib.settings import Settings

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
UPLOADS_SUFFIX = ".uploads.tar.gz"


class BackupError(RuntimeError):
    """A back-up or restore that cannot go on; the message is for the user, in Dutch."""


def uploads_archive(database_file: Path) -> Path:
    return Path(str(database_file) + UPLOADS_SUFFIX)


async def backup(settings: Settings, output: Path) -> int:
    output = Path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if _is_sqlite(settings.database_url):
            await asyncio.to_thread(_sqlite_backup, _sqlite_path(settings.database_url), output)
        else:
            await _pg_dump(_postgres_config(settings.database_url), output)
        archive = uploads_archive(output)
        files = await asyncio.to_thread(_pack_uploads, Path(settings.upload_dir), archive)
    except (BackupError, OSError, sqlite3.Error) as error:
        print(f"Back-up mislukt: {error}", file=sys.stderr)
        return 1
    print(f"Database geback-upt naar {output}.")
    print(f"Uploadmap ({files} bestand(en)) geback-upt naar {archive}.")
    return 0


async def restore(settings: Settings, source: Path, force: bool = False) -> int:
    source = Path(source)
    if settings.production and not force:
        print(
            "portal restore weigert in productie (PORTAL_ENV=production) zonder --force.",
            file=sys.stderr,
        )
        return 2
    try:
        if not source.is_file():
            raise BackupError(f"het back-upbestand {source} bestaat niet")
        sqlite = _is_sqlite(settings.database_url)
        _check_kind(source, sqlite)
        if not force and not await _target_is_empty(settings.database_url):
            print(
                "De database is niet leeg; herstel overschrijft alle gegevens. "
                "Gebruik --force als dat de bedoeling is.",
                file=sys.stderr,
            )
            return 1
        if sqlite:
            await asyncio.to_thread(_sqlite_restore, source, _sqlite_path(settings.database_url))
        else:
            await _pg_restore(_postgres_config(settings.database_url), source)
        print(f"Database hersteld uit {source}.")
        archive = uploads_archive(source)
        if archive.is_file():
            files = await asyncio.to_thread(_unpack_uploads, archive, Path(settings.upload_dir))
            print(f"Uploadmap hersteld uit {archive} ({files} bestand(en)).")
        else:
            print(f"Let op: geen uploadarchief {archive} gevonden; de uploadmap is niet gewijzigd.")
    except (BackupError, OSError, sqlite3.Error, tarfile.TarError) as error:
        print(f"Herstel mislukt: {error}", file=sys.stderr)
        return 1
    return 0


# --- connection details ---------------------------------------------------------------------


def _is_sqlite(url: str) -> bool:
    return urlparse(url).scheme == "sqlite"


def _sqlite_path(url: str) -> Path:
    """The same reading of a sqlite:/// URL as `portal.lib.db.engine_from_url`, without its side
    effects (that creates the file)."""
    path = unquote(urlparse(url).path)
    if url.startswith("sqlite:////"):
        path = "/" + path.lstrip("/")
    elif url.startswith("sqlite:///"):
        path = path[1:] if path.startswith("/") else path
    return Path(path)


def _postgres_config(url: str) -> dict:
    """The same reading as `portal.lib.db.engine_from_url` (with its defaults), without building an
    engine, which would already connect to ask for the server version."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise BackupError(f"DATABASE_URL moet met sqlite:/// of postgres:// beginnen: {url!r}")
    return {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": unquote(parsed.username or "postgres"),
        "password": unquote(parsed.password or ""),
        "database": parsed.path.lstrip("/") or "fondsportaal",
    }


def _portal_tables() -> list[str]:
    from piccolo.apps.migrations.tables import Migration

    from portal.lib.db import all_tables

    return [t._meta.tablename for t in all_tables() if t is not Migration]


def _check_kind(source: Path, sqlite: bool) -> None:
    with source.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if sqlite and not header.startswith(SQLITE_HEADER):
        raise BackupError(f"{source} is geen SQLite-back-up, maar DATABASE_URL wijst naar SQLite")
    if not sqlite and not header.startswith(PG_CUSTOM_HEADER):
        raise BackupError(
            f"{source} is geen pg_dump-back-up (custom format), maar DATABASE_URL wijst naar "
            "PostgreSQL"
        )


async def _target_is_empty(url: str) -> bool:
    tables = _portal_tables()
    if _is_sqlite(url):
        return await asyncio.to_thread(_sqlite_is_empty, _sqlite_path(url), tables)
    return await _postgres_is_empty(_postgres_config(url), tables)


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_backup(source: Path, output: Path) -> None:
    if not source.is_file():
        raise BackupError(f"de SQLite-database {source} bestaat niet")
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        dest = sqlite3.connect(partial)
        try:
            src.backup(dest)
            # One self-contained file: no -wal or -shm beside the back-up.
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    finally:
        src.close()
    partial.replace(output)


def _sqlite_is_empty(path: Path, tables: list[str]) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    connection = sqlite3.connect(path, timeout=30)
    try:
        existing = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        for table in tables:
            if (
                table in existing
                and connection.execute(
                    f'SELECT 1 FROM "{table}" LIMIT 1'  # noqa: S608 - names of our own tables
                ).fetchone()
            ):
                return False
        return True
    finally:
        connection.close()


def _sqlite_restore(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        problem = src.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"de SQLite-back-up {source} is beschadigd: {problem}")
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode=WAL")
        finally:
            dest.close()
    finally:
        src.close()


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"het programma {name} is niet gevonden; installeer de PostgreSQL-clientprogramma's "
            "(bijvoorbeeld het pakket postgresql-client) in dezelfde versie als de server"
        )
    return tool


def _pg_arguments(config: dict) -> tuple[list[str], dict[str, str]]:
    arguments = [
        f"--host={config['host']}",
        f"--port={config['port']}",
        f"--username={config['user']}",
        "--no-password",
    ]
    env = dict(os.environ)
    if config.get("password"):
        env["PGPASSWORD"] = config["password"]
    return arguments, env


async def _run(command: list[str], env: dict[str, str], what: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        detail = stderr.decode(errors="replace").strip()
        raise BackupError(f"{what} gaf foutcode {process.returncode}: {detail}")


async def _pg_dump(config: dict, output: Path) -> None:
    tool = _pg_tool("pg_dump")
    arguments, env = _pg_arguments(config)
    partial = output.with_name(output.name + ".partial")
    command = [
        tool,
        "--format=custom",
        "--no-owner",
        *arguments,
        f"--file={partial}",
        f"--dbname={config['database']}",
    ]
    try:
        await _run(command, env, "pg_dump")
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)


async def _pg_restore(config: dict, source: Path) -> None:
    tool = _pg_tool("pg_restore")
    arguments, env = _pg_arguments(config)
    command = [
        tool,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        *arguments,
        "-d",
        config["database"],
        str(source),
    ]
    await _run(command, env, "pg_restore")


async def _postgres_is_empty(config: dict, tables: list[str]) -> bool:
    import asyncpg

    try:
        connection = await asyncpg.connect(
            **{**config, "password": config["password"] or None}, timeout=10
        )
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        raise BackupError(
            f"geen verbinding met de database {config['database']}: {error}"
        ) from None
    try:
        for table in tables:
            exists = await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", f'"{table}"')
            if exists and await connection.fetchval(
                f'SELECT EXISTS (SELECT 1 FROM "{table}")'  # noqa: S608 - our own tables
            ):
                return False
        return True
    finally:
        await connection.close()


# --- uploads --------------------------------------------------------------------------------


def _pack_uploads(upload_dir: Path, archive: Path) -> int:
    partial = archive.with_name(archive.name + ".partial")
    files = 0
    with tarfile.open(partial, "w:gz") as tar:
        if upload_dir.is_dir():
            for path in sorted(upload_dir.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(upload_dir)), recursive=False)
                files += path.is_file()
    partial.replace(archive)
    return files


def _unpack_uploads(archive: Path, upload_dir: Path) -> int:
    """Unpack beside the upload folder first, then swap, so a broken archive changes nothing."""
    upload_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".uploads-restore-", dir=upload_dir.parent))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(staging, filter="data")
        files = sum(1 for path in staging.rglob("*") if path.is_file())
        # mkdtemp makes the folder private; keep the upload folder's own permissions.
        staging.chmod(upload_dir.stat().st_mode & 0o7777 if upload_dir.exists() else 0o755)
        if upload_dir.exists():
            shutil.rmtree(upload_dir)
        staging.replace(upload_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return files
