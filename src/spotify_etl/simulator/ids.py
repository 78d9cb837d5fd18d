"""Seeded hashing and reversible 22-character base62 ids.

An id is a keyed permutation (a 4-round Feistel network) of `(kind tag, index)`, written in
base62. Decoding inverts the permutation, so an id leads back to its entity's index in O(1)
without any table: this is what lets a catalog of millions of tracks start in milliseconds.
"""

from __future__ import annotations

import random

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_PAIRS = [a + b for a in ALPHABET for b in ALPHABET]
EDITORIAL_PREFIX = "37i9dQZF1DX"  # Spotify-owned editorial playlists start with 37i9
_M64 = (1 << 64) - 1
_M32 = (1 << 32) - 1
_NEGATIVE = 0xD1B54A32D192ED03


def mix(value: int) -> int:
    """splitmix64 finaliser: a fast, well-spread 64-bit hash of an integer."""
    z = (value + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def h(*parts: int) -> int:
    """Hash a tuple of integers to 64 bits (order-sensitive)."""
    acc = 0x51ED270B27A3B1C5
    for part in parts:
        if part < 0:  # in two's complement -1 - n would fold onto n (editorial keys, seeds)
            acc = mix(acc ^ _NEGATIVE)
            part = ~part
        acc = mix(acc ^ (part & _M64) ^ (part >> 64))
    return acc


def rng(*parts: int) -> random.Random:
    """A private random stream for one entity: same parts, same values, on every run."""
    return random.Random(h(*parts))


def b62encode(value: int, width: int) -> str:
    # Two digits per divmod: ids are minted on every cold request, so this is hot.
    chunks = []
    for _ in range(width // 2):
        value, rem = divmod(value, 3844)
        chunks.append(_PAIRS[rem])
    if width % 2:
        chunks.append(ALPHABET[value % 62])
    return "".join(reversed(chunks))


def b62decode(text: str) -> int:
    value = 0
    for c in text:
        value = value * 62 + _INDEX[c]
    return value


class IdCodec:
    """Encode and decode ids of one seed. `kind` is a small integer naming the entity type."""

    def __init__(self, seed: int) -> None:
        self._keys = [h(seed, 0xF00D, r) for r in range(4)]
        self._short_keys = [h(seed, 0xBEEF, r) & _M32 for r in range(4)]
        self._seed = seed
        self._tags: dict[int, int] = {}

    def tag(self, kind: int) -> int:
        found = self._tags.get(kind)
        if found is None:
            found = self._tags[kind] = h(self._seed, 0x7A6, kind)
        return found

    def encode(self, kind: int, index: int) -> str:
        left, right = self.tag(kind), index
        for key in self._keys:
            left, right = right, left ^ mix(right ^ key)
        return b62encode((left << 64) | right, 22)

    def decode(self, kind: int, text: str) -> int | None:
        """The index of a well-formed id of this kind, or None if no such entity exists."""
        value = b62decode(text)
        if value >> 128:
            return None
        left, right = value >> 64, value & _M64
        for key in reversed(self._keys):
            left, right = right ^ mix(left ^ key), left
        if left != self.tag(kind):
            return None
        return right

    def encode_editorial(self, index: int) -> str:
        # 11 base62 chars carry 64 bits: a 16-bit check and a 48-bit index, permuted.
        left, right = (self.tag(99) & 0xFFFF) << 16 | (index >> 32), index & _M32
        for key in self._short_keys:
            left, right = right, left ^ (mix(right ^ key) & _M32)
        return EDITORIAL_PREFIX + b62encode((left << 32) | right, 11)

    def decode_editorial(self, text: str) -> int | None:
        if not text.startswith(EDITORIAL_PREFIX):
            return None
        value = b62decode(text[len(EDITORIAL_PREFIX) :])
        if value >> 64:
            return None
        left, right = value >> 32, value & _M32
        for key in reversed(self._short_keys):
            left, right = right ^ (mix(left ^ key) & _M32), left
        if left >> 16 != self.tag(99) & 0xFFFF:
            return None
        return ((left & 0xFFFF) << 32) | right
