"""Backup and restore of a running instance: the database and the media folder (docs/operations.md).

A backup is a folder: `database.sqlite3` (SQLite's online backup API: one consistent copy while others write) or
`database.pgdump` (`pg_dump --format=custom` inside an exported snapshot), `media/` (a copy of MEDIA_ROOT) and
`manifest.json` (engine, time, and the row count of every table, counted in the same snapshot as the copy).
A restore goes into an empty database only, then counts every table again and compares with the manifest.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
MEDIA_DIR = "media"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def _postgres_url() -> str:
    """A libpq connection string for the default database (pg_dump and pg_restore take it as --dbname)."""
    from psycopg.conninfo import make_conninfo

    db = settings.DATABASES["default"]
    parts = {"dbname": db["NAME"], "user": db.get("USER"), "password": db.get("PASSWORD"), "host": db.get("HOST"),
             "port": str(db.get("PORT") or "")}
    return make_conninfo(**{key: value for key, value in parts.items() if value})


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed: on Debian, apt-get install postgresql-client")
    return path


def _sqlite_counts(database: sqlite3.Connection) -> dict[str, int]:
    tables = [row[0] for row in database.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
    # FTS5 shadow tables (`…_data`, `…_idx`, …) are counted too: they are ordinary tables the index lives in.
    return {table: database.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608 - names read from sqlite_master


def _postgres_counts(cursor: Any) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names read from pg_tables
        counts[table] = cursor.fetchone()[0]
    return counts


def table_counts() -> dict[str, int]:
    """The row count of every table of the default database, as a manifest has them."""
    if _engine() == "sqlite":
        connection.ensure_connection()
        return _sqlite_counts(connection.connection)
    with connection.cursor() as cursor:
        return _postgres_counts(cursor)


def backup(destination: Path, *, report: Callable[[str], None] = print) -> dict[str, Any]:
    """Back up the default database and MEDIA_ROOT into `destination` (a new folder); return the manifest."""
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty: a backup goes into a new folder")
    destination.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    if _engine() == "sqlite":
        counts = _backup_sqlite(destination / SQLITE_FILE)
    else:
        counts = _backup_postgres(destination / POSTGRES_FILE)
    report(f"database: {sum(counts.values())} rows in {len(counts)} tables")
    # The media copy follows the database copy: every file a row names was written before its row committed.
    media = Path(settings.MEDIA_ROOT)
    files = 0
    if media.is_dir():
        shutil.copytree(media, destination / MEDIA_DIR)
        files = sum(1 for path in (destination / MEDIA_DIR).rglob("*") if path.is_file())
    report(f"media: {files} files")
    manifest = {"engine": _engine(), "started_at": started.isoformat(), "finished_at": datetime.now(UTC).isoformat(),
                "media_files": files, "tables": counts}
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def _backup_sqlite(target: Path) -> dict[str, int]:
    source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=30)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)  # all pages in one step: one read snapshot, writers in WAL mode carry on
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return _sqlite_counts(copy)
    finally:
        copy.close()
        source.close()


def _backup_postgres(target: Path) -> dict[str, int]:
    import psycopg

    url = _postgres_url()
    # Count and dump in one snapshot: the counts are exactly those of the dump.
    with psycopg.connect(url) as snapshot_holder:
        snapshot_holder.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        exported = snapshot_holder.execute("SELECT pg_export_snapshot()").fetchone()
        if exported is None:  # the function always returns one row; a server that does not is no PostgreSQL
            raise BackupError("PostgreSQL did not export a snapshot.")
        snapshot_id = exported[0]
        with snapshot_holder.cursor() as cursor:
            counts = _postgres_counts(cursor)
        result = subprocess.run(  # noqa: S603 - our own arguments
            [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot_id}", "--no-owner", "--no-privileges",
             f"--file={target}", f"--dbname={url}"], capture_output=True, text=True, check=False)
    if result.returncode:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return counts


def restore(source: Path, *, report: Callable[[str], None] = print) -> dict[str, int]:
    """Restore a backup folder into the default database, which must be empty, and MEDIA_ROOT; return the tables
    whose row count differs from the manifest's (empty when the restore is whole)."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} is not a backup made by `arrival backup` (no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest["engine"] != _engine():
        raise BackupError(f"this backup is of a {manifest['engine']} database; DATABASE_URL names {_engine()}")
    if connection.introspection.table_names():
        raise BackupError("the database is not empty: restore into a new, empty database")
    if _engine() == "sqlite":
        _restore_sqlite(source / SQLITE_FILE)
    else:
        _restore_postgres(source / POSTGRES_FILE)
    if (source / MEDIA_DIR).is_dir():
        shutil.copytree(source / MEDIA_DIR, Path(settings.MEDIA_ROOT), dirs_exist_ok=True)
    counts = table_counts()
    expected: dict[str, int] = manifest["tables"]
    differences = {table: counts.get(table, -1) for table in set(expected) | set(counts)
                   if counts.get(table, -1) != expected.get(table, -1)}
    report(f"database: {sum(counts.values())} rows in {len(counts)} tables; media: {manifest['media_files']} files")
    return differences


def _restore_sqlite(copy: Path) -> None:
    connection.close()
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _restore_postgres(dump: Path) -> None:
    connection.close()
    result = subprocess.run(  # noqa: S603 - our own arguments
        [_tool("pg_restore"), "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges",
         f"--dbname={_postgres_url()}", str(dump)], capture_output=True, text=True, check=False)
    if result.returncode:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
