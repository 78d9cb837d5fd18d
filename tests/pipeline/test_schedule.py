"""`spotify-etl schedule`: what it writes parses as cron, systemd units and an Actions workflow."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from spotify_etl import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
CRON_FIELD = r"(\*|\d{1,2})"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def schedule(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Result]:
    """`spotify-etl schedule ARGS` in-process (through main), in a folder with a config."""
    cli.register_commands()

    def run(tmp_path: Path, *args: str, with_config: bool = True, **env: str) -> Result:
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("SPOTIFY_ETL_CONFIG", raising=False)
        monkeypatch.setenv("HOME", str(tmp_path))
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        config = tmp_path / "pipeline.toml"
        if with_config and not config.exists():
            config.write_text('[sources]\nalbums = ["4aawyAB9vmqN3uQ7FjRGTy"]\n')
        try:
            cli.main(["schedule", *args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def test_cron_lines_run_daily_at_the_time_and_listen_at_boot(
    tmp_path: Path, schedule: Callable[..., Result]
) -> None:
    result = schedule(tmp_path, "--at", "05:30")
    assert result.returncode == 0, result.stderr
    entries = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    assert entries[0] == "CRON_TZ=UTC"
    daily = re.fullmatch(rf"{CRON_FIELD} {CRON_FIELD} \* \* \* (.+)", entries[1])
    assert daily and daily.groups()[:2] == ("30", "5")
    words = shlex.split(daily[3])
    assert words[0].startswith("SPOTIFY_ETL_ENV_FILE=")
    assert Path(words[1]).is_absolute() and words[1:3] == [words[1], "run"]
    assert words[words.index("-c") + 1] == str(tmp_path / "pipeline.toml")
    assert daily[3].endswith(f">> {tmp_path / 'spotify-data' / 'logs' / 'run.log'} 2>&1")
    assert entries[2].startswith("@reboot ") and " listen -c " in entries[2]
    assert "SPOTIFY_CLIENT_SECRET" not in result.stdout
    no_listen = schedule(tmp_path, "--no-listen")
    assert "@reboot" not in no_listen.stdout


def _units(text: str) -> dict[str, configparser.ConfigParser]:
    units: dict[str, configparser.ConfigParser] = {}
    for chunk in text.split("# ")[1:]:
        name, _, body = chunk.partition("\n")
        parser = configparser.ConfigParser(strict=True, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string(body)
        units[name.strip()] = parser
    return units


def test_systemd_units_are_a_oneshot_service_a_daily_timer_and_listen(
    tmp_path: Path, schedule: Callable[..., Result]
) -> None:
    result = schedule(tmp_path, "--kind", "systemd")
    assert result.returncode == 0, result.stderr
    units = _units(result.stdout)
    assert set(units) == {"spotify-etl-run.service", "spotify-etl-run.timer",
                          "spotify-etl-listen.service"}  # fmt: skip
    run = units["spotify-etl-run.service"]["Service"]
    assert run["Type"] == "oneshot" and run["SuccessExitStatus"] == "75"
    assert shlex.split(run["ExecStart"])[1] == "run"
    timer = units["spotify-etl-run.timer"]
    assert timer["Timer"]["OnCalendar"] == "*-*-* 06:00:00 UTC"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    listen = units["spotify-etl-listen.service"]["Service"]
    assert shlex.split(listen["ExecStart"])[1] == "listen" and listen["Restart"] == "on-failure"


def test_install_writes_the_user_units(tmp_path: Path, schedule: Callable[..., Result]) -> None:
    config_home = tmp_path / "xdg"
    result = schedule(
        tmp_path, "--kind", "systemd", "--install", XDG_CONFIG_HOME=str(config_home),
        PATH="/nonexistent",  # no systemctl here: the units are written, the command printed
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    unit_dir = config_home / "systemd" / "user"
    assert sorted(p.name for p in unit_dir.iterdir()) == [
        "spotify-etl-listen.service", "spotify-etl-run.service", "spotify-etl-run.timer"
    ]  # fmt: skip
    assert "systemctl --user enable --now spotify-etl-run.timer" in result.stdout
    printed = _units(schedule(tmp_path, "--kind", "systemd").stdout)
    on_disk = (unit_dir / "spotify-etl-run.timer").read_text()
    assert dict(printed["spotify-etl-run.timer"]["Timer"]) == dict(
        _units("# t\n" + on_disk)["t"]["Timer"]
    )


def test_the_readme_workflow_is_what_schedule_writes_and_it_parses(
    tmp_path: Path, schedule: Callable[..., Result]
) -> None:
    written = schedule(tmp_path, "--kind", "github")
    assert written.returncode == 0, written.stderr
    start = README.index("```yaml\nname: spotify-etl daily")
    in_readme = README[start + len("```yaml\n") : README.index("```", start + 8)]
    assert in_readme == written.stdout
    workflow = yaml.safe_load(written.stdout)
    trigger = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert re.fullmatch(r"\d+ \d+ \* \* \*", trigger["schedule"][0]["cron"])
    steps = workflow["jobs"]["daily"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs[0] == "pip install -c requirements.lock ."
    assert runs[1].startswith("spotify-etl run -c pipeline.toml") and "75" in runs[1]
    env = [s for s in steps if "run" in s][1]["env"]
    assert env["SPOTIFY_CLIENT_SECRET"] == "${{ secrets.SPOTIFY_CLIENT_SECRET }}"
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"] == "spotify-data"


def test_bad_time_and_no_config_are_one_line_usage_errors(
    tmp_path: Path, schedule: Callable[..., Result]
) -> None:
    bad = schedule(tmp_path, "--at", "25:00")
    assert bad.returncode == 2 and "HH:MM" in bad.stderr
    (tmp_path / "elsewhere").mkdir()
    none = schedule(tmp_path / "elsewhere", with_config=False)
    assert none.returncode == 2 and "needs a config file" in none.stderr


def test_the_printed_cron_line_runs_as_pasted_into_a_crontab(
    tmp_path: Path, schedule: Callable[..., Result]
) -> None:
    # cron hands the command to sh, which runs nothing when `>> run.log` names a missing folder
    result = schedule(tmp_path, "--no-listen")
    [daily] = [line for line in result.stdout.splitlines() if line[:1].isdigit()]
    command = daily.split(" ", 5)[5]  # after the five time fields, as cron does
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_")}
    ran = subprocess.run(
        ["sh", "-c", command], cwd=tmp_path, env={**env, "HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ran.stderr == "", ran.stderr
    log = tmp_path / "spotify-data" / "logs" / "run.log"
    # spotify-etl ran and said why it stopped (no credentials in the env file yet)
    assert "SPOTIFY_CLIENT_ID" in log.read_text(encoding="utf-8")


FAKE_CRONTAB = """#!/bin/sh
# `crontab -l` prints the table (exit 1 when there is none); `crontab -` replaces it
if [ "$1" = "-l" ]; then [ -f "$HOME/crontab" ] || exit 1; cat "$HOME/crontab"
else cat > "$HOME/crontab"; fi
"""


def test_installing_in_the_crontab_twice_keeps_the_users_lines_and_ours_once(
    tmp_path: Path, schedule: Callable[..., Result]
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "crontab").write_text(FAKE_CRONTAB)
    (bin_dir / "crontab").chmod(0o755)
    theirs = ["MAILTO=me@example.com", "0 1 * * * /usr/local/bin/backup"]
    (tmp_path / "crontab").write_text("\n".join(theirs) + "\n")
    for _ in range(2):
        result = schedule(tmp_path, "--install", PATH=f"{bin_dir}:/usr/bin:/bin")
        assert result.returncode == 0, result.stderr
        assert "installed in the crontab" in result.stdout
    table = (tmp_path / "crontab").read_text().splitlines()
    printed = schedule(tmp_path).stdout.splitlines()
    assert table == [*theirs, *printed]  # ours once, CRON_TZ included, theirs untouched
