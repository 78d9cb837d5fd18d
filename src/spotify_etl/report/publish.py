"""Where a built report goes: a local file (atomic) or an S3 object (private, never public)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from spotify_etl.errors import ConfigError, SpotifyEtlError
from spotify_etl.report.build import BuiltReport, build_report, write_file
from spotify_etl.report.context import LakeFacts, read_lake
from spotify_etl.storage import open_store

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig
    from spotify_etl.warehouse.base import Warehouse

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/html; charset=utf-8"


def lake_of(config: PipelineConfig) -> tuple[LakeFacts | None, str | None]:
    """The lake's run facts, or why they cannot be had (the report then says so on a card)."""
    try:
        raw = open_store(config.path(config.storage.raw))
        transformed = open_store(config.path(config.storage.transformed))
        return read_lake(raw, transformed), None
    except (SpotifyEtlError, OSError) as exc:
        return None, str(exc)
    except Exception as exc:  # botocore's errors share no base with ours; say, don't fail
        log.warning("lake not readable for the report: %s", exc)
        return None, type(exc).__name__


def build_for(config: PipelineConfig, wh: Warehouse, days: int) -> BuiltReport:
    lake, lake_error = lake_of(config)
    return build_report(wh, days=days, lake=lake, lake_error=lake_error)


def publish(built: BuiltReport, out: str) -> str:
    """Write the report to a path or s3://bucket/key; returns where (a file:// or s3:// URL)."""
    if out.startswith("s3://"):
        parsed = urlparse(out)
        key = parsed.path.lstrip("/")
        if not parsed.netloc or not key or key.endswith("/"):
            raise ConfigError(f"--out {out!r}: use s3://bucket/path/report.html")
        from spotify_etl.storage import s3_client

        # No ACL argument: the object inherits the bucket's (owner-only) access; the report
        # bucket in infra/template.yaml blocks every form of public access.
        s3_client().put_object(
            Bucket=parsed.netloc,
            Key=key,
            Body=built.html.encode("utf-8"),
            ContentType=CONTENT_TYPE,
            ServerSideEncryption="AES256",
        )
        return out
    if "://" in out:
        raise ConfigError(f"--out {out!r}: use a file path or s3://bucket/key")
    return write_file(Path(out), built.html).as_uri()
