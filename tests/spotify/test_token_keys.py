"""Tokens per (accounts service, client id): the simulator and Spotify never share one, and a
refused refresh token says which service refused it and why it may have."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spotify_etl.config import parse_config
from spotify_etl.errors import AuthError
from spotify_etl.simulator import DEMO_CLIENT_ID, SimulatorConfig, running_simulator
from spotify_etl.spotify import FileTokenStore, StoredToken
from spotify_etl.spotify.token_stores import token_store_for
from spotify_etl.spotify.tokens import TokenKey
from tests.spotify.simulated import client_for
from tests.support.pkce import authorise

SPOTIFY = TokenKey("https://accounts.spotify.com", "my-real-app")
SIMULATOR = TokenKey("http://127.0.0.1:8765", DEMO_CLIENT_ID)
AUTHORISED = datetime(2026, 8, 31, 12, 0, tzinfo=UTC)


def _token(refresh: str) -> StoredToken:
    return StoredToken(refresh, "user-library-read", "alice", AUTHORISED)


def test_a_simulator_login_leaves_the_spotify_token_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    FileTokenStore(path, SPOTIFY).save(_token("real-spotify-refresh"))
    FileTokenStore(path, SIMULATOR).save(_token("simulator-refresh"))
    real = FileTokenStore(path, SPOTIFY).load()
    assert real is not None and real.refresh_token == "real-spotify-refresh"
    sim = FileTokenStore(path, SIMULATOR).load()
    assert sim is not None and sim.refresh_token == "simulator-refresh"
    assert sim.accounts_base == SIMULATOR.accounts_base and sim.client_id == DEMO_CLIENT_ID
    # Another client id at the same service is another token, and logging out is per key.
    assert FileTokenStore(path, TokenKey(SPOTIFY.accounts_base, "other")).load() is None
    assert FileTokenStore(path, SIMULATOR).delete() is True
    assert FileTokenStore(path, SPOTIFY).load() == real


def test_a_token_file_of_the_single_token_era_is_spotifys(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    FileTokenStore(path).save(_token("old-release-refresh"))  # the old format: one token
    assert FileTokenStore(path, SIMULATOR).load() is None  # never sent to the simulator
    FileTokenStore(path, SIMULATOR).save(_token("simulator-refresh"))  # keeps the old one
    kept = FileTokenStore(path, SPOTIFY).load()
    assert kept is not None and kept.refresh_token == "old-release-refresh"
    assert set(json.loads(path.read_text())["tokens"]) == {"legacy", SIMULATOR.slot}


def test_the_store_is_keyed_by_the_api_base_in_use_and_the_client_id(tmp_path: Path) -> None:
    config = parse_config(f'[spotify]\ntoken_file = "{tmp_path / "t.json"}"\n')
    spotify = token_store_for(config, "my-real-app")
    assert spotify.key == SPOTIFY
    sim = token_store_for(config, DEMO_CLIENT_ID, api_base="http://127.0.0.1:8765")
    assert sim.key == SIMULATOR and sim.description == spotify.description


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_restarted_simulator_refusing_the_token_is_named_with_the_likely_cause(
    tmp_path: Path,
) -> None:
    port = _free_port()
    config = SimulatorConfig(profile="development", seed=3, scale=2000)
    with running_simulator(config, port=port) as sim:
        key = TokenKey(sim.base_url, DEMO_CLIENT_ID)
        store = FileTokenStore(tmp_path / "token.json", key)
        store.save(authorise(sim))
    with (
        running_simulator(config, port=port) as restarted,  # it forgot the tokens it issued
        client_for(restarted, token_store=store) as client,
        pytest.raises(AuthError) as err,
    ):
        client.get("/me", user=True)
    message = str(err.value)
    assert f"http://127.0.0.1:{port} refused the stored refresh token" in message
    assert "forgets the tokens it issued when it restarts" in message
    assert "6 months" not in message and "auth login" in message


def test_listen_with_api_base_uses_that_services_token_and_leaves_spotifys_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spotify_etl import cli
    from spotify_etl.simulator import DEMO_CLIENT_SECRET
    from tests.pipeline.listening import listening

    cli.register_commands()
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", DEMO_CLIENT_ID)
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", DEMO_CLIENT_SECRET)
    with listening(tmp_path) as ctx:  # logged in to the simulator, in tmp_path/token.json
        real = TokenKey("https://accounts.spotify.com", DEMO_CLIENT_ID)
        FileTokenStore(tmp_path / "token.json", real).save(_token("real-spotify-refresh"))
        config = tmp_path / "pipeline.toml"  # no api_base: the simulator is named on the line
        config.write_text(
            "\n".join(
                line for line in ctx.config_text().splitlines() if not line.startswith("api_base")
            )
        )
        with pytest.raises(SystemExit) as done:
            cli.main(["listen", "-c", str(config), "--api-base", ctx.sim.base_url, "--once"])
    assert done.value.code == 0
    kept = FileTokenStore(tmp_path / "token.json", real).load()
    assert kept is not None and kept.refresh_token == "real-spotify-refresh"
