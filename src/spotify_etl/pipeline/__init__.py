"""The stages put together: the daily run, `listen`, the demo, status, queries and checks.

run       `run_pipeline`: extract -> transform -> load, finishing what a killed run left
listen    the near-real-time poller of recently-played
demo      `make demo`: the whole pipeline offline against the simulator
status    what the lake, the state and the warehouse say
checks    the validation `run` and `config check` share; access: playlists a profile can read
untransformed  the raw parts no transform has finished (whoever fetched them)
queries, report  the named queries and the run summary, printed
schedule  cron, systemd and GitHub Actions recipes
cli, listen_cli  the commands

Submodules are imported by name (`from spotify_etl.pipeline.run import run_pipeline`), never
here: the CLI loads only what the command it runs needs.
"""

__all__ = [
    "access", "checks", "cli", "demo", "listen", "listen_cli", "queries", "report", "run",
    "schedule", "status", "untransformed",
]  # fmt: skip
