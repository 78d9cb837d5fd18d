"""The `fields` filter of the playlist endpoints.

Grammar, as Spotify documents it: `a,b.c,d(e,f(g)),!h`: commas separate, a dot selects a
non-repeating child, parentheses select children of each element of a list (or of an
object), and `!` excludes. An object filtered by exclusions only keeps everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class FieldsError(ValueError):
    pass


@dataclass
class Spec:
    include: dict[str, Spec | None] = field(default_factory=dict)
    exclude: set[str] = field(default_factory=set)

    def wants(self, name: str) -> bool:
        if self.include:
            return name in self.include
        return name not in self.exclude


def parse(text: str) -> Spec:
    spec, rest = _parse_list(text.replace(" ", ""), 0)
    if rest != len(text.replace(" ", "")):
        raise FieldsError("Invalid fields")
    return spec


def _parse_list(text: str, i: int) -> tuple[Spec, int]:
    spec = Spec()
    while True:
        negate = i < len(text) and text[i] == "!"
        if negate:
            i += 1
        start = i
        while i < len(text) and (text[i].isalnum() or text[i] == "_"):
            i += 1
        name = text[start:i]
        if not name:
            raise FieldsError("Invalid fields")
        child: Spec | None = None
        if i < len(text) and text[i] == ".":
            child, i = _parse_item(text, i + 1)
        elif i < len(text) and text[i] == "(":
            child, i = _parse_list(text, i + 1)
            if i >= len(text) or text[i] != ")":
                raise FieldsError("Invalid fields")
            i += 1
        if negate:
            spec.exclude.add(name)
        else:
            spec.include[name] = _merge(spec.include.get(name), child, name in spec.include)
        if i < len(text) and text[i] == ",":
            i += 1
            continue
        return spec, i


def _parse_item(text: str, i: int) -> tuple[Spec, int]:
    # "a.b.c" is "a(b(c))" restricted to a single chain.
    start = i
    depth = 0
    while i < len(text) and (text[i] not in ",)" or depth):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        i += 1
    inner, used = _parse_list(text[start:i], 0)
    if used != i - start:
        raise FieldsError("Invalid fields")
    return inner, i


def _merge(old: Spec | None, new: Spec | None, existed: bool) -> Spec | None:
    if existed and (old is None or new is None):
        return None  # one mention asked for the whole value
    if old is None:
        return new
    assert new is not None
    for key, value in new.include.items():
        old.include[key] = _merge(old.include.get(key), value, key in old.include)
    old.exclude |= new.exclude
    return old


def apply(value: Any, spec: Spec | None) -> Any:
    if spec is None:
        return value
    if isinstance(value, list):
        return [apply(v, spec) for v in value]
    if isinstance(value, dict):
        return {k: apply(v, spec.include.get(k)) for k, v in value.items() if spec.wants(k)}
    return value
