"""Transform: raw API responses -> the Album/Artist/Songs model, cleaned, deduplicated, checked.

from spotify_etl.transform import run_transform, TransformSummary

The names load on first use (PEP 562): a transform worker process imports only what a batch
needs, not the typed settings (pydantic, ~20 MB) that `run_transform` is called with.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spotify_etl.transform.runner import run_transform
    from spotify_etl.transform.summary import BatchSummary, TransformSummary, UnreadableFile

__all__ = ["BatchSummary", "TransformSummary", "UnreadableFile", "run_transform"]

_HOME = {
    "run_transform": "runner",
    "BatchSummary": "summary",
    "TransformSummary": "summary",
    "UnreadableFile": "summary",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
