"""Paging: follow `next` exactly as the server gives it, with guards against endless lists.

A page's paging object is the body itself (`/albums/{id}/tracks`) or the one object inside it
that has `items` and `next` (`/search` nests it under `tracks`, `albums`, ...). Paging stops at
`next: null`, at an empty page, at a short page (fewer items than the page's limit: with
`include_groups` Spotify's `next` and `total` can count albums it never serves, docs/spotify-api.md
"Errors, rate limit and quota"), at `max_items`, past `max_offset`, or when a `next` repeats a page
already fetched (a server bug that would otherwise loop forever).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from spotify_etl.spotify.responses import ApiResponse

log = logging.getLogger(__name__)

Fetch = Callable[[str, dict[str, Any] | None], ApiResponse]


def paging_object(body: Any) -> dict[str, Any] | None:
    if not isinstance(body, dict):
        return None
    if "items" in body and "next" in body:
        return body
    for value in body.values():
        if isinstance(value, dict) and "items" in value and "next" in value:
            return value
    return None


def _page_key(url: str, params: dict[str, Any] | None) -> str:
    merged = httpx.URL(url).copy_merge_params({k: str(v) for k, v in (params or {}).items()})
    return str(merged.copy_with(params=sorted(merged.params.multi_items())))


def _int_param(url: str, name: str, params: dict[str, Any] | None = None) -> int | None:
    value = (params or {}).get(name, httpx.URL(url).params.get(name))
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _short(
    items: list[Any], paging: dict[str, Any], url: str, params: dict[str, Any] | None
) -> bool:
    """Fewer items than the page size we asked for (or, failing that, the one it states)."""
    asked = _int_param(url, "limit", params)
    size = asked if asked is not None else paging.get("limit")
    return isinstance(size, int) and not isinstance(size, bool) and 0 < len(items) < size


def follow_pages(
    fetch: Fetch,
    path_or_url: str,
    params: dict[str, Any] | None = None,
    *,
    max_items: int | None = None,
    max_offset: int | None = None,
    first: ApiResponse | None = None,
) -> Iterator[ApiResponse]:
    """Yield each page's reply; `fetch(url, params)` makes one request.

    `first`, when given, is the reply to (path_or_url, params) already fetched by a caller
    that had to probe which request works.
    """
    url: str | None = path_or_url
    seen: set[str] = set()
    items_seen = 0
    while url is not None:
        key = _page_key(url, params)
        if key in seen:
            log.warning("paging loop: %s was already fetched; stopping this list", url)
            return
        seen.add(key)
        page = first if first is not None else fetch(url, params)
        first = None
        yield page
        paging = paging_object(page.body)
        if paging is None:
            return
        items = paging.get("items")
        items_seen += len(items) if isinstance(items, list) else 0
        following = paging.get("next")
        if not items or not isinstance(following, str) or not following:
            return
        if isinstance(items, list) and _short(items, paging, url, params):
            log.debug("short page at %s: the list ends here whatever `next` says", url)
            return
        if max_items is not None and items_seen >= max_items:
            return
        offset = _int_param(following, "offset")
        if max_offset is not None and offset is not None and offset >= max_offset:
            return
        url, params = following, None
