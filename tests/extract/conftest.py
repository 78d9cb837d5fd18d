"""Helpers for extraction tests: a real simulator, a user token by PKCE, configs and reads."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from spotify_etl.config import PipelineConfig, Secrets, parse_config
from spotify_etl.simulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Simulator
from spotify_etl.spotify import FileTokenStore
from spotify_etl.storage import LocalStore
from tests.support.pkce import SCOPES, logged_in


def demo_secrets(secret: str = DEMO_CLIENT_SECRET) -> Secrets:
    return Secrets(spotify_client_id=DEMO_CLIENT_ID, spotify_client_secret=secret)  # type: ignore[arg-type]


def user_token(
    sim: Simulator, path: Path, client_id: str = DEMO_CLIENT_ID, scopes: str = SCOPES
) -> FileTokenStore:
    """Authorization Code + PKCE against the simulator, as `auth login` does; stored in a file
    under the key the CLI reads, so a subprocess finds it too."""
    return logged_in(sim, path, client_id, scopes)


def make_config(tmp_path: Path, sim: Simulator, sources: str, extract: str = "") -> PipelineConfig:
    text = f"""
[spotify]
api_base = "{sim.base_url}"
requests_in_flight = 4
backoff_base_s = 0.01
backoff_max_s = 0.05
[storage]
raw = "{tmp_path / "lake"}"
[extract]
{extract}
[sources]
{sources}
"""
    return parse_config(text, base_dir=tmp_path)


def lake(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "lake")


def envelopes(store: LocalStore, keys: list[str] | None = None) -> Iterator[dict[str, Any]]:
    chosen = (
        keys
        if keys is not None
        else [info.key for info in store.list("raw/") if info.key.endswith(".jsonl.gz")]
    )
    for key in chosen:
        for line in gzip.decompress(store.get(key)).splitlines():
            yield json.loads(line)


def sim_requests(sim: Simulator) -> dict[str, dict[str, int]]:
    """{"GET /v1/albums/{id}": {"200": n}, ...} without the accounts endpoints."""
    stats = sim.stats()
    by_endpoint = stats["by_endpoint"]
    assert isinstance(by_endpoint, dict)
    return {k: v for k, v in by_endpoint.items() if "/api/token" not in k}


def count(requests: dict[str, dict[str, int]], prefix: str = "") -> int:
    return sum(n for key, by in requests.items() if key.startswith(prefix) for n in by.values())


from tests.support.moto_server import moto_endpoint, moto_env  # noqa: E402

__all__ = ["moto_endpoint", "moto_env"]
