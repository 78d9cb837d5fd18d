"""The simulated user's listening: a play clock that moves through the day at a set rate.

Without a play clock the simulator's recently-played is a fixed list per day. With one, plays
end one after another at about `plays_per_hour` (jittered, deterministic per seed), plus
`bursts` of many plays close together (to outrun a poller: more than 50 between two polls is
a gap), and `/me/player/recently-played` answers with the last 50 plays ended by the clock's
now, as Spotify does: it only remembers the last 50 (docs/spotify-api.md; the Web API reference page
"Get Recently Played Tracks"). The same plays feed the privacy-export generator
(`history_export`), so an export and the API overlap exactly where the real ones would.

The clock moves by itself at `speed` simulated seconds per wall-clock second (0: only when a
test calls `advance`), so a real `spotify-etl listen` process can be driven through hours.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from spotify_etl.simulator.catalog import ALBUM, ARTIST, Catalog
from spotify_etl.simulator.context import ApiError, Ctx, Json
from spotify_etl.simulator.ids import h
from spotify_etl.simulator.playlists import BASE_TIME

REMEMBERED = 50  # Spotify keeps the last 50 plays
_SALT = 0x91A7C  # hash salt of the listener's choices
BURST_SPACING_MS = 7_001  # a burst: skipping through tracks every ~7 s


@dataclass(frozen=True)
class PlayClockSettings:
    start: datetime = BASE_TIME
    plays_per_hour: float = 12.0
    speed: float = 0.0  # simulated seconds per wall second; 0 = moved by advance() only
    bursts: tuple[tuple[float, int], ...] = ()  # (hours after start, plays in the burst)
    library: int = 2_000  # distinct tracks the listener plays (people replay songs)

    def __post_init__(self) -> None:
        if self.plays_per_hour <= 0 or self.speed < 0 or self.library < 1:
            raise ValueError("plays_per_hour and library must be positive, speed >= 0")


@dataclass(frozen=True, slots=True)
class Play:
    ended_ms: int  # epoch milliseconds: when the play ended (the API's played_at)
    track: int  # catalog track index
    ms_played: int
    context: int  # 0 none, 1 album, 2 playlist (of the user's), 3 artist
    skipped: bool
    shuffle: bool
    key: int  # stable identity of the play (for derived choices)


class PlayClock:
    """Thread-safe: the HTTP server's threads read it while a test advances it."""

    def __init__(
        self,
        catalog: Catalog,
        settings: PlayClockSettings | None = None,
        *,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        self.catalog = catalog
        self.settings = settings or PlayClockSettings()
        self._wall = wall
        self._wall0 = wall()
        self._offset_ms = 0
        self._start_ms = int(self.settings.start.timestamp() * 1000)
        self._lock = threading.Lock()
        self._regular: list[int] = []  # ended_ms of regular plays, ascending
        self._bursts = sorted(self._burst_plays())
        self._tracks = [catalog.pick_track(_SALT, n) for n in range(self.settings.library)]
        self._durations = [catalog.track(t).duration_ms for t in self._tracks]

    # -- time ---------------------------------------------------------------------------
    def now_ms(self) -> int:
        with self._lock:
            moved = (self._wall() - self._wall0) * self.settings.speed * 1000
            return self._start_ms + self._offset_ms + int(moved)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.now_ms() / 1000, tz=self.settings.start.tzinfo)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset_ms += int(seconds * 1000)

    def freeze(self) -> None:
        """Stop moving by itself (keeps the current time), e.g. before a final poll."""
        now = self.now_ms()
        with self._lock:
            self.settings = PlayClockSettings(
                self.settings.start, self.settings.plays_per_hour, 0.0,
                self.settings.bursts, self.settings.library,
            )  # fmt: skip
            self._offset_ms = now - self._start_ms

    # -- plays --------------------------------------------------------------------------
    def _burst_plays(self) -> list[tuple[int, int]]:
        out = []
        for number, (hours, count) in enumerate(self.settings.bursts):
            first = self._start_ms + int(hours * 3_600_000)
            out += [(first + j * BURST_SPACING_MS, (number + 1) << 32 | j) for j in range(count)]
        return out

    def _extend(self, until_ms: int) -> None:
        mean = 3_600_000 / self.settings.plays_per_hour
        regular = self._regular
        last = regular[-1] if regular else self._start_ms
        while last <= until_ms:
            k = len(regular)
            jitter = (h(self.catalog.seed, _SALT, 1, k) % 1000) / 1000  # 0.5-1.5 x the mean
            last += int(mean * (0.5 + jitter)) or 1
            regular.append(last)

    def plays_between(self, after_ms: int, until_ms: int) -> list[Play]:
        """Every play that ended in (after_ms, until_ms], oldest first."""
        with self._lock:
            self._extend(until_ms)
            regular = self._regular
            lo, hi = bisect_right(regular, after_ms), bisect_right(regular, until_ms)
            found = [(regular[k], k) for k in range(lo, hi)]
        found += [(ms, key) for ms, key in self._bursts if after_ms < ms <= until_ms]
        found.sort()
        return [self._play(ms, key) for ms, key in found]

    def recent(self, until_ms: int | None = None, n: int = REMEMBERED) -> list[Play]:
        """The last `n` plays ended by `until_ms` (default: now), newest first."""
        until = self.now_ms() if until_ms is None else until_ms
        window = 3_600_000.0 * n / self.settings.plays_per_hour * 2 + 3_600_000
        plays = self.plays_between(int(until - window), until)
        while len(plays) < n and until - window > self._start_ms:
            window *= 2
            plays = self.plays_between(int(until - window), until)
        return plays[::-1][:n]

    def _play(self, ended_ms: int, key: int) -> Play:
        r = h(self.catalog.seed, _SALT, 2, key)
        pick = r % len(self._tracks)
        track, duration = self._tracks[pick], self._durations[pick]
        skipped = (r >> 12) % 100 < 15
        ms_played = 4_000 + (r >> 20) % 26_000 if skipped else duration
        return Play(ended_ms, track, ms_played, (r >> 32) % 4, skipped, (r >> 40) % 3 == 0, key)

    def context_uri(self, play: Play) -> tuple[str, str] | None:
        """(type, uri) the play was started from, or None (e.g. a search result)."""
        c = self.catalog
        if play.context == 1:
            return "album", f"spotify:album:{c.id_of(ALBUM, c.track_album(play.track))}"
        if play.context == 2:
            playlists = c.playlist_ids(8, "me")
            if playlists:
                return "playlist", f"spotify:playlist:{playlists[play.key % len(playlists)]}"
        if play.context == 3:
            artist = c.track(play.track).artists[0]
            return "artist", f"spotify:artist:{c.id_of(ARTIST, artist)}"
        return None


def played_at_text(ended_ms: int) -> str:
    """The API's played_at form, with milliseconds: 2026-11-24T10:15:30.123Z."""
    moment = datetime(1970, 1, 1) + timedelta(milliseconds=ended_ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ended_ms % 1000:03d}Z"


def recently_played(ctx: Ctx, clock: PlayClock) -> Json:
    """GET /me/player/recently-played from the clock: the last 50 plays, newest first,
    filtered by the `after` or `before` cursor (epoch ms, exclusive)."""
    limit = ctx.limit(20, REMEMBERED)
    before, after = ctx.query.get("before"), ctx.query.get("after")
    if before is not None and after is not None:
        raise ApiError(400, "Only one of before and after may be given")
    try:
        before_ms = int(before) if before is not None else None
        after_ms = int(after) if after is not None else None
    except ValueError:
        raise ApiError(400, "Invalid cursor") from None
    plays = clock.recent()
    if before_ms is not None:
        plays = [p for p in plays if p.ended_ms < before_ms]
    if after_ms is not None:
        plays = [p for p in plays if p.ended_ms > after_ms]
    page = plays[:limit]
    items = []
    for play in page:
        context = clock.context_uri(play)
        items.append(
            {
                "track": ctx.render.track_full(play.track),
                "played_at": played_at_text(play.ended_ms),
                "context": _context(ctx, *context) if context else None,
            }
        )
    base = f"{ctx.render.api}{ctx.path}?limit={limit}"
    cursor = f"&before={before}" if before else f"&after={after}" if after else ""
    return {
        "href": base + cursor,
        "items": items,
        "limit": limit,
        "next": f"{base}&before={page[-1].ended_ms}" if len(plays) > limit else None,
        "cursors": {"after": str(page[0].ended_ms), "before": str(page[-1].ended_ms)}
        if page
        else None,
    }


def _context(ctx: Ctx, kind: str, uri: str) -> Json:
    entity_id = uri.rsplit(":", 1)[1]
    return {
        "type": kind,
        "href": f"{ctx.render.api}/{kind}s/{entity_id}",
        "external_urls": {"spotify": f"https://open.spotify.com/{kind}/{entity_id}"},
        "uri": uri,
    }
