"""Running the simulator: in a background thread for tests (`running_simulator`), or in the
foreground for the CLI (`serve`)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import TextIO

from spotify_etl.errors import ConfigError
from spotify_etl.simulator.app import App
from spotify_etl.simulator.catalog import Catalog
from spotify_etl.simulator.config import SimulatorConfig
from spotify_etl.simulator.http import HttpProtocol


class Simulator:
    """A running simulator. URLs point at the real bound port."""

    def __init__(self, app: App, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{shown}:{port}"
        app.base_url = self.base_url

    @property
    def config(self) -> SimulatorConfig:
        return self.app.config

    @property
    def api_base(self) -> str:
        return self.base_url + "/v1"

    @property
    def token_url(self) -> str:
        return self.base_url + "/api/token"

    @property
    def authorize_url(self) -> str:
        return self.base_url + "/authorize"

    @property
    def catalog(self) -> Catalog:
        return self.app.catalog

    @property
    def day(self) -> int:
        return self.app.day

    def set_day(self, day: int) -> None:
        """Move the simulated clock; playlists and new releases follow."""
        self.app.set_day(day)

    def stats(self) -> dict[str, object]:
        """Request counts, exactly as served.

        `{"total": n, "by_endpoint": {"GET /v1/albums/{id}": {"200": 3, "404": 1}, ...},
        "by_status": {"200": 3, ...}, "by_bucket": {"albums": {"200": 4}, ...}, "faults":
        {"error", "malformed", "truncated", "dropped", "latency", "retry_after_dropped"},
        "tokens_issued": {"client_credentials": 1, ...}, "quota": {account: {bucket: {"used",
        "limit", "retry_after_s"}}}}` (quota: the current window, buckets used so far; empty
        without a quota; by_bucket: every Web API request, for the bucket's counts since a
        reset). Status keys are strings;
        a reply spoiled on the wire is counted under "malformed", "truncated" or "dropped"
        instead of its status. Endpoints are templates; accounts calls are "POST /api/token"
        and "GET /authorize"; unknown paths are "unmatched"; /_simulator/* is never counted.
        """
        return self.app.stats_snapshot()

    def reset_stats(self) -> None:
        self.app.stats.reset()


async def _start(app: App, host: str, port: int, connections: set[HttpProtocol]) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    try:
        return await loop.create_server(
            lambda: HttpProtocol(app, connections), host, port, reuse_address=True, backlog=2048
        )
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


@contextlib.contextmanager
def running_simulator(
    config: SimulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> Iterator[Simulator]:
    """Serve the simulator from a background thread for the duration of the block."""
    app = App(config or SimulatorConfig())
    loop = asyncio.new_event_loop()
    connections: set[HttpProtocol] = set()
    started = threading.Event()
    box: dict[str, object] = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            box["server"] = loop.run_until_complete(_start(app, host, port, connections))
        except BaseException as exc:
            box["error"] = exc
            started.set()
            return
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="spotify-simulator", daemon=True)
    thread.start()
    started.wait()
    if "error" in box:
        loop.close()
        raise box["error"]  # type: ignore[misc]
    server = box["server"]
    assert isinstance(server, asyncio.Server)
    bound = server.sockets[0].getsockname()
    try:
        yield Simulator(app, host, int(bound[1]))
    finally:

        def stop() -> None:
            server.close()
            for conn in list(connections):
                conn.close()
            loop.call_later(0.05, loop.stop)

        loop.call_soon_threadsafe(stop)
        thread.join(timeout=10)
        loop.close()


def serve(config: SimulatorConfig, host: str, port: int, out: TextIO = sys.stdout) -> None:
    """Serve in the foreground until SIGINT or SIGTERM; the first stdout line is the base URL."""
    app = App(config)

    async def main() -> None:
        connections: set[HttpProtocol] = set()
        server = await _start(app, host, port, connections)
        bound = server.sockets[0].getsockname()
        sim = Simulator(app, host, int(bound[1]))
        print(sim.base_url, file=out, flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        server.close()
        for conn in list(connections):
            conn.close()
        await server.wait_closed()

    asyncio.run(main())
