"""Budget and quota stops resume without fetching anything twice; shards share the state."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from spotify_etl.errors import StopRun
from spotify_etl.extract import ExtractResult, run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.extract.state import StateStore
from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from spotify_etl.storage import LocalStore
from tests.extract.conftest import demo_secrets, envelopes, lake, make_config, user_token


def _sources(sim: Simulator) -> str:
    c = sim.catalog
    return (
        f"playlists = {json.dumps(c.playlist_ids(4))}\n"
        f"albums = {json.dumps(c.album_ids(4))}\n"
        f"tracks = {json.dumps(c.track_ids(2))}\n"
        f"artists = {json.dumps(c.artist_ids(2))}\n"
        f'searches = [{{ q = "{c.search_terms(1)[0]}", type = "track", limit = 25 }}]'
    )


def _requests(store: LocalStore) -> Counter[str]:
    """Each stored response by request; the cheap snapshot checks are meant to repeat."""
    out: Counter[str] = Counter()
    for e in envelopes(store):
        if e["params"].get("fields") == "snapshot_id":
            continue
        path = urlsplit(e["url"]).path  # the simulator's address may change between runs
        out[path + "?" + json.dumps(e["params"], sort_keys=True)] += 1
    return out


def _until_complete(run: Any, limit: int = 80) -> list[ExtractResult]:
    results: list[ExtractResult] = []
    while not results or results[-1].outcome != "complete":
        results.append(run())
        assert results[-1].outcome in ("complete", "stopped"), results[-1].message
        assert len(results) < limit
    return results


def test_budget_stops_resume_and_fetch_nothing_twice(tmp_path: Path) -> None:
    with running_simulator(SimulatorConfig(profile="development", scale=2000)) as sim:
        token = user_token(sim, tmp_path / "token.json")
        whole = make_config(tmp_path / "whole", sim, _sources(sim))
        reference = run_extract(whole, ExtractRun(secrets=demo_secrets(), token_store=token))
        assert reference.outcome == "complete"
        config = make_config(tmp_path / "pieces", sim, _sources(sim))
        results = _until_complete(
            lambda: run_extract(
                config, ExtractRun(secrets=demo_secrets(), token_store=token, budget=17)
            )
        )
    assert len(results) > 5
    assert all(r.exit_code == 75 and r.reason == "budget" for r in results[:-1])
    assert all(r.budget_used <= 17 for r in results)
    assert results[1].resumed_from == results[0].run_id
    pieces = _requests(LocalStore(tmp_path / "pieces" / "lake"))
    assert max(pieces.values()) == 1, [k for k, n in pieces.items() if n > 1][:3]
    assert set(pieces) == set(_requests(LocalStore(tmp_path / "whole" / "lake")))
    state, _ = StateStore(LocalStore(tmp_path / "pieces" / "lake")).load()
    assert state.checkpoints == {}
    assert all(p.complete for p in state.playlists.values())


def test_quota_stop_says_when_to_resume_and_resumes(tmp_path: Path) -> None:
    with running_simulator(
        # A window of 48,925 s: the Retry-After users observed (docs/spotify-api.md) for a
        # fresh one.
        SimulatorConfig(profile="development", scale=2000, daily_quota=60, quota_window_s=48925)
    ) as sim:
        token = user_token(sim, tmp_path / "token.json")
        config = make_config(tmp_path, sim, _sources(sim))
        stopped = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=token))
        assert stopped.outcome == "stopped" and stopped.reason == "quota"
        assert stopped.resume_after is not None
        assert "resume after" in stopped.summary()
        hours = (stopped.resume_after - stopped_time(stopped)).total_seconds() / 3600
        assert 13 < hours < 14  # the simulator's Retry-After of 48925 s
        days = iter(range(1, 100))
        start = stopped_time(stopped)

        def next_day() -> ExtractResult:
            day = next(days)
            sim.set_day(day)  # a new day, a new quota (and some playlists change)
            # The locked buckets are skipped until their time: each run comes 14 h later.
            later = start + timedelta(hours=14 * day)
            return run_extract(
                config, ExtractRun(secrets=demo_secrets(), token_store=token, now=later)
            )

        results = _until_complete(next_day)
    entity = Counter(
        e["url"]
        for e in envelopes(lake(tmp_path))
        # full objects only (/v1/<kind>/<id>): discographies are listed again after their TTL
        if e["source_kind"] in ("albums", "artists", "tracks")
        and len(urlsplit(e["url"]).path.strip("/").split("/")) == 3
    )
    assert entity and max(entity.values()) == 1
    assert results[-1].outcome == "complete"
    assert len(results) < 10, len(results)


def stopped_time(result: ExtractResult) -> datetime:
    return datetime.strptime(result.run_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def test_shards_run_at_once_and_share_one_state(tmp_path: Path) -> None:
    # Extended profile: app tokens only. (Two processes sharing one PKCE refresh token race on
    # its single-use rotation; that is the token store's concern, not this test's.)
    with running_simulator(SimulatorConfig(profile="extended", scale=2000)) as sim:
        config = make_config(
            tmp_path, sim, f"playlists = {json.dumps(sim.catalog.playlist_ids(8))}"
        )
        results: dict[int, ExtractResult] = {}

        def shard(index: int) -> None:
            results[index] = run_extract(
                config, ExtractRun(secrets=demo_secrets(), shard=(index, 2))
            )

        threads = [threading.Thread(target=shard, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert {r.outcome for r in results.values()} == {"complete"}
    mine = [set(r.playlists) for r in results.values()]
    assert mine[0].isdisjoint(mine[1]) and mine[0] | mine[1] == set(sim.catalog.playlist_ids(8))
    state, _ = StateStore(lake(tmp_path)).load()
    assert set(state.playlists) == set(sim.catalog.playlist_ids(8))
    tracks = {e["source_id"] for e in envelopes(lake(tmp_path)) if e["source_kind"] == "tracks"}
    assert tracks <= set(state.known.get("track", {}))


def test_a_checkpoint_resumes_against_a_restarted_simulator(tmp_path: Path) -> None:
    """`next` URLs saved in the checkpoint follow the API base when its address changes."""
    config_sim = SimulatorConfig(profile="extended", scale=2000)
    with running_simulator(config_sim) as sim:
        ids = sim.catalog.playlist_ids(4)
        config = make_config(tmp_path, sim, f"playlists = {json.dumps(ids)}")
        stopped = run_extract(config, ExtractRun(secrets=demo_secrets(), budget=5))
    assert stopped.outcome == "stopped"
    state, _ = StateStore(lake(tmp_path)).load()
    assert any(not p.complete and p.next_url for p in state.playlists.values())
    with running_simulator(config_sim) as moved:
        assert moved.base_url != sim.base_url
        config = make_config(tmp_path, moved, f"playlists = {json.dumps(ids)}")
        done = _until_complete(
            lambda: run_extract(config, ExtractRun(secrets=demo_secrets(), budget=5))
        )
    assert done[-1].outcome == "complete"
    state, _ = StateStore(lake(tmp_path)).load()
    assert all(state.playlists[p].complete for p in ids)
    assert max(_requests(lake(tmp_path)).values()) == 1


def test_an_interrupted_run_saves_its_checkpoint_and_the_next_resumes(tmp_path: Path) -> None:
    with running_simulator(SimulatorConfig(profile="extended", scale=2000)) as sim:
        config = make_config(tmp_path, sim, _sources(sim))

        def interrupt(done: int, limit: int) -> None:
            if done == 9:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            run_extract(config, ExtractRun(secrets=demo_secrets(), progress=interrupt))
        state, _ = StateStore(lake(tmp_path)).load()
        assert state.checkpoints["all"].reason == "interrupted"
        assert lake(tmp_path).head("state/extract/lock-all.json") is None  # released
        done = run_extract(config, ExtractRun(secrets=demo_secrets()))
    assert done.outcome == "complete" and done.resumed_from
    assert max(_requests(lake(tmp_path)).values()) == 1


def test_two_runs_at_once_one_runs_the_other_is_turned_away(tmp_path: Path) -> None:
    with running_simulator(SimulatorConfig(profile="extended", scale=2000)) as sim:
        config = make_config(tmp_path, sim, _sources(sim))
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def run() -> None:
            start.wait()
            try:
                outcomes.append(run_extract(config, ExtractRun(secrets=demo_secrets())).outcome)
            except StopRun as exc:
                outcomes.append(exc.reason)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["complete", "locked"]
        sim.reset_stats()
        again = run_extract(
            config, ExtractRun(secrets=demo_secrets())
        )  # the state is whole and usable
    assert again.outcome == "complete" and again.entities_fetched == 0
    assert max(_requests(lake(tmp_path)).values()) == 1


def test_a_small_budget_moves_partly_fetched_playlists_forward_every_run(tmp_path: Path) -> None:
    # Each partly fetched playlist costs a snapshot check before its next page; with more of
    # them than the budget, checks alone used to spend every run's budget.
    with running_simulator(SimulatorConfig(profile="development", scale=2000)) as sim:
        token = user_token(sim, tmp_path / "token.json")
        # The user's own (development mode reads no one else's items, docs/spotify-api.md).
        ids = sim.catalog.playlist_ids(6)
        config = make_config(tmp_path, sim, f"playlists = {json.dumps(ids)}")
        store = lake(tmp_path)
        for _ in range(40):
            run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=token, budget=3))
            state, _ = StateStore(store).load()
            if len(state.playlists) == len(ids) and all(
                p.complete for p in state.playlists.values()
            ):
                break
        else:
            raise AssertionError(f"playlists still partial after 40 runs: {state.playlists}")
    assert max(_requests(store).values()) == 1
