"""PLAY: a short-format export play (minute precision) folded into the one play it is.

The privacy export's short format ("Account data", `StreamingHistory_music_*.json`) gives
`endTime` to the minute: when the play ENDED, like the API's played_at and the extended
export's `ts` (model.PLAY). Its row is keyed at `HH:MM:00` of that minute. A precise row
(the API, or the extended export: whole seconds) of the same song whose played_at falls in
that minute, `[HH:MM:00, HH:MM:00 + 1 minute)`, is the same play. `import history` maps a
short play onto a precise one the warehouse already holds (history.importer); this module
covers the other order: a precise row arriving after the short one (listen, an extended
import, a Snowpipe file), or both in one chunk.

After each PLAY MERGE (the loader's chunk, the Snowflake task), over the minutes the new rows
touch: every short row with exactly ONE precise row of its song in its minute is folded into
it (each column by its model.Column.merge rule, as the MERGE combines two rows of one key:
the newer fetch's known value first, `source` the union, e.g. `api+export`) and deleted.
A short row whose minute holds two or more precise plays of the song is ambiguous: it stays
its own row (import history counts it). Folding is idempotent: a folded short row is gone,
and a re-landed one folds again into a row that already holds its values.

A short row is recognised by what it lacks: source `export`, a whole minute, and none of the
extended export's fields (reason_start .. conn_country). Written once for DuckDB and
Snowflake (UPDATE ... FROM, DELETE ... USING, QUALIFY and DATE_TRUNC exist in both).
"""

from __future__ import annotations

from spotify_etl.model import PLAY, Table
from spotify_etl.warehouse.ddl import LOAD_ID, landing_name, merged_value

# The extended export's own fields: a short-format row has none of them.
EXTENDED_ONLY = (
    "reason_start",
    "reason_end",
    "shuffle",
    "skipped",
    "offline",
    "platform",
    "conn_country",
)
PRECISE_AT = "_precise_at"


def folds(table: Table) -> bool:
    """True for the table whose minute-precise rows fold into precise ones: PLAY."""
    return table.name == PLAY.name


def short_row(alias: str = "") -> str:
    """SQL: the row (`alias`.) is a short-format play, keyed at a whole minute."""
    a = f"{alias}." if alias else ""
    missing = " AND ".join(f"{a}{c} IS NULL" for c in EXTENDED_ONLY)
    return (
        f"{a}source = 'export' AND {a}played_at = DATE_TRUNC('minute', {a}played_at) AND {missing}"
    )


def touched_minutes(source: str, where: str = "") -> str:
    """The (song, minute) pairs of the new rows in `source` (a landing table, a stream)."""
    where_sql = f" WHERE {where}" if where else ""
    return (
        f"SELECT DISTINCT song_id, DATE_TRUNC('minute', played_at) AS minute "
        f"FROM {source}{where_sql}"
    )


def matches(touched: str | None = None) -> str:
    """Each short row with exactly one precise row of its song in its minute: the short row's
    columns plus `_precise_at`, the key of the row it folds into. `touched`: only minutes
    this query lists (touched_minutes); None: the whole table."""
    cols = ", ".join(f"sh.{c}" for c in PLAY.column_names)
    scope = (
        ""
        if touched is None
        else f"JOIN ({touched}) AS k ON k.song_id = sh.song_id AND k.minute = sh.played_at "
    )
    return (
        f"SELECT {cols}, pr.played_at AS {PRECISE_AT} FROM PLAY AS sh "
        f"JOIN PLAY AS pr ON pr.song_id = sh.song_id "
        f"AND DATE_TRUNC('minute', pr.played_at) = sh.played_at "
        f"AND pr.played_at <> sh.played_at "  # not a whole minute: precise, by short_row
        f"{scope}WHERE {short_row('sh')} "
        f"QUALIFY COUNT(*) OVER (PARTITION BY sh.played_at, sh.song_id) = 1"
    )


def fold_statements(touched: str | None = None) -> list[str]:
    """UPDATE the precise rows with their short rows' values, then DELETE those short rows.
    The DELETE finds the same pairs: the UPDATE changes no key, and a precise row stays one."""
    values = [c for c in PLAY.columns if c.name not in PLAY.key]
    sets = ", ".join(f"{c.name} = {merged_value(c)}" for c in values)
    pairs = matches(touched)
    return [
        f"UPDATE PLAY AS t SET {sets} FROM ({pairs}) AS s "
        f"WHERE t.played_at = s.{PRECISE_AT} AND t.song_id = s.song_id",
        f"DELETE FROM PLAY AS t USING ({pairs}) AS s "
        f"WHERE t.played_at = s.played_at AND t.song_id = s.song_id",
    ]


def chunk_fold(table: Table) -> list[str]:
    """The fold after one chunk's MERGE; each statement takes the chunk's load id (`?`)."""
    if not folds(table):
        return []
    return fold_statements(touched_minutes(landing_name(table), f"{LOAD_ID} = ?"))
