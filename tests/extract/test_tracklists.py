"""An album longer than its embedded first page (the simulator's albums stop at 40 tracks):
the rest of its track list is listed, once, and resumed from its `next` after a stop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from spotify_etl.config import parse_config
from spotify_etl.extract import run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.spotify import SpotifyClient
from tests.extract.conftest import demo_secrets, envelopes, lake

BASE = "http://fake.test"
ALBUM = "A" * 22
ARTIST = "R" * 22
TOTAL = 220  # tracks: pages of 50


def _track(n: int) -> dict[str, Any]:
    return {"id": f"{n:022d}", "type": "track", "name": f"t{n}", "artists": [{"id": ARTIST}]}


def _page(offset: int) -> dict[str, Any]:
    items = [_track(n) for n in range(offset, min(offset + 50, TOTAL))]
    following = offset + 50
    nxt = f"{BASE}/v1/albums/{ALBUM}/tracks?offset={following}&limit=50"
    return {"items": items, "total": TOTAL, "offset": offset, "limit": 50,
            "next": nxt if following < TOTAL else None}  # fmt: skip


def _handler(seen: list[str]) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        seen.append(str(request.url))
        if path == "/api/token":
            return httpx.Response(200, json={"access_token": "x" * 20, "expires_in": 3600})
        if path == f"/v1/albums/{ALBUM}":
            body = {"id": ALBUM, "type": "album", "name": "long", "popularity": 1,
                    "artists": [{"id": ARTIST}], "tracks": _page(0)}  # fmt: skip
            return httpx.Response(200, json=body)
        if path == f"/v1/albums/{ALBUM}/tracks":
            return httpx.Response(200, json=_page(int(request.url.params["offset"])))
        if path == f"/v1/artists/{ARTIST}":
            return httpx.Response(200, json={"id": ARTIST, "type": "artist", "popularity": 1})
        if path == "/v1/albums":  # several-at-once: removed, as in development mode
            return httpx.Response(403, json={"error": {"status": 403, "message": "Forbidden"}})
        return httpx.Response(404, json={"error": {"status": 404, "message": "not found"}})

    return handle


def test_long_album_track_list_is_listed_and_resumed(tmp_path: Path) -> None:
    config = parse_config(
        f'[spotify]\napi_base = "{BASE}"\n[storage]\nraw = "{tmp_path / "lake"}"\n'
        f'[sources]\nalbums = ["{ALBUM}"]\n',
        base_dir=tmp_path,
    )
    seen: list[str] = []
    runs = []
    for budget in (3, 10):  # the first run stops inside the track list
        client = SpotifyClient(
            config.spotify, "id", "secret", transport=httpx.MockTransport(_handler(seen))
        )
        runs.append(
            run_extract(config, ExtractRun(secrets=demo_secrets(), client=client, budget=budget))
        )
        client.close()
    assert [r.outcome for r in runs] == ["stopped", "complete"]
    pages = [e for e in envelopes(lake(tmp_path)) if e["url"].endswith(f"/albums/{ALBUM}/tracks")]
    assert sorted(int(e["params"]["offset"]) for e in pages) == [50, 100, 150, 200]
    assert all(e["source_id"] == ALBUM and e["source_kind"] == "albums" for e in pages)
    api = [u for u in seen if "/api/token" not in u]
    assert len(api) == len(set(api))  # nothing asked twice
    assert any(f"/artists/{ARTIST}" in u for u in api)
    assert json.loads(lake(tmp_path).get(runs[1].manifest_key))["outcome"] == "complete"
