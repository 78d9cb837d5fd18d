"""`spotify-etl schedule`: the daily run (and `listen`) off AWS, as cron lines or systemd units.

Printed by default, installed with `--install`. Both recipes name absolute paths (the
`spotify-etl` that is running, the config file), keep secrets out of the schedule (they are
read from SPOTIFY_ETL_ENV_FILE, a private env file), and treat exit code 75 (stopped early,
resumable) as a success: the next day's run continues from the checkpoint.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from spotify_etl.errors import EXIT_RESUMABLE, ConfigError

MARKER = "# spotify-etl schedule"
CRON_TZ = "CRON_TZ=UTC"  # cron runs in the system's time zone; this pins ours to UTC
ENV_FILE = "~/.config/spotify-etl/env"  # SPOTIFY_CLIENT_ID=... lines, mode 0600
RUN_UNIT = "spotify-etl-run"
LISTEN_UNIT = "spotify-etl-listen"


@dataclass(frozen=True)
class Plan:
    """What to schedule: the executable, the config, the daily time (UTC), the log folder."""

    executable: Path
    config: Path
    hour: int
    minute: int
    logs: Path
    env_file: Path = field(default_factory=lambda: Path(ENV_FILE).expanduser())
    listen: bool = True

    def command(self, *args: str) -> str:
        return " ".join([_quote(str(self.executable)), *args, "-c", _quote(str(self.config))])


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def current_executable() -> Path:
    """The `spotify-etl` beside this interpreter (a venv's bin/), else `python -m spotify_etl`."""
    script = Path(sys.executable).parent / "spotify-etl"
    return script if script.is_file() else Path(sys.executable)


def parse_time(text: str) -> tuple[int, int]:
    hour, sep, minute = text.partition(":")
    if not (sep and hour.isdigit() and minute.isdigit()) or int(hour) > 23 or int(minute) > 59:
        raise ConfigError(f"--at {text!r}: use HH:MM (24-hour, UTC), e.g. 06:00")
    return int(hour), int(minute)


def cron_lines(plan: Plan) -> list[str]:
    """crontab lines: the daily run at HH:MM UTC and `listen` started at boot."""
    log = _quote(str(plan.logs / "run.log"))
    env = f"SPOTIFY_ETL_ENV_FILE={_quote(str(plan.env_file))}"
    # CRON_TZ (cronie, busybox) applies to the lines after it: ours come last.
    lines = [
        f"{MARKER}: daily run at {plan.hour:02d}:{plan.minute:02d} UTC; "
        f"exit {EXIT_RESUMABLE} = stopped early, resumes tomorrow",
        CRON_TZ,
        f"{plan.minute} {plan.hour} * * * {env} {plan.command('run', '--quiet')} >> {log} 2>&1",
    ]
    if plan.listen:
        listen_log = _quote(str(plan.logs / "listen.log"))
        lines.append(f"@reboot {env} {plan.command('listen')} >> {listen_log} 2>&1")
    return lines


def systemd_units(plan: Plan) -> dict[str, str]:
    """File name -> text of systemd user units: a oneshot run with a daily timer, and listen."""
    env = f"Environment=SPOTIFY_ETL_ENV_FILE={plan.env_file}"
    units = {
        f"{RUN_UNIT}.service": "\n".join([
            "[Unit]",
            "Description=spotify-etl daily run (extract -> transform -> load)",
            "After=network-online.target",
            "",
            "[Service]",
            "Type=oneshot",
            env,
            f"ExecStart={plan.command('run', '--quiet')}",
            f"SuccessExitStatus={EXIT_RESUMABLE}",
            "",
        ]),
        f"{RUN_UNIT}.timer": "\n".join([
            "[Unit]",
            f"Description=spotify-etl daily run at {plan.hour:02d}:{plan.minute:02d} UTC",
            "",
            "[Timer]",
            f"OnCalendar=*-*-* {plan.hour:02d}:{plan.minute:02d}:00 UTC",
            "Persistent=true",
            "RandomizedDelaySec=300",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
        ]),
    }  # fmt: skip
    if plan.listen:
        units[f"{LISTEN_UNIT}.service"] = "\n".join([
            "[Unit]",
            "Description=spotify-etl listen (recently played, continuously)",
            "After=network-online.target",
            "",
            "[Service]",
            env,
            f"ExecStart={plan.command('listen')}",
            "Restart=on-failure",
            "RestartSec=60",
            "",
            "[Install]",
            "WantedBy=default.target",
            "",
        ])  # fmt: skip
    return units


def install_cron(plan: Plan) -> str:
    """Replace this project's lines in the user's crontab (others are kept as they are)."""
    if shutil.which("crontab") is None:
        raise ConfigError("crontab not found", hint="use --kind systemd, or add the lines by hand")
    listed = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
    current = listed.stdout if listed.returncode == 0 else ""
    new = "\n".join([*_theirs(current.splitlines(), plan), *cron_lines(plan)]) + "\n"
    subprocess.run(["crontab", "-"], input=new, text=True, check=True)
    return "installed in the crontab (see `crontab -l`)"


def _ours(line: str, plan: Plan) -> bool:
    return line.startswith(MARKER) or (str(plan.config) in line and "spotify-etl" in line)


def _theirs(lines: list[str], plan: Plan) -> list[str]:
    """The crontab without the lines an earlier install wrote, so a reinstall adds none twice.

    Our CRON_TZ line is the one right after our marker; any other is the user's and stays.
    """
    kept: list[str] = []
    after_marker = False
    for line in lines:
        if not (_ours(line, plan) or (after_marker and line.strip() == CRON_TZ)):
            kept.append(line)
        after_marker = line.startswith(MARKER)
    return kept


def install_systemd(plan: Plan, unit_dir: Path) -> str:
    unit_dir.mkdir(parents=True, exist_ok=True)
    for name, text in systemd_units(plan).items():
        (unit_dir / name).write_text(text, encoding="utf-8")
    enable = ["systemctl", "--user", "enable", "--now", f"{RUN_UNIT}.timer"]
    if plan.listen:
        enable.append(f"{LISTEN_UNIT}.service")
    if shutil.which("systemctl") is None:
        return f"wrote the units to {unit_dir}; then run: systemctl --user daemon-reload && " + (
            " ".join(enable)
        )
    subprocess.run(["systemctl", "--user", "daemon-reload"], check=True)
    subprocess.run(enable, check=True)
    return f"wrote the units to {unit_dir} and enabled them"


def github_workflow(plan: Plan, config_in_repo: str = "pipeline.toml") -> str:
    """A GitHub Actions workflow for the daily run, for people without AWS.

    The lake, the extraction state and the warehouse live in ./spotify-data, carried from
    one day to the next by the Actions cache (a new key each run, restored by prefix), so a
    run continues from the previous one; exit 75 (stopped early, resumes) is not a failure.
    """
    return "\n".join([
        "name: spotify-etl daily",
        "on:",
        "  schedule:",
        f'    - cron: "{plan.minute} {plan.hour} * * *"   # UTC',
        "  workflow_dispatch: {}",
        "concurrency: spotify-etl   # never two runs on the same state",
        "jobs:",
        "  daily:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: actions/setup-python@v5",
        "        with:",
        '          python-version: "3.12"',
        "      - uses: actions/cache@v4",
        "        with:",
        "          path: spotify-data",
        "          key: spotify-data-${{ github.run_id }}",
        "          restore-keys: spotify-data-",
        "      - run: pip install -c requirements.lock .",
        f"      - run: spotify-etl run -c {config_in_repo} || test $? -eq {EXIT_RESUMABLE}",
        "        env:",
        "          SPOTIFY_CLIENT_ID: ${{ secrets.SPOTIFY_CLIENT_ID }}",
        "          SPOTIFY_CLIENT_SECRET: ${{ secrets.SPOTIFY_CLIENT_SECRET }}",
        "",
    ])  # fmt: skip
