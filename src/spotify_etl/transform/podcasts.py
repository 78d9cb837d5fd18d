"""The rows of podcasts: SHOWS and EPISODE.

Unlike albums and artists, a show is never fetched in full by extract, and the simplified
show (in an episode, a saved show, a search page) holds every SHOWS column (ShowBase in
openapi.yml), so every show object gives its row. Episodes likewise: the one in a playlist
item or a saved episode is the full EpisodeObject; a show's episode list gives simplified
episodes, whose show is the list's.
"""

from __future__ import annotations

from spotify_etl.errors import BadValue
from spotify_etl.transform.entities import Ctx, builtin
from spotify_etl.transform.shapes import Obj
from spotify_etl.transform.values import clean_name, release


def emit_show(show: Obj, ctx: Ctx) -> str | None:
    """The SHOWS row; the show id (None when the reply has none)."""
    show_id = show.id
    if show_id is None:
        ctx.out.lacks("show.id")
        return None
    if show.name is None:
        ctx.out.lacks("show.name")
        return show_id
    urls = show.external_urls
    ctx.out.show.add(
        (
            show_id,
            clean_name(show.name),
            clean_name(show.publisher),
            show.description,
            show.media_type,
            show.total_episodes,
            show.explicit,
            show.images[0].url if show.images else None,
            urls.spotify if urls is not None else None,
            ctx.fetched_at,
        ),
        ctx.source,
    )
    return show_id


def emit_episode(episode: Obj, ctx: Ctx, show_id: str | None) -> str | None:
    """The EPISODE row (and its show's); the episode id. `show_id`: the list it came in."""
    episode_id = episode.id
    if episode_id is None:
        ctx.out.lacks("episode.id")
        ctx.out.skip("items_without_id")
        return None
    if episode.show is not None:
        show_id = emit_show(episode.show, ctx) or show_id
    if episode.name is None:
        ctx.out.lacks("episode.name")
        return episode_id
    try:
        parsed = release(episode.release_date, episode.release_date_precision)
    except BadValue as exc:
        ctx.out.episode.reject(ctx.source, str(exc), builtin(episode), key=episode_id)
        return episode_id
    ms = episode.duration_ms
    urls = episode.external_urls
    ctx.out.episode.add(
        (
            episode_id,
            clean_name(episode.name),
            show_id,
            episode.description,
            None if ms == 0 else ms,  # 0 is the placeholder of an unknown length
            episode.explicit,
            parsed.day,
            parsed.precision,
            parsed.year,
            episode.images[0].url if episode.images else None,
            urls.spotify if urls is not None else None,
            ctx.fetched_at,
        ),
        ctx.source,
    )
    return episode_id
