"""The command as a new user meets it: exit codes, one clear line, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SPOTIFY_", "SNOWFLAKE_"))}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "spotify_etl", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_clear_line(
    result: subprocess.CompletedProcess[str], code: int, *needles: str
) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "init", "status", "config", "extract", "transform", "load", "query"):
        assert command in result.stdout


def test_init_writes_a_valid_config_and_refuses_to_overwrite(tmp_path: Path) -> None:
    created = cli("init", "p.toml", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert (tmp_path / "p.toml").is_file()
    # Parsed and valid, but with nothing to fetch and no credentials: what `run` would refuse.
    check = cli("config", "check", "--config", "p.toml", cwd=tmp_path)
    assert check.returncode == 2, check.stderr
    assert "config NOT OK: 2 errors" in check.stdout and "NOT set" in check.stdout
    assert "no sources configured" in check.stderr and "SPOTIFY_CLIENT_ID" in check.stderr
    again = cli("init", "p.toml", cwd=tmp_path)
    assert_one_clear_line(again, 2, "already exists", "--force")


def test_wrong_config_key_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text("[extract]\nbudjet = 10\n")
    result = cli("config", "check", "--config", "p.toml", cwd=tmp_path)
    assert_one_clear_line(result, 2, "extract.budjet")


@pytest.mark.parametrize("command", ["run", "extract"])
def test_missing_credentials_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    (tmp_path / "p.toml").write_text('[sources]\nalbums = ["4aawyAB9vmqN3uQ7FjRGTy"]\n')
    result = cli(command, "--config", "p.toml", cwd=tmp_path)
    assert_one_clear_line(result, 2, "SPOTIFY_CLIENT_ID")


def test_missing_config_file(tmp_path: Path) -> None:
    result = cli("run", "--config", "nope.toml", cwd=tmp_path)
    assert_one_clear_line(result, 2, "not found", "spotify-etl init")


def test_a_config_without_sources_is_a_usage_error(tmp_path: Path) -> None:
    cli("init", "p.toml", cwd=tmp_path)
    env = {"SPOTIFY_CLIENT_ID": "id", "SPOTIFY_CLIENT_SECRET": "secret"}
    result = cli("run", "--config", "p.toml", cwd=tmp_path, env=env)
    assert_one_clear_line(result, 2, "no sources configured")
