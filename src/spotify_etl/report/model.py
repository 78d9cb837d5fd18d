"""What a report is made of: sections of cards, each a chart spec and the table behind it.

Everything here is plain data, so tests compare a card's rows and its spec's inline values
exactly, and the page renderer (page.py) is the only place that knows HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spotify_etl.report.context import ReportContext

Spec = dict[str, Any]
_ID = re.compile(r"^[a-z][a-z0-9-]*$")


def plain(value: Any) -> Any:
    """A warehouse value as JSON: dates as ISO text, decimals as floats."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


@dataclass(frozen=True)
class Rows:
    """A query's answer: lower-case column names and rows of JSON-plain values."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    @classmethod
    def of(cls, columns: list[str], rows: list[tuple[Any, ...]]) -> Rows:
        return cls(tuple(columns), tuple(tuple(plain(v) for v in r) for r in rows))

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]

    def select(self, *names: str) -> Rows:
        """Only these columns, in this order (a card shows what its chart draws)."""
        idx = [self.columns.index(n) for n in names]
        return Rows(tuple(names), tuple(tuple(r[i] for i in idx) for r in self.rows))

    def column(self, name: str) -> list[Any]:
        i = self.columns.index(name)
        return [r[i] for r in self.rows]

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Card:
    """One chart (or a card saying why there is none) with the table behind it."""

    id: str  # unique on the page: [a-z][a-z0-9-]*
    title: str
    caption: str
    table: Rows
    spec: Spec | None = None  # Vega-Lite, data inline; None with `unavailable` set
    query: str = ""  # the named query behind it (`spotify-etl query NAME`), if any
    unavailable: str | None = None  # shown instead of a chart, never an empty chart
    facts: tuple[tuple[str, str], ...] = ()  # key figures (label, value) instead of a chart

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"card id {self.id!r} must match {_ID.pattern}")
        kinds = (self.spec is not None) + (self.unavailable is not None) + bool(self.facts)
        if kinds != 1:
            raise ValueError(f"card {self.id}: exactly one of spec, unavailable and facts")


@dataclass(frozen=True)
class Section:
    """A report section: one module in report/sections/ defines one as SECTION.

    `build` returns the section's cards; a section with no cards is left out of the page
    (so a section about a table that has no rows simply does not appear).
    """

    id: str
    title: str
    order: int  # position on the page, lowest first
    build: Callable[[ReportContext], list[Card]]
    intro: str = ""


@dataclass(frozen=True)
class BuiltSection:
    id: str
    title: str
    intro: str
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class Report:
    title: str
    generated_at: str  # UTC, ISO
    source: str  # the warehouse URL (never holds credentials)
    days: int
    sections: tuple[BuiltSection, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def cards(self) -> list[Card]:
        return [c for s in self.sections for c in s.cards]

    def card(self, card_id: str) -> Card:
        for c in self.cards:
            if c.id == card_id:
                return c
        raise KeyError(card_id)
