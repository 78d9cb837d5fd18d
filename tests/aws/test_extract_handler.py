"""The extract Lambda on a moto stack built from the template, against the simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

from spotify_etl.aws import extract_handler
from spotify_etl.errors import AuthError, ConfigError
from spotify_etl.simulator import DEMO_CLIENT_ID, Simulator, SimulatorConfig, running_simulator
from spotify_etl.storage import S3Store
from tests.aws.stack import LambdaTestContext, Stack, login_into_secret, pipeline_toml

SCHEDULED = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-11-24T06:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/spotify-etl-daily"],
    "detail": {},
}


def emf_lines(out: str) -> list[dict[str, Any]]:
    docs = [json.loads(line) for line in out.splitlines() if line.startswith('{"')]
    return [d for d in docs if "_aws" in d]


def sources(sim: Simulator) -> str:
    albums = json.dumps(sim.catalog.album_ids(2))
    tracks = json.dumps(sim.catalog.track_ids(3))
    playlists = json.dumps(sim.catalog.playlist_ids(1))
    return f"albums = {albums}\ntracks = {tracks}\nplaylists = {playlists}"


def current_token(secret_id: str) -> str:
    value = boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)
    return str(json.loads(value["SecretString"])["refresh_token"])


def refresh_works(sim: Simulator, refresh_token: str) -> bool:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    form["client_id"] = DEMO_CLIENT_ID
    return httpx.post(sim.token_url, data=form).status_code == 200


def test_scheduled_run_writes_raw_parts_and_rotates_the_token_back(
    stack: Stack,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stack.put_config(pipeline_toml(sim, sources(sim)))
    original = login_into_secret(sim, stack.token_secret_id)
    stack.use(monkeypatch, "ExtractFunction")

    reply = extract_handler.handler(SCHEDULED, LambdaTestContext())

    [run] = reply["runs"]
    assert (reply["status"], run["outcome"], run["shard"]) == ("ok", "complete", "all")
    raw = S3Store(stack.raw_bucket)
    parts = [o.key for o in raw.list("raw/") if o.key.endswith(".jsonl.gz")]
    assert len(parts) == run["parts"] > 0
    assert raw.head(run["manifest_key"]) is not None
    # PKCE refresh tokens are single use: the rotated one is in the secret, not the original.
    rotated = current_token(stack.token_secret_id)
    assert rotated != original
    [metric] = emf_lines(capsys.readouterr().out)
    assert metric["Stage"] == "extract" and metric["Runs"] == 1 and metric["QuotaStops"] == 0
    assert metric["run_id"] == run["run_id"] and metric["Requests"] > 0
    # Each part is announced to the transform trigger exactly as S3 would.
    created = sorted(
        r["s3"]["object"]["key"] for e in stack.drain_raw_events() for r in e["Records"]
    )
    assert len(created) == len(parts)

    # The original is spent at Spotify; the one written back is the one that works.
    assert not refresh_works(sim, original)
    assert refresh_works(sim, rotated)


def test_a_budget_stop_returns_records_the_checkpoint_and_the_metric(
    stack: Stack,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stack.put_config(pipeline_toml(sim, sources(sim), extract="budget = 3"))
    stack.use(monkeypatch, "ExtractFunction")
    reply = extract_handler.handler(SCHEDULED, LambdaTestContext())
    [run] = reply["runs"]
    assert (run["outcome"], run["reason"], run["budget_used"]) == ("stopped", "budget", 3)
    [metric] = emf_lines(capsys.readouterr().out)
    assert metric["QuotaStops"] == 1 and metric["outcome"] == "stopped"
    state = json.loads(S3Store(stack.raw_bucket).get("state/extract/state.json"))
    assert "all" in json.dumps(state.get("checkpoints", state))

    stack.put_config(pipeline_toml(sim, sources(sim)))
    resumed = extract_handler.handler(SCHEDULED, LambdaTestContext())["runs"][0]
    assert resumed["outcome"] == "complete" and resumed["resumed_from"] == run["run_id"]


@pytest.fixture
def quota_sim() -> Iterator[Simulator]:
    config = SimulatorConfig(profile="extended", seed=7, scale=2000, daily_quota=3)
    with running_simulator(config) as sim:
        yield sim


def test_a_quota_stop_is_not_a_failure(
    stack: Stack,
    quota_sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stack.put_config(pipeline_toml(quota_sim, sources(quota_sim)))
    stack.use(monkeypatch, "ExtractFunction")
    [run] = extract_handler.handler(SCHEDULED, LambdaTestContext())["runs"]
    assert (run["outcome"], run["reason"]) == ("stopped", "quota")
    assert run["resume_after"] is not None
    [metric] = emf_lines(capsys.readouterr().out)
    assert metric["QuotaStops"] == 1 and metric["Failures"] == 0


def test_fan_out_queues_shards_that_the_same_function_runs(
    stack: Stack,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stack.put_config(pipeline_toml(sim, sources(sim)))
    stack.use(monkeypatch, "ExtractFunction", SPOTIFY_ETL_SHARDS="3")
    assert extract_handler.handler(SCHEDULED, LambdaTestContext()) == {
        "status": "fanned_out",
        "shards": 3,
    }
    records = stack.drain_shards()
    assert sorted(json.loads(r["body"])["shard"][0] for r in records) == [0, 1, 2]
    assert sim.stats()["total"] == 0  # the fan-out itself calls no API

    runs = [
        extract_handler.handler({"Records": [record]}, LambdaTestContext())["runs"][0]
        for record in records
    ]
    assert sorted(r["shard"] for r in runs) == ["0-of-3", "1-of-3", "2-of-3"]
    assert all(r["outcome"] == "complete" for r in runs)
    assert len({r["run_id"] for r in runs}) == 3
    metrics = emf_lines(capsys.readouterr().out)
    assert metrics[0]["ShardsQueued"] == 3 and sum(m.get("Runs", 0) for m in metrics) == 3


def test_refused_credentials_raise_without_the_secret(
    stack: Stack,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stack.put_config(pipeline_toml(sim, sources(sim)))
    bad = {"client_id": "spotify-etl-demo", "client_secret": "wrong-secret-4f9a1c"}
    boto3.client("secretsmanager").put_secret_value(
        SecretId=stack.app_secret_arn, SecretString=json.dumps(bad)
    )
    stack.use(monkeypatch, "ExtractFunction")
    with pytest.raises(AuthError) as info:
        extract_handler.handler(SCHEDULED, LambdaTestContext())
    captured = capsys.readouterr()
    assert "wrong-secret-4f9a1c" not in str(info.value) + captured.out + captured.err


def test_missing_configuration_is_a_config_error(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.use(monkeypatch, "ExtractFunction")
    monkeypatch.delenv("SPOTIFY_ETL_APP_SECRET_ID")
    with pytest.raises(ConfigError, match="SPOTIFY_ETL_APP_SECRET_ID"):
        extract_handler.handler(SCHEDULED, LambdaTestContext())
    monkeypatch.setenv("SPOTIFY_ETL_APP_SECRET_ID", stack.app_secret_arn)
    with pytest.raises(ConfigError, match="config file not found: s3://"):
        extract_handler.handler(SCHEDULED, LambdaTestContext())  # no TOML uploaded yet


def test_the_listen_schedule_polls_recently_played_into_the_raw_bucket_once_per_event(
    stack: Stack, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spotify_etl.extract.state import StateStore
    from spotify_etl.spotify import SecretsManagerTokenStore
    from tests.support.pkce import SCOPES, authorise

    stack.put_config(pipeline_toml(sim, ""))
    token = authorise(sim, DEMO_CLIENT_ID, SCOPES + " user-read-recently-played")
    SecretsManagerTokenStore(stack.token_secret_id).save(token)
    stack.use(monkeypatch, "ExtractFunction")

    first = extract_handler.handler({"listen": True}, LambdaTestContext())
    assert first["status"] == "ok" and first["plays"] == 50 and first["requests"] == 1
    raw = S3Store(stack.raw_bucket)
    parts = [o.key for o in raw.list("raw/library/") if o.key.endswith(".jsonl.gz")]
    assert len(parts) == 1  # its S3 event runs the transform; Snowpipe loads the PLAY file
    state, _ = StateStore(raw).load()
    assert state.listen is not None and state.listen.after_ms and state.listen.pending_parts == []
    # the next event asks only for newer plays: one request, nothing new (a quiet interval)
    second = extract_handler.handler({"listen": True}, LambdaTestContext())
    assert (second["plays"], second["requests"], second["gaps"]) == (0, 1, [])
