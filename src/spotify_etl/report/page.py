"""The report as one self-contained HTML file: styles, runtime, specs and tables inline.

The page's Content-Security-Policy allows no fetch of any kind (default-src 'none'), so even
a spec that named a URL could not make a request; the browser test turns any CSP violation
into a visible error. 'unsafe-eval' is for Vega's expression compiler (it builds functions
from the spec's expressions); 'unsafe-inline' because everything is inline by design.
"""

from __future__ import annotations

import json
from html import escape
from importlib import resources
from typing import Any

from spotify_etl.report.model import BuiltSection, Card, Report
from spotify_etl.report.runtime import scripts

CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data:; font-src data:"
)
TABLE_ROWS_SHOWN = 500  # per card; the page says when a table is longer


def _asset(name: str) -> str:
    return resources.files("spotify_etl.report").joinpath(f"assets/{name}").read_text("utf-8")


def _json_for_script(value: Any) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' can end the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _cell(value: Any) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int | float):
        return (
            f'<td class="num">{value:,}</td>'
            if isinstance(value, int)
            else (f'<td class="num">{value:,.2f}</td>')
        )
    return f"<td>{escape(str(value))}</td>"


def _table(card: Card) -> str:
    rows = card.table.rows
    head = "".join(f"<th>{escape(c)}</th>" for c in card.table.columns)
    body = "".join(
        "<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows[:TABLE_ROWS_SHOWN]
    )
    more = len(rows) - TABLE_ROWS_SHOWN
    note = f" (first {TABLE_ROWS_SHOWN} of {len(rows)})" if more > 0 else ""
    source = f" · <code>spotify-etl query {escape(card.query)}</code>" if card.query else ""
    return (
        f"<details><summary>table, {len(rows)} row{'s' if len(rows) != 1 else ''}{note}"
        f'{source}</summary><div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div></details>"
    )


def _card(card: Card) -> str:
    if card.unavailable is not None:
        body = (
            f'<div class="unavailable" data-unavailable="{escape(card.id)}">'
            f"<strong>{escape(card.unavailable)}</strong></div>"
        )
    elif card.facts:
        body = (
            '<dl class="facts">'
            + "".join(
                f"<div><dt>{escape(label)}</dt><dd>{escape(value)}</dd></div>"
                for label, value in card.facts
            )
            + "</dl>"
        )
    else:
        body = (
            f'<div class="chart" id="chart-{card.id}" role="img" '
            f'aria-label="{escape(card.title)}"></div>'
        )
    return (
        f'<figure class="card" id="card-{card.id}"><h3>{escape(card.title)}</h3>{body}'
        f"<figcaption>{escape(card.caption)}</figcaption>{_table(card)}</figure>"
    )


def _section(section: BuiltSection) -> str:
    intro = f'<p class="intro">{escape(section.intro)}</p>' if section.intro else ""
    cards = "".join(_card(c) for c in section.cards)
    return (
        f'<section id="section-{section.id}"><h2>{escape(section.title)}</h2>{intro}'
        f'<div class="cards">{cards}</div></section>'
    )


def render_html(report: Report) -> str:
    specs = {c.id: c.spec for c in report.cards if c.spec is not None}
    nav = "".join(f'<a href="#section-{s.id}">{escape(s.title)}</a>' for s in report.sections)
    runtime = "".join(
        f"<script>/* {v.package} {v.version}, BSD-3-Clause */\n{text}\n</script>"
        for v, text in scripts()
    )
    notes = "".join(f"<p>{escape(n)}</p>" for n in report.notes)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(report.title)}</title><style>{_asset('style.css')}</style></head>"
        f"<body><header><h1>{escape(report.title)}</h1>"
        f"<p>{escape(report.source)} · last {report.days} days of snapshots · generated "
        f"{escape(report.generated_at)}</p>{notes}<nav>{nav}</nav></header>"
        '<div id="report-errors" hidden><strong>Some charts could not be drawn</strong><ul></ul>'
        "</div><main>"
        + "".join(_section(s) for s in report.sections)
        + '</main><output id="report-status" data-state="pending">drawing charts…</output>'
        f'<script type="application/json" id="report-specs">{_json_for_script(specs)}</script>'
        f"{runtime}<script>{_asset('boot.js')}</script></body></html>\n"
    )
