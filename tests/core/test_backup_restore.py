"""Backup and restore round trip (issue 14 §4, docs/operations.md "Backup and restore"), on the engine the suite
runs on: an instance with published scores, proposals and an attachment is backed up by `arrival backup` while a
thread keeps writing to it, restored by `arrival restore` into a new empty database, and the restored instance
has every table's row count of the backup, the attachment file, and `arrival recompute-scores --check` exits 0.

Each instance is a process of its own with its own DATABASE_URL and media folder, as a deployment is. On
PostgreSQL the two databases are named after the suite's (`<name>_src`, `<name>_dst`), so parallel runs with
their own DATABASE_URL never share them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection

from arrival.cli import REPO_ROOT

ARRIVAL = str(Path(sys.executable).with_name("arrival"))


def _postgres(url: str, statement: str) -> None:
    import psycopg

    admin = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as admin_connection:
        admin_connection.execute(statement)


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(source URL, target URL): two new empty databases of the suite's engine."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'target.sqlite3'}"
        return
    base = os.environ["DATABASE_URL"]
    name = urlsplit(base).path.lstrip("/")
    urls = [urlsplit(base)._replace(path=f"/{name}_{suffix}").geturl() for suffix in ("src", "dst")]
    for url in urls:
        _postgres(url, f'DROP DATABASE IF EXISTS "{urlsplit(url).path[1:]}" WITH (FORCE)')
        _postgres(url, f'CREATE DATABASE "{urlsplit(url).path[1:]}"')
    yield urls[0], urls[1]
    for url in urls:
        _postgres(url, f'DROP DATABASE IF EXISTS "{urlsplit(url).path[1:]}" WITH (FORCE)')


def _environment(database_url: str, media: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "ARRIVAL_MEDIA_ROOT": str(media),
            "DJANGO_SETTINGS_MODULE": "config.settings", "ARRIVAL_JOBS_EAGER": "false"}


def _arrival(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARRIVAL, *arguments], env=env, cwd=REPO_ROOT, capture_output=True, text=True,  # noqa: S603
                          timeout=600, check=False)


def _counts(database_url: str) -> dict[str, int]:
    """Every table's row count, read without Django."""
    if database_url.startswith("sqlite"):
        with sqlite3.connect(urlsplit(database_url).path) as database:
            names = [row[0] for row in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")]
            return {name: database.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608
    import psycopg

    with psycopg.connect(database_url) as database:
        names = [row[0] for row in database.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()]
        return {name: database.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]  # type: ignore[index]  # noqa: S608
                for name in names}


def _ask(instance: subprocess.Popen[str], line: str) -> str:
    assert instance.stdin is not None and instance.stdout is not None
    instance.stdin.write(line + "\n")
    instance.stdin.flush()
    return instance.stdout.readline().strip()


def test_backup_of_a_running_instance_restores_whole(databases: tuple[str, str], tmp_path: Path) -> None:
    source_url, target_url = databases
    source_env = _environment(source_url, tmp_path / "source-media")
    instance = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "tests.core.running_instance"], env=source_env, cwd=REPO_ROOT, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert instance.stdout is not None
        assert instance.stdout.readline().strip() == "ready"
        before = int(_ask(instance, "count"))
        backed_up = _arrival("backup", str(tmp_path / "backup"), env=source_env)
        during = int(_ask(instance, "count"))
        after = int(_ask(instance, "stop"))
    finally:
        instance.wait(timeout=120)
    assert instance.returncode == 0
    assert backed_up.returncode == 0, backed_up.stderr
    assert during > before, "the writer did not write while the backup ran"

    manifest: dict[str, Any] = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["tables"]["assessments_assessment"] == 2
    assert manifest["tables"]["participation_proposal"] == 4
    assert manifest["media_files"] >= 1
    assert after > 0

    target_media = tmp_path / "target-media"
    target_env = _environment(target_url, target_media)
    restored = _arrival("restore", str(tmp_path / "backup"), env=target_env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert _counts(target_url) == manifest["tables"]
    attachment_files = [path for path in target_media.rglob("*") if path.is_file() and path.suffix == ".txt"]
    assert [path.read_bytes() for path in attachment_files] == [b"Where the bench would go.\n"]

    checked = _arrival("recompute-scores", "--check", env=target_env)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    again = _arrival("restore", str(tmp_path / "backup"), env=target_env)
    assert again.returncode != 0 and "not empty" in again.stderr, "a restore never writes over a database"
