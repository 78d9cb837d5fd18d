"""The report's sections: a registry with one module per section.

Adding a section is adding a module here that defines `SECTION = Section(...)`; nothing else
needs editing. Sections are ordered by `Section.order` (overview 10, playlists 20, artists 30,
catalogue 40, trends 50; leave gaps for new ones).
"""

from __future__ import annotations

import importlib
import pkgutil

from spotify_etl.report.model import Section

__all__ = ["registered"]


def registered() -> list[Section]:
    """Every section module's SECTION, in page order."""
    found: dict[str, Section] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        section = getattr(module, "SECTION", None)
        if isinstance(section, Section):
            if section.id in found:
                raise ValueError(f"two report sections with id {section.id!r}")
            found[section.id] = section
    return sorted(found.values(), key=lambda s: (s.order, s.id))
