"""The warehouse contract: the tables transform writes and the loaders read.

Each table is declared once here, with portable column types, and used by the transform
(file columns and Parquet types), the DuckDB and Snowflake loaders (landing tables, DDL,
MERGE keys) and the tests. Bump SCHEMA_VERSION when a declaration changes; adding a nullable
column is a migration in the warehouse, not a rebuild.

Transformed files carry `fetched_at` (UTC, when the API answered) instead of the warehouse's
`first_seen_at` / `last_seen_at`, which the MERGE derives for dimension tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# 2: EPISODE and SHOWS; PLAYLIST_ITEM episode and local-file columns; SONGS.is_available.
SCHEMA_VERSION = 2

# Portable type names; each warehouse adapter maps them (DuckDB and Snowflake accept all five).
ColumnType = Literal["VARCHAR", "BIGINT", "INTEGER", "DOUBLE", "BOOLEAN", "DATE", "TIMESTAMP"]

# CSV convention shared by the writer, DuckDB (nullstr) and the Snowflake file format
# (NULL_IF = ('\\N'), EMPTY_FIELD_AS_NULL = FALSE, FIELD_OPTIONALLY_ENCLOSED_BY = '"'):
# NULL is written as the bare token \N; an empty string is written quoted ("") and stays ''.
CSV_NULL = "\\N"
CSV_DELIMITER = ","
CSV_QUOTE = '"'
# Timestamps are UTC, written without offset as 'YYYY-MM-DD HH:MM:SS[.ffffff]'.

# The two formats of a transformed file (docs/formats.md): gzip CSV (the convention above) or
# Parquet. The transform writes it, the config chooses it, the loaders read either.
FileFormat = Literal["csv", "parquet"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    nullable: bool = True
    doc: str = ""
    # How the warehouse MERGE combines a stored fact with another row of the same key (see
    # warehouse.ddl.merge_statement): "latest" takes the newer fetch's value; "known" keeps
    # a known value when the other row lacks it (a PLAY seen by the API and in the export
    # keeps the fields of both); "union" records every distinct value ("api+export").
    merge: Literal["latest", "known", "union"] = "latest"


@dataclass(frozen=True)
class Table:
    name: str  # upper case, as in the warehouse
    key: tuple[str, ...]
    kind: Literal["dimension", "fact", "link"]
    columns: tuple[Column, ...]

    @property
    def folder(self) -> str:
        return self.name.lower()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _c(name: str, type_: ColumnType, nullable: bool = True, doc: str = "") -> Column:
    return Column(name, type_, nullable, doc)


def _known(name: str, type_: ColumnType, doc: str = "") -> Column:
    return Column(name, type_, True, doc, "known")


FETCHED_AT = _c("fetched_at", "TIMESTAMP", False, "UTC time the API answered (latest wins)")

ALBUM = Table(
    "ALBUM",
    ("album_id",),
    "dimension",
    (
        _c("album_id", "VARCHAR", False),
        _c("album_name", "VARCHAR", False),
        _c("album_type", "VARCHAR", doc="album | single | compilation"),
        _c("album_artist_id", "VARCHAR", doc="first album artist"),
        _c("release_date", "DATE", doc="only when precision is day; never a made-up day"),
        _c("release_date_precision", "VARCHAR", doc="year | month | day"),
        _c("release_year", "INTEGER"),
        _c("release_month", "INTEGER", doc="NULL when precision is year"),
        _c("total_tracks", "INTEGER"),
        _c("label", "VARCHAR", doc="extended mode only"),
        _c("upc", "VARCHAR"),
        _c("popularity", "INTEGER", doc="0-100, extended mode only"),
        _c("image_url", "VARCHAR"),
        _c("album_url", "VARCHAR", doc="external_urls.spotify"),
        FETCHED_AT,
    ),
)

ARTIST = Table(
    "ARTIST",
    ("artist_id",),
    "dimension",
    (
        _c("artist_id", "VARCHAR", False),
        _c("artist_name", "VARCHAR", False),
        _c("genres", "VARCHAR", doc="JSON array text; NULL when the profile omits it"),
        _c("genre_count", "INTEGER"),
        _c("followers", "BIGINT", doc="extended mode only"),
        _c("popularity", "INTEGER", doc="0-100, extended mode only"),
        _c("image_url", "VARCHAR"),
        _c("artist_url", "VARCHAR"),
        FETCHED_AT,
    ),
)

ARTIST_GENRE = Table(
    "ARTIST_GENRE",
    ("artist_id", "genre"),
    "link",
    (
        _c("artist_id", "VARCHAR", False),
        _c("genre", "VARCHAR", False),
        FETCHED_AT,
    ),
)

SONGS = Table(
    "SONGS",
    ("song_id",),
    "dimension",
    (
        _c("song_id", "VARCHAR", False),
        _c("song_name", "VARCHAR", False),
        _c("album_id", "VARCHAR"),
        _c("primary_artist_id", "VARCHAR", doc="the track's first artist, not the album's"),
        _c("artist_count", "INTEGER"),
        _c("duration_ms", "INTEGER"),
        _c("duration_minutes", "DOUBLE", doc="duration_ms / 60000, rounded to 3 places"),
        _c("duration_mmss", "VARCHAR", doc="'m:ss'"),
        _c("explicit", "BOOLEAN"),
        _c("disc_number", "INTEGER"),
        _c("track_number", "INTEGER"),
        _c("isrc", "VARCHAR"),
        _c("popularity", "INTEGER", doc="0-100, extended mode only"),
        _c("song_url", "VARCHAR"),
        _c(
            "is_available",
            "BOOLEAN",
            doc="false for a taken-down track (the reply's placeholders: empty name or "
            "duration_ms 0, read as NULL duration); NULL in rows written before schema 2",
        ),
        FETCHED_AT,
    ),
)

SONG_ARTIST = Table(
    "SONG_ARTIST",
    ("song_id", "artist_position"),
    "link",
    (
        _c("song_id", "VARCHAR", False),
        _c("artist_position", "INTEGER", False, "0 = primary artist"),
        _c("artist_id", "VARCHAR", False),
        FETCHED_AT,
    ),
)

PLAYLIST = Table(
    "PLAYLIST",
    ("playlist_id",),
    "dimension",
    (
        _c("playlist_id", "VARCHAR", False),
        _c("playlist_name", "VARCHAR", False),
        _c("description", "VARCHAR"),
        _c("owner_id", "VARCHAR"),
        _c("snapshot_id", "VARCHAR"),
        _c("total_items", "INTEGER"),
        _c("is_public", "BOOLEAN"),
        _c("is_collaborative", "BOOLEAN"),
        _c("playlist_url", "VARCHAR"),
        FETCHED_AT,
    ),
)

PLAYLIST_ITEM = Table(
    "PLAYLIST_ITEM",
    ("snapshot_date", "playlist_id", "position"),
    "fact",
    (
        _c("snapshot_date", "DATE", False, "UTC day of the extraction"),
        _c("playlist_id", "VARCHAR", False),
        _c("position", "INTEGER", False, "0-based position in the playlist"),
        _c("snapshot_id", "VARCHAR"),
        _c("item_type", "VARCHAR", False, "track | episode | local"),
        _c("song_id", "VARCHAR", doc="item_type track only"),
        _c("item_uri", "VARCHAR", doc="spotify:track:… | spotify:episode:… | spotify:local:…"),
        _c("added_at", "TIMESTAMP", doc="NULL on very old playlists"),
        _c("added_by", "VARCHAR"),
        _c("days_since_release", "INTEGER", doc="added_at - release_date; day precision only"),
        _c("episode_id", "VARCHAR", doc="item_type episode only (-> EPISODE)"),
        # A local file has no id and no dimension row: the item holds what the playlist shows.
        _c("local_name", "VARCHAR", doc="item_type local only: the file's track name"),
        _c("local_artist", "VARCHAR", doc="item_type local only: its first artist's name"),
        _c("local_album", "VARCHAR", doc="item_type local only: its album's name"),
        _c("local_duration_ms", "INTEGER", doc="item_type local only"),
        FETCHED_AT,
    ),
)

# SHOW is a keyword in DuckDB and Snowflake (and the DDL leaves names unquoted): SHOWS,
# plural like SONGS.
SHOWS = Table(
    "SHOWS",
    ("show_id",),
    "dimension",
    (
        _c("show_id", "VARCHAR", False),
        _c("show_name", "VARCHAR", False),
        _c("publisher", "VARCHAR"),
        _c("description", "VARCHAR"),
        _c("media_type", "VARCHAR", doc="audio | mixed (as Spotify sends it)"),
        _c("total_episodes", "INTEGER"),
        _c("explicit", "BOOLEAN"),
        _c("image_url", "VARCHAR"),
        _c("show_url", "VARCHAR", doc="external_urls.spotify"),
        FETCHED_AT,
    ),
)

EPISODE = Table(
    "EPISODE",
    ("episode_id",),
    "dimension",
    (
        _c("episode_id", "VARCHAR", False),
        _c("episode_name", "VARCHAR", False),
        _c("show_id", "VARCHAR", doc="-> SHOWS"),
        _c("description", "VARCHAR"),
        _c("duration_ms", "INTEGER"),
        _c("explicit", "BOOLEAN"),
        _c("release_date", "DATE", doc="only when precision is day"),
        _c("release_date_precision", "VARCHAR", doc="year | month | day"),
        _c("release_year", "INTEGER"),
        _c("image_url", "VARCHAR"),
        _c("episode_url", "VARCHAR", doc="external_urls.spotify"),
        FETCHED_AT,
    ),
)

# One row per play, from recently-played (listen) or the privacy export (import history).
# The key is the grain both sources share: the export's `ts` has whole seconds and, like the
# API's played_at, marks when the play ended (support.spotify.com "Understanding my data":
# "Date and time of when the stream ended in UTC format").
PLAY = Table(
    "PLAY",
    ("played_at", "song_id"),
    "fact",
    (
        _c("played_at", "TIMESTAMP", False, "UTC, whole seconds: when the play ended"),
        _c("song_id", "VARCHAR", False),
        _known("played_at_exact", "TIMESTAMP", "the API's played_at with milliseconds"),
        _known("ms_played", "BIGINT", "export only: how long the stream played"),
        _known("context_type", "VARCHAR", "API only: album | artist | playlist | show"),
        _known("context_uri", "VARCHAR", "API only: what the play was started from"),
        Column("source", "VARCHAR", False, "api | export | api+export", "union"),
        _known("track_name", "VARCHAR", "as the source names it (before SONGS fills in)"),
        _known("artist_name", "VARCHAR", "the first (API) or album (export) artist's name"),
        _known("reason_start", "VARCHAR", "export only, e.g. trackdone, clickrow, fwdbtn"),
        _known("reason_end", "VARCHAR", "export only, e.g. trackdone, endplay, fwdbtn"),
        _known("shuffle", "BOOLEAN", "export only"),
        _known("skipped", "BOOLEAN", "export only"),
        _known("offline", "BOOLEAN", "export only"),
        _known("platform", "VARCHAR", "export only, e.g. 'Android OS 12 API 32'"),
        _known("conn_country", "VARCHAR", "export only: ISO country of the connection"),
        _c("fetched_at", "TIMESTAMP", False, "API: when it answered; export: when imported"),
    ),
)

TABLES: tuple[Table, ...] = (
    ALBUM,
    ARTIST,
    ARTIST_GENRE,
    SONGS,
    SONG_ARTIST,
    PLAYLIST,
    PLAYLIST_ITEM,
    SHOWS,
    EPISODE,
    PLAY,
)
TABLES_BY_NAME = {t.name: t for t in TABLES}


def table_for_folder(folder: str) -> Table | None:
    return TABLES_BY_NAME.get(folder.upper())
