"""Headless Chromium (Debian's `chromium`) for the report tests: dump the DOM after the page's
scripts ran, or take a screenshot. Skips, saying why, where chromium is not installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Let timers and promises run (virtual time) before the DOM is dumped.
    "--virtual-time-budget=20000",
)


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium is not installed (apt-get install -y chromium; .ci/run does)")


def run(page: Path, *args: str, timeout_s: float = 120) -> str:
    with tempfile.TemporaryDirectory(prefix="report-chromium-") as profile:
        done = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dump_dom(page: Path) -> str:
    return run(page, "--dump-dom", "--window-size=1280,2000")


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 2200) -> Path:
    run(
        page,
        f"--screenshot={png.resolve()}",
        f"--window-size={width},{height}",
        "--hide-scrollbars",
    )
    return png
