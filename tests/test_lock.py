"""requirements.lock: a pin for every dependency pyproject.toml declares (every extra), each
satisfying its specifier, and `make` installing with it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([A-Za-z0-9.+!-]+)", line.strip())
        assert match, f"not a name==version pin: {line!r}"
        found[canonicalize_name(match[1])] = match[2]
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    return [Requirement(s) for s in specs]


def test_every_declared_dependency_has_a_pin_that_satisfies_it() -> None:
    locked = pins()
    problems = []
    for req in declared():
        if req.marker is not None and not req.marker.evaluate():
            continue
        version = locked.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name}: no pin")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} does not satisfy {req.specifier}")
    assert problems == [], "run `make lock`: " + "; ".join(problems)


def test_the_lock_pins_whole_versions_only_once_each() -> None:
    lines = [
        line
        for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    names = [canonicalize_name(line.split("==")[0]) for line in lines]
    assert len(names) == len(set(names)) and "spotify-etl" not in names


def test_make_installs_with_the_lock_and_reinstalls_when_it_changes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^\$\(STAMP\): pyproject\.toml \$\(LOCK\)$", makefile, re.MULTILINE)
    assert "install -c $(LOCK) -e" in makefile
    assert re.search(r"^lock:\n\t.*\n\t\$\(BIN\)/python tools/lock.py", makefile, re.MULTILINE)
