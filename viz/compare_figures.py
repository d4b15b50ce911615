"""Figures for the Compare page: runs' curves overlaid, and one run's final boundary drawn
as the Playground draws it (viz.boundary)."""

import html
import re
import textwrap

import numpy as np
import plotly.graph_objects as go

from .boundary import boundary_figure as _boundary_figure
from .i18n import N_, _, percent
from .style import FONT

# One colour per run (up to 8), distinct from the orange/blue/green of the classes; the
# first three (the tutorial comparison's runs) far apart in hue.
RUN_COLORS = ("#3b3b98", "#d62728", "#00897b", "#8e44ad", "#8c564b", "#e377c2", "#5d6d7e",
              "#b7950b")
NAME_LINE_CHARS = 38  # what surely fits on a line of a boundary's title at 270 pixels
METRIC_COLUMNS = {"loss": ("train_loss", "test_loss", N_("Loss")),
                  "accuracy": ("train_acc", "test_acc", N_("Accuracy"))}
PARTS = {"train": N_("train"), "test": N_("test")}


def run_color(i):
    return RUN_COLORS[i % len(RUN_COLORS)]


def curves_figure(runs, metric="loss", height=360, log_y=False, color_indices=None,
                  title=None, font_size=FONT["size"]):
    """Train (solid) and test (dashed) curves of every run; run i gets colour
    ``color_indices[i]`` (default i), so a run keeps its colour as others come and go. No
    legend: eight runs' names would squeeze the plot, so the page shows them once beside
    both plots (``legend_html``); hovering a curve names its run in full."""
    if metric not in METRIC_COLUMNS:
        raise ValueError(f"metric must be loss or accuracy; got {metric!r}")
    train_key, test_key, label = METRIC_COLUMNS[metric]
    label = _(label)
    runs = list(runs)
    color_indices = range(len(runs)) if color_indices is None else color_indices
    fig = go.Figure()
    for run, ci in zip(runs, color_indices):
        epochs = run.history["epoch"]
        for key, dash, part in ((train_key, "solid", "train"), (test_key, "dash", "test")):
            values = run.history[key]
            if not np.isfinite(values).any():
                continue
            part = _(PARTS[part])
            fig.add_trace(go.Scatter(
                x=epochs, y=values, mode="lines", name=f"{_escape(run.name)} ({part})",
                legendgroup=str(ci), line={"color": run_color(ci), "dash": dash, "width": 2.5},
                hovertemplate=f"{_escape(run.name)}, {part}<br>{_('epoch')} %{{x}}<br>"
                              f"{label.lower()} %{{y:.4g}}<extra></extra>"))
    fig.update_layout(
        title={"text": title or label, "x": 0.01, "font": {"size": font_size + 1}},
        height=height, margin={"l": 60, "r": 10, "t": 40, "b": 50},
        font={**FONT, "size": font_size},
        showlegend=False, hovermode="closest", plot_bgcolor="white")
    # Streamlit's theme sets its own axis fonts: larger ones (presenter mode) are set here.
    axis_fonts = {"tickfont": {"size": font_size - 2}, "title_font": {"size": font_size}}
    fig.update_xaxes(title_text=_("epoch"), gridcolor="#e5e5e5", rangemode="tozero",
                     title_standoff=8, **axis_fonts)
    fig.update_yaxes(title_text=label.lower(), gridcolor="#e5e5e5", automargin=True,
                     type="log" if log_y and metric == "loss" else "linear", **axis_fonts)
    if metric == "accuracy":
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    return fig


def legend_html(runs, color_indices, font_size="0.95rem"):
    """The runs' key, once for all the plots: a line in each run's colour and its full name
    (also its tooltip), wrapping into as many columns as the page has room for."""
    items = "".join(
        f'<li title="{html.escape(run.name)}" style="display:flex;align-items:center;'
        f'gap:0.5em;min-width:17em;flex:1 1 17em;margin:0">'
        f'<span style="flex:none;width:2em;border-top:3px solid {run_color(ci)}"></span>'
        f'<span style="overflow-wrap:anywhere">{html.escape(unbroken(run.name))}</span></li>'
        for run, ci in zip(runs, color_indices))
    return (f'<ul aria-label="{html.escape(_("Runs and their colours"))}" '
            f'style="display:flex;flex-wrap:wrap;'
            f'gap:0.2em 1.5em;list-style:none;padding:0;margin:0 0 0.3em 0;'
            f'font-size:{font_size}">{items}</ul>')


def unbroken(name):
    """``name`` with a no-break space before each number, so a line never ends between
    "epoch" and its 351."""
    return re.sub(r" (?=\d)", "\u00a0", name)


def boundary_figure(run, color_index=0, height=340, title_size=14):
    """The run's saved final boundary with its saved training points, titled with its name
    (in the run's curve colour), epoch and test accuracy."""
    fig = _boundary_figure(run.grid_x, run.grid_y, run.boundary, run.X, run.y,
                                  n_classes=run.n_classes, show_test=False, height=height)
    acc, epoch = run.metrics.get("test_acc", np.nan), run.metrics.get("epoch", np.nan)
    # Whole on a plot about 270 pixels wide: a long name wraps between words.
    name = "<br>".join(_escape(line) for line in textwrap.wrap(
        unbroken(run.name), NAME_LINE_CHARS, break_on_hyphens=False))
    details = [_("epoch {n}").format(n=int(epoch)) if np.isfinite(epoch) else "",
               _("test accuracy {accuracy}").format(accuracy=percent(acc, 0))
               if np.isfinite(acc) else ""]
    # Side by side, a colour bar per run would only repeat itself and crowd the plots.
    fig.update_traces(marker_showscale=False, selector={"type": "scatter"})
    fig.update_layout(
        title={"text": f"<b>{name}</b><br><span style='font-size:{title_size - 2}px;"
                       f"color:#444'>{_(', ').join(d for d in details if d)}</span>",
               "x": 0.02, "y": 0.97,
               "font": {"size": title_size, "color": run_color(color_index)}},
        showlegend=False, margin={"l": 40, "r": 10, "t": 60 + 18 * name.count("<br>"),
                                  "b": 40},
        height=height + 18 * name.count("<br>"))
    return fig


def _escape(text):
    """Plotly renders a little HTML in titles and legends; show names as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
