"""`portal backup` / `portal restore` on both databases: a round trip into a fresh database keeps
every row of every table, and the upload folder; a non-empty database is only overwritten with
--force."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import tarfile
from pathlib import Path
from urllib.parse import urlparse

import asyncpg
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine

from ledger.books.tables import Entry
from portal.accounts.tables import Network
from portal.backup import backup, restore, uploads_archive
from portal.demo import load_demo_data
from portal.lib import db
from portal.lib.settings import Settings
from tests.conftest import POSTGRES_URL, _postgres_admin
from tests.conftest import test_settings as settings_for

RESTORE_URL = POSTGRES_URL.rsplit("/", 1)[0] + f"/fondsportaal_restore_test_{os.getpid()}"


def _tables() -> list[tuple[str, list[str], str]]:
    return [
        (
            table._meta.tablename,
            [column._meta.db_column_name for column in table._meta.columns],
            table._meta.primary_key._meta.db_column_name,
        )
        for table in db.all_tables()
        if table is not Migration
    ]


def _select(name: str, columns: list[str], key: str) -> str:
    listed = ", ".join(f'"{c}"' for c in columns)
    return f'SELECT {listed} FROM "{name}" ORDER BY "{key}"'


def _sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    connection = sqlite3.connect(path)
    try:
        return {
            name: connection.execute(_select(name, columns, key)).fetchall()
            for name, columns, key in _tables()
        }
    finally:
        connection.close()


async def _postgres_rows(url: str) -> dict[str, list[tuple]]:
    parsed = urlparse(url)
    connection = await asyncpg.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        database=parsed.path.lstrip("/"),
        timeout=5,
    )
    try:
        return {
            name: [tuple(row) for row in await connection.fetch(_select(name, columns, key))]
            for name, columns, key in _tables()
        }
    finally:
        await connection.close()


async def _rows(url: str) -> dict[str, list[tuple]]:
    if url.startswith("sqlite:"):
        return _sqlite_rows(Path(urlparse(url).path))
    return await _postgres_rows(url)


def _source_url(engine: Engine) -> str:
    return f"sqlite:///{engine.path}" if db.is_sqlite(engine) else POSTGRES_URL


async def _filled(database: Engine, tmp_path: Path) -> Settings:
    settings = dataclasses.replace(
        settings_for(_source_url(database)), upload_dir=tmp_path / "uploads"
    )
    (settings.upload_dir / "proposals" / "7").mkdir(parents=True)
    (settings.upload_dir / "proposals" / "7" / "begroting.pdf").write_bytes(b"%PDF-1.7 demo")
    (settings.upload_dir / "readme.txt").write_text("uploads")
    await load_demo_data(settings)
    return settings


def _assert_same(source: dict[str, list[tuple]], restored: dict[str, list[tuple]]) -> None:
    assert source.keys() == restored.keys()
    counts = {name: len(rows) for name, rows in source.items()}
    assert counts == {name: len(rows) for name, rows in restored.items()}
    assert counts[Network._meta.tablename] == 2
    assert counts[Entry._meta.tablename] > 0
    for name in source:
        assert source[name] == restored[name], f"table {name} differs after restore"


async def test_round_trip_into_a_fresh_database(database: Engine, tmp_path: Path, capsys) -> None:
    settings = await _filled(database, tmp_path)
    output = tmp_path / "backup" / "portal.dump"
    assert await backup(settings, output) == 0
    assert output.is_file()
    with tarfile.open(uploads_archive(output)) as tar:
        assert "proposals/7/begroting.pdf" in tar.getnames()

    if db.is_sqlite(database):
        target_url = f"sqlite:///{tmp_path / 'restored' / 'portal.sqlite'}"
    else:
        target_url = RESTORE_URL
        await _postgres_admin(
            target_url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', 'CREATE DATABASE "{name}"'
        )
    target = dataclasses.replace(
        settings, database_url=target_url, upload_dir=tmp_path / "restored-uploads"
    )
    try:
        assert await restore(target, output) == 0, capsys.readouterr().err
        _assert_same(await _rows(settings.database_url), await _rows(target_url))
    finally:
        if not db.is_sqlite(database):
            await _postgres_admin(target_url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    restored_file = target.upload_dir / "proposals" / "7" / "begroting.pdf"
    assert restored_file.read_bytes() == b"%PDF-1.7 demo"
    assert (target.upload_dir / "readme.txt").read_text() == "uploads"
    assert "Database hersteld" in capsys.readouterr().out


async def test_restore_refuses_a_non_empty_database_without_force(
    database: Engine, tmp_path: Path, capsys
) -> None:
    settings = await _filled(database, tmp_path)
    output = tmp_path / "portal.dump"
    assert await backup(settings, output) == 0
    await Network.update({Network.name: "Na de back-up"}).where(Network.slug == "limburg")
    (settings.upload_dir / "readme.txt").unlink()
    before = await _rows(settings.database_url)

    assert await restore(settings, output) == 1
    assert "niet leeg" in capsys.readouterr().err
    assert await _rows(settings.database_url) == before
    assert not (settings.upload_dir / "readme.txt").exists()

    production = dataclasses.replace(settings, environment="production")
    assert await restore(production, output) == 2
    assert "productie" in capsys.readouterr().err
