"""Which raw parts the daily run still has to transform: every one without its batch summary.

The invariant the run keeps (see pipeline/run.py): every raw part in the raw zone is, at the
end of a successful run, transformed, and every transformed file loaded. A part counts as
transformed exactly when the transformed zone holds its batch summary
(`_batches/dt=…/<batch>.json`), which the transform writes last, after the part's data and
quarantine files (transform/output.py). So a part written by a run that was killed before
its transform, a part whose transform was killed half-way (data files, no summary) and a part
another shard or a hand-run `extract` wrote are all found here and transformed by the next
run, whoever fetched them. Transforming a part again rewrites the same names with the same
bytes, so a part found twice (two runs at once) costs time, never a duplicate row.

This module only chooses *which* parts; how they are batched is the transform's business.
"""

from __future__ import annotations

from spotify_etl.rawzone import SOURCE_KINDS, parse_part_key
from spotify_etl.storage import ObjectStore
from spotify_etl.transform.output import summary_key
from spotify_etl.transform.runner import source_for


def raw_parts(raw: ObjectStore) -> list[str]:
    """Every raw part key of a transformable source kind, in key order."""
    keys = []
    for info in raw.list("raw/"):
        part = parse_part_key(info.key)
        if part is not None and part["kind"] in SOURCE_KINDS:
            keys.append(info.key)
    return sorted(keys)


def untransformed_parts(raw: ObjectStore, out: ObjectStore) -> list[str]:
    """The raw parts whose batch summary is missing from the transformed zone."""
    done = {info.key for info in out.list("_batches/")}
    todo = []
    for key in raw_parts(raw):
        source = source_for(raw, key, None)
        if source is not None and summary_key(source.dt, source.batch) not in done:
            todo.append(key)
    return todo
