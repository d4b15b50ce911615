"""Figures and matrix tables for the "How backprop works" page: arrays in, figure out."""

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .format import format_number
from .i18n import _

LAYER_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
                 "#17becf")
HIGHLIGHT = "background-color: #ffd54f; font-weight: bold"
# Curves named in the reader's language take their colour from what they are, not their name.
ACTIVATION_COLOURS = {"sigmoid": "#d62728", "relu": "#1f77b4", "tanh": "#2ca02c"}
CORRECT, WITH_ERRORS = "#1f77b4", "#d62728"


def format_small(v):
    """A relative error or a gradient: 3 significant digits, in e-notation when tiny."""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    return f"{v:.3g}" if 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"


def _layout(fig, title, x_title, y_title, height=360, log_y=False):
    """Title above, legend below the axis title: a long legend never runs into the title."""
    fig.update_layout(title=dict(text=title, font=dict(size=15)), height=height,
                      margin=dict(l=60, r=20, t=50, b=50), template="plotly_white",
                      legend=dict(orientation="h", yref="container", yanchor="bottom", y=0,
                                  x=0),
                      font=dict(size=13))
    fig.update_xaxes(title_text=x_title)
    if log_y:
        fig.update_yaxes(title_text=y_title, type="log", exponentformat="power", dtick=1)
    else:
        fig.update_yaxes(title_text=y_title)
    return fig


def matrix_table(values, row_labels=None, col_labels=None, highlight=None,
                 highlight_row=None, highlight_col=None):
    """A pandas Styler for a matrix: rounded numbers, and the entry ``highlight`` = (row, col)
    (or a whole row / column) marked."""
    values = np.atleast_2d(np.asarray(values, float))
    rows = row_labels if row_labels is not None else [str(i + 1) for i in range(values.shape[0])]
    cols = col_labels if col_labels is not None else [str(j + 1) for j in range(values.shape[1])]
    frame = pd.DataFrame(values, index=list(rows), columns=list(cols))

    def mark(_):
        styles = np.full(values.shape, "", dtype=object)
        if highlight_row is not None:
            styles[highlight_row, :] = "background-color: #fff3c4"
        if highlight_col is not None:
            styles[:, highlight_col] = "background-color: #fff3c4"
        if highlight is not None:
            styles[highlight] = HIGHLIGHT
        return pd.DataFrame(styles, index=frame.index, columns=frame.columns)

    return frame.style.format(format_number).apply(mark, axis=None)


def analytic_vs_numeric_figure(analytic, numeric, layer_names):
    """Every gradient entry: backprop's value against the finite-difference one. Agreement
    puts every point on the diagonal."""
    fig = go.Figure()
    lo, hi = math.inf, -math.inf
    for i, (a, n, name) in enumerate(zip(analytic, numeric, layer_names)):
        a, n = np.ravel(a), np.ravel(n)
        lo, hi = min(lo, a.min(), n.min()), max(hi, a.max(), n.max())
        fig.add_trace(go.Scatter(x=n, y=a, mode="markers", name=name,
                                 marker=dict(size=9, color=LAYER_COLOURS[i % 8], opacity=0.8)))
    if math.isfinite(lo):
        pad = 0.05 * (hi - lo or 1.0)
        fig.add_trace(go.Scatter(x=[lo - pad, hi + pad], y=[lo - pad, hi + pad], mode="lines",
                                 name=_("analytic = numeric"),
                                 line=dict(color="#888", dash="dash", width=1)))
    return _layout(fig, _("Backprop against finite differences"),
                   _("numeric (central differences)"), _("analytic (backprop)"), height=380)


def curves_figure(epochs, series, title, y_title, log_y=False, y_range=None, dash=None,
                  colours=None):
    """Several curves over epochs; ``series`` maps a name to an array (NaN gaps allowed),
    ``dash`` a name to a line style ("dot", "dash"), ``colours`` gives each curve its colour
    in order (default: the layer colours)."""
    fig = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        colour = colours[i] if colours else LAYER_COLOURS[i % 8]
        fig.add_trace(go.Scatter(x=epochs, y=values, mode="lines", name=name,
                                 line=dict(color=colour, width=2,
                                           dash=(dash or {}).get(name, "solid"))))
    fig = _layout(fig, title, _("epoch"), y_title, log_y=log_y)
    if y_range is not None:
        fig.update_yaxes(range=y_range)
    return fig


def layer_curves_figure(epochs, values, title, y_title, log_y=True):
    """One curve per layer, ``values`` of shape (n_epochs, n_layers)."""
    values = np.asarray(values, float)
    series = {_("layer {k}").format(k=k + 1): values[:, k] for k in range(values.shape[1])}
    if log_y:
        series = {k: np.where(v > 0, v, np.nan) for k, v in series.items()}
    return curves_figure(epochs, series, title, y_title, log_y=log_y)


def gradient_profile_figure(profiles, title=None, colours=None):
    """Gradient norm per layer (input side left) for each named run, ``colours`` in order: a
    falling line to the left is a vanishing gradient."""
    fig = go.Figure()
    for i, (name, values) in enumerate(profiles.items()):
        values = np.asarray(values, float)
        fig.add_trace(go.Scatter(x=np.arange(1, len(values) + 1), y=np.where(values > 0, values,
                                                                            np.nan),
                                 mode="lines+markers", name=name,
                                 line=dict(width=3, color=colours[i] if colours
                                           else LAYER_COLOURS[i % 8]),
                                 marker=dict(size=9)))
    fig = _layout(fig, title or _("Gradient norm per layer"), _("layer (1 = next to input)"),
                  "‖dL/dW, dL/db‖", log_y=True)
    fig.update_xaxes(dtick=1)
    return fig


def activity_figure(rows, activation_label=str):
    """Per layer: share of dead ReLUs and of saturated sigmoid/tanh units; activation names
    written by ``activation_label``."""
    layers = [_("layer {k} ({activation})").format(k=r["layer"],
                                                    activation=activation_label(r["activation"]))
              for r in rows]
    dead = [r["dead_share"] if math.isfinite(r["dead_share"]) else None for r in rows]
    saturated = [r["saturated_share"] if math.isfinite(r["saturated_share"]) else None
                 for r in rows]
    flat = [r["flat_share"] if math.isfinite(r["flat_share"]) else None for r in rows]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=layers, y=dead, name=_("dead ReLUs (never active)"),
                         marker_color="#444"))
    fig.add_trace(go.Bar(x=layers, y=saturated, name=_("saturated units (flat on every sample)"),
                         marker_color="#d62728"))
    fig.add_trace(go.Bar(x=layers, y=flat, name=_("flat (sample, unit) pairs"),
                         marker_color="#bbbbbb"))
    fig = _layout(fig, _("Units that pass no gradient"), "", _("share"), height=420)
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    # The legend at the bottom of the figure, below the slanted layer names: at a fixed
    # place under the axis it was cut off once the names took more room.
    fig.update_layout(barmode="group", margin=dict(b=150))
    fig.update_xaxes(automargin=True)
    return fig
