"""The catalog's entities: albums, artists and tracks by id, however the profile allows.

A caller asks for "these albums" (`albums(ids)`) and never sees a batch size: in extended mode
the ids go in batches of 20 or 50 (several-at-once, docs/spotify-api.md "Shapes worth
knowing": a batch reply holds null for an unknown id), in development mode one by one, both in
parallel. The first batch probes whether several-at-once exists; the answer is remembered for
the run (profile.py). This module and client.py are the only ones that name endpoints.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from spotify_etl.errors import RetryableError, SkippableError
from spotify_etl.spotify.core import ClientCore
from spotify_etl.spotify.responses import ApiResponse, BadRequest, Skipped, Unfetched
from spotify_etl.spotify.templates import Endpoint

Kind = Literal["albums", "artists", "tracks"]
Result = ApiResponse | Skipped | Unfetched  # what albums(), artists() and tracks() yield


@dataclass(frozen=True)
class _Entity:
    name: str  # one object's kind, as Skipped and Unfetched name it: album | artist | track
    one: str  # the template of one object's endpoint
    batch_size: int  # ids per several-at-once request (its body is {kind: [...]})
    market: bool  # whether the endpoints take `market`


ENTITIES: dict[Kind, _Entity] = {
    "albums": _Entity("album", "albums/{id}", 20, market=True),
    "artists": _Entity("artist", "artists/{id}", 50, market=False),
    "tracks": _Entity("track", "tracks/{id}", 50, market=True),
}


def is_batch(reply: ApiResponse) -> bool:
    """Whether a reply of albums(), artists() or tracks() is a several-at-once one."""
    return reply.endpoint in ENTITIES


def entity_objects(reply: ApiResponse) -> list[Any]:
    """The objects a reply of albums(), artists() or tracks() holds, in the order asked for:
    a batch's list (null where an id is unknown), or the one object."""
    if not is_batch(reply):
        return [reply.body]
    found = reply.body.get(reply.endpoint) if isinstance(reply.body, dict) else None
    return found if isinstance(found, list) else []


class CatalogClient(ClientCore):
    """The generic core plus the catalog's entities; `SpotifyClient` adds the rest."""

    def album(self, id: str) -> ApiResponse:
        return self._one("albums", id)

    def artist(self, id: str) -> ApiResponse:
        return self._one("artists", id)

    def track(self, id: str) -> ApiResponse:
        return self._one("tracks", id)

    def albums(self, ids: Sequence[str]) -> Iterator[Result]:
        """Full albums for ids, fetched as the profile allows (`_several`)."""
        return self._several("albums", ids)

    def artists(self, ids: Sequence[str]) -> Iterator[Result]:
        return self._several("artists", ids)

    def tracks(self, ids: Sequence[str]) -> Iterator[Result]:
        return self._several("tracks", ids)

    def _several(self, kind: Kind, ids: Sequence[str]) -> Iterator[Result]:
        """Batch replies (body {kind: [...]}) where the profile has them, in parallel once a
        first batch showed it does, else one reply per id ("<kind>/{id}"), in parallel.
        Unknown or malformed ids come back as Skipped, ids whose request failed every attempt
        as Unfetched: they never abort the rest. A StopRun (a locked quota bucket, a long
        Retry-After) ends the iteration after the replies already fetched."""
        todo = list(dict.fromkeys(ids))
        size = ENTITIES[kind].batch_size
        # Until a reply settles whether several-at-once exists, one batch at a time.
        while todo and not self._profile.learned("batch"):
            if self._profile.has("batch") is False:  # a development hint: no probe
                break
            chunk, todo = todo[:size], todo[size:]
            yield from self._settle(kind, self._batch(kind, chunk))
        if self._profile.has("batch") is False:
            yield from self._one_by_one(kind, todo)
            return
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        for batch in self.map(lambda chunk: self._batch(kind, chunk), chunks):
            yield from self._settle(kind, batch)

    def _one(self, kind: Kind, id_: str) -> ApiResponse:
        entity = ENTITIES[kind]
        market = self._market(None) if entity.market else None
        return self._get(Endpoint.at(entity.one, id_), market)

    def _batch(self, kind: Kind, chunk: list[str]) -> tuple[list[Result], list[str]]:
        """One several-at-once request: its results, and the ids to ask for one by one.

        Runs in a worker thread; the one-by-one requests are left to `_settle`, in the caller's
        iteration, so that a stop among them keeps every reply already fetched.
        """
        entity = ENTITIES[kind]
        params = {"ids": ",".join(chunk), **(self._market(None) if entity.market else {})}
        try:
            reply = self._session.get(Endpoint.at(kind), params)
        except SkippableError:
            # A removed endpoint answers 403/404 as a whole; unknown ids would be nulls.
            self._profile.learn("batch", False)
            return [], chunk
        except BadRequest as exc:
            if not _invalid_id(exc):
                raise
            return [], chunk  # one malformed id spoils its batch: ask for these one by one
        except RetryableError as exc:
            return [Unfetched(tuple(chunk), entity.name, str(exc))], []
        self._profile.learn("batch", True)
        objects = entity_objects(reply)
        nulls = [i for n, i in enumerate(chunk) if n >= len(objects) or objects[n] is None]
        missing = "unknown id (null in the batch reply)"
        return [reply, *(Skipped(i, entity.name, None, missing) for i in nulls)], []

    def _settle(self, kind: Kind, batch: tuple[list[Result], list[str]]) -> Iterator[Result]:
        results, singles = batch
        yield from results
        yield from self._one_by_one(kind, singles)

    def _one_by_one(self, kind: Kind, ids: list[str]) -> Iterator[Result]:
        return self.map(lambda id_: self._each(kind, id_), ids)

    def _each(self, kind: Kind, id_: str) -> Result:
        name = ENTITIES[kind].name
        try:
            return self._one(kind, id_)
        except SkippableError as exc:
            return Skipped(id_, name, exc.status, exc.reason)
        except BadRequest as exc:
            if not _invalid_id(exc):
                raise
            return Skipped(id_, name, exc.status, exc.api_message)
        except RetryableError as exc:
            return Unfetched((id_,), name, str(exc))


def _invalid_id(exc: BadRequest) -> bool:
    return "invalid id" in exc.api_message.lower()
