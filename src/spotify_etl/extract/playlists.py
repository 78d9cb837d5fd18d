"""One playlist's daily snapshot, spending as few requests as the API allows.

- Known snapshot, unchanged: one `fields=snapshot_id` request; its envelope carries forward
  the raw parts that hold that snapshot's item pages (`carry_forward`, see rawzone.py).
- Known snapshot, fetch interrupted by a stop: the same check, then the item pages continue
  where they stopped; the envelope carries forward the parts fetched so far.
- Unknown or changed: the full playlist object (its first item page is embedded when the
  profile embeds it), then the remaining item pages.
- Items refused (403 with the user's token: in development mode only the user's own and
  collaborative playlists' items can be read, docs/spotify-api.md): the refusal is recorded once and
  remembered in the state for `ttl.refused_playlist_days`; meanwhile each run fetches only the
  header (name, owner, snapshot_id), one request, and asks for the items again only when the
  header embeds them (the user became a collaborator) or the refusal expires.

The day's items of playlist P in run R are: the item pages (envelopes with source_id P: the
page embedded in a playlist object, and /items or /tracks pages) in R's parts plus those in
the parts listed by R's carry_forward for P.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from spotify_etl.errors import RetryableError, SkippableError
from spotify_etl.extract.discover import Found, next_url, playlist_page, scan
from spotify_etl.extract.listings import rebase
from spotify_etl.extract.recorder import Recorder
from spotify_etl.extract.state import PlaylistState, Refusal, iso

if TYPE_CHECKING:
    from spotify_etl.spotify import ApiResponse, SpotifyClient

log = logging.getLogger(__name__)

AUTH_HINT = "its items need a user token in development mode: run `spotify-etl auth login`"
EDITORIAL_PREFIX = "37i9"  # Spotify-owned playlists
EDITORIAL_HINT = (
    "not found: Spotify-owned (editorial) playlists answer 404 to apps in development mode"
)
NOT_OWNED = "not owned or collaborative: development mode reads only your own playlists"
HEADER_ONLY = "header only"


class PlaylistTask:
    def __init__(
        self,
        client: SpotifyClient,
        recorder: Recorder,
        on_found: Callable[[Found], None],
        *,
        has_user_token: bool,
        market: str | None = None,
        api_base: str = "",
        refused_ttl_days: float = 7,
    ) -> None:
        self.refused_ttl = timedelta(days=refused_ttl_days)
        self.client = client
        self.rec = recorder
        self.on_found = on_found
        self.has_user_token = has_user_token
        self.market = market
        self.api_base = api_base

    def __call__(self, playlist_id: str) -> None:
        try:
            self._run(playlist_id)
        except SkippableError as exc:
            reason = exc.reason
            if exc.status == 403 and not self.has_user_token:
                reason = AUTH_HINT
                log.info("playlist %s: %s", playlist_id, AUTH_HINT)  # the run's verdict says it
            elif exc.status == 404 and playlist_id.startswith(EDITORIAL_PREFIX):
                reason = EDITORIAL_HINT
                log.warning("playlist %s: %s", playlist_id, reason)
            else:
                log.warning("playlist %s skipped: %s", playlist_id, reason)
            self.rec.skip(playlist_id, "playlist", exc.status, reason)
            self.rec.report_playlist(playlist_id, status="skipped", reason=reason)
        except RetryableError as exc:
            # The state holds the pages fetched so far and where to go on: the next run
            # continues this snapshot (or starts it, when not even its object came).
            log.warning("playlist %s deferred to the next run: %s", playlist_id, exc)
            self.rec.report_playlist(playlist_id, status="deferred", reason=str(exc))
            self.rec.defer([playlist_id], "playlist", str(exc))

    def _run(self, playlist_id: str) -> None:
        refusal = self.rec.refusal(playlist_id)
        if refusal is not None:
            self._header_only(playlist_id, refusal)
            return
        known = self.rec.playlist(playlist_id)
        if known is not None:
            check = self.client.playlist(playlist_id, fields="snapshot_id")
            snapshot = check.body.get("snapshot_id") if isinstance(check.body, dict) else None
            if snapshot == known.snapshot_id:
                carry = {
                    "playlist_id": playlist_id,
                    "snapshot_id": known.snapshot_id,
                    "since_dt": known.since_dt,
                    "since_run_id": known.since_run_id,
                    "parts": list(known.parts),
                    "complete": known.complete,
                }
                self.rec.record(check, "playlists", source_id=playlist_id, carry_forward=carry)
                state = _replace(known, checked_at=self.rec.now_iso)
                self.rec.set_playlist(playlist_id, state)
                if known.complete:
                    self.rec.report_playlist(playlist_id, status="unchanged", snapshot_id=snapshot)
                    return
                self._items(playlist_id, state, known.next_url)
                return
            self.rec.record(check, "playlists", source_id=playlist_id)
        self._from_full(playlist_id, *self._full(playlist_id))

    def _full(self, playlist_id: str) -> tuple[dict[str, Any], str]:
        # With the user's token, development mode embeds the first item page of playlists
        # the user owns: one request fewer than asking for it apart.
        params = {"market": self.market} if self.market else None
        full = self.client.get(f"playlists/{playlist_id}", params, user=self.has_user_token)
        body = full.body if isinstance(full.body, dict) else {}
        key = self.rec.record(full, "playlists", source_id=playlist_id)
        self.on_found(scan("playlist", body))
        return body, key

    def _header_only(self, playlist_id: str, refusal: Refusal) -> None:
        body, key = self._full(playlist_id)
        if playlist_page(body) is not None:  # its items are embedded: readable again
            log.info("playlist %s: its items are readable again", playlist_id)
            self.rec.refuse(playlist_id, None)
            self._from_full(playlist_id, body, key)
            return
        self.rec.report_playlist(
            playlist_id,
            status=HEADER_ONLY,
            snapshot_id=body.get("snapshot_id"),
            reason=refusal.reason,
            until=refusal.until,
        )

    def _from_full(self, playlist_id: str, body: dict[str, Any], key: str) -> None:
        embedded = playlist_page(body)
        state = PlaylistState(
            snapshot_id=str(body.get("snapshot_id") or ""),
            since_dt=self.rec.writer.dt,
            since_run_id=self.rec.writer.run_id,
            parts=[key],
            complete=False,
            checked_at=self.rec.now_iso,
            next_url=next_url(embedded),
        )
        if embedded is not None and state.next_url is None:
            state = _replace(state, complete=True)
            self.rec.set_playlist(playlist_id, state)
            self.rec.report_playlist(
                playlist_id, status="fetched", snapshot_id=state.snapshot_id, pages=1
            )
            return
        self.rec.set_playlist(playlist_id, state)
        self._items(playlist_id, state, state.next_url)

    def _items(self, playlist_id: str, state: PlaylistState, url: str | None) -> None:
        try:
            self._pages(playlist_id, state, self._continue(playlist_id, url))
        except SkippableError as exc:
            if exc.status != 403 or not self.has_user_token:
                raise  # without the user's token a 403 says "log in", not "not yours"
            self._refused(playlist_id, state.snapshot_id or None, exc)

    def _refused(self, playlist_id: str, snapshot_id: str | None, exc: SkippableError) -> None:
        reason = NOT_OWNED if self.client.profile != "extended" else exc.reason
        until = iso(self.rec.now + self.refused_ttl)
        refusal = Refusal(403, reason, self.rec.now_iso, until, snapshot_id)
        self.rec.refuse(playlist_id, refusal)
        log.warning(
            "playlist %s: items refused (403, %s); only its header is fetched until %s",
            playlist_id,
            reason,
            until,
        )
        self.rec.skip(playlist_id, "playlist_items", 403, reason)
        self.rec.report_playlist(
            playlist_id, status=HEADER_ONLY, snapshot_id=snapshot_id, reason=reason, until=until
        )

    def _continue(self, playlist_id: str, url: str | None) -> Iterator[ApiResponse]:
        if url is None:  # no page embedded (a playlist the user does not own): from the start
            return self.client.playlist_items(playlist_id)
        if self.api_base:
            url = rebase(url, self.api_base)
        return self.client.pages(url, user=self.has_user_token)

    def _pages(self, playlist_id: str, state: PlaylistState, pages: Iterator[Any]) -> None:
        count = 0
        for page in pages:
            snapshot = state.snapshot_id or None
            key = self.rec.record(page, "playlists", source_id=playlist_id, snapshot_id=snapshot)
            self.on_found(scan("playlist_items", page.body))
            count += 1
            parts = state.parts if key in state.parts else [*state.parts, key]
            following = next_url(page.body)
            state = _replace(state, parts=parts, next_url=following, complete=following is None)
            self.rec.set_playlist(playlist_id, state)
        if not state.complete:  # the pager ended early (e.g. a loop guard): take it as done
            state = _replace(state, complete=True, next_url=None)
            self.rec.set_playlist(playlist_id, state)
        self.rec.report_playlist(
            playlist_id, status="fetched", snapshot_id=state.snapshot_id, pages=count + 1
        )


def _replace(state: PlaylistState, **changes: Any) -> PlaylistState:
    import msgspec

    return msgspec.structs.replace(state, **changes)
