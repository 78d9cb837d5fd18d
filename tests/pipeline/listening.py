"""Helpers for the listen and history tests: a simulator whose user plays music on a clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from spotify_etl.config import PipelineConfig, parse_config
from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from spotify_etl.simulator.catalog import Catalog
from spotify_etl.simulator.playclock import Play, PlayClock, PlayClockSettings
from spotify_etl.spotify import FileTokenStore
from tests.extract.conftest import user_token
from tests.support.pkce import SCOPES

START = datetime(2026, 11, 24, tzinfo=UTC)
LISTEN_SCOPES = SCOPES + " user-read-recently-played"
SEED, SCALE = 42, 2_000


@dataclass
class Listening:
    sim: Simulator
    clock: PlayClock
    config: PipelineConfig
    token: FileTokenStore
    root: Path

    def config_text(self, extract: str = "") -> str:
        return listen_config_text(self.root, self.sim, extract)

    def warehouse_rows(self, sql: str) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(self.root / "wh.duckdb"), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def plays(self) -> set[tuple[str, str]]:
        """PLAY keys in the warehouse, as ('YYYY-MM-DD HH:MM:SS', song id)."""
        rows = self.warehouse_rows(
            "SELECT strftime(played_at, '%Y-%m-%d %H:%M:%S'), song_id FROM PLAY"
        )
        return {(a, b) for a, b in rows}

    def expected(self, until_ms: int | None = None) -> set[tuple[str, str]]:
        until = self.clock.now_ms() if until_ms is None else until_ms
        return {key_of(self.clock, p) for p in self.clock.plays_between(0, until)}


def key_of(clock: PlayClock, play: Play) -> tuple[str, str]:
    moment = datetime.fromtimestamp(play.ended_ms // 1000, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S"), clock.catalog.id_of(3, play.track)


def listen_config_text(root: Path, sim: Simulator, extract: str = "") -> str:
    return f"""
[spotify]
api_base = "{sim.base_url}"
token_file = "{root / "token.json"}"
backoff_base_s = 0.01
backoff_max_s = 0.05
[storage]
raw = "{root / "lake"}"
transformed = "{root / "lake" / "transformed"}"
[warehouse]
url = "duckdb:///{root / "wh.duckdb"}"
[transform]
workers = 1
[extract]
{extract}
"""


@contextmanager
def listening(
    root: Path, settings: PlayClockSettings | None = None, extract: str = "", **sim_config: Any
) -> Iterator[Listening]:
    clock = PlayClock(Catalog(SEED, SCALE), settings or PlayClockSettings(start=START))
    config = SimulatorConfig(seed=SEED, scale=SCALE, play_clock=clock, **sim_config)
    with running_simulator(config) as sim:
        token = user_token(sim, root / "token.json", scopes=LISTEN_SCOPES)
        config = parse_config(listen_config_text(root, sim, extract), base_dir=root)
        yield Listening(sim, clock, config, token, root)
