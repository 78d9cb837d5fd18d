"""Vega-Lite specs for the few chart shapes the report uses, each with its data inline.

The data of a chart is exactly its card's table (as records), so what a reader sees in the
table is what is drawn. No spec names a URL: no `$schema`, no `data.url`, no image marks.
"""

from __future__ import annotations

from typing import Any

from spotify_etl.report.model import Rows, Spec

HEIGHT = 220
ACCENT = "#1db954"
SERIES = ["#1db954", "#e4572e", "#3b82f6", "#a855f7", "#f59e0b", "#14b8a6"]


def _base(rows: Rows, height: int = HEIGHT) -> Spec:
    return {
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": rows.records()},
        "config": {"view": {"stroke": None}, "axis": {"labelLimit": 180}},
    }


def _field(name: str, type_: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"field": name, "type": type_, "title": title, **extra}


def _day(name: str, title: str) -> dict[str, Any]:
    """A snapshot day on the x axis: one tick per day at most, labels without the year."""
    return _field(
        name,
        "temporal",
        title,
        timeUnit="utcyearmonthdate",
        axis={"format": "%b %d", "labelAngle": 0, "tickCount": {"interval": "day"}},
    )


def bar(
    rows: Rows,
    category: str,
    value: str,
    *,
    category_title: str,
    value_title: str,
    horizontal: bool = False,
    ordinal: bool = False,
    tooltip: tuple[str, ...] = (),
) -> Spec:
    """Bars per category; horizontal bars keep the query's order (ranked lists)."""
    cat_type = "ordinal" if ordinal or not horizontal else "nominal"
    cat = _field(category, cat_type, category_title)
    if horizontal:
        cat["sort"] = None
    val = _field(value, "quantitative", value_title)
    spec = _base(rows)
    if horizontal:
        spec["height"] = {"step": 22}  # one band per ranked row, however many
    spec["mark"] = {"type": "bar", "color": ACCENT, "tooltip": True}
    spec["encoding"] = {"y": cat, "x": val} if horizontal else {"x": cat, "y": val}
    if tooltip:
        spec["encoding"]["tooltip"] = [{"field": f} for f in (category, value, *tooltip)]
    return spec


def lines(
    rows: Rows,
    x: str,
    ys: tuple[str, ...],
    *,
    x_title: str,
    y_title: str,
    temporal: bool = True,
    points: bool = True,
) -> Spec:
    """One line per value column (folded into series), over days or years."""
    spec = _base(rows)
    x_enc = _day(x, x_title) if temporal else _field(x, "ordinal", x_title)
    if len(ys) == 1:
        spec["mark"] = {"type": "line", "point": points, "color": ACCENT, "tooltip": True}
        spec["encoding"] = {"x": x_enc, "y": _field(ys[0], "quantitative", y_title)}
        return spec
    spec["transform"] = [{"fold": list(ys), "as": ["series", "value"]}]
    spec["mark"] = {"type": "line", "point": points, "tooltip": True}
    spec["encoding"] = {
        "x": x_enc,
        "y": _field("value", "quantitative", y_title),
        "color": {
            "field": "series",
            "type": "nominal",
            "title": None,
            "scale": {"domain": list(ys), "range": SERIES[: len(ys)]},
            "legend": {"orient": "top"},
        },
    }
    return spec


def diverging(
    rows: Rows,
    category: str,
    value: str,
    *,
    category_title: str,
    value_title: str,
    positive: str = "rising",
    negative: str = "falling",
) -> Spec:
    """Horizontal bars left and right of zero (change in percent or points)."""
    spec = bar(
        rows,
        category,
        value,
        category_title=category_title,
        value_title=value_title,
        horizontal=True,
    )
    spec["mark"] = {"type": "bar", "tooltip": True}
    spec["encoding"]["color"] = {
        "condition": {"test": f"datum['{value}'] >= 0", "value": SERIES[0]},
        "value": SERIES[1],
    }
    spec["description"] = f"{positive} right of zero, {negative} left"
    return spec


def points_on_line(rows: Rows, x: str, y: str, flag: str, *, x_title: str, y_title: str) -> Spec:
    """A daily series with the flagged days drawn as large red points."""
    spec = _base(rows)
    x_enc = _day(x, x_title)
    y_enc = _field(y, "quantitative", y_title)
    spec["layer"] = [
        {"mark": {"type": "line", "color": "#9ca3af"}, "encoding": {"x": x_enc, "y": y_enc}},
        {
            "mark": {"type": "point", "filled": True, "tooltip": True},
            "encoding": {
                "x": x_enc,
                "y": y_enc,
                "size": {"condition": {"test": f"datum['{flag}']", "value": 160}, "value": 30},
                "color": {
                    "condition": {"test": f"datum['{flag}']", "value": SERIES[1]},
                    "value": "#6b7280",
                },
            },
        },
    ]
    return spec


def heatmap(
    rows: Rows, x: str, y: str, value: str, *, x_title: str, y_title: str, value_title: str
) -> Spec:
    """Cells coloured by value (for day x hour or genre x day grids)."""
    spec = _base(rows)
    spec["mark"] = {"type": "rect", "tooltip": True}
    spec["encoding"] = {
        "x": _field(x, "ordinal", x_title),
        "y": _field(y, "ordinal", y_title),
        "color": _field(value, "quantitative", value_title, scale={"scheme": "greens"}),
    }
    return spec
