"""Settings: one TOML file for the pipeline plus environment variables for secrets.

Validated at start-up; a mistake is reported with the key that holds it. Secrets are
`SecretStr` and never printed. `load_config(path)` is the only way the CLI and the Lambda
handlers obtain settings, so the environment is chosen in one place.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from spotify_etl.errors import ConfigError
from spotify_etl.model import FileFormat

DEFAULT_API_BASE = "https://api.spotify.com/v1"
DEFAULTS_ORIGIN = "built-in defaults"  # PipelineConfig.origin when no file was read
DEFAULT_ACCOUNTS_BASE = "https://accounts.spotify.com"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpotifySettings(_Strict):
    api_base: str = DEFAULT_API_BASE
    accounts_base: str | None = None  # derived from api_base when it is not Spotify's
    market: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    token_file: str = "~/.config/spotify-etl/token.json"  # noqa: S105 (a path)
    token_secret_id: str | None = None  # AWS Secrets Manager secret holding the refresh token
    requests_in_flight: Annotated[int, Field(ge=1, le=16)] = 4
    retry_after_cap_s: Annotated[float, Field(ge=0, le=3600)] = 60.0
    window_requests: Annotated[int | None, Field(ge=1)] = None  # client pacing; None = adaptive
    window_s: Annotated[float, Field(gt=0, le=3600)] = 30.0  # Spotify's rolling window length
    timeout_s: Annotated[float, Field(gt=0, le=300)] = 20.0
    max_attempts: Annotated[int, Field(ge=1, le=20)] = 6
    backoff_base_s: Annotated[float, Field(ge=0, le=60)] = 0.5  # first retry waits ~this
    backoff_max_s: Annotated[float, Field(ge=0, le=600)] = 30.0

    def with_api_base(self, api_base: str | None) -> SpotifySettings:
        """These settings aimed at another API base (`--api-base`): its own accounts service."""
        if not api_base:
            return self
        return self.model_copy(update={"api_base": api_base, "accounts_base": None})

    def resolved_api_base(self) -> str:
        base = self.api_base.rstrip("/")
        if not urlparse(base).path:  # a bare origin such as the simulator's printed URL
            base += "/v1"
        return base

    def resolved_accounts_base(self) -> str:
        if self.accounts_base:
            return self.accounts_base.rstrip("/")
        if self.api_base.rstrip("/") == DEFAULT_API_BASE:
            return DEFAULT_ACCOUNTS_BASE
        parsed = urlparse(self.api_base)
        return f"{parsed.scheme}://{parsed.netloc}"


class StorageSettings(_Strict):
    raw: str = "./spotify-data/lake"  # folder or s3://bucket/prefix
    transformed: str = "./spotify-data/lake/transformed"


class WarehouseSettings(_Strict):
    url: str = "duckdb:///./spotify-data/warehouse.duckdb"
    # One load transaction holds at most this many files / MiB of one table (loader.load_pending).
    chunk_files: Annotated[int, Field(ge=1)] = 1000
    chunk_mib: Annotated[float, Field(gt=0)] = 64
    # DuckDB spills to disk beyond it. 128MB loads a 200,000-item backfill as fast as 256MB
    # did, at 211 MiB peak instead of 270 (benchmarks/bench_e2e.py); a file that cannot fit
    # stops the load with a hint to raise it.
    duckdb_memory_limit: str = "128MB"
    # Rows per DuckDB MERGE pass: its MERGE holds its source in memory, so a bigger chunk
    # merges in passes over hash classes of the key (same result, bounded memory). Each pass
    # scans the chunk's landing rows again: 100,000 fits 128MB and was 10% faster than 50,000.
    duckdb_merge_rows: Annotated[int, Field(ge=1)] = 100_000

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in ("duckdb", "snowflake"):
            raise ValueError(
                f"unknown warehouse URL scheme {scheme!r}: use duckdb:///path/warehouse.duckdb "
                "or snowflake://account/database/schema"
            )
        return value


class TtlSettings(_Strict):
    album_days: Annotated[float, Field(ge=0)] = 30
    artist_days: Annotated[float, Field(ge=0)] = 7
    track_days: Annotated[float, Field(ge=0)] = 30
    # searches, discographies and library listings are listed again after this long
    listing_hours: Annotated[float, Field(ge=0)] = 20
    # a playlist whose items were refused (403: not yours, in development mode) gets only its
    # header fetched for this long, then its items are asked for once more
    refused_playlist_days: Annotated[float, Field(ge=0)] = 7


class ExtractSettings(_Strict):
    # Requests per run, token requests excluded. At least 3: a part-fetched playlist needs a
    # snapshot check and a profile probe before a page, or it could never move forward.
    budget: Annotated[int, Field(ge=3)] = 2000
    part_max_bytes: Annotated[int, Field(ge=1024)] = 8 * 1024 * 1024
    checkpoint_every: Annotated[int, Field(ge=1)] = 500  # requests between state saves
    # A lease heartbeats every lock_minutes / 4; a holder on another machine silent this long
    # is presumed dead (on this machine a dead holder is noticed at once, see lease.py).
    lock_minutes: Annotated[float, Field(gt=0)] = 2
    ttl: TtlSettings = TtlSettings()


class TransformSettings(_Strict):
    format: FileFormat = "csv"
    # A raw line (one API reply) larger than this is quarantined unread.
    max_record_bytes: Annotated[int, Field(ge=1024)] = 16 * 1024 * 1024
    workers: Annotated[int | None, Field(ge=1, le=64)] = None  # processes; None = one per CPU


class ArtistSource(_Strict):
    id: str
    discography: bool = True
    include_groups: list[Literal["album", "single", "appears_on", "compilation"]] = [
        "album",
        "single",
    ]


class SearchSource(_Strict):
    q: str = Field(min_length=1)
    type: Literal["track", "album", "artist", "playlist"] = "track"
    limit: Annotated[int, Field(ge=1, le=1000)] = 20


class LibrarySource(_Strict):
    saved_tracks: bool = False
    playlists: bool = False
    recently_played: bool = False
    top: list[Literal["artists", "tracks"]] = []


class SourcesSettings(_Strict):
    playlists: list[str] = []  # ids, open.spotify.com URLs or spotify: URIs
    artists: list[ArtistSource] = []
    albums: list[str] = []
    tracks: list[str] = []
    searches: list[SearchSource] = []
    library: LibrarySource = LibrarySource()

    @field_validator("artists", mode="before")
    @classmethod
    def _artist_strings(cls, value: object) -> object:
        if isinstance(value, list):
            return [{"id": v} if isinstance(v, str) else v for v in value]
        return value


class PipelineConfig(_Strict):
    spotify: SpotifySettings = SpotifySettings()
    storage: StorageSettings = StorageSettings()
    warehouse: WarehouseSettings = WarehouseSettings()
    extract: ExtractSettings = ExtractSettings()
    transform: TransformSettings = TransformSettings()
    sources: SourcesSettings = SourcesSettings()
    # Where relative paths in this config are resolved; not a TOML key.
    base_dir: Path = Field(default=Path(), exclude=True)
    # The file this came from (or "built-in defaults"), for messages; not a TOML key.
    origin: str = Field(default=DEFAULTS_ORIGIN, exclude=True)

    def with_api_base(self, api_base: str | None) -> PipelineConfig:
        """This config aimed at another API (`--api-base`); the one place the flag applies."""
        if not api_base:
            return self
        return self.model_copy(update={"spotify": self.spotify.with_api_base(api_base)})

    def path(self, value: str) -> str:
        """Resolve a folder setting relative to the config file (URLs are left alone)."""
        if "://" in value:
            return value
        p = Path(value).expanduser()
        return str(p if p.is_absolute() else (self.base_dir / p).resolve())


class Secrets(BaseSettings):
    """Secrets come from the environment only, never from the TOML file."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    spotify_client_id: str | None = None
    spotify_client_secret: SecretStr | None = None
    snowflake_account: str | None = None
    snowflake_user: str | None = None
    snowflake_password: SecretStr | None = None
    snowflake_private_key_path: str | None = None
    snowflake_private_key_passphrase: SecretStr | None = None
    snowflake_role: str | None = None
    snowflake_warehouse: str | None = None


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            lines.append(f"unknown key '{where}'")
        else:
            lines.append(f"'{where}': {err['msg']}")
    return "; ".join(lines)


def parse_config(
    text: str, *, source: str = "<config>", base_dir: Path | None = None
) -> PipelineConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source} is not valid TOML: {exc}") from None
    try:
        config = PipelineConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc)}") from None
    return config.model_copy(update={"base_dir": base_dir or Path.cwd()})


CONFIG_ENV = "SPOTIFY_ETL_CONFIG"
DEFAULT_CONFIG_FILE = "pipeline.toml"


def discover_config(path: str | Path | None) -> tuple[Path | None, str]:
    """The config file a command uses, and how it was chosen, in this order:

    `--config/-c`, then the SPOTIFY_ETL_CONFIG variable, then ./pipeline.toml (what
    `spotify-etl init` writes); none of them: the built-in defaults.
    """
    if path is not None:
        return Path(path).expanduser(), "--config"
    from_env = os.environ.get(CONFIG_ENV, "").strip()
    if from_env:
        if from_env.startswith("s3://"):
            raise ConfigError(
                f"{CONFIG_ENV}={from_env} is an S3 location (the Lambda's)",
                hint=f"copy it locally and pass --config, or unset {CONFIG_ENV}",
            )
        return Path(from_env).expanduser(), CONFIG_ENV
    local = Path(DEFAULT_CONFIG_FILE)
    if local.is_file():
        return local, f"./{DEFAULT_CONFIG_FILE} in the current folder"
    return None, f"{DEFAULTS_ORIGIN} (no --config, no {CONFIG_ENV}, no ./{DEFAULT_CONFIG_FILE})"


def load_config(path: str | Path | None) -> PipelineConfig:
    """Read and validate the pipeline config `discover_config` chooses."""
    chosen, how = discover_config(path)
    if chosen is not None and how != "--config":
        # The user did not name the file, so say which one this command reads.
        from spotify_etl.console import note

        note(f"config: {chosen} (from {how})", config=str(chosen))
    if chosen is None:
        return PipelineConfig(base_dir=Path.cwd())
    try:
        text = chosen.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config file not found: {chosen}" + ("" if how == "--config" else f" (from {how})"),
            hint="create one with `spotify-etl init`",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {chosen}: {exc.__class__.__name__}") from None
    config = parse_config(text, source=str(chosen), base_dir=chosen.resolve().parent)
    return config.model_copy(update={"origin": str(chosen)})


def load_secrets() -> Secrets:
    return Secrets(_env_file=os.environ.get("SPOTIFY_ETL_ENV_FILE"))  # type: ignore[call-arg]
