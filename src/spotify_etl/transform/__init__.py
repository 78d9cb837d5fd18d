"""Transform: raw API responses -> the Album/Artist/Songs model, cleaned, deduplicated, checked.

from spotify_etl.transform import run_transform, TransformSummary
"""

from spotify_etl.transform.runner import run_transform
from spotify_etl.transform.summary import BatchSummary, TransformSummary, UnreadableFile

__all__ = ["BatchSummary", "TransformSummary", "UnreadableFile", "run_transform"]
