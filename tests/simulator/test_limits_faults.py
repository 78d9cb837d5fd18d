"""Rate window, token expiry and each injected fault kind, seen from the wire (the quota is in
test_quota.py)."""

from __future__ import annotations

import http.client
import json
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator

from .conftest import Api, app_token


def _raw_get(sim: Simulator, path: str, token: str) -> tuple[int, dict[str, str], bytes]:
    url = urlsplit(sim.base_url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=5)
    conn.request("GET", "/v1" + path, headers={"Authorization": f"Bearer {token}"})
    reply = conn.getresponse()
    return reply.status, dict(reply.getheaders()), reply.read()


def test_rolling_window_answers_429_with_integer_retry_after() -> None:
    with running_simulator(SimulatorConfig(scale=500, window_requests=3, window_seconds=1)) as sim:
        api = Api(sim, app_token(sim))
        path = f"/tracks/{sim.catalog.track_ids(1)[0]}"
        assert [api.get(path).status_code for _ in range(3)] == [200, 200, 200]
        limited = api.get(path)
        assert limited.status_code == 429
        assert limited.headers["retry-after"].isdigit()
        assert 1 <= int(limited.headers["retry-after"]) <= 1
        assert limited.json()["error"]["status"] == 429
        assert "reason" not in limited.json()["error"]
        time.sleep(1.05)  # the window rolls on: requests pass again
        assert api.get(path).status_code == 200
        assert sim.stats()["by_endpoint"]["GET /v1/tracks/{id}"] == {"200": 4, "429": 1}


def test_window_retry_after_counts_down_from_the_window_length() -> None:
    with running_simulator(SimulatorConfig(scale=500, window_requests=1, window_seconds=30)) as sim:
        api = Api(sim, app_token(sim))
        path = f"/tracks/{sim.catalog.track_ids(1)[0]}"
        assert api.get(path).status_code == 200
        assert int(api.get(path).headers["retry-after"]) in range(29, 31)


def test_short_token_lifetime_gives_the_expired_message() -> None:
    with running_simulator(SimulatorConfig(scale=500, token_lifetime_s=0.3)) as sim:
        token = app_token(sim)
        path = f"/tracks/{sim.catalog.track_ids(1)[0]}"
        assert _raw_get(sim, path, token)[0] == 200
        time.sleep(0.4)
        status, _, body = _raw_get(sim, path, token)
        assert status == 401
        assert json.loads(body)["error"]["message"] == "The access token expired"
        assert _raw_get(sim, path, app_token(sim))[0] == 200  # a new token works


def _statuses(config: SimulatorConfig, n: int) -> list[int]:
    with running_simulator(config) as sim:
        api = Api(sim, app_token(sim))
        path = f"/tracks/{sim.catalog.track_ids(1)[0]}"
        return [api.get(path).status_code for _ in range(n)]


def test_server_errors_are_a_reproducible_share() -> None:
    config = SimulatorConfig(scale=500, error_rate=0.3, fault_seed=7)
    first, second = _statuses(config, 60), _statuses(config, 60)
    assert first == second
    errors = [s for s in first if s != 200]
    assert set(errors) <= {500, 502, 503} and 8 <= len(errors) <= 30
    assert _statuses(SimulatorConfig(scale=500, error_rate=0.3, fault_seed=8), 60) != first


def test_malformed_bodies_are_not_json() -> None:
    with running_simulator(SimulatorConfig(scale=500, malformed_rate=1.0)) as sim:
        status, headers, body = _raw_get(
            sim, f"/tracks/{sim.catalog.track_ids(1)[0]}", app_token(sim)
        )
        assert status == 200 and int(headers["Content-Length"]) == len(body)
        with pytest.raises(json.JSONDecodeError):
            json.loads(body)
        assert sim.stats()["faults"]["malformed"] == 1  # type: ignore[index]


def test_truncated_bodies_end_early_and_close() -> None:
    with running_simulator(SimulatorConfig(scale=500, truncated_rate=1.0)) as sim:
        with pytest.raises(http.client.IncompleteRead):
            _raw_get(sim, f"/tracks/{sim.catalog.track_ids(1)[0]}", app_token(sim))
        assert sim.stats()["by_status"] == {"200": 1, "truncated": 1}


def test_dropped_connections_send_nothing() -> None:
    with running_simulator(SimulatorConfig(scale=500, drop_rate=1.0)) as sim:
        token = app_token(sim)
        with pytest.raises(http.client.RemoteDisconnected):
            _raw_get(sim, f"/tracks/{sim.catalog.track_ids(1)[0]}", token)
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{sim.api_base}/me", headers={"Authorization": f"Bearer {token}"})
        assert sim.stats()["faults"]["dropped"] == 2  # type: ignore[index]


def test_latency_is_added_to_web_api_replies_only() -> None:
    with running_simulator(SimulatorConfig(scale=500, latency_ms=150)) as sim:
        token = app_token(sim)
        began = time.perf_counter()
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
            for track_id in sim.catalog.track_ids(3):
                assert client.get(f"{sim.api_base}/tracks/{track_id}").status_code == 200
        assert time.perf_counter() - began >= 0.45  # a lower bound: never flaky
        assert sim.stats()["faults"]["latency"] == 3  # type: ignore[index]


def test_pipelined_requests_keep_their_order_under_latency() -> None:
    with running_simulator(SimulatorConfig(scale=500, latency_ms=20)) as sim:
        token = app_token(sim)
        ids = sim.catalog.track_ids(3)
        url = urlsplit(sim.base_url)
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), 5) as sock:
            sock.sendall(
                b"".join(
                    f"GET /v1/tracks/{i} HTTP/1.1\r\nHost: x\r\n"
                    f"Authorization: Bearer {token}\r\n\r\n".encode()
                    for i in ids
                )
            )
            buffer, got = b"", []
            while len(got) < len(ids):
                buffer += sock.recv(65536)
                while b"\r\n\r\n" in buffer:
                    head, _, rest = buffer.partition(b"\r\n\r\n")
                    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                    if len(rest) < length:
                        break
                    got.append(json.loads(rest[:length])["id"])
                    buffer = rest[length:]
        assert got == ids
