"""What the code cites is in the repository: docs/spotify-api.md and docs/formats.md.

A docstring that sends a newcomer to a file outside the repository (or to a section that is not
there) is a promise nobody can check, so every citation is checked here.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    p
    for d in ("src", "tests", "benchmarks", "tools")
    for p in sorted((ROOT / d).rglob("*.py"))
    if p.name != "test_docs.py"  # its own patterns are not citations
]
# `docs/NAME.md, "Section"` or `docs/NAME.md ("Section"`: the section named right after it.
CITE = re.compile(r"docs/([\w-]+\.md)\)?[,:]?\s*\(?\"([^\"]+)\"")
GONE = ("API-2026.md", "notes/formats.md")  # working notes that never were in the repository


def _text(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())  # citations wrap across lines


def _headings(doc: str) -> list[str]:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    return [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]


def test_nothing_cites_a_file_outside_the_repository() -> None:
    offenders = [
        f"{p.relative_to(ROOT)}: {gone}"
        for p in [*SOURCES, ROOT / "README.md", ROOT / "ARCHITECTURE.md"]
        for gone in GONE
        if gone in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_every_cited_section_exists() -> None:
    cited = [(p, doc, section) for p in SOURCES for doc, section in CITE.findall(_text(p))]
    assert cited, "the pattern finds the code's citations"
    missing = [
        f"{p.relative_to(ROOT)}: docs/{doc} {section!r}"
        for p, doc, section in cited
        if not any(h.startswith(section) for h in _headings(doc))
    ]
    assert missing == []


def test_every_cited_doc_exists() -> None:
    docs = {m for p in SOURCES for m in re.findall(r"docs/([\w-]+\.md)", _text(p))}
    assert docs and all((ROOT / "docs" / d).is_file() for d in docs), docs
