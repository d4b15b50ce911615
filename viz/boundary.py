"""The decision boundary: the interactive chart, its points as one picture, and the fast
picture of the whole chart that the live view swaps in while training runs."""

import base64
import io
from typing import NamedTuple

import numpy as np
from PIL import Image

from .i18n import N_, _
from .style import (
    CLASS_COLORS,
    CLASS_SYMBOLS,
    CLASS_TINTS,
    NEURON_LUT,
    PROBABILITY_COLORSCALE,
    PROBABILITY_LUT,
    class_colors_rgb,
    make_figure,
    png_uri,
)


def boundary_colors(boundary, discretize=False):
    """RGB image (H, W, 3) uint8 of a boundary array as drawn: ``boundary`` is (H, W) uint8
    P(class 1) * 255 for two classes or (H, W, C) uint8 class probabilities * 255."""
    boundary = np.asarray(boundary)
    if boundary.ndim == 2:
        if discretize:
            boundary = np.where(boundary >= 128, 255, 0).astype(np.uint8)
        return PROBABILITY_LUT[boundary]
    probs = boundary.astype(float) / 255.0
    if discretize:
        probs = np.eye(probs.shape[-1])[probs.argmax(axis=-1)]
    probs /= np.maximum(probs.sum(axis=-1, keepdims=True), 1e-9)
    return (probs @ CLASS_TINTS[:probs.shape[-1]]).round().astype(np.uint8)


VALUE_COLOR = "#555555"  # the legend's marker for a regression's points (coloured by value)
# Colour bars: (title, marked for translation at use, [(position on the bar in 0..1, tick text)])
PROBABILITY_BAR = (N_("P(class 1)"), [(p, f"{p:g}") for p in (0, 0.25, 0.5, 0.75, 1)])
VALUE_BAR = (N_("prediction"), [(p, f"{2 * p - 1:g}") for p in (0, 0.25, 0.5, 0.75, 1)])


def _legend_entries(n_classes, show_test):
    """(text, colour, symbol, is a test point) per legend entry: one per class and split, or
    one per split for a regression (n_classes 0), whose points are coloured by their value."""
    splits = (False, True) if show_test else (False,)  # is a test split
    if not n_classes:
        return [(_("test points") if test else _("train points"), VALUE_COLOR, "circle", test)
                for test in splits]
    return [((_("class {c} (test)") if test else _("class {c} (train)")).format(c=c),
             CLASS_COLORS[c % len(CLASS_COLORS)], CLASS_SYMBOLS[c % len(CLASS_SYMBOLS)], test)
            for test in splits for c in range(n_classes)]


def value_colors(values):
    """RGB (n, 3) uint8 of a regression's values in [-1, 1]: orange negative, blue positive."""
    u8 = np.clip((np.asarray(values, float) + 1) / 2 * 255 + 0.5, 0, 255).astype(np.uint8)
    return NEURON_LUT[u8]


def _legend_traces(n_classes, show_test):
    """Empty traces that only put the point styles in the legend."""
    traces = []
    for name, color, symbol, test in _legend_entries(n_classes, show_test):
        marker = ({"symbol": symbol + "-open", "size": 9, "color": color, "line": {"width": 2}}
                  if test else {"symbol": symbol, "size": 9, "color": color,
                                "line": {"width": 1, "color": "white"}})
        traces.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers",
                       "marker": marker, "name": name, "hoverinfo": "skip"})
    return traces


def _shape(draw, symbol, x, y, r, **style):
    if symbol == "square":
        r *= 0.88
        draw.rectangle([x - r, y - r, x + r, y + r], **style)
    elif symbol == "diamond":
        r *= 1.25
        draw.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], **style)
    else:
        draw.ellipse([x - r, y - r, x + r, y + r], **style)


MAX_EQUAL_SCALE_RATIO = 3.0  # beyond this the axes get their own scales (see display_aspect)


def display_aspect(grid_x, grid_y):
    """Height / width of the plotted area. Equal scales keep circles round, but uploaded data
    may span 0..80 on one axis and 7..12 on the other: drawn to one scale that is a thin
    strip, so past MAX_EQUAL_SCALE_RATIO each axis gets its own scale in a square plot."""
    aspect = (float(grid_y[-1]) - float(grid_y[0])) / (float(grid_x[-1]) - float(grid_x[0]))
    return aspect if 1 / MAX_EQUAL_SCALE_RATIO <= aspect <= MAX_EQUAL_SCALE_RATIO else 1.0


def points_size(grid_x, grid_y, size):
    """(width, height) of a points picture at most ``size`` pixels a side, with the plotted
    area's aspect, so markers stay round."""
    aspect = display_aspect(grid_x, grid_y)
    return (size, max(1, round(size * aspect))) if aspect <= 1 else (
        max(1, round(size / aspect)), size)


def points_layer(grid_x, grid_y, X_train, y_train, X_test=None, y_test=None, width=700,
                 height=700, values=False):
    """The data points as a transparent RGBA image of ``width`` x ``height`` covering the
    grid's range: train points filled with a white rim, test points outlined, one marker
    shape per class; with ``values`` (a regression) every point is a circle coloured by its
    target in [-1, 1]. Drawn at the size it is shown: resampling a larger one blurs it and
    costs as much again."""
    from PIL import ImageDraw

    scale = 3  # drawn large, then reduced: smooth edges
    x0, x1, y0, y1 = float(grid_x[0]), float(grid_x[-1]), float(grid_y[0]), float(grid_y[-1])
    # Drawn premultiplied ("RGBa": every colour is opaque, so its pixels are the same, and
    # the transparent ones stay 0): reducing an RGBA image converts all of it to RGBa and
    # back, 70% of the work.
    canvas = Image.new("RGBa", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    r = 0.0105 * max(width, height) * scale
    layers = [(X_train, y_train, False)]
    class_rgb = class_colors_rgb()
    if X_test is not None and len(X_test):
        layers.append((X_test, y_test, True))
    for X, y, test in layers:
        X, y = np.asarray(X, float), np.asarray(y)
        px = (X[:, 0] - x0) / (x1 - x0) * width * scale
        py = (y1 - X[:, 1]) / (y1 - y0) * height * scale
        colors = value_colors(y) if values else [class_rgb[c % 3] for c in y]
        for u, v, c, rgb in zip(px, py, y, colors):
            color = (*(int(v) for v in rgb), 255)
            symbol = "circle" if values else CLASS_SYMBOLS[c % 3]
            if test:
                _shape(draw, symbol, u, v, r, outline=color, width=int(0.42 * r))
            else:
                _shape(draw, symbol, u, v, r, fill=color, outline=(255, 255, 255, 255),
                       width=max(1, int(0.22 * r)))
    return canvas.reduce(scale).convert("RGBA")  # each scale x scale block's mean: smooth


def points_png(layer):
    """A ``points_layer`` as PNG bytes: 128 colours are plenty for a few marker colours and
    their smoothed edges, and a third of the size of the full image."""
    buffer = io.BytesIO()
    layer.quantize(128, method=Image.Quantize.FASTOCTREE).save(buffer, "PNG")
    return buffer.getvalue()


def points_image(grid_x, grid_y, X_train, y_train, X_test=None, y_test=None, size=700,
                 values=False):
    """The data points (``points_layer``) as a PNG data URI at most ``size`` pixels a side,
    for a chart to lay under its axes.

    Drawing the points into an image keeps the browser's work per redraw small (hundreds of
    SVG markers would cost more than everything else), and the image only changes with the
    data, so the caller may cache it.
    """
    layer = points_layer(grid_x, grid_y, X_train, y_train, X_test, y_test,
                         *points_size(grid_x, grid_y, size), values=values)
    return "data:image/png;base64," + base64.b64encode(points_png(layer)).decode("ascii")


def boundary_figure(grid_x, grid_y, boundary, X_train, y_train, X_test=None, y_test=None,
                    n_classes=2, show_test=True, discretize=False, height=480, title=None,
                    points=None):
    """The decision boundary over the data's range with the points on top.

    ``grid_x`` (W,) and ``grid_y`` (H,) are the cell centres; ``boundary`` is what
    ``boundary_colors`` takes. Two classes give a probability heatmap with a colour bar;
    more classes blend the class colours by their probabilities.
    Train points are filled, test points outlined. ``points``: a ``points_image`` for these
    arguments, to skip drawing it again.
    """
    grid_x, grid_y = np.asarray(grid_x, float), np.asarray(grid_y, float)
    boundary = np.asarray(boundary)
    dx = (grid_x[-1] - grid_x[0]) / max(len(grid_x) - 1, 1)
    dy = (grid_y[-1] - grid_y[0]) / max(len(grid_y) - 1, 1)
    # A PNG under the axes draws several times faster in the browser than a heatmap trace
    # and is a fraction of its size. Row 0 of an image is its top, hence the flip.
    images = [{"source": png_uri(boundary_colors(boundary, discretize)[::-1]), "xref": "x",
               "yref": "y", "x": grid_x[0] - dx / 2, "y": grid_y[-1] + dy / 2,
               "sizex": grid_x[-1] - grid_x[0] + dx, "sizey": grid_y[-1] - grid_y[0] + dy,
               "sizing": "stretch", "layer": "below"}]
    data = []
    if boundary.ndim == 2:  # an invisible point carries the colour bar
        name, ticks = VALUE_BAR if n_classes == 0 else PROBABILITY_BAR
        data.append({
            "type": "scatter", "x": [None], "y": [None], "mode": "markers", "showlegend": False,
            "hoverinfo": "skip",
            "marker": {"color": [0.5], "cmin": 0, "cmax": 1, "colorscale": PROBABILITY_COLORSCALE,
                       "showscale": True,
                       "colorbar": {"title": {"text": _(name), "side": "right"},
                                    "thickness": 14, "len": 0.75,
                                    "tickvals": [p for p, _ in ticks],
                                    "ticktext": [t for _, t in ticks]}}})
    if not show_test:
        X_test = y_test = None
    if points is None:
        points = points_image(grid_x, grid_y, X_train, y_train, X_test, y_test,
                              values=n_classes == 0)
    images.append({**images[0], "source": points, "layer": "above"})
    data += _legend_traces(n_classes, X_test is not None and len(X_test) > 0)
    axis = {"constrain": "domain", "showgrid": False, "zeroline": False, "ticks": "outside",
            "showline": True, "linecolor": "#888"}
    # A y unit spans scaleratio times the pixels of an x unit: 1 (equal scales) unless the
    # ranges are too unequal, when the plotted area is square (display_aspect).
    spans = float(grid_x[-1] - grid_x[0]), float(grid_y[-1] - grid_y[0])
    scale_ratio = display_aspect(grid_x, grid_y) * spans[0] / spans[1]
    return make_figure(data, {
        "height": height, "margin": {"l": 50, "r": 10, "t": 70 if title else 40, "b": 45},
        "title": {"text": title} if title else None, "uirevision": "boundary",
        "images": images, "hovermode": "closest",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0,
                   "font": {"size": 12}},
        "xaxis": {**axis, "title": {"text": "x₁"},
                  "range": [float(grid_x[0]), float(grid_x[-1])]},
        "yaxis": {**axis, "title": {"text": "x₂"},
                  "range": [float(grid_y[0]), float(grid_y[-1])],
                  "scaleanchor": "x", "scaleratio": scale_ratio}})


def nice_ticks(low, high, target=6):
    """Round tick values (steps of 1, 2 or 5 times a power of ten) inside [low, high]."""
    raw = (high - low) / max(target, 1)
    power = 10.0 ** np.floor(np.log10(raw))
    step = power * min((m for m in (1, 2, 5, 10) if m * power >= raw), default=10)
    ticks = np.arange(np.ceil(low / step) * step, high + step * 1e-9, step)
    return [0.0 if abs(t) < step * 1e-9 else float(t) for t in ticks]


class RasterFrame(NamedTuple):
    canvas: Image.Image  # white page with axes, ticks, legend markers and colour bar drawn
    box: tuple  # (left, top, width, height) of the plotted area
    points: Image.Image  # the data points, RGBA, already at the plotted area's size
    # The words of the picture, which the browser writes over it with the page's fonts (a
    # font on the server may have no Chinese): {"text", "x", "y", "align": left | center |
    # right, "baseline": top | middle | bottom, "rotate": a quarter turn anticlockwise}
    labels: tuple = ()
    font_size: int = 13  # pixels of the labels' text


def _label(text, x, y, align="left", baseline="middle", rotate=False):
    return {"text": text, "x": round(float(x), 1), "y": round(float(y), 1), "align": align,
            "baseline": baseline, "rotate": rotate}


def _text_width(font, text):
    """Pixels of ``text`` in ``font``, a wide character (Chinese) counted as a square: the
    browser writes the words, in a font that has them."""
    return sum(font.size if ord(c) >= 0x2E80 else font.getlength(c) for c in text)


def _raster_legend(draw, font, n_classes, show_test, left, width):
    """The chart's legend: one entry per class and split, wrapped into rows; returns the
    height it took and its words."""
    em = font.size
    x, y, row = left, 8, round(em * 1.55)
    labels = []
    for text, color, symbol, test in _legend_entries(n_classes, show_test):
        entry = 1.7 * em + _text_width(font, text) + 1.4 * em
        if x + entry > left + width and x > left:
            x, y = left, y + row
        style = {"outline": color, "width": 2} if test else {"fill": color}
        _shape(draw, symbol, x + 0.55 * em, y + 0.6 * em, 0.4 * em, **style)
        labels.append(_label(text, x + 1.55 * em, y + 0.6 * em))
        x += entry
    return y + row, labels


def _fit(font, text, width):
    """``text`` shortened with an ellipsis to at most ``width`` pixels in ``font``."""
    while len(text) > 4 and _text_width(font, text) > width:
        text = text[:-4] + "..."
    return text


def _paste_colour_bar(canvas, font, colour_bar, plot, em, line):
    """The colour bar right of the ``plot`` box (left, top, width, height), as in the chart;
    returns its title's label."""
    from PIL import ImageDraw

    left, top, plot_w, plot_h = plot
    name, ticks = colour_bar
    bar_h, bar_x = int(plot_h * 0.75), left + plot_w + round(20 * em)
    bar_top = top + (plot_h - bar_h) // 2
    ramp = PROBABILITY_LUT[np.linspace(255, 0, bar_h).round().astype(int)]
    strip = round(14 * em)
    canvas.paste(Image.fromarray(np.repeat(ramp[:, None, :], strip, axis=1)
                                 .astype(np.uint8)), (bar_x, bar_top))
    draw = ImageDraw.Draw(canvas)
    for position, text in ticks:
        draw.text((bar_x + strip + 4, bar_top + (1 - position) * (bar_h - 1)), text,
                  fill="#222222", font=font, anchor="lm")
    return _label(_fit(font, _(name), bar_h), bar_x + round(56 * em) + line / 2,
                  top + plot_h / 2, "center", rotate=True)


def raster_frame(grid_x, grid_y, draw_points, n_classes=2, show_test=True, height=500,
                 max_width=560, colour_bar="auto", axis_labels=("x1", "x2"), font_size=13):
    """Everything of the live boundary picture that does not change while training runs.

    Like the chart, the plotted area keeps the data's aspect and fits both ``height`` and
    ``max_width`` (a wide dataset gets a shorter picture, not a wider one). ``colour_bar``
    is (label, [(position in 0..1, tick text), ...]) or None; "auto" gives P(class 1) for
    two classes and none for more (their colours blend). The margins grow with
    ``font_size`` (larger for a projector). ``draw_points(width, height)`` gives the points
    (``points_layer``) at the plotted area's size."""
    from PIL import ImageDraw, ImageFont

    if colour_bar == "auto":
        colour_bar = {0: VALUE_BAR, 2: PROBABILITY_BAR}.get(n_classes)
    font = ImageFont.load_default(size=font_size)
    em = font_size / 13  # the margins below were laid out for 13 px text
    bar = round(90 * em) if colour_bar else 0
    bottom, left, line = round(45 * em), round(50 * em), round(18 * em)
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    top = _raster_legend(scratch, font, n_classes, show_test, left, max_width - left)[0] + 10
    aspect = display_aspect(grid_x, grid_y)
    plot_h = int(min(height - top - bottom, (max_width - left - 12 - bar) * aspect))
    plot_w = int(round(plot_h / aspect))
    canvas = Image.new("RGB", (max_width, top + plot_h + bottom), "white")
    draw = ImageDraw.Draw(canvas)
    labels = _raster_legend(draw, font, n_classes, show_test, left, max_width - left)[1]
    draw.rectangle([left - 1, top - 1, left + plot_w, top + plot_h], outline="#888888")
    x0, x1, y0, y1 = (float(v) for v in (grid_x[0], grid_x[-1], grid_y[0], grid_y[-1]))
    for t in nice_ticks(x0, x1):
        u = left + (t - x0) / (x1 - x0) * plot_w
        draw.line([u, top + plot_h, u, top + plot_h + 5], fill="#888888")
        draw.text((u, top + plot_h + 7), f"{t:g}", fill="#222222", font=font, anchor="mt")
    for t in nice_ticks(y0, y1):
        v = top + (y1 - t) / (y1 - y0) * plot_h
        draw.line([left - 6, v, left - 1, v], fill="#888888")
        draw.text((left - 8, v), f"{t:g}", fill="#222222", font=font, anchor="rm")
    x_label, y_label = (_fit(font, name, plot_w) for name in axis_labels)
    labels.append(_label(x_label, left + plot_w / 2, canvas.height - 6, "center", "bottom"))
    labels.append(_label(y_label, 4 + line / 2, top + plot_h / 2, "center", rotate=True))
    if bar:
        labels.append(_paste_colour_bar(canvas, font, colour_bar, (left, top, plot_w, plot_h),
                                        em, line))
    return RasterFrame(canvas, (left, top, plot_w, plot_h), draw_points(plot_w, plot_h),
                       tuple(labels), font_size)


def boundary_picture(frame, boundary, discretize=False):
    """The boundary as it is drawn on the Playground: a JPEG ``data:`` URI of ``frame`` (from
    ``raster_frame``) with the boundary's colours and the points in its plot area.

    A picture is swapped in place in the browser, where a changed Plotly chart would be
    rebuilt from scratch many times a second. The picture travels inside the page update
    itself (a data URI, about 40 KB): an image file served separately can be deleted by the
    next update before the browser has fetched it, which shows as a broken image.
    """
    left, top, width, height = frame.box
    rgb = np.ascontiguousarray(boundary_colors(boundary, discretize)[::-1])  # row 0 = top
    plot = Image.fromarray(rgb).resize((width, height), Image.BILINEAR).convert("RGBA")
    plot.alpha_composite(frame.points)
    canvas = frame.canvas.copy()
    canvas.paste(plot.convert("RGB"), (left, top))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=80)  # ~10x faster to encode than PNG, a third the size
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
