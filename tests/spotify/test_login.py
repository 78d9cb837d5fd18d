"""`auth login` end to end against the simulator's accounts service, and status/logout."""

from __future__ import annotations

import os
import queue
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from spotify_etl.config import SpotifySettings
from spotify_etl.errors import AuthError
from spotify_etl.simulator import DEMO_CLIENT_ID, SimulatorConfig, running_simulator
from spotify_etl.spotify import FileTokenStore, StoredToken
from spotify_etl.spotify.login import login
from tests.spotify.simulated import client_for

CLI = str(Path(sys.executable).parent / "spotify-etl")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def sim() -> Iterator[object]:
    with running_simulator(SimulatorConfig(profile="development", seed=5, scale=2000)) as server:
        yield server


def _login_in_thread(
    sim: object, store: FileTokenStore
) -> tuple[threading.Thread, queue.Queue[str], dict[str, object]]:
    urls: queue.Queue[str] = queue.Queue()
    outcome: dict[str, object] = {}
    settings = SpotifySettings(api_base=sim.base_url)  # type: ignore[attr-defined]

    def run() -> None:
        try:
            outcome["token"] = login(
                settings, DEMO_CLIENT_ID, store, port=_free_port(), open_browser=False,
                show=urls.put, timeout_s=20,
            )  # fmt: skip
        except AuthError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, urls, outcome


def test_login_stores_a_working_private_token(sim: object, tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "auth" / "token.json")
    thread, urls, outcome = _login_in_thread(sim, store)
    url = urls.get(timeout=10)
    assert "code_challenge_method=S256" in url and "state=" in url
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in url
    reply = httpx.get(url, follow_redirects=True, timeout=10)  # the simulator approves at once
    thread.join(timeout=20)
    assert reply.status_code == 200 and "authorisation received" in reply.text
    token = outcome["token"]
    assert isinstance(token, StoredToken) and token.user_id
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert "playlist-read-private" in token.scope

    playlist = sim.catalog.playlist_ids(1, owner="me")[0]  # type: ignore[attr-defined]
    with client_for(sim, token_store=store) as client:
        assert client.me().body["id"] == token.user_id
        pages = list(client.playlist_items(playlist))  # 403 with the app token alone
    assert sum(len(p.body["items"]) for p in pages) == pages[0].body["total"]
    rotated = store.load()
    assert rotated is not None and rotated.refresh_token != token.refresh_token  # PKCE rotation
    assert rotated.authorised_at == token.authorised_at


def test_a_callback_with_the_wrong_state_is_refused(sim: object, tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    thread, urls, outcome = _login_in_thread(sim, store)
    url = httpx.URL(urls.get(timeout=10))
    redirect = httpx.URL(url.params["redirect_uri"])
    httpx.get(redirect.copy_merge_params({"code": "forged", "state": "not-ours"}), timeout=10)
    thread.join(timeout=20)
    assert isinstance(outcome["error"], AuthError) and "state" in str(outcome["error"])
    assert store.load() is None


def test_a_denied_authorisation_is_reported(sim: object, tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    thread, urls, outcome = _login_in_thread(sim, store)
    redirect = httpx.URL(httpx.URL(urls.get(timeout=10)).params["redirect_uri"])
    httpx.get(redirect.copy_merge_params({"error": "access_denied"}), timeout=10)
    thread.join(timeout=20)
    assert "access_denied" in str(outcome["error"])


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=60)


def test_cli_login_status_logout(sim: object, tmp_path: Path) -> None:
    token_file = tmp_path / "token.json"
    config = tmp_path / "pipeline.toml"
    config.write_text(f'[spotify]\ntoken_file = "{token_file}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_")}
    env["SPOTIFY_CLIENT_ID"] = DEMO_CLIENT_ID
    base = sim.base_url  # type: ignore[attr-defined]
    args = ["auth", "login", "--config", str(config), "--api-base", base, "--no-browser"]
    with subprocess.Popen(
        [CLI, *args, "--port", str(_free_port()), "--timeout", "30"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:  # fmt: skip
        assert proc.stdout is not None
        url = ""
        for line in proc.stdout:
            if line.startswith("http"):
                url = line.strip()
                break
        httpx.get(url, follow_redirects=True, timeout=10)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    refresh = FileTokenStore(token_file).load()
    assert refresh is not None and refresh.refresh_token not in out + err
    assert "Authorised" in out and stat.S_IMODE(token_file.stat().st_mode) == 0o600

    # The token is the simulator's: Spotify's (the config's own api_base) has none.
    spotify = _run(["auth", "status", "--config", str(config)], env)
    assert spotify.returncode == 1 and "https://accounts.spotify.com" in spotify.stdout
    on_sim = ["--config", str(config), "--api-base", base]
    status = _run(["auth", "status", *on_sim], env)
    assert status.returncode == 0, status.stderr
    assert f"user: {refresh.user_id}" in status.stdout and "days left" in status.stdout
    assert "user-top-read" in status.stdout and refresh.refresh_token not in status.stdout

    assert _run(["auth", "logout", *on_sim], env).returncode == 0
    assert not token_file.exists()
    gone = _run(["auth", "status", *on_sim], env)
    assert gone.returncode == 1 and "auth login" in gone.stdout
