"""Declared quality checks per table. A row that fails one goes to quarantine with the reason.

Every non-nullable column of the model is checked for presence; the rules below add what a
value must look like. Keys are unique by construction (rows are deduplicated on them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spotify_etl import model
from spotify_etl.transform.values import is_valid_id

Predicate = Callable[[object], bool]

# The phonograph is from 1877; a release before that is a data error, not history.
MIN_YEAR = 1877


@dataclass(frozen=True)
class Rule:
    column: str
    ok: Predicate
    reason: str


def _opt(pred: Predicate) -> Predicate:
    return lambda v: v is None or pred(v)


def _between(lo: int, hi: int) -> Predicate:
    return lambda v: isinstance(v, int) and lo <= v <= hi


def _at_least(lo: int) -> Predicate:
    return lambda v: isinstance(v, int) and v >= lo


def _id_rule(column: str, optional: bool = False) -> Rule:
    return Rule(
        column,
        _opt(is_valid_id) if optional else is_valid_id,
        f"{column} is not a valid Spotify id (22 base62 characters)",
    )


def declared_rules(max_year: int) -> dict[str, tuple[Rule, ...]]:
    """The rules per table; `max_year` is the batch's year + 1 (pre-announced releases)."""
    popularity = Rule("popularity", _opt(_between(0, 100)), "popularity outside 0-100")
    year = Rule(
        "release_year",
        _opt(_between(MIN_YEAR, max_year)),
        f"release_year outside {MIN_YEAR}-{max_year}",
    )
    return {
        "ALBUM": (
            _id_rule("album_id"),
            _id_rule("album_artist_id", optional=True),
            year,
            Rule("release_month", _opt(_between(1, 12)), "release_month outside 1-12"),
            Rule("total_tracks", _opt(_at_least(0)), "total_tracks is negative"),
            popularity,
        ),
        "ARTIST": (
            _id_rule("artist_id"),
            Rule("followers", _opt(_at_least(0)), "followers is negative"),
            popularity,
        ),
        "ARTIST_GENRE": (_id_rule("artist_id"), Rule("genre", bool, "genre is empty")),
        "SONGS": (
            _id_rule("song_id"),
            _id_rule("album_id", optional=True),
            _id_rule("primary_artist_id", optional=True),
            Rule("duration_ms", _opt(_at_least(1)), "duration_ms is not > 0"),
            Rule("track_number", _opt(_at_least(1)), "track_number is not >= 1"),
            Rule("disc_number", _opt(_at_least(1)), "disc_number is not >= 1"),
            popularity,
        ),
        "SONG_ARTIST": (
            _id_rule("song_id"),
            _id_rule("artist_id"),
            Rule("artist_position", _at_least(0), "artist_position is negative"),
        ),
        "PLAYLIST": (
            _id_rule("playlist_id"),
            Rule("total_items", _opt(_at_least(0)), "total_items is negative"),
        ),
        "PLAYLIST_ITEM": (
            _id_rule("playlist_id"),
            _id_rule("song_id", optional=True),
            Rule("position", _at_least(0), "position is negative"),
        ),
    }


CompiledRules = tuple[tuple[int, Predicate, str], ...]


def compile_rules(max_year: int) -> dict[str, CompiledRules]:
    """Rules as (column index, predicate, reason), not-null checks first."""
    declared = declared_rules(max_year)
    compiled: dict[str, CompiledRules] = {}
    for table in model.TABLES:
        names = table.column_names
        rules: list[tuple[int, Predicate, str]] = [
            (names.index(c.name), _present, f"{c.name} is missing")
            for c in table.columns
            if not c.nullable
        ]
        rules += [(names.index(r.column), r.ok, r.reason) for r in declared.get(table.name, ())]
        compiled[table.name] = tuple(rules)
    return compiled


def _present(value: object) -> bool:
    # An empty name is a value (the API sends one for taken-down albums), not a NULL.
    return value is not None


def first_failure(rules: CompiledRules, row: tuple[object, ...]) -> str | None:
    for index, ok, reason in rules:
        if not ok(row[index]):
            return reason
    return None
