"""A throw-away Arrival served by gunicorn as `arrival serve` runs it, on its own SQLite file: for what only shows
with several worker processes and real sockets (shared rate limits, request size limits, database outages)."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from arrival import cli

ROOT = Path(__file__).resolve().parents[2]


def instance_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """An instance whose data (and SQLite database, in data_dir/db/) live in `data_dir`."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "REDIS_URL"}}
    environment.update(
        ARRIVAL_DATA_DIR=str(data_dir), DATABASE_URL=f"sqlite:///{data_dir / 'db' / 'arrival.sqlite3'}",
        ARRIVAL_STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    environment.update(extra)  # e.g. another DATABASE_URL
    return environment


def get(port: int, path: str, **headers: str) -> int:
    return request(port, "GET", path, **headers).status


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


def request(port: int, method: str, path: str, **headers: str) -> Answer:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        client.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = client.getresponse()
        return Answer(response.status, dict(response.getheaders()), response.read().decode(errors="replace"))
    finally:
        client.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test session; each served instance starts from a copy."""
    data_dir = tmp_path_factory.mktemp("served-template")
    (data_dir / "db").mkdir()
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT,  # noqa: S603
                   env=instance_environment(data_dir), check=True, timeout=600)
    return data_dir / "db" / "arrival.sqlite3"


@pytest.fixture
def served(tmp_path: Path, migrated_database: Path) -> Iterator[object]:
    """`served(**environment)` starts three gunicorn workers on a copy of the migrated database; returns the port."""
    servers: list[subprocess.Popen[bytes]] = []

    def start(**extra: str) -> int:
        (tmp_path / "db").mkdir()
        shutil.copy(migrated_database, tmp_path / "db" / "arrival.sqlite3")
        port = _free_port()
        command = cli.gunicorn_command(host="127.0.0.1", port=str(port), workers="3")
        log = (tmp_path / "server.log").open("wb")
        server = subprocess.Popen(command, cwd=ROOT, env=instance_environment(tmp_path, **extra),  # noqa: S603
                                  stdout=log, stderr=log)
        servers.append(server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(port, "/not-a-page-nothing-is-counted/") == 404:
                    return port
            except OSError:
                time.sleep(0.2)
        raise AssertionError((tmp_path / "server.log").read_text())

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=30)
