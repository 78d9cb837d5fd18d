"""`listen` against the simulator's play clock: every play once, gaps reported, one request
per quiet interval, one listener per lake."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spotify_etl.errors import ConfigError, StopRun
from spotify_etl.extract.state import StateStore
from spotify_etl.pipeline.listen import DEFAULT_INTERVAL_S, Listener, parse_interval
from spotify_etl.simulator.playclock import PlayClockSettings, played_at_text
from spotify_etl.storage import LocalStore
from tests.extract.conftest import demo_secrets, sim_requests
from tests.pipeline.listening import START, Listening, listening


def _listener(ctx: Listening, interval_s: float = DEFAULT_INTERVAL_S) -> Listener:
    return Listener(
        ctx.config, secrets=demo_secrets(), interval_s=interval_s, token_store=ctx.token
    )


def _recent_requests(ctx: Listening) -> int:
    return sum(sim_requests(ctx.sim).get("GET /v1/me/player/recently-played", {}).values())


def test_a_day_polled_every_20_minutes_gives_every_play_exactly_once(tmp_path: Path) -> None:
    with listening(tmp_path) as ctx:
        listener = _listener(ctx)
        for _ in range(24 * 3):
            ctx.clock.advance(DEFAULT_INTERVAL_S)
            listener.poll_once()
        expected = ctx.expected()
        assert len(expected) > 200  # ~12 plays an hour
        assert ctx.plays() == expected
        (count,) = ctx.warehouse_rows("SELECT count(*) FROM PLAY")[0]
        assert count == len(expected)  # no play twice
        assert ctx.warehouse_rows("SELECT DISTINCT source FROM PLAY") == [("api",)]
        assert listener.report.gaps == [] and listener.report.plays == len(expected)
        assert _recent_requests(ctx) == 72 == listener.report.requests
        # the exact time is kept beside the key's second, and songs and links came along
        exact = ctx.warehouse_rows("SELECT count(*) FROM PLAY WHERE played_at_exact > played_at")
        assert exact[0][0] > len(expected) * 0.9
        assert ctx.warehouse_rows("SELECT count(DISTINCT song_id) FROM SONGS")[0][0] > 100


def test_a_burst_beyond_50_plays_between_polls_is_reported_with_its_window(
    tmp_path: Path,
) -> None:
    settings = PlayClockSettings(start=START, bursts=((1.05, 80),))
    with listening(tmp_path, settings) as ctx:
        listener = _listener(ctx)
        ctx.clock.advance(3600)
        listener.poll_once()  # knows the plays of the first hour
        last_known = max(p.ended_ms for p in ctx.clock.plays_between(0, ctx.clock.now_ms()))
        ctx.clock.advance(1200)  # 80 plays of the burst (and a few others) in 20 minutes
        result = listener.poll_once()
        assert result.gap is not None and result.plays == 50
        newest_50 = ctx.clock.recent()
        assert result.gap.after == played_at_text(last_known)
        assert result.gap.before == played_at_text(newest_50[-1].ended_ms)
        state, _ = StateStore(LocalStore(tmp_path / "lake")).load()
        assert state.listen is not None and state.listen.gaps == [result.gap]
        assert any("may be missing" in line for line in listener.report.lines())
        from spotify_etl.pipeline.status import collect_status, listen_lines

        shown = listen_lines(collect_status(ctx.config))
        gap_line = f"listen gap: plays between {result.gap.after} and {result.gap.before}"
        assert shown[0].startswith("listen: 2 polls") and any(gap_line in s for s in shown)
        ctx.clock.advance(1200)
        assert listener.poll_once().gap is None  # caught up again
        lost = ctx.expected() - ctx.plays()
        assert lost and all(
            result.gap.after[:19] < t.replace(" ", "T") < result.gap.before for t, _ in lost
        )


def test_quiet_intervals_cost_one_request_each_and_write_no_rows(tmp_path: Path) -> None:
    settings = PlayClockSettings(start=START, plays_per_hour=0.01)  # the user is asleep
    with listening(tmp_path, settings) as ctx:
        listener = _listener(ctx)
        for _ in range(6):
            ctx.clock.advance(DEFAULT_INTERVAL_S)
            listener.poll_once()
        assert _recent_requests(ctx) == 6
        web_api = {k: v for k, v in sim_requests(ctx.sim).items() if k.startswith("GET /v1/")}
        assert sum(sum(v.values()) for v in web_api.values()) == 6  # nothing but the polls
        assert listener.report.plays == 0 and listener.report.rows_loaded == 0


def test_unknown_albums_and_artists_of_plays_are_queued_for_the_extraction(
    tmp_path: Path,
) -> None:
    with listening(tmp_path) as ctx:
        listener = _listener(ctx)
        ctx.clock.advance(3 * 3600)
        listener.poll_once()
        state, _ = StateStore(LocalStore(tmp_path / "lake")).load()
        assert state.queued["album"] and state.queued["artist"]
        assert set(state.known["track"]) >= {s for _, s in ctx.plays()}
        assert sum(listener.report.queued.values()) == sum(len(v) for v in state.queued.values())


def test_a_second_listener_on_the_same_lake_refuses_to_start(tmp_path: Path) -> None:
    with listening(tmp_path) as ctx:
        first = _listener(ctx)
        first.lease.acquire(datetime.now(UTC))
        try:
            with pytest.raises(StopRun, match="lock-listen"):  # exit 75: try again later
                _listener(ctx).run(threading.Event(), once=True)
        finally:
            first.lease.release()
        report = _listener(ctx).run(threading.Event(), once=True)
        assert report.stopped == "once" and report.polls == 1


def test_a_spent_budget_stops_with_the_cursor_saved(tmp_path: Path) -> None:
    with listening(tmp_path) as ctx:
        listener = Listener(
            ctx.config, secrets=demo_secrets(), interval_s=0.01, token_store=ctx.token, budget=2
        )
        ctx.clock.advance(3600)
        report = listener.run(threading.Event())
        assert report.exit_code == 75 and report.stopped == "budget" and report.polls == 2
        state, _ = StateStore(LocalStore(tmp_path / "lake")).load()
        assert state.listen is not None and state.listen.after_ms is not None


@pytest.mark.parametrize(
    "text,seconds", [("20m", 1200), ("90s", 90), ("1h", 3600), ("500ms", 0.5), ("30", 30)]
)
def test_intervals_parse(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "0s", "-1m", "20 minutes", "m"])
def test_bad_intervals_name_the_fix(text: str) -> None:
    with pytest.raises(ConfigError, match=r"e\.g\. 20m"):
        parse_interval(text)


def test_a_quota_lockout_stops_with_exit_75_and_the_cursor_saved(tmp_path: Path) -> None:
    with listening(tmp_path, daily_quota=3) as ctx:
        listener = Listener(
            ctx.config, secrets=demo_secrets(), interval_s=0.01, token_store=ctx.token
        )
        ctx.clock.advance(3600)
        report = listener.run(threading.Event())
        assert report.exit_code == 75 and report.polls >= 1
        assert "quota" in (report.stopped + report.message).lower()
        state, _ = StateStore(LocalStore(tmp_path / "lake")).load()
        assert state.listen is not None and state.listen.after_ms is not None


def test_a_quota_lock_outlives_the_listener_so_a_restart_spends_nothing_until_it_lifts(
    tmp_path: Path,
) -> None:
    # systemd restarts a listener that exited 75 within a minute (Restart=on-failure): without
    # the lock kept in the extract state, every restart would send a refused request.
    with listening(tmp_path, daily_quota=3) as ctx:
        ctx.clock.advance(3600)
        first = Listener(ctx.config, secrets=demo_secrets(), interval_s=0.01, token_store=ctx.token)
        assert first.run(threading.Event()).exit_code == 75
        state, _ = StateStore(LocalStore(tmp_path / "lake")).load()
        assert state.quota, "the locked bucket is kept in the state"
        sent = _recent_requests(ctx)
        again = Listener(ctx.config, secrets=demo_secrets(), interval_s=0.01, token_store=ctx.token)
        report = again.run(threading.Event())
        assert report.exit_code == 75 and "quota" in (report.stopped + report.message).lower()
        assert _recent_requests(ctx) == sent and report.requests == 0  # refused before sending
