"""Endpoint templates for stats and budgets: "albums/4aawyAB9vmqN3uQ7FjRGTy" -> "albums/{id}"."""

from __future__ import annotations

from spotify_etl.ids import ID_RE

_USER_SCOPED = ("users",)


def endpoint_of(path_or_url: str, api_base: str) -> str:
    """The path relative to the API base, without query, with each id segment as {id}."""
    path = path_or_url.split("?", 1)[0].split("#", 1)[0]
    base = api_base.rstrip("/")
    if path.startswith(base):
        path = path[len(base) :]
    elif "://" in path:
        path = path.split("://", 1)[1].partition("/")[2]
        path = path.removeprefix("v1/")
    segments = [s for s in path.strip("/").split("/") if s]
    out = []
    for index, segment in enumerate(segments):
        after_users = index > 0 and segments[index - 1] in _USER_SCOPED
        out.append("{id}" if ID_RE.fullmatch(segment) or after_users else segment)
    return "/".join(out)
