"""Declared quality checks per table. A row that fails one goes to quarantine with the reason.

Every non-nullable column of the model is checked for presence; the rules below add what a
value must look like. Keys are unique by construction (rows are deduplicated on them).

Rules are declared as small expressions over `v` (the column's value) and compiled, per
table, into one function that tests a row in a single call: checks run on every distinct row
of every batch, so their cost is the transform's. Only a failing row is re-tested rule by
rule to name the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spotify_etl import model
from spotify_etl.ids import ID_LENGTH, ID_RE

# The phonograph is from 1877; a release before that is a data error, not history.
MIN_YEAR = 1877

_V = re.compile(r"\bv\b")

Check = Callable[[tuple[Any, ...]], str | None]
Passes = Callable[[tuple[Any, ...]], bool]


@dataclass(frozen=True)
class Rule:
    column: str
    expr: str  # a Python expression over `v`; the names below are all it may use
    reason: str


def _id(column: str, optional: bool = False) -> Rule:
    expr = "ID(v) is not None" if not optional else "v is None or ID(v) is not None"
    return Rule(column, expr, f"{column} is not a valid Spotify id (22 base62 characters)")


def _fits(column: str, type_: str = "INTEGER") -> Rule:
    # The lower bound of these columns is a rule of its own (> 0, >= 0, >= 1); a value past
    # the upper one would fail the Parquet conversion and the load of its whole file.
    top = 2**31 - 1 if type_ == "INTEGER" else 2**63 - 1
    return Rule(column, f"v is None or v <= {top}", f"{column} is outside the {type_} range")


def declared_rules(max_year: int) -> dict[str, tuple[Rule, ...]]:
    """The rules per table; `max_year` is the batch's year + 1 (pre-announced releases)."""
    popularity = Rule("popularity", "v is None or 0 <= v <= 100", "popularity outside 0-100")
    year = Rule(
        "release_year",
        f"v is None or {MIN_YEAR} <= v <= {max_year}",
        f"release_year outside {MIN_YEAR}-{max_year}",
    )
    return {
        "ALBUM": (
            _id("album_id"),
            _id("album_artist_id", optional=True),
            year,
            Rule("release_month", "v is None or 1 <= v <= 12", "release_month outside 1-12"),
            Rule("total_tracks", "v is None or v >= 0", "total_tracks is negative"),
            _fits("total_tracks"),
            popularity,
        ),
        "ARTIST": (
            _id("artist_id"),
            Rule("followers", "v is None or v >= 0", "followers is negative"),
            _fits("followers", "BIGINT"),
            popularity,
        ),
        "ARTIST_GENRE": (_id("artist_id"), Rule("genre", "v != ''", "genre is empty")),
        "SONGS": (
            _id("song_id"),
            _id("album_id", optional=True),
            _id("primary_artist_id", optional=True),
            Rule("duration_ms", "v is None or v > 0", "duration_ms is not > 0"),
            Rule("track_number", "v is None or v >= 1", "track_number is not >= 1"),
            Rule("disc_number", "v is None or v >= 1", "disc_number is not >= 1"),
            _fits("duration_ms"),
            _fits("track_number"),
            _fits("disc_number"),
            popularity,
        ),
        "SONG_ARTIST": (
            _id("song_id"),
            _id("artist_id"),
            Rule("artist_position", "v >= 0", "artist_position is negative"),
        ),
        "PLAYLIST": (
            _id("playlist_id"),
            Rule("total_items", "v is None or v >= 0", "total_items is negative"),
            _fits("total_items"),
        ),
        "PLAY": (
            _id("song_id"),
            Rule("ms_played", "v is None or v >= 0", "ms_played is negative"),
            _fits("ms_played", "BIGINT"),
        ),
        "PLAYLIST_ITEM": (
            _id("playlist_id"),
            _id("song_id", optional=True),
            _id("episode_id", optional=True),
            Rule("position", "v >= 0", "position is negative"),
            _fits("position"),
            Rule(
                "local_duration_ms",
                "v is None or v >= 0",
                "local_duration_ms is negative",
            ),
            _fits("local_duration_ms"),
        ),
        "SHOWS": (
            _id("show_id"),
            Rule("total_episodes", "v is None or v >= 0", "total_episodes is negative"),
            _fits("total_episodes"),
        ),
        "EPISODE": (
            _id("episode_id"),
            _id("show_id", optional=True),
            Rule("duration_ms", "v is None or v > 0", "duration_ms is not > 0"),
            _fits("duration_ms"),
            year,
        ),
    }


def table_rules(table: model.Table, max_year: int) -> list[Rule]:
    # An empty name is a value (the API sends one for taken-down albums), not a NULL.
    present = [
        Rule(c.name, "v is not None", f"{c.name} is missing")
        for c in table.columns
        if not c.nullable
    ]
    declared = list(declared_rules(max_year).get(table.name, ()))
    # Presence first, so a later rule never sees a None it does not expect.
    return present + declared


_FAST_ID = f"(v.__class__ is STR and len(v) == {ID_LENGTH} and v.isascii() and v.isalnum())"


def _compile(expr: str) -> Callable[[tuple[Any, ...]], bool]:
    # The expressions are this module's own constants, never input.
    return eval(f"lambda r: {expr}", {"ID": ID_RE.fullmatch})  # type: ignore[no-any-return]  # noqa: S307


@lru_cache(maxsize=64)
def compile_check(table: model.Table, max_year: int) -> tuple[Passes, Check]:
    """(passes, reason): `passes(row)` is the whole rule set in one call (it may raise
    TypeError on a value of the wrong type); `reason(row)` names the first failing rule."""
    names = table.column_names
    rules = table_rules(table, max_year)
    parts = [f"({_V.sub(f'r[{names.index(r.column)}]', r.expr)})" for r in rules]
    # `passes` unpacks the row once and tests ids without a regex call (an ASCII string is
    # alphanumeric exactly when it matches [0-9A-Za-z]; a non-str fails as fullmatch's
    # TypeError does): it runs on every row of every batch.
    fast = [
        f"({_V.sub(f'c{names.index(r.column)}', r.expr.replace('ID(v) is not None', _FAST_ID))})"
        for r in rules
    ]
    unpack = ", ".join(f"c{i}" for i in range(len(names)))
    source = f"def passes(r):\n    {unpack}, = r\n    return {' and '.join(fast) or 'True'}\n"
    namespace: dict[str, Any] = {"STR": str}
    exec(source, namespace)  # noqa: S102  # built from this module's constants only
    passes = namespace["passes"]
    each = [(_compile(part), rule.reason) for part, rule in zip(parts, rules, strict=True)]

    def reason(row: tuple[Any, ...]) -> str | None:
        for ok, why in each:
            try:
                if not ok(row):
                    return why
            except TypeError:
                return why  # a value of the wrong type for the rule
        return None

    return passes, reason
