"""Terminal output: counts that read as English, bars whose total may grow, and log lines
printed above a live bar instead of into it."""

from __future__ import annotations

import io
import logging

import pytest
from rich.console import Console

from spotify_etl import console
from spotify_etl.logs import setup_logging


@pytest.mark.parametrize(
    ("n", "word", "expected"),
    [(1, "batch", "1 batch"), (2, "batch", "2 batches"), (0, "file", "0 files"),
     (1, "raw part", "1 raw part"), (12_345, "row", "12,345 rows")],
)  # fmt: skip
def test_plural(n: int, word: str, expected: str) -> None:
    assert console.plural(n, word) == expected


def test_a_log_line_during_a_bar_is_printed_whole_above_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(console, "err", Console(file=screen, force_terminal=True, width=200))
    monkeypatch.setattr(console, "interactive", lambda: True)
    setup_logging(level="WARNING")
    try:
        with console.progress("extract") as update:
            update(1, 4)
            logging.getLogger("spotify_etl.test").warning("playlist 123 skipped: 403")
            update(5, 4)  # more done than planned: the total grows, never below done
    finally:
        setup_logging(level="WARNING")
    lines = screen.getvalue().replace("\r", "\n").splitlines()
    [logged] = [line for line in lines if "playlist 123 skipped" in line]
    assert logged.rstrip().endswith("WARNING spotify_etl.test: playlist 123 skipped: 403")
    assert "━" not in logged  # not drawn into the bar
    assert any("5/5" in line for line in lines)


def test_json_mode_writes_one_object_per_summary(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(console.Mode, "log_format", "json")
    console.emit_json("run", {"exit_code": 0})
    console.note("config: pipeline.toml")
    captured = capsys.readouterr()
    assert captured.out == '{"summary": "run", "exit_code": 0}\n'
    assert captured.err.startswith('{"level": "INFO", "message": "config: pipeline.toml"')
