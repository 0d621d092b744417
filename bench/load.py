"""Load benchmark (issue 14 §5): many concurrent clients on a mix of public pages, API reads and signed-in writes.

    .venv/bin/arrival bench-load [--database-url URL] [--clients 50] [--seconds 60] [--quick] [--fresh]
    .venv/bin/python -m bench.load  ... (the same program)

On its own database (a SQLite file under data/bench/ unless --database-url names another; its name must contain
"bench"), it runs `arrival setup` with demo content (with --quick: reference data, places of 1,000,000 people or
more and the demo participation only), adds one demo resident per client and one demo officer per participation
process, each with a password, then starts `arrival serve` (gunicorn and a job worker, as deployed) on a free port
with `bench.settings` (the site plus `/bench/minimal/`) and rate limits set here, high enough never to refuse the
benchmark; any 429 is still counted apart.

Two phases of `--seconds` each with `--clients` threads, every request on a fresh connection as a browser's:
1. the mix — each client signs in through the login form (session cookie and CSRF token as a browser), then
   loops over: public pages (home, a process page, a proposal page), API reads (proposals of a process, local
   governments of a country) and writes posted as forms and followed to the page they redirect to, as a browser
   does without JavaScript (a support given or withdrawn, a comment on a proposal, and for officers the city's
   answer to a proposal); a write whose page shows an error message counts as an error;
2. the minimal view `/bench/minimal/` (full middleware, no database), the throughput every figure is a ratio of.
It prints requests, errors, 429s, p50/p95 per kind and throughput (requests per second, and as a ratio to the
minimal view's), the server log's "database is locked" count, and writes the figures as JSON to bench/results/.
The exit status is 1 if any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.foundation import (
    BENCH_DATA,
    REPO_ROOT,
    RESULTS_DIR,
    database_name,
    ensure_database,
    free_port,
    percentile,
    reset_database,
)

DEFAULT_DATABASE_URL = f"sqlite:///{BENCH_DATA / 'load_bench.sqlite3'}"
PASSWORD = "bench-load-password-1"  # noqa: S105 - demo accounts of the benchmark's own database
# Never reached by the benchmark, so a 429 means the limits do not hold the values set here.
RATES = {"ARRIVAL_API_RATE_ANON": "100000000/min", "ARRIVAL_API_RATE_USER": "100000000/min",
         "ARRIVAL_POST_RATE": "100000000/m"}
QUICK_SKIPPED_STEPS = {"actors.demo_memberships", "assessments.demo", "assessments.demo_accounts", "practices.demo",
                       "consultations.demo", "commitments.demo", "planning.demo", "planning.demo_accounts"}
QUICK_MIN_POPULATION = 1_000_000
KINDS = ("page", "api", "support", "comment", "answer")
# How often each kind comes up in a client's loop (officers answer instead of supporting).
MIX = {"page": 5, "api": 3, "support": 1, "comment": 1}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="arrival bench-load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="database to set up and serve; its name must contain 'bench' (default: %(default)s)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase (mix, then minimal view)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (arrival serve's default)")
    parser.add_argument("--seed", type=int, default=20261207, help="seed of every random draw")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: lighter set-up, 4 clients, 3 seconds (unless given)")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients = args.clients if "--clients" in (argv or sys.argv) else 4
        args.seconds = args.seconds if "--seconds" in (argv or sys.argv) else 3.0
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients must be ≥ 1 and --seconds > 0")
    return args


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    return {"DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": args.database_url,
            "ARRIVAL_ENV": "development", "DEBUG": "false", "ARRIVAL_STATIC_ROOT": str(BENCH_DATA / "static"),
            "ARRIVAL_MEDIA_ROOT": str(BENCH_DATA / "load_media"), "LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(REPO_ROOT), **RATES}  # `arrival serve` imports bench.settings


# --- Set-up (in this process, on the benchmark's database) -------------------------------------------------


def set_up(args: argparse.Namespace) -> dict[str, Any]:
    """Demo content, and the sign-ins and targets the clients use."""
    import django

    django.setup()
    from django.core.management import call_command

    from arrival.core.setup_steps import steps
    from arrival.participation.models import ParticipationProcess

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    already = ParticipationProcess.objects.filter(is_demo=True).exists()  # set up by an earlier run: reuse it
    for step in [] if already else steps():
        if args.quick and step.name in QUICK_SKIPPED_STEPS:
            continue
        print(f"· {step.label or step.name} …", flush=True)
        step.run(stdout=sys.stdout, min_population=QUICK_MIN_POPULATION if args.quick else None)
    return sign_ins_and_targets(clients=args.clients)


def sign_ins_and_targets(*, clients: int) -> dict[str, Any]:
    from arrival.accounts.models import Role, RoleKind, User
    from arrival.participation.models import ParticipationProcess, Proposal

    processes = list(ParticipationProcess.objects.filter(is_demo=True).select_related("owner").order_by("pk"))
    if not processes:
        raise SystemExit("bench: no demo participation process after set-up")
    officers = []
    for process in processes:
        officer, _created = User.objects.get_or_create(
            username=f"bench-officer-{process.pk}",
            defaults={"display_name": f"Bench officer (demo), {process.owner.name}", "is_demo": True})
        Role.objects.get_or_create(user=officer, actor=process.owner, kind=RoleKind.OFFICER, ended_at=None)
        officers.append({"username": officer.username, "process": process.slug})
    residents = []
    for number in range(clients):
        resident, _created = User.objects.get_or_create(
            username=f"bench-resident-{number}", defaults={"display_name": f"Bench {number} (demo)", "is_demo": True})
        residents.append(resident.username)
    for user in User.objects.filter(username__startswith="bench-"):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    proposals = {process.slug: list(Proposal.objects.filter(process=process).values_list("pk", flat=True))
                 for process in processes}
    countries = sorted({process.owner.country.code for process in processes if process.owner.country_id})
    return {"officers": officers, "residents": residents, "proposals": proposals, "countries": countries}


# --- The server --------------------------------------------------------------------------------------------


def start_server(args: argparse.Namespace, log_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    log = log_path.open("ab")
    arrival = Path(sys.executable).with_name("arrival")
    process = subprocess.Popen(  # noqa: S603 - our own command, our own arguments
        [str(arrival), "serve", "--port", str(port), "--workers", str(args.workers)],
        env={**os.environ, **server_environment(args)}, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT,
        start_new_session=True,  # its gunicorn and worker are stopped with it, as a group
    )
    deadline = time.monotonic() + 900  # the first start collects and compresses the static files
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: arrival serve exited with {process.returncode}; see {log_path}")
        try:
            if Browser(port).get("/bench/minimal/").status == 200:
                return process, port
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(process)
    raise SystemExit(f"bench: arrival serve did not answer within 900 s; see {log_path}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl+C: gunicorn and the worker finish, arrival serve returns
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --- A client that behaves as a browser --------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: str
    location: str
    milliseconds: float


@dataclass
class Browser:
    """Cookies kept between requests, one fresh connection per request, redirects followed on demand."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        headers = {"Accept-Language": "en", "Connection": "close", "Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        location = urlsplit(response.headers.get("Location", "")).path
        return Answer(response.status, text, location, (time.perf_counter() - started) * 1000)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post_and_follow(self, path: str, form: dict[str, str]) -> Answer:
        """POST a form with the CSRF token, then GET the page it redirects to (the time is both)."""
        answer = self.request("POST", path, {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
        if answer.status in (301, 302, 303) and answer.location:
            followed = self.get(answer.location)
            return Answer(followed.status, followed.body, answer.location, answer.milliseconds + followed.milliseconds)
        return answer

    def sign_in(self, username: str) -> None:
        self.get("/accounts/login/")
        answer = self.post_and_follow("/accounts/login/", {"username": username, "password": PASSWORD})
        if "sessionid" not in self.cookies or answer.status != 200:
            raise SystemExit(f"bench: {username} could not sign in ({answer.status})")


def _hidden(body: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', body)
    return found.group(1) if found else ""


def _answer_statuses(body: str) -> list[str]:
    select = re.search(r'<select name="answer-status"[^>]*>(.*?)</select>', body, re.S)
    return re.findall(r'<option value="(\d+)"', select.group(1)) if select else []


ERROR_MESSAGE = re.compile(r'class="message message-error')


@dataclass
class Recorder:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    throttled: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, answer: Answer, path: str, *, refused: bool = False) -> None:
        with self.lock:
            self.times[kind].append(answer.milliseconds)
            if answer.status == 429:
                self.throttled[kind] += 1
            elif answer.status >= 400 or refused:
                self.errors[kind] += 1
                if len(self.examples) < 10:
                    message = re.search(r'message-error">([^<]*)', answer.body)
                    self.examples.append(f"{kind} {path}: {answer.status} {message.group(1) if message else ''}")

    def fail(self, kind: str, path: str, error: Exception) -> None:
        with self.lock:
            self.errors[kind] += 1
            if len(self.examples) < 10:
                self.examples.append(f"{kind} {path}: {type(error).__name__} {error}")


def signed_in_client(number: int, port: int, plan: dict[str, Any]) -> tuple[Browser, dict[str, str] | None]:
    """Client `number`'s browser, signed in: every fifth an officer of a process (who answers), the others
    residents."""
    browser = Browser(port)
    officers = plan["officers"]
    officer = officers[number % len(officers)] if number % 5 == 4 else None
    browser.sign_in(officer["username"] if officer else plan["residents"][number])
    return browser, officer


def run_client(number: int, client: tuple[Browser, dict[str, str] | None], plan: dict[str, Any], deadline: float,
               recorder: Recorder, seed: int) -> None:
    rng = random.Random(seed * 1000 + number)  # noqa: S311 - a benchmark's draw, seeded
    browser, officer = client
    slugs = sorted(plan["proposals"])
    kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]
    supported: set[int] = set()
    first_round = list(MIX)  # each kind once, even past the deadline, so a short run still covers the mix
    while first_round or time.monotonic() < deadline:
        slug = officer["process"] if officer else rng.choice(slugs)
        proposal = rng.choice(plan["proposals"][slug])
        kind = first_round.pop(0) if first_round else rng.choice(kinds)
        if kind == "support" and officer:
            kind = "answer"
        try:
            if kind == "page":
                path = rng.choice(["/", f"/participate/{slug}/", f"/participate/proposals/{proposal}/"])
                recorder.add(kind, browser.get(path), path)
            elif kind == "api":
                path = rng.choice([f"/api/v1/participation/processes/{slug}/proposals",
                                   f"/api/v1/actors/local-governments?country={rng.choice(plan['countries'])}"])
                recorder.add(kind, browser.get(path), path)
            elif kind == "support":
                path = f"/participate/proposals/{proposal}/support/"
                form = {"withdraw": "1"} if proposal in supported else {}
                answer = browser.post_and_follow(path, form)
                supported ^= {proposal}
                recorder.add(kind, answer, path, refused=bool(ERROR_MESSAGE.search(answer.body)))
            else:
                page = f"/participate/proposals/{proposal}/"
                shown = browser.get(page)
                recorder.add("page", shown, page)
                if kind == "comment":
                    path = "/engagement/comments/new/"
                    form = {"token": _hidden(shown.body, "token"), "next": page, "language": "en",
                            "body": f"Bench comment {number}-{rng.randrange(10**6)}: yes, in the evening too."}
                else:
                    path = f"/participate/proposals/{proposal}/answer/"
                    form = {"answer-status": rng.choice(_answer_statuses(shown.body) or ["0"]),
                            "answer-text": "Bench answer (demo): the team looks at it this month.",
                            "answer-reasons": "Bench reason (demo): outside the powers of the city."}
                answer = browser.post_and_follow(path, form)
                recorder.add(kind, answer, path, refused=bool(ERROR_MESSAGE.search(answer.body)))
        except (OSError, http.client.HTTPException) as error:
            recorder.fail(kind, "", error)


def run_minimal_client(port: int, deadline: float, recorder: Recorder) -> None:
    browser = Browser(port)
    while time.monotonic() < deadline:
        try:
            recorder.add("minimal", browser.get("/bench/minimal/"), "/bench/minimal/")
        except (OSError, http.client.HTTPException) as error:
            recorder.fail("minimal", "/bench/minimal/", error)


def phase(clients: list[threading.Thread]) -> float:
    started = time.perf_counter()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return time.perf_counter() - started


# --- Report --------------------------------------------------------------------------------------------------


def summarise(recorder: Recorder, seconds: float) -> dict[str, dict[str, Any]]:
    out = {}
    for kind, samples in sorted(recorder.times.items()):
        ordered = sorted(samples)
        out[kind] = {"requests": len(ordered), "errors": recorder.errors.get(kind, 0),
                     "throttled_429": recorder.throttled.get(kind, 0), "p50_ms": round(percentile(ordered, 0.5), 1),
                     "p95_ms": round(percentile(ordered, 0.95), 1), "per_second": round(len(ordered) / seconds, 1)}
    return out


def render(report: dict[str, Any]) -> str:
    lines = [f"{'kind':<9}{'requests':>10}{'errors':>8}{'429':>6}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}"]
    for name, rows in (("mix", report["mix"]), ("minimal", report["minimal"])):
        for kind, row in rows.items():
            lines.append(f"{kind:<9}{row['requests']:>10}{row['errors']:>8}{row['throttled_429']:>6}"
                         f"{row['p50_ms']:>9}{row['p95_ms']:>9}{row['per_second']:>8}" + ("" if name == "mix" else ""))
    lines.append(f"mix throughput {report['mix_per_second']} req/s, minimal view {report['minimal_per_second']} req/s: "
                 f"ratio {report['ratio_to_minimal']}")
    lines.append(f"'database is locked' in the server log: {report['database_locked']}; load average "
                 f"{report['loadavg_before']} → {report['loadavg_after']}")
    return "\n".join(lines)


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    engine, name = database_name(args.database_url)
    if args.fresh:
        reset_database(engine, name, args.database_url)
    ensure_database(engine, name, args.database_url)
    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    os.environ.update(server_environment(args))
    plan = set_up(args)
    from django.db import connection

    engine_version = f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.cursor().connection.info.server_version}"  # noqa: E501
    connection.close()
    log_path = BENCH_DATA / f"load-server-{Path(name).stem}.log"  # one per database: runs side by side stay apart
    log_path.unlink(missing_ok=True)
    server, port = start_server(args, log_path)
    loadavg_before = _loadavg()
    try:
        mix, minimal = Recorder(), Recorder()
        # Sign-ins (a deliberately slow password hash each) happen before the clock starts, as many at a time as
        # the server has workers, so none waits past its timeout.
        clients: dict[int, tuple[Browser, dict[str, str] | None]] = {}
        for first in range(0, args.clients, args.workers):
            phase([threading.Thread(target=lambda n=n: clients.__setitem__(n, signed_in_client(n, port, plan)))
                   for n in range(first, min(first + args.workers, args.clients))])
        if len(clients) < args.clients:
            raise SystemExit("bench: a client could not sign in")
        deadline = time.monotonic() + args.seconds
        mix_seconds = phase([threading.Thread(target=run_client, args=(n, clients[n], plan, deadline, mix, args.seed))
                             for n in range(args.clients)])
        deadline = time.monotonic() + args.seconds
        minimal_seconds = phase([threading.Thread(target=run_minimal_client, args=(port, deadline, minimal))
                                 for _ in range(args.clients)])
    finally:
        loadavg_after = _loadavg()
        stop_server(server)
    mix_total = sum(len(samples) for samples in mix.times.values())
    minimal_total = len(minimal.times["minimal"])
    report = {
        "benchmark": "load", "when": datetime.now(UTC).isoformat(timespec="seconds"), "engine": engine_version,
        "clients": args.clients, "seconds": args.seconds, "workers": args.workers, "quick": args.quick,
        "rates": RATES, "mix": summarise(mix, mix_seconds), "minimal": summarise(minimal, minimal_seconds),
        "mix_per_second": round(mix_total / mix_seconds, 1),
        "minimal_per_second": round(minimal_total / minimal_seconds, 1),
        "ratio_to_minimal": round((mix_total / mix_seconds) / max(minimal_total / minimal_seconds, 1e-9), 3),
        "errors": sum(mix.errors.values()) + sum(minimal.errors.values()),
        "throttled_429": sum(mix.throttled.values()) + sum(minimal.throttled.values()),
        "error_examples": mix.examples + minimal.examples,
        "database_locked": log_path.read_text(errors="replace").count("database is locked"),
        "loadavg_before": loadavg_before, "loadavg_after": loadavg_after,
    }
    print(render(report))
    for example in report["error_examples"]:
        print("  error:", example)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS_DIR / f"load-{engine}-{stamp}.json").write_text(json.dumps(report, indent=1))
    print(json.dumps({"report": str(RESULTS_DIR / f"load-{engine}-{stamp}.json")}))
    return 1 if report["errors"] or report["database_locked"] else 0


if __name__ == "__main__":
    sys.exit(main())
