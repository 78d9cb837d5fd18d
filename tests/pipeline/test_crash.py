"""`spotify-etl run` killed with SIGKILL at each stage boundary, then run once more: the
warehouse equals a clean run's row for row, the rerun does not wait for any lock, and no
process of the killed run stays behind.

Real processes throughout: the CLI in a subprocess against the simulator on 127.0.0.1,
stopped (SIGSTOP, via SPOTIFY_ETL_PAUSE_AT) exactly at the point under test and SIGKILLed
there. The full matrix is slow; a representative few run by default.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from tests.support.crash import Killed, differences, run_cli, warehouse_rows
from tests.support.pkce import logged_in

CHECKPOINT_EVERY = 10


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    # The development profile (every new app's): one request per entity, so each stage has
    # many boundaries, and playlists need the user token each folder gets.
    with running_simulator(SimulatorConfig(profile="development", seed=7, scale=3000)) as server:
        yield server


def write_config(folder: Path, sim: Simulator) -> Path:
    catalog = sim.catalog
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "p.toml"
    logged_in(sim, folder / "token.json")
    path.write_text(
        f"""
[spotify]
api_base = "{sim.base_url}"
token_file = "token.json"
backoff_base_s = 0.01
backoff_max_s = 0.05
[storage]
raw = "lake"
transformed = "lake/transformed"
[warehouse]
url = "duckdb:///./wh.duckdb"
chunk_files = 3
[extract]
checkpoint_every = {CHECKPOINT_EVERY}
part_max_bytes = 262144
[transform]
workers = 2
[sources]
playlists = {catalog.playlist_ids(2)!r}
albums = {catalog.album_ids(3)!r}
[[sources.artists]]
id = "{catalog.artist_ids(1)[0]}"
discography = true
[[sources.searches]]
q = "Midnight"
type = "track"
limit = 15
"""
    )
    return path


@pytest.fixture(scope="module")
def reference(sim: Simulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:  # type: ignore[type-arg]
    folder = tmp_path_factory.mktemp("clean")
    write_config(folder, sim)
    clean = run_cli(folder, "run", "-c", "p.toml")
    assert clean.returncode == 0, clean.stderr
    rows = warehouse_rows(folder / "wh.duckdb")
    assert all(rows[t] for t in ("ALBUM", "ARTIST", "SONGS", "PLAYLIST", "PLAYLIST_ITEM")), {
        t: len(r) for t, r in rows.items()
    }
    return rows


def crash_and_rerun(folder: Path, sim: Simulator, point: str, reference: dict) -> Killed:  # type: ignore[type-arg]
    write_config(folder, sim)
    killed = Killed(folder, ["run", "-c", "p.toml"], point)
    assert killed.returncode == -9
    again = run_cli(folder, "run", "-c", "p.toml")
    # No lock wait: a lease or warehouse still held would exit 75 and say "locked".
    assert again.returncode == 0, again.stderr
    assert "locked" not in again.stderr
    assert differences(warehouse_rows(folder / "wh.duckdb"), reference) == {}
    return killed


def test_killed_after_the_first_checkpoint(tmp_path: Path, sim: Simulator, reference: dict) -> None:  # type: ignore[type-arg]
    # Parts flushed and the state saved at the checkpoint, the lease left behind: the rerun
    # takes the lease over at once and transforms the killed run's parts too.
    crash_and_rerun(tmp_path, sim, f"extract:{CHECKPOINT_EVERY * 2 + 3}", reference)
    assert list((tmp_path / "lake" / "raw").rglob("part-*.jsonl.gz"))


def test_killed_mid_transform_leaves_no_worker_behind(
    tmp_path: Path,
    sim: Simulator,
    reference: dict,  # type: ignore[type-arg]
) -> None:
    killed = crash_and_rerun(tmp_path, sim, "transform:1", reference)
    assert killed.helpers, "the transform ran in worker processes"
    assert killed.survivors() == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "point",
    [
        "extract:3",  # before the first checkpoint: nothing saved yet
        f"extract:{CHECKPOINT_EVERY}",  # at the first checkpoint
        f"extract:{CHECKPOINT_EVERY + 1}",  # just after it
        f"extract:{CHECKPOINT_EVERY * 4 + 5}",
        "manifest",  # extract finished, nothing transformed
        "transform:3",
        "load:1",  # mid-load: after the first chunk (of 3 files), and later ones
        "load:4",
        "load:10",
    ],
)
def test_killed_at_every_boundary_converges(
    tmp_path: Path,
    sim: Simulator,
    reference: dict,
    point: str,  # type: ignore[type-arg]
) -> None:
    crash_and_rerun(tmp_path, sim, point, reference)
