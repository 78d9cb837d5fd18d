"""The one error tree: every exception the package defines is in it, and errors.py draws it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from types import ModuleType

import spotify_etl
from spotify_etl import errors
from spotify_etl.errors import SpotifyEtlError


def _modules() -> list[ModuleType]:
    names = [
        m.name
        for m in pkgutil.walk_packages(spotify_etl.__path__, "spotify_etl.")
        if not m.name.endswith("__main__")  # importing it runs the CLI
    ]
    return [importlib.import_module(name) for name in sorted(names)]


def _defined_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for module in _modules():
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
            ):
                found[f"{module.__name__}.{name}"] = obj
    return found


def test_every_exception_outside_the_simulator_is_in_the_tree() -> None:
    found = _defined_exceptions()
    assert "spotify_etl.errors.StopRun" in found  # the walk does see the package
    strays = [
        name
        for name, cls in found.items()
        if not name.startswith("spotify_etl.simulator.") and not issubclass(cls, SpotifyEtlError)
    ]
    assert strays == []


def test_the_simulator_keeps_its_errors_outside_the_tree() -> None:
    found = _defined_exceptions()
    inside = [
        name
        for name, cls in found.items()
        if name.startswith("spotify_etl.simulator.") and issubclass(cls, SpotifyEtlError)
    ]
    assert inside == []


def test_the_drawing_names_every_class_with_its_exit_code() -> None:
    doc = errors.__doc__ or ""
    drawn = dict(re.findall(r"── (\w+)\s+(?:\((\d+)\))?", doc))
    classes = {
        cls.__name__: cls
        for cls in _defined_exceptions().values()
        if issubclass(cls, SpotifyEtlError)
        and cls is not SpotifyEtlError
        and not cls.__name__.startswith("_")  # a module's private signal, never seen outside it
    }
    assert sorted(drawn) == sorted(classes)
    for name, code in drawn.items():
        if code:
            assert classes[name].exit_code == int(code), name


def test_the_drawing_shows_each_class_under_its_parent() -> None:
    doc = errors.__doc__ or ""
    depth_of: dict[str, int] = {}
    parent_at: dict[int, str] = {0: "SpotifyEtlError"}
    classes = {c.__name__: c for c in _defined_exceptions().values()}
    for line in doc.splitlines():
        match = re.search(r"── (\w+)", line)
        if not match:
            continue
        depth = (match.start() - 5) // 4 + 1  # "    ├── X" is depth 1, each level 4 wider
        name = match.group(1)
        depth_of[name] = depth
        parent_at[depth] = name
        assert classes[parent_at[depth - 1]] in classes[name].__mro__[1:], name
    assert depth_of
