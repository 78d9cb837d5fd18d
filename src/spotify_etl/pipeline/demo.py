"""`make demo`: the whole pipeline offline against the built-in simulator.

Starts the simulator (development profile, seed 42) on 127.0.0.1, authorises the demo user
with the real Authorization Code + PKCE flow (the simulator approves at once), runs
extract -> transform -> load for examples/demo.toml into ./spotify-data/ as two daily runs
(yesterday and today; the simulated catalog changes between them), then prints what happened
and the answers of three analytics queries. Running it again converges: the same days' data
is merged, not appended.
"""

from __future__ import annotations

import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from pydantic import SecretStr

from spotify_etl.config import PipelineConfig, Secrets, load_config
from spotify_etl.errors import SpotifyEtlError

if TYPE_CHECKING:
    from spotify_etl.warehouse import Warehouse

DEMO_QUERIES = (
    "top_artists_by_songs",
    "playlist_entries_exits",
    "explicit_share_per_playlist",
    "top_artists_by_time",
)
# Printed last: every playlist item of the day accounted for (tracks, local files, episodes,
# items without a row), so the counts above agree with the playlists' own totals.
ACCOUNTING_QUERY = "playlist_items_accounted"
DEMO_ROWS = 8  # rows per query table; the caption says how many there are in all


# The source next_steps has the reader put in a fresh starter config (a real Spotify album).
EXAMPLE_SOURCE = 'albums = ["4aawyAB9vmqN3uQ7FjRGTy"]'


def _starter_line(prefix: str) -> int:
    """The 1-based line of `spotify-etl init`'s config that starts with `prefix`."""
    from importlib import resources

    text = resources.files("spotify_etl.pipeline").joinpath("starter.toml").read_text("utf-8")
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(prefix))


def next_steps(config_path: Path) -> list[str]:
    """The closing block: what to type next, each line a command that works as printed.

    The fresh config `init` writes has no sources and `config check` needs credentials too
    (it is `run`'s own validation), so the block says which line to edit and what to export.
    """
    c = f"-c {config_path}"
    albums = "albums = []"
    return [
        "next steps:",
        "  . .venv/bin/activate                           # put spotify-etl on your PATH",
        f"  spotify-etl status {c:<28}# runs, files per day, pending loads",
        "  spotify-etl query --list                       # the named analytics queries",
        f"  spotify-etl query top_artists_by_songs {c} --limit 20",
        'your own pipeline against real Spotify (README, "Using real Spotify"):',
        "  spotify-etl init                               # writes ./pipeline.toml",
        f"  # edit pipeline.toml line {_starter_line(albums)} (under [sources]), `{albums}`, to:",
        f"  #   {EXAMPLE_SOURCE}",
        "  # then your app's credentials (developer.spotify.com/dashboard) in place of these:",
        "  export SPOTIFY_CLIENT_ID=your_client_id SPOTIFY_CLIENT_SECRET=your_client_secret",
        "  spotify-etl config check                       # config OK: run will accept it",
        "  spotify-etl run                                # extract, transform, load",
        "  spotify-etl schedule                           # run it daily (cron or systemd)",
    ]


def _approve_in_background(url: str) -> None:
    """Play the user's browser: the simulator's /authorize redirects straight to the callback."""

    def visit() -> None:
        time.sleep(0.05)
        httpx.get(url, follow_redirects=True, timeout=30)

    threading.Thread(target=visit, daemon=True).start()


def run_demo(config_path: Path, *, scale: int = 10_000) -> int:
    from spotify_etl.console import json_mode, out, stage_progress
    from spotify_etl.extract.context import ExtractRun
    from spotify_etl.logs import setup_logging
    from spotify_etl.pipeline.queries import print_query
    from spotify_etl.pipeline.report import print_report
    from spotify_etl.pipeline.run import run_pipeline, warehouse_url
    from spotify_etl.simulator import (
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        SimulatorConfig,
        running_simulator,
    )
    from spotify_etl.spotify import token_store_for
    from spotify_etl.spotify.login import login
    from spotify_etl.warehouse import open_configured

    setup_logging(level="WARNING")
    config = load_config(config_path)
    secrets = Secrets(
        spotify_client_id=DEMO_CLIENT_ID, spotify_client_secret=SecretStr(DEMO_CLIENT_SECRET)
    )
    with running_simulator(SimulatorConfig(profile="development", seed=42, scale=scale)) as sim:
        out.print(f"simulator: {sim.base_url} (development profile, seed 42, scale {scale})")
        config = config.model_copy(
            update={"spotify": config.spotify.model_copy(update={"api_base": sim.base_url})}
        )
        store = token_store_for(config, DEMO_CLIENT_ID)
        # The simulator's tokens live as long as it does, so the demo user authorises each run.
        login(config.spotify, DEMO_CLIENT_ID, store, port=0, open_browser=False,
              show=_approve_in_background, timeout_s=30)  # fmt: skip
        out.print("authorised the demo user (Authorization Code + PKCE)")
        from spotify_etl.history.demo import import_demo_history

        # First, so the daily runs fetch the songs the export names (queued by the import).
        for line in import_demo_history(config, secrets, seed=42, scale=scale):
            out.print(line)
        # Two daily runs, yesterday then today (simulator days 0 and 1), so the playlist
        # snapshots change between days and the trend queries have something to say. A
        # rerun of the demo replays the same two days and converges on the same rows.
        today = datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0)
        reports = []
        for day, now in enumerate((today - timedelta(days=1), today)):
            sim.set_day(day)
            out.print(f"\ndaily run for {now:%Y-%m-%d} (simulator day {day})", style="bold")
            with stage_progress() as progress:
                report = run_pipeline(
                    config,
                    ExtractRun(secrets=secrets, token_store=store, now=now),
                    progress=progress,
                )
            print_report(report)
            reports.append(report)
        stats = sim.stats()
    out.print(f"simulator served {stats['total']} requests in all")
    warehouse = open_configured(config.warehouse, secrets, base_dir=config.base_dir)
    try:
        for name in (*DEMO_QUERIES, ACCOUNTING_QUERY):
            print_query(warehouse, name, limit=DEMO_ROWS)
        report_link = _write_report(config, warehouse)
    finally:
        warehouse.close()
    out.print(f"data in {config.path(config.storage.raw)} and {warehouse_url(config)}")
    out.print(f"report: {report_link}", soft_wrap=True)  # a file:// link, whole on one line
    if not json_mode():
        out.print("\n" + "\n".join(next_steps(config_path)))
    return max(r.exit_code for r in reports)


def _write_report(config: PipelineConfig, warehouse: Warehouse) -> str:
    """spotify-data/report.html, beside the lake (see `spotify-etl report`)."""
    from spotify_etl.report.publish import build_for, publish

    path = Path(config.path(config.storage.raw)).parent / "report.html"
    return publish(build_for(config, warehouse, days=30), str(path))


def main() -> None:
    config = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("examples/demo.toml")
    try:
        code = run_demo(config)
    except SpotifyEtlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = exc.exit_code
    sys.exit(code)


if __name__ == "__main__":
    main()
