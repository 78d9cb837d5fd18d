"""The README, followed word for word by a new user: the setup, then every command in order.

The walk-through block starts with the two setup commands (`make demo`, then activating the
venv). The test does setup 2 for real (it sources this venv's `activate`, so the command must
be on PATH afterwards) and runs every later line, as written, in one shell in a fresh folder,
checking each exit code against the README's own words ("exits 2"; otherwise 0).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = "## Your own pipeline in five minutes"
ACTIVATE = Path(sys.prefix) / "bin" / "activate"


def walkthrough() -> list[tuple[str, int]]:
    """(command, documented exit code) after the two setup commands."""
    section = README[README.index(SECTION) :]
    block = section[section.index("```sh\n") + 6 : section.index("\n```", section.index("```sh"))]
    lines = [line for line in block.splitlines() if line.strip()]
    assert lines[0].startswith("make demo") and lines[1].startswith(". .venv/bin/activate")
    steps = []
    for line in lines[2:]:
        command, _, comment = line.partition("  # ")
        documented = re.search(r"exits (\d+)", comment)
        steps.append((command.strip(), int(documented.group(1)) if documented else 0))
    return steps


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_documented_setup_puts_the_cli_on_path(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = "/usr/bin:/bin"  # a new shell: no venv on the PATH yet
    found = subprocess.run(
        ["bash", "-c", f". {ACTIVATE} && command -v spotify-etl && spotify-etl --version"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines()[0] == str(ACTIVATE.parent / "spotify-etl")
    assert found.stdout.splitlines()[1].startswith("spotify-etl ")


def test_the_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    steps = walkthrough()
    assert any(cmd.startswith("spotify-etl run") for cmd, _ in steps)
    port = str(_free_port())  # the README's 8765 may be taken on a shared machine
    script = [f". {ACTIVATE}", "set -u"]
    for i, (command, _code) in enumerate(steps):
        script.append(command.replace("8765", port))
        if command.endswith("&"):
            # what a person does without thinking: wait for the printed URL before going on
            wait = f"(echo > /dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; sleep 0.1"
            script.append(f"for _ in $(seq 50); do {wait}; done")
        script.append(f'echo "@@step {i} $?"')
    script.append("wait")  # the README stops the simulator itself (`kill %1`)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPOTIFY_", "VIRTUAL_ENV"))}
    env["HOME"] = str(tmp_path / "home")  # no token or config of the developer's
    env["PATH"] = "/usr/bin:/bin"
    result = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    codes = dict(re.findall(r"^@@step (\d+) (\d+)$", result.stdout, re.MULTILINE))
    for i, (command, expected) in enumerate(steps):
        got = codes.get(str(i))
        assert got == str(expected), (
            f"{command!r} exited {got}, README says {expected}\n" + (result.stderr[-3000:])
        )
    assert "Traceback" not in result.stderr
    assert (tmp_path / "my-pipeline" / "pipeline.toml").is_file()
    assert "Wander Orchestra" in result.stdout or "artist_id" in result.stdout
