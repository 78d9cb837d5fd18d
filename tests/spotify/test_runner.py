from __future__ import annotations

import threading

import pytest

from spotify_etl.errors import StopRun
from spotify_etl.spotify.runner import map_in_threads


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
