"""What a Web API handler sees: the request's query, its token, the day, and helpers that
turn bad parameters into the real service's 400 replies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spotify_etl.ids import is_valid_id
from spotify_etl.simulator.accounts import Grant
from spotify_etl.simulator.catalog import Catalog
from spotify_etl.simulator.config import SimulatorConfig
from spotify_etl.simulator.playlists import Playlists
from spotify_etl.simulator.render import Renderer
from spotify_etl.simulator.search import Search

Json = dict[str, Any]


class ApiError(Exception):
    """An error reply of the Web API: `{"error": {"status", "message", "reason"?}}`."""

    def __init__(self, status: int, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason

    def body(self) -> Json:
        error: Json = {"status": self.status, "message": self.message}
        if self.reason:
            error["reason"] = self.reason
        return {"error": error}


def not_found() -> ApiError:
    return ApiError(404, "Resource not found")


def forbidden() -> ApiError:
    return ApiError(403, "Forbidden")


@dataclass
class Ctx:
    config: SimulatorConfig
    catalog: Catalog
    playlists: Playlists
    search: Search
    render: Renderer
    day: int
    query: dict[str, str]
    grant: Grant
    path: str

    @property
    def dev(self) -> bool:
        return self.config.development

    def require_user(self) -> None:
        if not self.grant.user:
            raise ApiError(401, "Valid user authentication required")

    def require_scope(self, scope: str) -> None:
        self.require_user()
        if scope not in self.grant.scope.split():
            raise ApiError(403, "Insufficient client scope")

    def has_scope(self, scope: str) -> bool:
        return scope in self.grant.scope.split()

    def limit(self, default: int, maximum: int) -> int:
        raw = self.query.get("limit")
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiError(400, "Invalid limit") from None
        if value < 1 or value > maximum:
            raise ApiError(400, "Invalid limit")
        return value

    def offset(self, maximum: int | None = None) -> int:
        raw = self.query.get("offset")
        if raw is None or raw == "":
            return 0
        try:
            value = int(raw)
        except ValueError:
            raise ApiError(400, "Invalid offset") from None
        if value < 0 or (maximum is not None and value > maximum):
            raise ApiError(400, "Invalid offset")
        return value

    def index(self, kind: int, entity_id: str, count: int) -> int:
        """The entity index of a path id: 400 if malformed, 404 if unknown."""
        if not is_valid_id(entity_id):
            raise ApiError(400, "invalid id")
        found = self.catalog.index_of(kind, entity_id, count)
        if found is None:
            raise not_found()
        return found

    def params(self, *keep: str) -> dict[str, str]:
        """Query parameters to carry into paging links (everything but offset and limit)."""
        return {k: v for k, v in self.query.items() if k in keep}
