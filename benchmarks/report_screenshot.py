"""The README's screenshot: the report of the benchmark's synthetic 30-day warehouse, drawn
by headless Chromium (`make report-screenshot`; tests/report/test_screenshot.py runs the same).

Run: .venv/bin/python benchmarks/report_screenshot.py docs/report.png
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report_warehouse import build
from tests.report import browser

from spotify_etl.report import build_report, write_file


def shoot(png: Path, *, height: int = 6400) -> Path:
    with tempfile.TemporaryDirectory(prefix="report-shot-") as tmp:
        wh = build(Path(tmp) / "warehouse.duckdb", days=30, items_per_day=2_000, playlists=40)
        try:
            built = build_report(wh, days=30, now=datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
        finally:
            wh.close()
        page = write_file(Path(tmp) / "report.html", built.html)
        png.parent.mkdir(parents=True, exist_ok=True)
        return browser.screenshot(page, png, width=1280, height=height)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/report.png")
    print(shoot(target))
