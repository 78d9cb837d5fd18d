"""Extraction: the configured sources -> raw zone envelopes, spending requests like money.

    result = run_extract(config, ExtractRun(secrets=secrets))  # see extract/context.py
    result.outcome, result.exit_code, result.part_keys, result.manifest_key

Modules: `sources` (config ids checked and normalised), `client` (the client with the
budget hook), `engine` (the priority work loop), `playlists` (snapshot checks and
carry-forward), `listings` (paged lists), `entities` (full objects), `discover` (what a body
holds), `recorder` + `writer` (raw parts), `state` (known ids, snapshots, checkpoint, lock),
`manifest` (the run's account), `cli` (`spotify-etl extract`).
"""

from spotify_etl.extract.client import Budget
from spotify_etl.extract.manifest import ExtractResult
from spotify_etl.extract.run import run_extract
from spotify_etl.extract.sources import ResolvedSources, parse_id, resolve_sources

__all__ = [
    "Budget",
    "ExtractResult",
    "ResolvedSources",
    "parse_id",
    "resolve_sources",
    "run_extract",
]
