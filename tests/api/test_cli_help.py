"""Every ``--help`` reads as sentences at 80 columns (issue 17): nothing cut, no panels."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.cli.app import COMMANDS, _load

WIDTH = 80


def _every_command() -> list[list[str]]:
    found: list[list[str]] = [[]]
    for name in COMMANDS:
        found.append([name])
        found += [[name, sub] for sub in getattr(_load(name), "commands", {})]
    return found


@pytest.mark.parametrize("words", _every_command(), ids=" ".join)
def test_help_is_whole_sentences_at_80_columns(words: list[str], monkeypatch):
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    result = CliRunner().invoke(app, [*words, "--help"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= WIDTH for line in lines)
    assert "…" not in result.output  # an option or a cell cut short
    assert "╭" not in result.output  # typer's panels squeeze help into narrow columns
    cut = [line for line in lines if line.rstrip().endswith("...") and "Usage:" not in line]
    assert cut == []  # a command's summary cut at "..."
    assert "--install-completion" not in result.output


def test_a_command_summary_is_its_first_paragraph_wrapped(monkeypatch):
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    result = CliRunner().invoke(app, ["users", "--help"])
    text = " ".join(result.output.split())
    assert "Revoke every token, end every dashboard session and clear the password." in text
