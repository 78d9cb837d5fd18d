from __future__ import annotations

from collections.abc import Iterator

import pytest

from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from tests.aws.stack import Stack, build_stack
from tests.support.moto_server import moto_endpoint, moto_env

__all__ = ["moto_endpoint", "moto_env"]


@pytest.fixture(scope="session")
def extended_sim() -> Iterator[Simulator]:
    with running_simulator(SimulatorConfig(profile="extended", seed=7, scale=2000)) as sim:
        yield sim


@pytest.fixture
def sim(extended_sim: Simulator) -> Simulator:
    extended_sim.set_day(0)
    extended_sim.reset_stats()
    return extended_sim


@pytest.fixture
def stack(moto_env: str) -> Stack:
    return build_stack()
