"""Lambda (optional, SAM parameter DailyReport): the report, written to a private S3 bucket.

Runs on a schedule after the daily load (Snowpipe and the MERGE tasks run continuously, so a
fixed time after the extraction is "after the load"). Builds the same page as
`spotify-etl report` from the warehouse in the pipeline TOML and writes it twice: under its
day, and as `latest.html`. The bucket blocks all public access and the object gets no ACL.

    SPOTIFY_ETL_REPORT_URL          s3://<report bucket>[/prefix]   (required)
    SPOTIFY_ETL_REPORT_DAYS         snapshot days the playlist charts cover (default 30)
    SPOTIFY_ETL_SNOWFLAKE_SECRET_ID Secrets Manager secret {"user", "password"} for a
                                    snowflake:// warehouse (not needed for DuckDB)
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from spotify_etl.aws.environment import LambdaSettings, read_secret_json
from spotify_etl.aws.runtime import configure_logging
from spotify_etl.config import Secrets
from spotify_etl.errors import ConfigError

log = logging.getLogger(__name__)


def _secrets(url: str) -> Secrets | None:
    if not url.startswith("snowflake://"):
        return None
    secret_id = os.environ.get("SPOTIFY_ETL_SNOWFLAKE_SECRET_ID", "").strip()
    if not secret_id:
        raise ConfigError("a snowflake:// warehouse needs SPOTIFY_ETL_SNOWFLAKE_SECRET_ID")
    doc = read_secret_json(secret_id)
    return Secrets(
        snowflake_user=str(doc.get("user") or ""),
        snowflake_password=SecretStr(str(doc.get("password") or "")),
    )


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from spotify_etl.pipeline.run import warehouse_url
    from spotify_etl.report.publish import build_for, publish
    from spotify_etl.warehouse import open_configured

    configure_logging()
    target = os.environ.get("SPOTIFY_ETL_REPORT_URL", "").strip().rstrip("/")
    if not target.startswith("s3://"):
        raise ConfigError("SPOTIFY_ETL_REPORT_URL must be s3://bucket[/prefix]")
    days = int(os.environ.get("SPOTIFY_ETL_REPORT_DAYS", "30") or 30)
    config = LambdaSettings.from_env().pipeline_config()
    url = warehouse_url(config)
    wh = open_configured(config.warehouse, _secrets(url), base_dir=config.base_dir)
    try:
        built = build_for(config, wh, days)
    finally:
        wh.close()
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    written = [
        publish(built, f"{target}/{name}") for name in (f"dt={day}/report.html", "latest.html")
    ]
    log.info("report written to %s (%d bytes)", ", ".join(written), built.size)
    return {"status": "written", "objects": written, "bytes": built.size}
