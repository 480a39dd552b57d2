"""Chart helpers: Vega-Lite specs (as dicts) for the pages, and SVG sparkline points.

Charts only draw numbers the engine computed; nothing here derives a figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
BLUE, GREY, RED = "#1f5fbf", "#9aa5b1", "#b42318"


def sparkline_points(values: Sequence[float], width: int = 90, height: int = 24,
                     low: float = 0.0, high: float = 100.0) -> str:
    """SVG polyline points for scores on a fixed 0-100 scale (comparable across rows)."""
    if len(values) < 2:
        return ""
    step = width / (len(values) - 1)
    span = (high - low) or 1.0
    points = []
    for index, value in enumerate(values):
        y = height - (min(max(value, low), high) - low) / span * (height - 2) - 1
        points.append(f"{index * step:.1f},{y:.1f}")
    return " ".join(points)


def _base(title: str, values: list[dict[str, Any]], height: int = 180) -> dict[str, Any]:
    return {
        "$schema": SCHEMA, "title": {"text": title, "anchor": "start", "fontSize": 13},
        "data": {"values": values}, "width": "container", "height": height,
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11, "titleFontSize": 11}},
    }


def line(title: str, values: list[dict[str, Any]], x: str, y: str, *, y_title: str,
         series: str | None = None, y_domain: list[float] | None = None,
         x_type: str = "temporal") -> dict[str, Any]:
    """A line chart of `values` (one dict per point); `series` colours several lines."""
    encoding: dict[str, Any] = {
        "x": {"field": x, "type": x_type, "title": None},
        "y": {"field": y, "type": "quantitative", "title": y_title,
              **({"scale": {"domain": y_domain}} if y_domain else {})},
        "tooltip": [{"field": x, "type": x_type}, {"field": y, "type": "quantitative", "format": ",.1f"}],
    }
    if series:
        encoding["color"] = {"field": series, "type": "nominal", "title": None,
                             "legend": {"orient": "bottom"}}
        encoding["tooltip"].append({"field": series, "type": "nominal"})
    else:
        encoding["color"] = {"value": BLUE}
    return {**_base(title, values), "mark": {"type": "line", "point": len(values) < 40},
            "encoding": encoding}


def bars(title: str, values: list[dict[str, Any]], category: str, value: str, *,
         value_title: str, colour_negative: bool = False) -> dict[str, Any]:
    """Horizontal bars, e.g. each health measure's contribution."""
    colour: dict[str, Any] = {"value": BLUE}
    if colour_negative:
        colour = {"condition": {"test": f"datum['{value}'] < 0", "value": RED}, "value": BLUE}
    height = max(80, 22 * len(values))
    return {
        **_base(title, values, height),
        "mark": {"type": "bar", "cornerRadiusEnd": 2},
        "encoding": {
            "y": {"field": category, "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": value, "type": "quantitative", "title": value_title},
            "color": colour,
            "tooltip": [{"field": category}, {"field": value, "type": "quantitative", "format": ",.2f"}],
        },
    }
