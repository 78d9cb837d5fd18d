"""The README's picture can be redrawn (`make report-screenshot` runs the same function)."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.report_screenshot import shoot

README_PNG = Path(__file__).resolve().parents[2] / "docs" / "report.png"


def test_the_readme_shows_the_screenshot() -> None:
    readme = README_PNG.parents[1].joinpath("README.md").read_text(encoding="utf-8")
    assert "](docs/report.png)" in readme
    assert README_PNG.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_the_screenshot_regenerates(tmp_path: Path) -> None:
    png = shoot(tmp_path / "report.png", height=1200)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a drawn page, not blank
