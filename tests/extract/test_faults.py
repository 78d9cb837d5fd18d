"""Stops, faults and secrets: each run against its own simulator configured for the case."""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest

from spotify_etl.errors import AuthError
from spotify_etl.extract import run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.extract.state import StateStore
from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from tests.extract.conftest import demo_secrets, envelopes, lake, make_config, user_token


def _sources(sim: Simulator) -> str:
    c = sim.catalog
    return (
        f"playlists = {json.dumps(c.playlist_ids(3))}\n"
        f"albums = {json.dumps(c.album_ids(3))}\n"
        f"tracks = {json.dumps(c.track_ids(3))}\n"
        f"artists = {json.dumps(c.artist_ids(1))}\n"
        f'searches = [{{ q = "{c.search_terms(1)[0]}", type = "track", limit = 15 }}]'
    )


def _content(sim: Simulator, store_path: Path) -> Counter[str]:
    """Every stored response as (url, params, status, body), the simulator's address removed."""
    from spotify_etl.storage import LocalStore

    out: Counter[str] = Counter()
    for e in envelopes(LocalStore(store_path)):
        record = {k: e.get(k) for k in ("url", "params", "status", "body", "source_id")}
        out[json.dumps(record, sort_keys=True).replace(sim.base_url, "SIM")] += 1
    return out


def test_retry_after_beyond_the_cap_stops_with_a_checkpoint(tmp_path: Path) -> None:
    config_sim = SimulatorConfig(profile="development", scale=2000, window_requests=12,
                                 window_seconds=600)  # fmt: skip
    with running_simulator(config_sim) as sim:
        token = user_token(sim, tmp_path / "token.json")
        config = make_config(tmp_path, sim, _sources(sim))
        result = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=token))
        stats = sim.stats()
    assert result.outcome == "stopped" and result.reason == "rate_limit"
    assert result.exit_code == 75
    assert result.resume_after is not None
    wait = result.resume_after - datetime.now(UTC)
    assert timedelta(minutes=5) < wait <= timedelta(minutes=11)
    by_status = stats["by_status"]
    assert isinstance(by_status, dict)
    # It stopped at the first 429s (one per request in flight), never waited and retried.
    assert by_status.get("429", 0) <= config.spotify.requests_in_flight
    state, _ = StateStore(lake(tmp_path)).load()
    checkpoint = state.checkpoints["all"]
    assert checkpoint.reason == "rate_limit" and checkpoint.resume_after
    manifest = json.loads(lake(tmp_path).get(result.manifest_key))
    assert manifest["outcome"] == "stopped" and manifest["checkpoint"]["reason"] == "rate_limit"


@pytest.mark.parametrize("profile", ["development", "extended"])
def test_fault_mix_gives_the_same_raw_content_as_a_clean_run(
    tmp_path: Path, profile: Literal["development", "extended"]
) -> None:
    contents = []
    requests = []
    faults: dict[str, Any] = {
        "error_rate": 0.08,
        "drop_rate": 0.04,
        "malformed_rate": 0.04,
        "truncated_rate": 0.04,
        "token_lifetime_s": 1.5,
        "fault_seed": 7,
    }
    for name, extra in (("clean", {}), ("faulty", faults)):
        with running_simulator(SimulatorConfig(profile=profile, scale=2000, **extra)) as sim:
            token = user_token(sim, tmp_path / f"{name}.json")
            config = make_config(tmp_path / name, sim, _sources(sim))
            result = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=token))
            assert result.outcome == "complete", result.message
            contents.append(_content(sim, tmp_path / name / "lake"))
            requests.append(sim.stats())
    clean, faulty = contents
    assert sum(clean.values()) > 15
    assert faulty == clean
    injected = requests[1]["faults"]
    assert isinstance(injected, dict)
    kinds = ("error", "malformed", "truncated", "dropped")
    if profile == "development":  # hundreds of requests: every kind of fault is met
        assert all(injected[kind] > 0 for kind in kinds)
    else:  # a few dozen batch requests
        assert sum(injected[kind] for kind in kinds) >= 3


def test_a_planted_secret_is_never_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    planted = "PLANTED-s3cr3t-9f8e7d6c5b"
    config_sim = SimulatorConfig(profile="development", scale=2000, client_secret=planted,
                                 token_lifetime_s=2, error_rate=0.05)  # fmt: skip
    with running_simulator(config_sim) as sim, caplog.at_level(logging.DEBUG):
        token = user_token(sim, tmp_path / "token.json")
        refresh = token.load()
        assert refresh is not None
        config = make_config(
            tmp_path, sim, _sources(sim) + "\n[sources.library]\nsaved_tracks = true"
        )
        result = run_extract(config, ExtractRun(secrets=demo_secrets(planted), token_store=token))
        assert result.outcome == "complete"
        with pytest.raises(AuthError) as refused:  # a wrong secret: the message names no secret
            run_extract(config, ExtractRun(secrets=demo_secrets("WRONG-" + planted)))
        access_tokens = set(sim.app.accounts.grants)  # every bearer token the run was given
    rotated = token.load()
    assert rotated is not None
    # The scan below can see a secret: the token file (excluded) holds one.
    assert rotated.refresh_token.encode() in (tmp_path / "token.json").read_bytes()
    assert len(access_tokens) > 2  # 2-second tokens: renewed during the run
    secrets = {planted, refresh.refresh_token, rotated.refresh_token, *access_tokens}
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "token.json"]
    assert any(p.name == "manifest.json" for p in written)
    for path in written:
        data = path.read_bytes()
        if path.suffix == ".gz":
            import gzip

            data = gzip.decompress(data)
        for secret in secrets:
            assert secret.encode() not in data, path
        assert b"Bearer " not in data and b"Authorization" not in data
    captured = capsys.readouterr()
    for text in (caplog.text, captured.out, captured.err, str(refused.value)):
        for secret in secrets:
            assert secret not in text
        assert "WRONG-" + planted not in text
