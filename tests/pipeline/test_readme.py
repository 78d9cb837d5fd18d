"""The README is the front door: every command it shows must exist and explain itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spotify_etl import cli

cli.register_commands()
README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[tuple[str, ...]]:
    """Command paths from the README's command table, e.g. ('auth', 'login')."""
    found: set[tuple[str, ...]] = set()
    for line in README.splitlines():
        if not line.startswith("| `spotify-etl"):
            continue
        first_cell = re.split(r"(?<!\\)\|", line.replace("\\|", "\x00"))[1]
        for span in re.findall(r"`(spotify-etl [^`]+)`", first_cell):
            words = span.replace("\x00", "|").split()[1:]
            path: list[str] = []
            for word in words:
                if not re.fullmatch(r"[a-z]+(\|[a-z]+)*", word):
                    break
                path.append(word)
            # `auth login|status|logout` names three commands
            *head, last = path
            for name in last.split("|"):
                found.add((*head, name))
    return sorted(found)


def test_the_readme_lists_the_commands() -> None:
    commands = readme_commands()
    assert ("run",) in commands and ("auth", "login") in commands and len(commands) >= 14


@pytest.mark.parametrize("command", readme_commands(), ids=" ".join)
def test_each_readme_command_has_help(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli.app, [*command, "--help"], prog_name="spotify-etl")
    assert result.exit_code == 0, result.output
    assert "Usage: spotify-etl" in result.output


def test_the_two_commands_are_at_the_top() -> None:
    top = README[: README.index("## What it does")]
    assert "make demo" in top and "make test" in top


def _config_keys() -> list[tuple[str, str]]:
    """(parent path, leaf) for every setting a user can write in the TOML file."""
    from pydantic import BaseModel

    from spotify_etl.config import PipelineConfig

    keys: list[tuple[str, str]] = []

    def walk(model: type[BaseModel], path: str) -> None:
        for name, field in model.model_fields.items():
            if field.exclude:
                continue
            annotation = field.annotation
            nested = isinstance(annotation, type) and issubclass(annotation, BaseModel)
            if nested and path != "sources" and path:
                walk(annotation, f"{path}.{name}")  # type: ignore[arg-type]
            elif nested and not path:
                walk(annotation, name)  # type: ignore[arg-type]
            else:
                keys.append((path, name))

    walk(PipelineConfig, "")
    return keys


def test_the_configuration_reference_names_every_key() -> None:
    rows = [line for line in README.splitlines() if line.startswith("| `")]
    missing = []
    for parent, leaf in _config_keys():
        first_cells = [row.split(" | ")[0] for row in rows]
        if not any(f"`{parent}." in cell and leaf in cell for cell in first_cells):
            missing.append(f"{parent}.{leaf}")
    assert missing == []


def test_the_starter_config_mentions_every_section_key() -> None:
    from spotify_etl.pipeline.cli import starter_config

    starter = starter_config()
    missing = [f"{p}.{k}" for p, k in _config_keys() if k not in starter and p != "sources"]
    assert missing == []


def test_the_report_table_names_every_section() -> None:
    """One row per registered report section (`| overview | …`), in page order."""
    from spotify_etl.report.sections import registered

    lines = README[README.index("| section | cards") :].splitlines()[2:]
    rows = lines[: next(i for i, line in enumerate(lines) if not line.startswith("|"))]
    named = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    assert named == [s.id for s in registered()]
