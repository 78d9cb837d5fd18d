"""The HTML file itself: self-contained, no URL that could be fetched, data escaped, and it
renders in a real headless Chromium with every chart drawn and no script error."""

from __future__ import annotations

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from spotify_etl.errors import FatalError
from spotify_etl.report import build_report, write_file
from spotify_etl.report.build import BuiltReport
from spotify_etl.report.runtime import RUNTIME_URLS, script
from spotify_etl.warehouse import Warehouse
from tests.report import browser

NOW = datetime(2026, 11, 24, 7, 0)
URL = re.compile(r"(?:https?|ftp|wss?)://[^\s\"'<>)\\]+|//[a-z0-9.-]+\.[a-z]{2,}/", re.I)


class _Refs(HTMLParser):
    """Every attribute that makes a browser fetch (src, href, srcset, poster, data, action)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "poster", "data", "action") and value:
                self.refs.append(value)


@pytest.fixture
def built(literal: Warehouse) -> BuiltReport:
    return build_report(literal, days=30, now=NOW)


def test_no_external_url_anywhere_in_the_file(built: BuiltReport) -> None:
    found = set(URL.findall(built.html))
    # What remains is the vendored runtime's own strings, none of them ever requested.
    assert found <= RUNTIME_URLS, found - RUNTIME_URLS
    refs = _Refs()
    refs.feed(built.html)
    assert all(r.startswith("#") for r in refs.refs), refs.refs  # in-page links only
    assert "link" not in refs.tags and "img" not in refs.tags and "iframe" not in refs.tags
    style = re.search(r"<style>(.*?)</style>", built.html, re.S)
    assert style is not None and "@import" not in style.group(1) and "url(" not in style.group(1)


def test_page_outside_the_runtime_holds_no_url_at_all(built: BuiltReport) -> None:
    page = built.html
    for file in ("vega.min.js", "vega-lite.min.js"):
        assert script(file) in page  # inlined byte for byte
        page = page.replace(script(file), "")
    assert "://" not in page


def test_csp_forbids_every_request(built: BuiltReport) -> None:
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', built.html)
    assert csp is not None
    assert "default-src 'none'" in csp.group(1) and "connect-src" not in csp.group(1)


def test_names_cannot_break_out_of_the_page(literal: Warehouse) -> None:
    evil = "</script><script>alert(1)</script> & <b>"
    literal.execute("UPDATE ARTIST SET artist_name = ? WHERE artist_id = 'ar1'", [evil])
    html = build_report(literal, now=NOW).html
    assert evil not in html and "<script>alert(1)" not in html
    specs = re.search(r'<script type="application/json" id="report-specs">(.*?)</script>', html)
    assert specs is not None
    values = json.loads(specs.group(1))["artists-songs"]["data"]["values"]
    assert values[0]["artist_name"] == evil  # the data is intact, only escaped


def test_a_changed_vendored_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from spotify_etl.report import runtime

    script.cache_clear()
    monkeypatch.setattr(
        runtime,
        "RUNTIME",
        tuple(runtime.Vendored(v.file, v.package, v.version, "0" * 64) for v in runtime.RUNTIME),
    )
    with pytest.raises(FatalError, match="not vega"):
        script("vega.min.js")
    script.cache_clear()


def _status(dom: str) -> dict[str, str]:
    tag = re.search(r'<output id="report-status"([^>]*)>', dom)
    assert tag is not None, "no status element in the rendered page"
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', tag.group(1)))


def test_renders_in_headless_chromium_with_every_chart_drawn(
    built: BuiltReport, tmp_path: Path
) -> None:
    page = write_file(tmp_path / "report.html", built.html)
    dom = browser.dump_dom(page)
    charts = sum(c.spec is not None for c in built.report.cards)
    assert charts >= 14
    assert _status(dom) == {
        "state": "done",
        "charts": str(charts),
        "drawn": str(charts),
        "errors": "0",
    }
    assert 'id="report-errors" hidden' in dom
    for card in built.report.cards:
        if card.spec is not None:  # each chart's container holds an SVG with marks
            assert re.search(rf'id="chart-{card.id}"[^>]*data-rendered="[1-9]', dom), card.id


def test_a_broken_chart_is_reported_not_hidden(built: BuiltReport, tmp_path: Path) -> None:
    """The browser check can fail: a spec Vega-Lite rejects shows up as a visible error."""
    broken = built.html.replace('"mark":{"type":"bar"', '"mark":{"type":"nonsense"', 1)
    assert broken != built.html
    dom = browser.dump_dom(write_file(tmp_path / "broken.html", broken))
    status = _status(dom)
    assert status["state"] == "done" and status["errors"] == "1"
    assert int(status["drawn"]) == int(status["charts"]) - 1
    assert 'id="report-errors" hidden' not in dom
