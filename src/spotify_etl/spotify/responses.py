"""What the client hands back: a reply as received, or a note that items were skipped or failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spotify_etl.errors import FatalError


@dataclass(frozen=True)
class ApiResponse:
    """One Web API reply. Holds no header, so no credential can travel with it."""

    method: str
    url: str  # absolute, without the query string
    params: dict[str, str]
    status: int
    fetched_at: datetime  # UTC
    body: Any  # parsed JSON
    endpoint: str  # the path template, e.g. "albums/{id}"
    profile: str  # the API profile as known when the reply came: development|extended|unknown


@dataclass(frozen=True)
class Skipped:
    """An id that cannot be had (unknown, forbidden); the rest of its batch went on."""

    id: str
    kind: str  # album | artist | track
    status: int | None  # None when a batch reply held null in its place
    reason: str


@dataclass(frozen=True)
class Unfetched:
    """Ids whose request failed every attempt (a RetryableError): not skipped, for a later run."""

    ids: tuple[str, ...]
    kind: str  # album | artist | track
    reason: str


class BadRequest(FatalError):
    """HTTP 400 (or another unexpected 4xx): a bug in the request. Not retried."""

    def __init__(self, message: str, *, status: int, api_message: str) -> None:
        super().__init__(message)
        self.status = status
        self.api_message = api_message
