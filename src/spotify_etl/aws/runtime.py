"""What both Lambda handlers share: logging set-up once per container, the invocation clock."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Protocol

from spotify_etl.logs import setup_logging

# Used when a handler is called without a Lambda context (a script, a manual test).
DEFAULT_TIME_LIMIT_S = 300.0

_configured = False


class LambdaContext(Protocol):
    aws_request_id: str

    def get_remaining_time_in_millis(self) -> int: ...


def configure_logging() -> None:
    """JSON lines to CloudWatch (SPOTIFY_ETL_LOG_FORMAT), with secret redaction; once."""
    global _configured
    if not _configured:
        fmt = os.environ.get("SPOTIFY_ETL_LOG_FORMAT", "json")
        setup_logging(fmt="json" if fmt == "json" else "plain")
        _configured = True


@dataclass(frozen=True)
class Invocation:
    request_id: str
    started: float  # epoch seconds
    deadline: float  # epoch seconds when Lambda stops this invocation

    @classmethod
    def of(cls, context: Any) -> Invocation:
        now = time.time()
        if context is None:
            return cls("local", now, now + DEFAULT_TIME_LIMIT_S)
        remaining = context.get_remaining_time_in_millis() / 1000
        return cls(str(context.aws_request_id), now, now + remaining)
