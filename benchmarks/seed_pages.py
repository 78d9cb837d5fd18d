"""Seed-era input for the benchmarks: bare playlist-items pages, one Spotify page per file.

The old pipeline saved each `GET /playlists/{id}/tracks?limit=100` reply (extended mode, the
2024 API) as `spotify_raw_<str(datetime.now())>.json`. These are fetched over HTTP from the
simulator's extended profile, so the bytes are what Spotify returned then.

    write_pages(root / "old", items=200_000)  ->  ~2,000 files of 100 items
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

PAGE = 100  # the seed era's limit on /playlists/{id}/tracks
START = datetime(2026, 11, 20, 10, 0, 0)  # after the simulator catalog's newest release


def page_name(n: int, start: datetime = START) -> str:
    return f"spotify_raw_{start + timedelta(seconds=n, microseconds=n % 997)}.json"


def write_pages(folder: Path, items: int) -> int:
    """About `items` playlist items in pages of 100, one file each; returns the file count."""
    import httpx

    from bench_transform import _user_token
    from spotify_etl.simulator import SimulatorConfig, running_simulator

    folder.mkdir(parents=True, exist_ok=True)
    files = got = 0
    config = SimulatorConfig(profile="extended", seed=42, scale=max(20_000, items))
    with running_simulator(config) as sim, httpx.Client(timeout=60) as client:
        token = _user_token(client, sim.base_url, sim.config.client_id)
        client.headers["Authorization"] = f"Bearer {token}"
        ids = [sim.catalog.big_playlist_id, *sim.catalog.playlist_ids(10**6, owner="other")]
        for pid in ids:
            url: str | None = f"{sim.api_base}/playlists/{pid}/tracks?limit={PAGE}&offset=0"
            while url and got < items:
                page: dict[str, Any] = client.get(url).raise_for_status().json()
                (folder / page_name(files)).write_text(json.dumps(page))
                files, got = files + 1, got + len(page["items"])
                url = page.get("next")
            if got >= items:
                break
    return files


def double(src: Path, dst: Path) -> None:
    """The same pages again, saved a day later under new names: twice the input."""
    shutil.copytree(src, dst)
    later = START + timedelta(days=1)
    for n, path in enumerate(sorted(src.rglob("spotify_raw_*.json"))):
        target = dst / path.relative_to(src).parent / page_name(n, later)
        shutil.copyfile(path, target)
