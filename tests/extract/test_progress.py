"""The extract progress bar's numbers: the planned work as the total, growing with discovery,
capped by the budget, and a finished run ends full (not at budget_used / budget)."""

from __future__ import annotations

from pathlib import Path

from spotify_etl.extract import run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.simulator import SimulatorConfig, running_simulator
from tests.extract.conftest import demo_secrets, make_config


def test_the_total_is_the_planned_work_and_a_finished_run_ends_full(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    with running_simulator(SimulatorConfig(profile="development", seed=9, scale=2000)) as sim:
        artist = sim.catalog.artist_ids(1)[0]
        config = make_config(tmp_path, sim, f'artists = ["{artist}"]')  # discography: discovery
        result = run_extract(
            config, ExtractRun(secrets=demo_secrets(), progress=lambda d, t: calls.append((d, t)))
        )
    assert result.outcome == "complete" and result.budget_used < result.budget
    assert calls[-1] == (result.budget_used, result.budget_used)  # ends at 100 %
    assert all(done <= total <= result.budget for done, total in calls)
    totals = [total for _, total in calls]
    assert max(totals[: len(totals) // 2]) > totals[0]  # discovery added work on the way
    assert result.budget not in totals  # never the budget for a run that needs less
