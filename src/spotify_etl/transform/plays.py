"""PLAY rows from recently-played items (`{track, played_at, context}`), the API side of the
listening history; the privacy-export side is spotify_etl.history.

The key is (played_at to the whole second, song_id): the grain the export shares with the
API, so a play both sources saw is one row (see model.PLAY). The exact time is kept beside it.
"""

from __future__ import annotations

from spotify_etl.errors import BadValue
from spotify_etl.transform.entities import Ctx
from spotify_etl.transform.shapes import Obj
from spotify_etl.transform.values import clean_name, utc_timestamp

SOURCE_API = "api"
SOURCE_EXPORT = "export"


def play_second(timestamp: str) -> str:
    """'YYYY-MM-DD HH:MM:SS[.ffffff]' -> 'YYYY-MM-DD HH:MM:SS' (the key's grain)."""
    return timestamp[:19]


def emit_play(element: Obj, track: Obj, song_id: str | None, ctx: Ctx) -> None:
    """One PLAY row for a recently-played item whose track gave `song_id`."""
    if song_id is None:  # a local file or an episode: no song to key the play on
        return
    exact = utc_timestamp(element.played_at)
    if exact is None:
        raise BadValue("played_at is missing")
    context = element.context
    artists = track.artists if isinstance(track.artists, list) else []
    first = artists[0] if artists else None
    ctx.out.tables["PLAY"].add(
        (
            play_second(exact),
            song_id,
            exact,
            None,  # ms_played: recently-played does not say how long a play lasted
            context.type if context is not None else None,
            context.uri if context is not None else None,
            SOURCE_API,
            clean_name(track.name),
            clean_name(first.name) if first is not None else None,
            *(None,) * 7,  # reason_start .. conn_country: export only
            ctx.fetched_at,
        ),
        ctx.source,
    )
