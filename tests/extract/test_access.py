"""Development mode reads the items of the user's own and collaborative playlists only
(docs/spotify-api.md): another user's playlist is refused once, remembered, and kept as its
header."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from spotify_etl import cli
from spotify_etl.config import parse_config
from spotify_etl.extract import run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.extract.playlists import NOT_OWNED
from spotify_etl.extract.state import StateStore
from spotify_etl.simulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    SimulatorConfig,
    running_simulator,
)
from tests.extract.conftest import count, demo_secrets, envelopes, lake, sim_requests, user_token

ITEMS = "GET /v1/playlists/{id}/items"
# `config check` runs every check a run makes, the credentials' among them.
CREDENTIALS = {"SPOTIFY_CLIENT_ID": DEMO_CLIENT_ID, "SPOTIFY_CLIENT_SECRET": DEMO_CLIENT_SECRET}


def _toml(tmp_path: Path, base_url: str, playlists: list[str]) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(
        f'[spotify]\napi_base = "{base_url}"\ntoken_file = "{tmp_path / "token.json"}"\n'
        f'[storage]\nraw = "{tmp_path / "lake"}"\ntransformed = "{tmp_path / "out"}"\n'
        f'[warehouse]\nurl = "duckdb:///{tmp_path / "wh.duckdb"}"\n'
        f"[sources]\nplaylists = {json.dumps(playlists)}\n"
    )
    return path


def test_another_users_playlist_is_refused_once_remembered_and_kept_as_a_header(
    tmp_path: Path,
) -> None:
    cli.register_commands()
    with running_simulator(SimulatorConfig(profile="development", scale=2000)) as sim:
        token = user_token(sim, tmp_path / "token.json")
        mine = sim.catalog.playlist_ids(1)[0]
        other = sim.catalog.playlist_ids(1, owner="other")[0]
        path = _toml(tmp_path, sim.base_url, [mine, other])
        config = parse_config(path.read_text(), base_dir=tmp_path)
        first = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=token))
        cold = sim_requests(sim)
        sim.reset_stats()
        second = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=token))
        warm = sim_requests(sim)
        sim.reset_stats()
        later = datetime.now(UTC) + timedelta(days=8)  # past ttl.refused_playlist_days (7)
        third = run_extract(
            config, ExtractRun(secrets=demo_secrets(), token_store=token, now=later)
        )
        expired = sim_requests(sim)
        (tmp_path / "out").mkdir()  # nothing transformed in this test; status wants the folder
        status = CliRunner().invoke(cli.app, ["status", "-c", str(path)])
        check = CliRunner().invoke(cli.app, ["config", "check", "-c", str(path)], env=CREDENTIALS)
    assert first.outcome == second.outcome == third.outcome == "complete"
    # Recorded once, with its reason; what can be had (the header) is kept.
    assert first.skipped == [
        {"id": other, "kind": "playlist_items", "status": 403, "reason": NOT_OWNED}
    ]
    assert cold[ITEMS]["403"] == 1  # (the 200s are the pages of the user's own playlist)
    assert first.playlists[other]["status"] == "header only"
    headers = [
        e
        for e in envelopes(lake(tmp_path), first.part_keys)
        if e.get("source_id") == other and e["url"].endswith(other)
    ]
    assert len(headers) == 1 and headers[0]["body"]["snapshot_id"]
    assert headers[0]["body"]["owner"]["id"] and "items" not in headers[0]["body"]
    # Remembered: the next run spends one request on the header and none on the items.
    assert second.skipped == [] and ITEMS not in warm
    assert second.playlists[other]["status"] == "header only"
    assert second.playlists[mine]["status"] == "unchanged"
    assert count(warm) == 2  # one snapshot check for mine, one header for the other
    state, _ = StateStore(lake(tmp_path)).load()
    assert set(state.refused) == {other} and state.profile == "development"
    assert other not in state.playlists  # no items of it to carry forward
    # After the TTL the items are asked once more (and refused again, and remembered again).
    assert expired[ITEMS].get("403") == 1 and len(third.skipped) == 1
    # `status` lists it; `config check` flags it, the profile being known from the state.
    assert status.exit_code == 0, status.output
    assert f"playlist {other}: header only" in " ".join(status.output.split())
    assert check.exit_code == 0, check.output
    text = " ".join(check.output.split())
    assert "profile: development" in text and f"WARNING playlist {other}" in text
    assert f"WARNING playlist {mine}" not in text


def test_config_check_flags_nothing_before_any_run(tmp_path: Path) -> None:
    cli.register_commands()
    path = _toml(tmp_path, "http://127.0.0.1:9/v1", ["5fRpF8fnuXJPhpORFHpCEA"])
    check = CliRunner().invoke(cli.app, ["config", "check", "-c", str(path)], env=CREDENTIALS)
    assert check.exit_code == 0, check.output
    assert "WARNING" not in check.output and "profile:" not in check.output
