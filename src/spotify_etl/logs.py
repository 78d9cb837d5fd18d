"""Logging set-up: plain or JSON lines (for Lambda/CloudWatch), with secret redaction.

Every record passes a filter that masks registered secrets and bearer/basic credentials, so
a secret that slips into a message is still never written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

_SECRETS: set[str] = set()
_PATTERNS = re.compile(
    r"(?i)(bearer\s+|basic\s+)[A-Za-z0-9._~+/=-]+|"
    r"((?:access_token|refresh_token|client_secret|code_verifier|password)[\"']?\s*[:=]\s*[\"']?)[^\"'&\s,}]+"
)


def register_secret(value: str | None) -> None:
    """Mask this exact value in every log record from now on."""
    if value and len(value) >= 6:
        _SECRETS.add(value)


def redact(text: str) -> str:
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, "***")
    return _PATTERNS.sub(lambda m: (m.group(1) or m.group(2) or "") + "***", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        extra = getattr(record, "data", None)
        if isinstance(extra, dict):
            payload.update(extra)
        return redact(json.dumps(payload, default=str, ensure_ascii=False))


class CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time of the record.

    While a progress bar is drawn, that is rich's proxy, which prints each line above the
    bar instead of into it; a handler holding the original stream would break the bar.
    """

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass  # always the current sys.stderr


def setup_logging(*, fmt: str = "plain", level: str = "INFO", quiet: bool = False) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = CurrentStderrHandler()
    handler.addFilter(RedactingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel("WARNING" if quiet else level)
    for noisy in ("httpx", "httpcore", "botocore", "boto3", "urllib3", "snowflake"):
        logging.getLogger(noisy).setLevel("WARNING")
