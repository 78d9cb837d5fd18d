"""No module outside spotify_etl.storage names a concrete store or reaches into one.

Callers hold an ObjectStore and ask it (modified, local_path, key_of, ...); `open_store`, in
the storage package, is the one place a concrete store is chosen. The check is syntactic: an
import or attribute naming LocalStore/S3Store (or the modules defining them), and the
attributes behind the protocol (`client`, `root`, `bucket`, `prefix`) read off a variable
named like a store (`store`, `raw`, `out`, `*_store`).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import spotify_etl

PACKAGE = Path(spotify_etl.__file__).parent
CONCRETE = {"LocalStore", "S3Store"}
CONCRETE_MODULES = {"spotify_etl.storage.local", "spotify_etl.storage.s3"}
INSIDES = {"client", "_client", "root", "bucket", "prefix"}
STORE_NAME = re.compile(r"^(store|raw|out|\w+_store)$")


def _modules() -> list[Path]:
    storage = PACKAGE / "storage"
    return [p for p in sorted(PACKAGE.rglob("*.py")) if storage not in p.parents]


def _violations(path: Path) -> list[str]:
    """'<line>: <what>' for each forbidden import or attribute, in line order."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module in CONCRETE_MODULES:
                found.append((line, f"imports {node.module}"))
            names = {a.name for a in node.names}
            if node.module.startswith("spotify_etl.storage") and names & CONCRETE:
                found.append((line, f"imports {sorted(names & CONCRETE)}"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in CONCRETE_MODULES:
                    found.append((line, f"imports {alias.name}"))
        elif isinstance(node, ast.Attribute):
            if node.attr in CONCRETE:
                found.append((line, f"names {node.attr}"))
            elif (
                node.attr in INSIDES
                and isinstance(node.value, ast.Name)
                and STORE_NAME.match(node.value.id)
            ):
                found.append((line, f"reads {node.value.id}.{node.attr}"))
    return [f"{line}: {what}" for line, what in sorted(found)]


def test_no_caller_names_a_concrete_store_or_its_insides() -> None:
    modules = _modules()
    assert len(modules) > 50  # the walk found the package
    problems = [f"{p.relative_to(PACKAGE)}:{v}" for p in modules for v in _violations(p)]
    assert problems == []


def test_the_check_sees_what_it_forbids(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from spotify_etl.storage import LocalStore, open_store\n"
        "import spotify_etl.storage.s3\n"
        "def f(store, raw_store):\n"
        "    store.client.head_object()\n"
        "    return raw_store.root, spotify_etl.storage.S3Store\n",
        encoding="utf-8",
    )
    found = [v.split(": ", 1)[1] for v in _violations(sample)]
    assert found == [
        "imports ['LocalStore']",
        "imports spotify_etl.storage.s3",
        "reads store.client",
        "names S3Store",
        "reads raw_store.root",
    ]
