"""Types enforce the contracts: the test command runs mypy (after ruff, before the tests, stopping on errors), and
pyproject.toml makes mypy strict — flag by flag, as `mypy --strict` — for the services, selectors, api, schemas
and domain modules of every app under arrival/ (and config/api.py), with no blanket ignores anywhere.

Read through mypy's own configuration parser, so a pattern that does not match what mypy matches fails here."""

from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path

import pytest
from mypy.config_parser import parse_config_file
from mypy.main import define_options
from mypy.options import PER_MODULE_OPTIONS, Options

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
CONTRACTS = ("services", "selectors", "api", "schemas", "domain")


def _options() -> Options:
    options = Options()
    errors = io.StringIO()
    parse_config_file(options, lambda: None, str(PYPROJECT), stdout=io.StringIO(), stderr=errors)
    assert errors.getvalue() == "", errors.getvalue()
    return options


def _strict_flags() -> dict[str, bool]:
    """What `mypy --strict` sets, from mypy itself (so a flag a later mypy adds to --strict is asked for too)."""
    _parser, _names, assignments = define_options()
    return dict(assignments)


def _apps() -> list[str]:
    return sorted(path.parent.name for path in (ROOT / "arrival").glob("*/apps.py"))


def _contract_modules() -> set[str]:
    """The contract modules that exist: `<kind>.py` or any module of a `<kind>/` package, in every app."""
    modules = set()
    for app in _apps():
        for kind in CONTRACTS:
            if (ROOT / "arrival" / app / f"{kind}.py").exists():
                modules.add(f"arrival.{app}.{kind}")
            for path in (ROOT / "arrival" / app / kind).rglob("*.py"):
                parts = path.relative_to(ROOT).with_suffix("").parts
                modules.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def _python_files() -> list[Path]:
    return [
        path
        for folder in ("arrival", "config")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    ]


def test_the_test_command_runs_mypy_after_ruff_and_stops_on_its_errors():
    script = (ROOT / "scripts" / "test").read_text().splitlines()
    commands = [
        line.strip() for line in script if line.strip() and not line.strip().startswith(("#", "echo"))
    ]
    assert "set -euo pipefail" in commands  # any failing step, mypy included, fails the run
    mypy = [i for i, line in enumerate(commands) if re.match(r"mypy(\s|$)", line)]
    assert len(mypy) == 1, "scripts/test runs mypy exactly once"
    line = commands[mypy[0]]
    assert "||" not in line and "--ignore" not in line and "--no-strict" not in line, line
    ruff = next(i for i, command in enumerate(commands) if command.startswith("ruff check"))
    first_tests = next(i for i, command in enumerate(commands) if "pytest" in command)
    assert ruff < mypy[0] < first_tests
    # `arrival test` and CI (.ci/run) both run this script.
    assert "arrival test" in (ROOT / ".ci" / "run").read_text()
    assert "scripts/test" in (ROOT / "arrival" / "cli.py").read_text()


def test_one_mypy_run_covers_arrival_and_config_and_caches_in_an_ignored_place():
    options = _options()
    assert set(options.files or []) == {"arrival", "config"}
    assert options.plugins == ["mypy_django_plugin.main"]
    assert options.check_untyped_defs  # every module's function bodies are checked, not only the strict ones
    cache = Path(options.cache_dir)
    assert cache.parts[0] == ".venv" or ".mypy_cache" in cache.parts
    assert (".venv/" if cache.parts[0] == ".venv" else ".mypy_cache/") in (ROOT / ".gitignore").read_text()


def test_every_apps_contract_modules_are_strict_flag_by_flag():
    options = _options()
    apps = _apps()
    assert len(apps) >= 12 and {"core", "planning", "assessments", "accounts"} <= set(apps)
    existing = _contract_modules()
    assert {
        "arrival.actors.services",
        "arrival.assessments.selectors.records",
        "arrival.planning.domain.solve",
        "arrival.core.api",
        "arrival.practices.schemas",
    } <= existing
    # Modules that exist today, those an app could add tomorrow (in any app, even a new one), and the NinjaAPI.
    future = {
        f"arrival.{app}.{kind}{tail}"
        for app in [*apps, "someday"]
        for kind in CONTRACTS
        for tail in ("", ".part")
    }
    global_only = {name for name in _strict_flags() if name not in PER_MODULE_OPTIONS}
    assert global_only == {"warn_redundant_casts"}
    for name in global_only:
        assert getattr(options, name) is True, name
    for module in sorted(existing | future | {"config.api"}):
        module_options = options.clone_for_module(module)
        for flag, value in _strict_flags().items():
            if flag in PER_MODULE_OPTIONS:
                assert getattr(module_options, flag) == value, f"{module}: {flag} should be {value}"
        assert not module_options.ignore_errors, module


def test_no_blanket_ignores():
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["mypy"]
    blanket = {"ignore_errors", "disable_error_code", "disallow_untyped_defs", "follow_imports"}
    assert not blanket & set(config), "no project-wide switch-offs"
    for override in config.get("overrides", []):
        modules = override["module"] if isinstance(override["module"], list) else [override["module"]]
        switched_off = {
            key
            for key, value in override.items()
            if key in {"ignore_errors", "disable_error_code"}
            or (key == "follow_imports" and value in {"skip", "silent"})
        }
        assert not switched_off, f"{modules}: {switched_off}"
        if override.get("ignore_missing_imports"):
            # Only third-party libraries without types; never our own code.
            assert not [m for m in modules if m.split(".")[0] in {"arrival", "config", "tests"}], modules
    options = _options()
    assert not options.ignore_missing_imports
    assert not options.disabled_error_codes
    inline = re.compile(r"#\s*(mypy:|type:\s*ignore(?!\[))")
    targeted = re.compile(r"#\s*type:\s*ignore\[[a-z-]+(, *[a-z-]+)*\](.*)")
    problems = []
    for path in _python_files():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            where = f"{path.relative_to(ROOT)}:{number}"
            if inline.search(line):
                problems.append(f"{where}: a file-wide setting or an ignore without an error code")
            match = targeted.search(line)
            if match and not re.search(r"#\s*\S", match.group(2)):
                problems.append(f"{where}: `# type: ignore[...]` needs its reason after it (`# …`)")
    assert problems == []


@pytest.mark.parametrize("module", ["arrival.actors.services", "arrival.planning.domain.solve", "config.api"])
def test_strictness_is_not_left_to_the_command_line(module):
    """`mypy` alone, as scripts/test runs it, is strict there: the flags come from pyproject.toml only."""
    assert _options().clone_for_module(module).disallow_untyped_defs
    assert not Options().clone_for_module(module).disallow_untyped_defs
