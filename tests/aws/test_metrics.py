from __future__ import annotations

import io
import json

import pytest

from spotify_etl.aws.metrics import emf_record, emit


def test_emf_line_is_what_cloudwatch_extracts() -> None:
    out = io.StringIO()
    emit(
        {"QuotaStops": 1, "Requests": 120, "DurationSeconds": 3.5},
        dimensions={"Stage": "extract"},
        units={"DurationSeconds": "Seconds"},
        properties={"run_id": "20261124T060000Z-0a1b2c3d", "reason": "budget"},
        stream=out,
    )
    [line] = out.getvalue().splitlines()
    doc = json.loads(line)
    directive = doc["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "SpotifyEtl"
    assert directive["Dimensions"] == [["Stage"]]
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {
        "QuotaStops": "Count",
        "Requests": "Count",
        "DurationSeconds": "Seconds",
    }
    # Every metric and dimension named in the directive is a top-level member (EMF rule).
    assert doc["Stage"] == "extract" and doc["QuotaStops"] == 1 and doc["Requests"] == 120
    assert doc["run_id"] == "20261124T060000Z-0a1b2c3d"
    assert isinstance(doc["_aws"]["Timestamp"], int)


def test_bad_units_and_name_clashes_are_rejected() -> None:
    with pytest.raises(ValueError, match="unit"):
        emf_record({"X": 1}, dimensions={"Stage": "t"}, units={"X": "Furlongs"})
    with pytest.raises(ValueError, match="clash"):
        emf_record({"Stage": 1}, dimensions={"Stage": "t"})
