"""Each package's public surface is its `__all__`, pinned here: a change to it is deliberate.

A name in `__all__` is either defined by the package's `__init__` or one of its submodules
(the packages whose entry points are modules: aws, history, pipeline). Growing or shrinking a
surface means editing SURFACE below in the same change, where a reviewer sees it.
"""

from __future__ import annotations

import importlib
import pkgutil

import spotify_etl

SURFACE: dict[str, list[str]] = {
    "spotify_etl": ["__version__"],
    "spotify_etl.aws": ["extract_handler", "package", "report_handler", "transform_handler"],
    "spotify_etl.extract": [
        "Budget", "ExtractResult", "ResolvedSources", "parse_id", "resolve_sources",
        "run_extract",
    ],
    "spotify_etl.history": ["cli", "importer"],
    "spotify_etl.pipeline": [
        "access", "checks", "cli", "demo", "listen", "listen_cli", "queries", "report", "run",
        "schedule", "status", "untransformed",
    ],
    "spotify_etl.report": [
        "BuiltReport", "Card", "LakeFacts", "ReportContext", "Rows", "Section", "build_report",
        "read_lake", "write_file",
    ],
    "spotify_etl.report.sections": ["registered"],
    "spotify_etl.simulator": [
        "DEMO_CLIENT_ID", "DEMO_CLIENT_SECRET", "PROFILES", "Simulator", "SimulatorConfig",
        "running_simulator", "serve",
    ],
    "spotify_etl.spotify": [
        "ApiResponse", "BadRequest", "FileTokenStore", "RetryPolicy", "SecretsManagerTokenStore",
        "Skipped", "SpotifyClient", "StoredToken", "TokenKey", "TokenStore", "Unfetched",
        "token_store_for",
    ],
    "spotify_etl.storage": [
        "LocalStore", "ObjectInfo", "ObjectStore", "S3Store", "open_store", "s3_client",
        "s3_location",
    ],
    "spotify_etl.transform": [
        "BatchSummary", "TransformSummary", "UnreadableFile", "run_transform",
    ],
    "spotify_etl.warehouse": [
        "LoadSummary", "QueryInfo", "Warehouse", "list_queries", "load_pending", "open_configured",
        "open_warehouse", "run_query",
    ],
}  # fmt: skip


def _packages() -> list[str]:
    found = ["spotify_etl"]
    for info in pkgutil.walk_packages(spotify_etl.__path__, "spotify_etl."):
        if info.ispkg:
            found.append(info.name)
    return sorted(found)


def test_every_package_is_pinned() -> None:
    assert _packages() == sorted(SURFACE)


def test_each_package_declares_exactly_its_pinned_surface() -> None:
    for name, expected in SURFACE.items():
        package = importlib.import_module(name)
        declared = getattr(package, "__all__", None)
        assert declared is not None, f"{name} has no __all__"
        assert sorted(declared) == sorted(expected), name


def test_every_public_name_resolves() -> None:
    for name, expected in SURFACE.items():
        package = importlib.import_module(name)
        for public in expected:
            assert not public.strip("_").startswith("_"), f"{name}.{public} is private"
            if not hasattr(package, public):
                importlib.import_module(f"{name}.{public}")  # a submodule entry point
