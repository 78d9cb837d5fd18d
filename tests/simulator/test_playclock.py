"""The play clock: recently-played follows it, remembers 50 plays, pages by cursor, and the
plays are the same ones the export generator writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from spotify_etl.simulator import DEMO_CLIENT_ID, SimulatorConfig, running_simulator
from spotify_etl.simulator.catalog import Catalog
from spotify_etl.simulator.history_export import extended_record, short_record
from spotify_etl.simulator.playclock import PlayClock, PlayClockSettings, played_at_text
from tests.support.pkce import SCOPES, authorise

START = datetime(2026, 11, 24, tzinfo=UTC)


def _clock(**kw: Any) -> PlayClock:
    return PlayClock(Catalog(42, 1_000), PlayClockSettings(start=START, **kw))


def test_plays_come_at_the_rate_and_bursts_add_close_plays() -> None:
    clock = _clock(plays_per_hour=12, bursts=((5.0, 60),))
    day = clock.plays_between(0, int(START.timestamp() * 1000) + 86_400_000)
    assert 24 * 12 * 0.8 < len(day) - 60 < 24 * 12 * 1.2
    ends = [p.ended_ms for p in day]
    assert ends == sorted(ends) and len(set(ends)) == len(ends)
    burst = [p for p in day if p.key >> 32]
    assert len(burst) == 60 and burst[-1].ended_ms - burst[0].ended_ms < 10 * 60_000
    assert clock.plays_between(0, ends[10]) == day[:11]  # the same plays whenever asked


def test_the_clock_moves_by_itself_at_its_speed() -> None:
    now = [100.0]
    clock = PlayClock(Catalog(42, 1_000), PlayClockSettings(start=START, speed=60),
                      wall=lambda: now[0])  # fmt: skip
    t0 = clock.now_ms()
    now[0] += 10  # ten seconds of wall time: ten simulated minutes
    assert clock.now_ms() - t0 == 600_000
    clock.freeze()
    now[0] += 10
    assert clock.now_ms() - t0 == 600_000


def test_recently_played_is_the_last_50_newest_first_with_cursors() -> None:
    clock = _clock(plays_per_hour=30)
    clock.advance(6 * 3600)
    with running_simulator(SimulatorConfig(seed=42, scale=1_000, play_clock=clock)) as sim:
        stored = authorise(sim, scopes=SCOPES + " user-read-recently-played")
        form = {"grant_type": "refresh_token", "refresh_token": stored.refresh_token,
                "client_id": DEMO_CLIENT_ID}  # fmt: skip
        token = httpx.post(sim.token_url, data=form).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{sim.api_base}/me/player/recently-played"
        page = httpx.get(url, params={"limit": 50}, headers=headers).json()
        recent = clock.recent()
        assert [i["played_at"] for i in page["items"]] == [
            played_at_text(p.ended_ms) for p in recent
        ]
        assert len(page["items"]) == 50 and page["items"][0]["played_at"][-5] == "."  # ms
        newest = int(page["cursors"]["after"])
        clock.advance(1200)
        fresh = httpx.get(url, params={"limit": 50, "after": newest}, headers=headers).json()
        assert 0 < len(fresh["items"]) < 50
        assert all(i["played_at"] > page["items"][0]["played_at"] for i in fresh["items"])
        contexts = {i["context"]["type"] for i in page["items"] if i["context"]}
        assert contexts <= {"album", "playlist", "artist"} and "playlist" in contexts
        bad = httpx.get(url, params={"after": 1, "before": 2}, headers=headers)
        assert bad.status_code == 400


def test_the_export_records_are_the_clock_plays_in_both_formats() -> None:
    clock = _clock()
    play = clock.plays_between(0, int(START.timestamp() * 1000) + 3_600_000)[0]
    record = extended_record(clock, play)
    assert record["ts"] == played_at_text(play.ended_ms)[:19] + "Z"
    assert record["spotify_track_uri"] == "spotify:track:" + clock.catalog.track(play.track).id
    assert record["ms_played"] == play.ms_played and record["skipped"] == play.skipped
    assert record["ip_addr"].startswith("203.0.113.")  # TEST-NET-3: never a real address
    short = short_record(clock, play)
    assert short["endTime"] == record["ts"][:16].replace("T", " ")
    assert set(short) == {"endTime", "artistName", "trackName", "msPlayed"}
