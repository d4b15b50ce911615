"""Loss and accuracy curves over the epochs, train solid and test dashed."""

import numpy as np

from .i18n import _, number
from .style import make_figure

# Records drawn at most: a chart is 400 to 700 pixels wide, and every point is sent again at
# each redraw while playing (300 halves the bytes and the browser's redraw of 600).
MAX_CURVE_POINTS = 300


def _thin(epochs, *columns, max_points=MAX_CURVE_POINTS):
    """At most ``max_points`` evenly spaced records, always keeping the last."""
    epochs = np.asarray(epochs)
    if len(epochs) > max_points:
        keep = np.unique(np.r_[np.linspace(0, len(epochs) - 1, max_points).round().astype(int),
                               len(epochs) - 1])
        epochs = epochs[keep]
        columns = [np.asarray(c)[keep] for c in columns]
    return [epochs.astype(np.float32)] + [_compact(c) for c in columns]


def _compact(values):
    """float32 halves what is sent, but a diverging loss can pass its range (3.4e38)."""
    values = np.asarray(values, float)
    small = np.all(np.abs(values[np.isfinite(values)]) < np.finfo(np.float32).max)
    return values.astype(np.float32) if small else values


ROLLBACK_COLOR = "#b00020"
# A loss that grew this many times above its start is drawn on a log axis: on a linear one
# the epochs where it rises look flat until the last.
RISE_FOR_LOG = 1000.0


def rises_steeply(values):
    """True when finite ``values`` climb above RISE_FOR_LOG times their first value."""
    finite = np.asarray(values, float)
    finite = finite[np.isfinite(finite)]
    return len(finite) > 1 and finite[0] > 0 and finite.max() > RISE_FOR_LOG * finite[0]


def _curve_figure(epochs, train, test, y_title, height, log_y=False, y_range=None):
    epochs, train, test = _thin(epochs, train, test)
    mode = "lines+markers" if len(epochs) == 1 else "lines"  # one record: a line shows nothing
    data = [{"type": "scatter", "x": epochs, "y": train, "mode": mode, "name": _("train"),
             "line": {"color": "#333333", "width": 2.5}}]
    if np.isfinite(test).any():
        data.append({"type": "scatter", "x": epochs, "y": test, "mode": mode,
                     "name": _("test"), "line": {"color": "#d62728", "width": 2.5,
                                              "dash": "dash"}})
    values = np.r_[train, test]
    if log_y and y_range is None and len(train):
        positive = values[values > 0]
        if len(positive):  # log axes take their range in powers of ten
            y_range = [float(np.log10(positive.min())) - 0.1,
                       float(np.log10(positive.max())) + 0.1]
    finite = values[np.isfinite(values)]
    if y_range is None and not log_y and len(finite):
        low, high = float(finite.min()), float(finite.max())
        pad = max(abs(high) * 0.05, 1e-3)
        if high - low < pad:  # a flat start (epoch 0): ticks of a sensible size, not 0.71265
            y_range = [low - pad, high + pad]
    last = float(epochs[-1]) if len(epochs) else 0.0
    x_range = [0, 10] if last < 10 else None  # an axis the run will fill, not 0..1 by fifths
    grid = {"gridcolor": "#e5e5e5", "showline": True, "linecolor": "#888", "ticks": "outside",
            "automargin": False}
    return make_figure(data, {
        "height": height, "margin": {"l": 65, "r": 10, "t": 30, "b": 45},
        "uirevision": y_title + ("log" if log_y else ""),
        # Top left: Plotly's tool bar sits top right, always shown on a touch screen.
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0,
                   "xanchor": "left"},
        "xaxis": {**grid, "title": {"text": _("epoch")}, "rangemode": "tozero", "range": x_range},
        "yaxis": {**grid, "title": {"text": y_title}, "type": "log" if log_y else "linear",
                  "range": y_range, "exponentformat": "power" if log_y else "none"}})


def loss_figure(epochs, train_loss, test_loss=None, log_y=False, height=260, rollbacks=()):
    """Train (solid) and test (dashed) loss per epoch; ``log_y`` for a logarithmic axis
    (chosen by itself when the loss rises steeply). ``rollbacks``: epochs whose step
    overflowed and was undone, each marked by a line where the curve stops."""
    if test_loss is None:
        test_loss = np.full(len(epochs), np.nan)
    steep = not log_y and rises_steeply(train_loss)
    fig = _curve_figure(epochs, train_loss, test_loss,
                        _("loss (log scale)") if steep else _("loss"), height, log_y=log_y or steep)
    for epoch in rollbacks:
        mark_rollback(fig, epoch)
    return fig


def mark_rollback(fig, epoch):
    """A red line at ``epoch``, where the loss stopped being a number and training went
    back to the epoch before."""
    fig.add_shape(type="line", xref="x", yref="paper", x0=epoch, x1=epoch, y0=0, y1=1,
                  line={"color": ROLLBACK_COLOR, "width": 2})
    fig.add_annotation(x=epoch, xref="x", y=1, yref="paper", xanchor="right", yanchor="top",
                       showarrow=False, font={"color": ROLLBACK_COLOR, "size": 12},
                       bgcolor="rgba(255,255,255,0.8)",
                       text=_("epoch {epoch}: not a number,<br>rolled back to {previous}").format(
                           epoch=number(epoch), previous=number(epoch - 1)))
    shown = fig.layout.xaxis.range
    last = max([shown[1]] if shown else [float(np.max(t.x)) for t in fig.data if len(t.x)])
    fig.layout.xaxis.range = [0, max(last, epoch + 0.5)]  # the line inside the plot
    return fig


def accuracy_figure(epochs, train_acc, test_acc=None, height=260):
    """Train (solid) and test (dashed) accuracy per epoch on a 0-1 axis."""
    if test_acc is None:
        test_acc = np.full(len(epochs), np.nan)
    return _curve_figure(epochs, train_acc, test_acc, _("accuracy"), height, y_range=[0, 1.02])


def with_cursor(fig, epoch):
    """``fig`` (a loss or accuracy figure) with a vertical line at ``epoch``."""
    shape = {"type": "line", "xref": "x", "yref": "paper", "x0": epoch, "x1": epoch,
             "y0": 0, "y1": 1, "line": {"color": "#7b3fb5", "width": 2, "dash": "dot"}}
    fig.layout.shapes = [*fig.layout.shapes, shape]
    return fig
