"""Helpers for the Playground's own-data, replay and export panels: the drawing canvas figure,
OwnData from a drawing or an upload, and a cursor on the curves. No streamlit in here."""

import numpy as np

from . import state as pgs
from .draw import CLASSES
from .figures import CLASS_COLORS, CLASS_SYMBOLS, _figure

CANVAS_GRID = 70  # clickable cells per side: a click lands on the nearest cell centre
CLASS_COLOR_NAMES = ("orange", "blue", "green")


def own_data_from_drawing(drawing):
    """OwnData of a viz.draw.DrawnPoints; DrawError (with a message for the user) until the
    drawing can be trained on."""
    return pgs.OwnData("draw", drawing.to_dataset(), drawing.class_names())


def own_data_from_upload(points, file_name=""):
    """OwnData of a viz.uploads.UploadedData."""
    return pgs.OwnData("upload", points.to_dataset(), list(points.class_names),
                       tuple(points.feature_names), file_name)


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
    for c in range(CLASSES):
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
    return _figure(data, {
        "height": height, "margin": {"l": 50, "r": 10, "t": 45, "b": 45},
        "dragmode": False, "hovermode": "closest", "clickmode": "event+select",
        "uirevision": "canvas",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.03, "x": 0,
                   "font": {"size": 12}},
        "xaxis": {**axis, "title": {"text": axis_titles[0]}, "range": list(x_range),
                  "constrain": "domain"},
        "yaxis": {**axis, "title": {"text": axis_titles[1]}, "range": list(y_range),
                  "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"}})


def clicked_point(event):
    """(x, y) of the first point in a plotly_chart selection event (a dict-like with
    ``selection.points``), or None."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points or []:
        try:
            x, y = float(point["x"]), float(point["y"])
        except (KeyError, TypeError, ValueError):
            continue
        if np.isfinite(x) and np.isfinite(y):
            return x, y
    return None


def with_cursor(fig, epoch):
    """``fig`` (a loss or accuracy figure) with a vertical line at ``epoch``."""
    shape = {"type": "line", "xref": "x", "yref": "paper", "x0": epoch, "x1": epoch,
             "y0": 0, "y1": 1, "line": {"color": "#7b3fb5", "width": 2, "dash": "dot"}}
    fig.layout.shapes = [*fig.layout.shapes, shape]
    return fig


def record_at(history, epoch):
    """The history record (dict) of the latest epoch at or before ``epoch``, or None."""
    if not len(history):
        return None
    epochs = np.asarray(history.column("epoch"))
    i = int(np.searchsorted(epochs, epoch, side="right")) - 1
    return history[max(i, 0)] if epochs[max(i, 0)] <= epoch else None
