"""CloudWatch metrics as Embedded Metric Format log lines.

Lambda ships stdout to CloudWatch Logs, which extracts EMF records into metrics: no API call,
no extra latency, no IAM permission. The template's quota-stop alarm reads `QuotaStops`.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from typing import IO

NAMESPACE = "SpotifyEtl"
# Names the template's alarms watch (infra/template.yaml); a test holds the two together.
QUOTA_STOPS = "QuotaStops"  # dimension Stage=extract
UNREADABLE_OBJECTS = "UnreadableObjects"  # dimension Stage=transform

# Units CloudWatch accepts that these metrics use; anything else is a bug at the call site.
UNITS = {"Count", "Seconds", "Milliseconds", "Bytes", "None"}


def emf_record(
    metrics: Mapping[str, float],
    *,
    dimensions: Mapping[str, str],
    namespace: str = NAMESPACE,
    units: Mapping[str, str] | None = None,
    properties: Mapping[str, object] | None = None,
    timestamp_ms: int | None = None,
) -> dict[str, object]:
    """One EMF document: the metric values, their dimension set, and searchable properties."""
    units = units or {}
    for name, unit in units.items():
        if unit not in UNITS:
            raise ValueError(f"unknown CloudWatch unit {unit!r} for metric {name!r}")
    clash = set(metrics) & (set(dimensions) | set(properties or {}))
    if clash:
        raise ValueError(f"metric names clash with dimensions or properties: {sorted(clash)}")
    record: dict[str, object] = dict(properties or {})
    record.update(dimensions)
    record.update(metrics)
    record["_aws"] = {
        "Timestamp": timestamp_ms if timestamp_ms is not None else int(time.time() * 1000),
        "CloudWatchMetrics": [
            {
                "Namespace": namespace,
                "Dimensions": [sorted(dimensions)],
                "Metrics": [{"Name": n, "Unit": units.get(n, "Count")} for n in metrics],
            }
        ],
    }
    return record


def emit(
    metrics: Mapping[str, float],
    *,
    dimensions: Mapping[str, str],
    namespace: str = NAMESPACE,
    units: Mapping[str, str] | None = None,
    properties: Mapping[str, object] | None = None,
    stream: IO[str] | None = None,
) -> dict[str, object]:
    """Write one EMF line to stdout (where Lambda's log agent picks it up); return it."""
    record = emf_record(
        metrics, dimensions=dimensions, namespace=namespace, units=units, properties=properties
    )
    out = stream or sys.stdout
    out.write(json.dumps(record, separators=(",", ":"), default=str) + "\n")
    out.flush()
    return record
