"""The offline Spotify Web API simulator: a faithful stand-in for tests, the demo and benchmarks.

    with running_simulator(SimulatorConfig(profile="development")) as sim:
        sim.api_base, sim.token_url, sim.catalog.track_ids(3), sim.stats()

Demo credentials: DEMO_CLIENT_ID / DEMO_CLIENT_SECRET (the simulator's defaults).
"""

from spotify_etl.simulator.config import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    PROFILES,
    SimulatorConfig,
)
from spotify_etl.simulator.server import Simulator, running_simulator, serve

__all__ = [
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "PROFILES",
    "Simulator",
    "SimulatorConfig",
    "running_simulator",
    "serve",
]
