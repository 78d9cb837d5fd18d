"""The offline Spotify Web API simulator: a faithful stand-in for tests, the demo and benchmarks.

    from spotify_etl.simulator import SimulatorConfig, running_simulator

    with running_simulator(SimulatorConfig(profile="development", scale=10_000)) as sim:
        sim.base_url        # http://127.0.0.1:PORT: accounts service (/api/token, /authorize)
        sim.api_base        # base_url + "/v1": the Web API
        sim.catalog.track_ids(3), sim.catalog.playlist_ids(2, owner="me")
        sim.set_day(1)      # playlists change, new albums appear
        sim.stats()         # {"total", "by_endpoint", "by_status", "by_bucket", "faults",
                            #  "tokens_issued", "quota"}

Or as a process: `spotify-etl simulator serve [--profile extended] [--scale N] ...` (or
`python -m spotify_etl.simulator serve`), which prints its base URL as the first stdout line.

Demo credentials (the defaults): DEMO_CLIENT_ID / DEMO_CLIENT_SECRET. Both 2026 profiles are
modelled as docs/spotify-api.md describes them; the module map:

    config      SimulatorConfig, per-profile limits
    ids         reversible 22-char base62 ids (keyed Feistel permutation)
    catalog     artists, albums, tracks derived lazily from indices (entities: their values)
    releases    the new-release pool: which albums appear on which day
    samples     id helpers for tests and the demo (mixed into Catalog)
    query, search, search_engine    search queries (words, prefixes, phrases, filters)
    playlists   playlist content per simulated day, snapshot ids
    render      entities as JSON per profile
    accounts    /api/token and /authorize
    webapi, playlist_api, me_api, routes    the Web API endpoints
    quota       the quota per developer account and endpoint bucket (rolling window)
    app         routing, auth, limits, faults, stats (no I/O)
    http        asyncio + httptools HTTP/1.1 server with transport faults
    server      running_simulator() and serve()
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
