from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spotify_etl.errors import FatalError
from spotify_etl.extract.state import (
    STATE_KEY,
    Checkpoint,
    Delta,
    PlaylistState,
    Refusal,
    State,
    StateStore,
)
from spotify_etl.storage import LocalStore

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def _playlist(snapshot: str, checked: str) -> PlaylistState:
    return PlaylistState(snapshot, "2026-11-24", "r1", ["raw/p/part"], True, checked)


def test_save_then_load_round_trip(tmp_path: Path) -> None:
    states = StateStore(LocalStore(tmp_path))
    assert states.load() == (states.load()[0], None)
    delta = Delta()
    delta.touch("album", "a" * 22, "2026-11-24T06:00:00.000000Z")
    delta.playlists["p" * 22] = _playlist("s1", "2026-11-24T06:00:00.000000Z")
    delta.checkpoint = Checkpoint("r1", "2026-11-24", "budget", "t", "fp", pending={"track": ["x"]})
    states.save(delta, "all", "r1", "2026-11-24T06:00:01.000000Z")
    state, etag = states.load()
    assert etag
    assert state.known == {"album": {"a" * 22: "2026-11-24T06:00:00.000000Z"}}
    assert state.playlists["p" * 22].snapshot_id == "s1"
    assert state.checkpoints["all"].pending == {"track": ["x"]}
    clear = Delta()
    clear.clear_checkpoint = True
    states.save(clear, "all", "r2", "t2")
    assert states.load()[0].checkpoints == {}
    assert states.load()[0].known["album"]  # clearing a checkpoint keeps what is known


def test_merge_keeps_the_newest_fetch_per_id() -> None:
    older, newer = Delta(), Delta()
    older.touch("artist", "x", "2026-11-01T00:00:00.000000Z")
    newer.touch("artist", "x", "2026-11-20T00:00:00.000000Z")
    older.playlists["p"] = _playlist("old", "2026-11-01T00:00:00.000000Z")
    newer.playlists["p"] = _playlist("new", "2026-11-20T00:00:00.000000Z")
    state = newer.apply(older.apply(_empty(), "a", "r", "t"), "a", "r", "t")
    again = older.apply(newer.apply(_empty(), "a", "r", "t"), "a", "r", "t")
    for merged in (state, again):
        assert merged.known["artist"]["x"] == "2026-11-20T00:00:00.000000Z"
        assert merged.playlists["p"].snapshot_id == "new"


def _empty() -> State:
    return State()


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            states = StateStore(store)
            for i in range(10):
                delta = Delta()
                delta.touch("track", f"{n}-{i}", "2026-11-24T06:00:00.000000Z")
                delta.checkpoint = Checkpoint(f"r{n}", "d", "budget", "t", "fp")
                states.save(delta, f"shard{n}", f"r{n}", "t")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    state, _ = StateStore(store).load()
    assert len(state.known["track"]) == 40
    assert set(state.checkpoints) == {f"shard{n}" for n in range(4)}


def test_unreadable_state_is_a_clear_error(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put(STATE_KEY, b"{not json")
    with pytest.raises(FatalError, match="unreadable"):
        StateStore(store).load()


def test_quota_locks_merge_to_the_latest_and_expired_ones_go() -> None:
    at = "2026-12-02T08:00:00.000000Z"
    state = State(
        quota={
            "search": "2026-12-02T07:00:00.000000Z",  # past: dropped
            "artist-albums": "2026-12-02T20:00:00.000000Z",
        }
    )
    delta = Delta()
    delta.quota = {
        "artist-albums": "2026-12-02T21:00:00.000000Z",
        "library": "2026-12-03T00:00:00.000000Z",
    }
    merged = delta.apply(state, "all", "r2", at)
    assert merged.quota == {
        "artist-albums": "2026-12-02T21:00:00.000000Z",
        "library": "2026-12-03T00:00:00.000000Z",
    }
    # A run that saw fewer locks (its clock past some) never shortens another run's lock.
    assert Delta().apply(merged, "all", "r3", at).quota == merged.quota


def test_refusals_are_kept_replaced_by_newer_and_lifted() -> None:
    old = Refusal(403, "not yours", "2026-12-01T08:00:00.000000Z", "2026-12-08T08:00:00.000000Z")
    new = Refusal(403, "not yours", "2026-12-02T08:00:00.000000Z", "2026-12-09T08:00:00.000000Z")
    state = State(refused={"a" * 22: old, "b" * 22: old}, profile="development")
    delta = Delta()
    delta.refused = {"a" * 22: new, "b" * 22: None}
    merged = delta.apply(state, "all", "r2", "t")
    assert merged.refused == {"a" * 22: new}
    assert merged.profile == "development"  # a run that did not learn it keeps the known one
    stale = Delta()
    stale.refused = {"a" * 22: old}
    assert stale.apply(merged, "all", "r3", "t").refused == {"a" * 22: new}
