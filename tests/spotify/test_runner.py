from __future__ import annotations

import threading
import time

import httpx
import pytest

from spotify_etl.errors import StopRun
from spotify_etl.spotify.runner import map_in_threads
from tests.spotify.fakes import FakeSpotify, FakeTime, make_client


def test_results_come_in_input_order() -> None:
    assert list(map_in_threads(lambda x: x * x, range(50), 4)) == [x * x for x in range(50)]


def test_a_failure_keeps_finished_work_and_starts_nothing_new() -> None:
    started: list[int] = []
    lock = threading.Lock()
    release = threading.Event()

    def fetch(x: int) -> int:
        with lock:
            started.append(x)
        if x == 1:
            release.wait(5)  # let the others finish first
            raise StopRun("quota", reason="quota")
        if x == 3:
            release.set()
        return x

    got: list[int] = []
    with pytest.raises(StopRun):
        for value in map_in_threads(fetch, range(100), 2):
            got.append(value)
    # Everything that ran and succeeded was yielded; the look-ahead bounded what started.
    assert sorted(got) == sorted(x for x in started if x != 1)
    assert 0 in got and len(started) <= 8


def test_requests_in_flight_stay_bounded_even_with_nested_maps() -> None:
    fake = FakeSpotify()
    lock = threading.Lock()
    on_wire = [0, 0]  # now, peak

    def slow(request: httpx.Request) -> httpx.Response:
        with lock:
            on_wire[0] += 1
            on_wire[1] = max(on_wire[1], on_wire[0])
        time.sleep(0.02)  # real: long enough for the others to pile up
        with lock:
            on_wire[0] -= 1
        return httpx.Response(200, json={"id": request.url.path})

    ids = [f"{i:022d}" for i in range(24)]
    for album_id in ids:
        fake.script(f"albums/{album_id}", slow)
    chunks = [ids[i : i + 6] for i in range(0, len(ids), 6)]
    with make_client(fake, FakeTime(), requests_in_flight=3) as client:
        # Each outer worker starts its own pool of 3: nine threads want the wire at once.
        got = list(client.map(lambda chunk: list(client.map(client.album, chunk)), chunks))
    assert sum(len(replies) for replies in got) == len(ids)
    assert on_wire[1] == 3
