"""`spotify-etl report` as a user runs it: the file, its file:// link, and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from spotify_etl.warehouse import Warehouse


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spotify_etl", "report", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_writes_the_page_and_prints_its_link(literal: Warehouse, tmp_path: Path) -> None:
    url = literal.url
    literal.close()  # DuckDB allows one writer: the command opens it itself
    out = tmp_path / "out" / "report.html"
    done = _run("--warehouse", url, "--out", str(out), "--days", "7", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summary, link = done.stdout.strip().splitlines()
    assert link == out.resolve().as_uri()
    assert "charts) from 20 named queries" in summary
    page = out.read_text(encoding="utf-8")
    assert "last 7 days of snapshots" in page and 'id="report-specs"' in page
    assert not list(out.parent.glob(".*.tmp"))  # written aside, then renamed


def test_a_missing_warehouse_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = _run("--warehouse", f"duckdb:///{tmp_path / 'none.duckdb'}", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "load one first" in done.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_bad_days_and_out_are_usage_errors(literal: Warehouse, tmp_path: Path) -> None:
    url = literal.url
    literal.close()
    assert _run("--warehouse", url, "--days", "0", cwd=tmp_path).returncode == 2
    done = _run("--warehouse", url, "--out", "ftp://x/y.html", cwd=tmp_path)
    assert done.returncode == 2 and "use a file path or s3://bucket/key" in done.stderr
