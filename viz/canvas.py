"""The drawing canvas: drawn points over an invisible grid that catches clicks."""

import numpy as np

from .style import CLASS_COLOR_NAMES, CLASS_COLORS, CLASS_SYMBOLS, make_figure

CANVAS_GRID = 70  # clickable cells per side: a click lands on the nearest cell centre


def canvas_grid(x_range, y_range, n=CANVAS_GRID):
    """Cell centres (x, y) of a clickable grid over the ranges, flattened."""
    gx, gy = np.meshgrid(np.linspace(*x_range, n), np.linspace(*y_range, n))
    return gx.ravel(), gy.ravel()


def canvas_figure(X, y, x_range, y_range, height=430, axis_titles=("x₁", "x₂")):
    """The drawing canvas: the drawn points over an invisible dense grid of markers.

    Plotly reports clicks only on data points, so a click on empty space must land on
    something: the grid's invisible markers (trace 0) catch it and the click arrives as the
    selection of the nearest cell centre. Trace 1 + c holds the points of class c.
    """
    gx, gy = canvas_grid(x_range, y_range)
    data = [{"type": "scatter", "x": gx, "y": gy, "mode": "markers", "name": "canvas",
             "showlegend": False, "hoverinfo": "none",
             "marker": {"size": 8, "opacity": 0, "color": "#000"},
             # Keep the canvas from greying out the points after a click selects a cell.
             "selected": {"marker": {"opacity": 0}},
             "unselected": {"marker": {"opacity": 0}}}]
    X, y = np.asarray(X, float).reshape(-1, 2), np.asarray(y, int)
    for c in range(len(CLASS_COLORS)):
        mask = y == c
        data.append({
            "type": "scatter", "x": X[mask, 0], "y": X[mask, 1], "mode": "markers",
            "name": f"class {c} ({CLASS_COLOR_NAMES[c]})", "hoverinfo": "none",
            "marker": {"symbol": CLASS_SYMBOLS[c], "size": 11, "color": CLASS_COLORS[c],
                       "line": {"width": 1, "color": "white"}},
            "selected": {"marker": {"opacity": 1}}, "unselected": {"marker": {"opacity": 1}}})
    axis = {"showgrid": True, "gridcolor": "#eeeeee", "zeroline": True,
            "zerolinecolor": "#cccccc", "showline": True, "linecolor": "#888",
            "ticks": "outside", "fixedrange": True}
    return make_figure(data, {
        "height": height, "margin": {"l": 50, "r": 10, "t": 45, "b": 45},
        "dragmode": False, "hovermode": "closest", "clickmode": "event+select",
        "uirevision": "canvas",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.03, "x": 0,
                   "font": {"size": 12}},
        "xaxis": {**axis, "title": {"text": axis_titles[0]}, "range": list(x_range),
                  "constrain": "domain"},
        "yaxis": {**axis, "title": {"text": axis_titles[1]}, "range": list(y_range),
                  "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"}})
