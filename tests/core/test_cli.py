"""The `arrival` command: its help lists every command the README documents, `arrival help CMD` shows one
command's options, a mistyped command is refused with a suggestion that is never the development server, and
`serve` collects static files only when they changed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from arrival import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_commands() -> set[str]:
    """The verbs of the README's `arrival` command table (first column, e.g. `arrival plan --localities …`)."""
    verbs = set()
    for line in README.read_text().splitlines():
        if line.startswith("| `arrival"):
            verbs.update(re.findall(r"`(?:arrival )?([a-z][a-z-]*)", line.split("|")[1]))
    return verbs - {"arrival"}  # "`arrival <any Django command>`"


def test_help_lists_every_command_the_readme_documents(capsys):
    documented = _readme_commands()
    assert {"worker", "recompute-scores", "reindex-practices", "plan", "bench-planning", "test"} <= documented
    assert cli.main(["--help"]) == 0
    listed = capsys.readouterr().out
    for verb in documented:
        assert re.search(rf"^  {re.escape(verb)}\s", listed, re.MULTILINE), f"arrival --help does not list {verb}"


@pytest.mark.parametrize("verb", ["worker", "recompute-scores", "plan", "serve", "test"])
def test_help_for_one_command_shows_its_options(verb, capsys):
    assert cli.main(["help", verb]) == 0
    assert f"arrival {verb}" in capsys.readouterr().out


@pytest.mark.parametrize("typo", ["servr", "runserver", "sever", "wroker"])
def test_a_mistyped_command_never_suggests_the_development_server(typo, capsys):
    assert cli.main([typo]) == 2
    error = capsys.readouterr().err
    assert f"unknown command '{typo}'" in error and "runserver" not in error.replace(f"'{typo}'", "")


def test_serve_collects_static_files_only_when_they_changed(settings, tmp_path, monkeypatch):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    runs = []
    monkeypatch.setattr("django.core.management.call_command", lambda *args, **kwargs: runs.append(args))
    cli._collect_static_if_changed()
    cli._collect_static_if_changed()
    assert runs == [("collectstatic",)]
    (settings.STATIC_ROOT / ".arrival-sources").write_text("an older set of files")
    cli._collect_static_if_changed()
    assert len(runs) == 2
