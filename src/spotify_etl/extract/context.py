"""ExtractRun: what one extraction is given besides its settings, the same from every caller.

`run_extract(config, ExtractRun(...), raw_store)` is the stage's one calling convention: the
CLI, `run`, the demo and the Lambda build an ExtractRun; nothing is passed loose.
"""

from __future__ import annotations

import secrets as pysecrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from spotify_etl.errors import ConfigError

if TYPE_CHECKING:
    from spotify_etl.config import Secrets
    from spotify_etl.spotify import SpotifyClient, TokenStore


@dataclass(frozen=True)
class ExtractRun:
    """One run's context: credentials, overrides of the config for this run, the clock, the
    watcher and the share of the work. Every field but `secrets` has a "the config's" default.

    `client`: an already built client (tests, benchmarks); it still spends this run's budget.
    `api_base` (`--api-base`) and `budget` (`--budget`) override the config for this run.
    `now` replays another day (the demo); the lease still runs on real time.
    `progress(used, planned)` watches the requests; `shard=(index, count)` takes one share.
    """

    secrets: Secrets
    client: SpotifyClient | None = None
    api_base: str | None = None
    budget: int | None = None
    token_store: TokenStore | None = None
    now: datetime | None = None
    progress: Callable[[int, int], None] | None = None
    shard: tuple[int, int] | None = None


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{pysecrets.token_hex(4)}"


def shard_tag(shard: tuple[int, int] | None) -> str:
    if shard is None:
        return "all"
    index, count = shard
    if count < 1 or not 0 <= index < count:
        raise ConfigError(f"invalid shard {shard!r}: need 0 <= index < count")
    return f"{index}-of-{count}"
