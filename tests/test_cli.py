"""The root command: which stage owns each command, and that a command loads only its own."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import typer

from spotify_etl import cli


def _names(app: typer.Typer) -> list[str]:
    commands = [info.name for info in app.registered_commands]
    groups = [info.name or info.typer_instance.info.name for info in app.registered_groups]
    assert None not in commands + groups
    return [str(name) for name in commands + groups]


def test_stages_table_names_every_command_of_each_stage() -> None:
    owned: dict[str, str] = {}
    for module in dict.fromkeys(cli.STAGES.values()):
        app = typer.Typer()
        importlib.import_module(module).register(app)
        owned |= {name: module for name in _names(app)}
    assert owned == cli.STAGES


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["load", "--warehouse", "duckdb:///w"], "load"),
        (["-q", "--log-format", "json", "transform"], "transform"),
        (["--log-format=json", "import", "history"], "import"),
        (["--help"], None),
        ([], None),
        (["--log-format"], None),
    ],
)
def test_command_of_skips_the_global_flags(argv: list[str], command: str | None) -> None:
    assert cli.command_of(argv) == command


def _modules_after(*argv: str) -> set[str]:
    code = (
        "import sys\n"
        "from spotify_etl import cli\n"
        "try:\n"
        f"    cli.main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(m for m in sys.modules if m.startswith('spotify_etl')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_a_command_imports_only_its_own_stage() -> None:
    loaded = _modules_after("transform", "--help")
    assert "spotify_etl.transform.cli" in loaded
    assert not {m for m in loaded if m.startswith(("spotify_etl.extract", "spotify_etl.report"))}


def test_help_order_does_not_depend_on_what_was_registered_first() -> None:
    fresh = typer.Typer()
    for module in dict.fromkeys(cli.STAGES.values()):
        importlib.import_module(module).register(fresh)
    cli.register_commands("load")  # one stage first, as `main` does, then all of them
    cli.register_commands()
    assert _names(cli.app) == _names(fresh)


def _imported_by(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join(sys.modules))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in out.stdout.split()}


def test_a_transform_worker_carries_neither_the_cli_nor_the_settings() -> None:
    # A forkserver worker re-runs the console script (`from spotify_etl.__main__ import
    # main`) and unpickles its job from transform.parallel: ~40 MB more per worker if these
    # pulled in typer, rich or pydantic.
    loaded = _imported_by(
        "from spotify_etl.__main__ import main\nimport spotify_etl.transform.parallel"
    )
    assert not loaded & {"typer", "rich", "click", "pydantic", "pydantic_settings"}
