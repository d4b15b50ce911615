"""Plotly figures for the app: arrays in, ``go.Figure`` out. Nothing here imports streamlit.

Colours follow one convention everywhere: orange is class 0 / negative, blue is class 1 /
positive, green is class 2. Orange and blue stay distinguishable with the common forms of
colour blindness, and every class also gets its own marker symbol.
"""

import base64
import io
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
from PIL import Image

CLASS_COLORS = ("#e8710a", "#1a6fb5", "#1e9e5a")
CLASS_SYMBOLS = ("circle", "square", "diamond")
# Light tints of the class colours for backgrounds, so the points stay visible on top.
CLASS_TINTS = np.array([(247, 190, 140), (150, 196, 232), (160, 216, 178)], dtype=float)
NEUTRAL = np.array([247, 247, 247], dtype=float)
POSITIVE_WEIGHT, NEGATIVE_WEIGHT = CLASS_COLORS[1], CLASS_COLORS[0]
FONT = dict(family="sans-serif", size=14, color="#222")

FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁·x₂",
                  "sin(x1)": "sin x₁", "sin(x2)": "sin x₂"}
MAX_CURVE_POINTS = 600


def _diverging_lut(low=CLASS_TINTS[0], mid=NEUTRAL, high=CLASS_TINTS[1]):
    """256 RGB rows running orange tint -> near white -> blue tint."""
    t = np.linspace(0.0, 1.0, 256)[:, None]
    lower = low + (mid - low) * np.clip(2 * t, 0, 1)
    upper = mid + (high - mid) * np.clip(2 * t - 1, 0, 1)
    return np.where(t < 0.5, lower, upper).round().astype(np.uint8)


PROBABILITY_LUT = _diverging_lut()
# Stronger colours for the small neuron maps, which have no points drawn over them.
NEURON_LUT = _diverging_lut(np.array([232, 113, 10.0]), NEUTRAL, np.array([26, 111, 181.0]))


def _lut_colorscale(lut, steps=9):
    at = np.linspace(0, 255, steps).round().astype(int)
    return [[i / 255, "rgb({},{},{})".format(*lut[i])] for i in at]


PROBABILITY_COLORSCALE = _lut_colorscale(PROBABILITY_LUT)


def feature_label(name):
    return FEATURE_LABELS.get(name, name)


def _figure(data, layout):
    """A go.Figure from plain dicts, skipping plotly's per-property validation: these figures
    are redrawn many times a second and validation would cost more than everything else.
    The empty template keeps the defaults of plotly's theme out of every message.
    A fixed ``datarevision`` tells plotly.js that the data of a drawn chart never change
    (a changed figure arrives as a new chart), so resizes and restyles skip comparing arrays."""
    layout = {"template": {}, "font": FONT, "plot_bgcolor": "white", "datarevision": 1, **layout}
    return go.Figure({"data": data, "layout": layout}, _validate=False)


# ---- boundary --------------------------------------------------------------------------------
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


def _png_uri(rgb):
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _legend_traces(n_classes, show_test):
    """Empty traces that only put the point styles in the legend."""
    traces = []
    for split in ("train", "test") if show_test else ("train",):
        for c in range(n_classes):
            color = CLASS_COLORS[c % len(CLASS_COLORS)]
            symbol = CLASS_SYMBOLS[c % len(CLASS_SYMBOLS)]
            marker = ({"symbol": symbol + "-open", "size": 9, "color": color,
                       "line": {"width": 2}} if split == "test" else
                      {"symbol": symbol, "size": 9, "color": color,
                       "line": {"width": 1, "color": "white"}})
            traces.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers",
                           "marker": marker, "name": f"class {c} ({split})",
                           "hoverinfo": "skip"})
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


def points_image(grid_x, grid_y, X_train, y_train, X_test=None, y_test=None, size=700):
    """The data points as a transparent PNG (data URI) covering the grid's range: train points
    filled with a white rim, test points outlined, one marker shape per class.

    Drawing the points into an image keeps the browser's work per redraw small (hundreds of
    SVG markers would cost more than everything else), and the image only changes with the
    data, so the caller may cache it.
    """
    from PIL import ImageDraw

    scale = 3  # drawn large, then reduced: smooth edges
    x0, x1, y0, y1 = float(grid_x[0]), float(grid_x[-1]), float(grid_y[0]), float(grid_y[-1])
    # The image has the plotted area's aspect, so markers stay round.
    aspect = display_aspect(grid_x, grid_y)
    width, height = (size, max(1, round(size * aspect))) if aspect <= 1 else (
        max(1, round(size / aspect)), size)
    canvas = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    r = 0.0105 * max(width, height) * scale
    layers = [(X_train, y_train, False)]
    if X_test is not None and len(X_test):
        layers.append((X_test, y_test, True))
    for X, y, test in layers:
        X, y = np.asarray(X, float), np.asarray(y)
        px = (X[:, 0] - x0) / (x1 - x0) * width * scale
        py = (y1 - X[:, 1]) / (y1 - y0) * height * scale
        for u, v, c in zip(px, py, y):
            color = tuple(int(CLASS_COLORS[c % 3][i:i + 2], 16) for i in (1, 3, 5)) + (255,)
            symbol = CLASS_SYMBOLS[c % 3]
            if test:
                _shape(draw, symbol, u, v, r, outline=color, width=int(0.42 * r))
            else:
                _shape(draw, symbol, u, v, r, fill=color, outline=(255, 255, 255, 255),
                       width=max(1, int(0.22 * r)))
    small = canvas.resize((width, height), Image.LANCZOS)
    rgba = np.asarray(small).copy()
    rgba[rgba[..., 3] == 0] = 0  # uniform transparent pixels compress far better
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").quantize(128, method=Image.Quantize.FASTOCTREE).save(
        buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


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
    images = [{"source": _png_uri(boundary_colors(boundary, discretize)[::-1]), "xref": "x",
               "yref": "y", "x": grid_x[0] - dx / 2, "y": grid_y[-1] + dy / 2,
               "sizex": grid_x[-1] - grid_x[0] + dx, "sizey": grid_y[-1] - grid_y[0] + dy,
               "sizing": "stretch", "layer": "below"}]
    data = []
    if boundary.ndim == 2:  # an invisible point carries the colour bar
        data.append({
            "type": "scatter", "x": [None], "y": [None], "mode": "markers", "showlegend": False,
            "hoverinfo": "skip",
            "marker": {"color": [0.5], "cmin": 0, "cmax": 1, "colorscale": PROBABILITY_COLORSCALE,
                       "showscale": True,
                       "colorbar": {"title": {"text": "P(class 1)", "side": "right"},
                                    "thickness": 14, "len": 0.75,
                                    "tickvals": [0, 0.25, 0.5, 0.75, 1]}}})
    if not show_test:
        X_test = y_test = None
    if points is None:
        points = points_image(grid_x, grid_y, X_train, y_train, X_test, y_test)
    images.append({**images[0], "source": points, "layer": "above"})
    data += _legend_traces(n_classes, X_test is not None and len(X_test) > 0)
    axis = {"constrain": "domain", "showgrid": False, "zeroline": False, "ticks": "outside",
            "showline": True, "linecolor": "#888"}
    # A y unit spans scaleratio times the pixels of an x unit: 1 (equal scales) unless the
    # ranges are too unequal, when the plotted area is square (display_aspect).
    spans = float(grid_x[-1] - grid_x[0]), float(grid_y[-1] - grid_y[0])
    scale_ratio = display_aspect(grid_x, grid_y) * spans[0] / spans[1]
    return _figure(data, {
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
    canvas: Image.Image  # white page with axes, ticks, titles and colour bar drawn
    box: tuple  # (left, top, width, height) of the plotted area
    points: Image.Image  # the data points, RGBA, already at the plotted area's size


def _raster_legend(draw, font, n_classes, show_test, left, width):
    """The chart's legend: one entry per class and split, wrapped into rows; returns the
    height it took."""
    x, y, row = left, 8, 20
    for split in ("train", "test") if show_test else ("train",):
        for c in range(n_classes):
            text = f"class {c} ({split})"
            entry = 22 + draw.textlength(text, font=font) + 18
            if x + entry > left + width and x > left:
                x, y = left, y + row
            color = CLASS_COLORS[c % len(CLASS_COLORS)]
            style = ({"outline": color, "width": 2} if split == "test" else {"fill": color})
            _shape(draw, CLASS_SYMBOLS[c % len(CLASS_SYMBOLS)], x + 7, y + 8, 5, **style)
            draw.text((x + 20, y + 8), text, fill="#222222", font=font, anchor="lm")
            x += entry
    return y + row


def raster_frame(grid_x, grid_y, points_uri, n_classes=2, show_test=True, height=500,
                 max_width=560):
    """Everything of the live boundary picture that does not change while training runs.

    Like the chart, the plotted area keeps the data's aspect and fits both ``height`` and
    ``max_width`` (a wide dataset gets a shorter picture, not a wider one)."""
    from PIL import ImageDraw, ImageFont

    font = ImageFont.load_default(size=13)
    bar = 90 if n_classes == 2 else 0
    bottom, left = 45, 50
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    top = _raster_legend(scratch, font, n_classes, show_test, left, max_width - left) + 10
    aspect = display_aspect(grid_x, grid_y)
    plot_h = int(min(height - top - bottom, (max_width - left - 12 - bar) * aspect))
    plot_w = int(round(plot_h / aspect))
    canvas = Image.new("RGB", (max_width, top + plot_h + bottom), "white")
    draw = ImageDraw.Draw(canvas)
    _raster_legend(draw, font, n_classes, show_test, left, max_width - left)
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
    # Pillow's bundled font has no subscripts, hence x1 and x2 rather than the chart's x₁, x₂.
    draw.text((left + plot_w / 2, canvas.height - 6), "x1", fill="#222222", font=font,
              anchor="mb")
    draw.text((6, top + plot_h / 2), "x2", fill="#222222", font=font, anchor="lm")
    if bar:  # the colour bar of P(class 1), as in the chart
        bar_h, bar_x = int(plot_h * 0.75), left + plot_w + 20
        bar_top = top + (plot_h - bar_h) // 2
        ramp = PROBABILITY_LUT[np.linspace(255, 0, bar_h).round().astype(int)]
        canvas.paste(Image.fromarray(np.repeat(ramp[:, None, :], 14, axis=1).astype(np.uint8)),
                     (bar_x, bar_top))
        for p in (0, 0.25, 0.5, 0.75, 1):
            draw.text((bar_x + 18, bar_top + (1 - p) * (bar_h - 1)), f"{p:g}", fill="#222222",
                      font=font, anchor="lm")
        label = Image.new("RGB", (120, 18), "white")
        ImageDraw.Draw(label).text((60, 9), "P(class 1)", fill="#222222", font=font,
                                   anchor="mm")
        canvas.paste(label.rotate(90, expand=True), (bar_x + 52, top + plot_h // 2 - 60))
    points = decode_image(points_uri).resize((plot_w, plot_h), Image.BILINEAR)
    return RasterFrame(canvas, (left, top, plot_w, plot_h), points)


def boundary_raster(frame, boundary, discretize=False):
    """The boundary figure as a JPEG (bytes), for the live view while training runs.

    Streamlit turns every changed Plotly figure into a new chart that the browser builds from
    scratch; ten times a second that alone keeps a core of a student's laptop busy. An image
    is swapped in place. It copies the chart's layout (``frame``, from ``raster_frame``) so
    pausing, which brings the interactive chart back, does not make the picture jump.
    """
    left, top, width, height = frame.box
    rgb = np.ascontiguousarray(boundary_colors(boundary, discretize)[::-1])  # row 0 = top
    plot = Image.fromarray(rgb).resize((width, height), Image.BILINEAR).convert("RGBA")
    plot.alpha_composite(frame.points)
    canvas = frame.canvas.copy()
    canvas.paste(plot.convert("RGB"), (left, top))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=92)  # ~10x faster to encode than PNG, and smaller
    return buffer.getvalue()


def decode_image(uri):
    """A PIL RGBA image from a ``data:image/png;base64,...`` URI such as ``points_image``'s."""
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGBA")


# ---- curves ----------------------------------------------------------------------------------
def _thin(epochs, *columns, max_points=MAX_CURVE_POINTS):
    """At most ``max_points`` evenly spaced records, always keeping the last."""
    epochs = np.asarray(epochs)
    if len(epochs) > max_points:
        keep = np.unique(np.r_[np.linspace(0, len(epochs) - 1, max_points).round().astype(int),
                               len(epochs) - 1])
        epochs = epochs[keep]
        columns = [np.asarray(c)[keep] for c in columns]
    return [epochs.astype(np.float32)] + [np.asarray(c, np.float32) for c in columns]


def _curve_figure(epochs, train, test, y_title, height, log_y=False, y_range=None):
    epochs, train, test = _thin(epochs, train, test)
    data = [{"type": "scatter", "x": epochs, "y": train, "mode": "lines", "name": "train",
             "line": {"color": "#333333", "width": 2.5}}]
    if np.isfinite(test).any():
        data.append({"type": "scatter", "x": epochs, "y": test, "mode": "lines",
                     "name": "test", "line": {"color": "#d62728", "width": 2.5,
                                              "dash": "dash"}})
    if log_y and y_range is None and len(train):
        positive = np.r_[train, test][np.r_[train, test] > 0]
        if len(positive):  # log axes take their range in powers of ten
            y_range = [float(np.log10(positive.min())) - 0.1,
                       float(np.log10(positive.max())) + 0.1]
    grid = {"gridcolor": "#e5e5e5", "showline": True, "linecolor": "#888", "ticks": "outside"}
    return _figure(data, {
        "height": height, "margin": {"l": 65, "r": 10, "t": 30, "b": 45},
        "uirevision": y_title + ("log" if log_y else ""),
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1,
                   "xanchor": "right"},
        "xaxis": {**grid, "title": {"text": "epoch"}, "rangemode": "tozero"},
        "yaxis": {**grid, "title": {"text": y_title}, "type": "log" if log_y else "linear",
                  "range": y_range, "exponentformat": "power" if log_y else "none"}})


def loss_figure(epochs, train_loss, test_loss=None, log_y=False, height=260):
    """Train (solid) and test (dashed) loss per epoch; ``log_y`` for a logarithmic axis."""
    if test_loss is None:
        test_loss = np.full(len(epochs), np.nan)
    return _curve_figure(epochs, train_loss, test_loss, "loss", height, log_y=log_y)


def accuracy_figure(epochs, train_acc, test_acc=None, height=260):
    """Train (solid) and test (dashed) accuracy per epoch on a 0-1 axis."""
    if test_acc is None:
        test_acc = np.full(len(epochs), np.nan)
    return _curve_figure(epochs, train_acc, test_acc, "accuracy", height, y_range=[0, 1.02])


# ---- network ---------------------------------------------------------------------------------
def neuron_maps_from_activations(activations, shape):
    """Per-layer neuron maps for ``network_figure`` from a forward pass over a grid.

    ``activations`` is ``net.a`` after ``net.forward(grid_inputs)``: one (n_points, n_units)
    array per layer of nodes. Each unit's values are divided by its largest magnitude and
    mapped to [0, 1] (0.5 = zero), so the sign reads as orange/blue; the output layer, already
    a probability, is kept as it is. Returns a list of (n_units, H, W) arrays.
    """
    maps = []
    last = len(activations) - 1
    for k, a in enumerate(activations):
        a = np.asarray(a, float)
        if k == last:
            scaled = np.clip(a, 0.0, 1.0)
        else:
            scale = np.abs(a).max(axis=0)
            scaled = 0.5 + 0.5 * a / np.where(scale > 0, scale, 1.0)
        maps.append(scaled.T.reshape(a.shape[1], *shape))
    return maps


def _node_positions(layer_sizes):
    """(x, y) per node: layers at x = 0, 1, ...; nodes of a layer centred on y = 0, top first."""
    return [[(k, (n - 1) / 2 - i) for i in range(n)] for k, n in enumerate(layer_sizes)]


def _map_image(values):
    u8 = (np.clip(np.nan_to_num(np.asarray(values, float), nan=0.5), 0, 1) * 255).astype(np.uint8)
    return _png_uri(NEURON_LUT[u8[::-1]])


def _layer_title(k, n_layers, size, activation):
    if k == 0:
        return "input"
    if k == n_layers:
        return f"output<br>{activation}"
    return f"hidden {k}<br>{size} {activation}"


def network_figure(net, feature_names, highlight_layer=None, neuron_maps=None, height=None):
    """The network as TensorFlow Playground draws it: nodes per layer, links coloured by the
    weight's sign (blue positive, orange negative) with width growing with its magnitude.

    ``highlight_layer`` (an index into ``net.weights``) draws that layer's links and the nodes
    they join in full strength and fades the rest. ``neuron_maps`` (optional) is a list with
    one entry per layer of nodes (input, hidden..., output), each None or a sequence of 2-D
    arrays in [0, 1] (one per node, row 0 = lowest y): drawn as a small map inside each node
    (0 orange, 0.5 white, 1 blue). Hovering a link shows its weight, a node its bias.
    """
    sizes = list(net.layer_sizes)
    n_layers = len(sizes) - 1
    pos = _node_positions(sizes)
    weights = [np.asarray(W, float) for W in net.weights]
    biggest = max((float(np.abs(W).max()) for W in weights if W.size), default=1.0) or 1.0
    bins = np.linspace(0, 1, 6)  # five widths, so a big network stays a few traces
    data = []
    mid_x, mid_y, mid_text = [], [], []
    for k, W in enumerate(weights):
        faded = highlight_layer is not None and k != highlight_layer
        x0 = np.full(W.shape, float(k))
        y0 = np.array([p[1] for p in pos[k]])[:, None] + np.zeros(W.shape)
        y1 = np.array([p[1] for p in pos[k + 1]])[None, :] + np.zeros(W.shape)
        width_bin = np.clip(np.digitize(np.abs(W) / biggest, bins[1:-1], right=True), 0, 4)
        for sign, color in ((1, POSITIVE_WEIGHT), (-1, NEGATIVE_WEIGHT)):
            for b in range(5):
                chosen = ((W >= 0) if sign > 0 else (W < 0)) & (width_bin == b)
                n = int(chosen.sum())
                if not n:
                    continue
                xs = np.column_stack([x0[chosen], x0[chosen] + 1, np.full(n, np.nan)]).ravel()
                ys = np.column_stack([y0[chosen], y1[chosen], np.full(n, np.nan)]).ravel()
                data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines",
                             "hoverinfo": "skip", "showlegend": False,
                             "opacity": 0.15 if faded else 0.9,
                             "line": {"color": color, "width": 0.8 + 7 * bins[b + 1]}})
        # Hover targets a third of the way along, so links sharing a node stay apart.
        mid_x.append((x0 + 0.3).ravel())
        mid_y.append((y0 + 0.3 * (y1 - y0)).ravel())
        rows, cols = np.indices(W.shape)
        mid_text += [f"layer {k + 1}: w[{i},{j}] = {w:.3g}"
                     for i, j, w in zip(rows.ravel(), cols.ravel(), W.ravel())]
    data.append({"type": "scatter", "x": np.concatenate(mid_x), "y": np.concatenate(mid_y),
                 "mode": "markers", "hovertext": mid_text, "hoverinfo": "text",
                 "marker": {"size": 6, "opacity": 0}, "showlegend": False})
    for name, color in (("positive weight", POSITIVE_WEIGHT),
                        ("negative weight", NEGATIVE_WEIGHT)):
        data.append({"type": "scatter", "x": [None], "y": [None], "mode": "lines",
                     "name": name, "line": {"color": color, "width": 4}})

    box = 0.62
    emphasised = set() if highlight_layer is None else {highlight_layer, highlight_layer + 1}
    node_x, node_y, node_text, node_line, images = [], [], [], [], []
    for k, layer in enumerate(pos):
        maps = neuron_maps[k] if neuron_maps is not None and k < len(neuron_maps) else None
        for i, (x, y) in enumerate(layer):
            node_x.append(x)
            node_y.append(y)
            if k == 0:
                label = feature_label(feature_names[i]) if i < len(feature_names) else f"in {i}"
                node_text.append(f"input {label}")
            else:
                node_text.append(f"layer {k} node {i}: bias = {float(net.biases[k - 1][i]):.3g}")
            node_line.append(3 if k in emphasised else 1)
            if maps is not None and i < len(maps) and maps[i] is not None:
                images.append({"source": _map_image(maps[i]), "xref": "x", "yref": "y",
                               "x": x, "y": y, "sizex": box, "sizey": box, "xanchor": "center",
                               "yanchor": "middle", "sizing": "contain", "layer": "above"})
    data.append({"type": "scatter", "x": node_x, "y": node_y, "mode": "markers",
                 "hovertext": node_text, "hoverinfo": "text", "showlegend": False,
                 "marker": {"symbol": "square", "size": 30 if neuron_maps is None else 36,
                            "color": "rgba(255,255,255,0)" if neuron_maps is not None
                            else "#f4f4f4", "line": {"color": "#222", "width": node_line}}})

    top = (max(sizes) - 1) / 2
    annotations = []
    for k, n in enumerate(sizes):
        act = net.activations[k - 1] if k else ""
        annotations.append({"x": k, "y": top + 0.85, "text": _layer_title(k, n_layers, n, act),
                            "showarrow": False, "yanchor": "bottom", "font": {"size": 13}})
    for i, name in enumerate(feature_names[:sizes[0]]):
        x, y = pos[0][i]
        annotations.append({"x": x - 0.4, "y": y, "text": feature_label(name),
                            "showarrow": False, "xanchor": "right", "font": {"size": 15}})
    if height is None:
        height = int(min(900, max(300, 48 * max(sizes) + 150)))
    return _figure(data, {
        "height": height, "annotations": annotations, "images": images,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 36}, "uirevision": "network",
        "hovermode": "closest",
        "legend": {"orientation": "h", "yanchor": "top", "y": 0.0, "x": 0.5,
                   "xanchor": "center", "font": {"size": 12}, "bgcolor": "rgba(255,255,255,0)"},
        "xaxis": {"visible": False, "range": [-1.0, n_layers + 0.5], "fixedrange": True},
        "yaxis": {"visible": False, "range": [-top - 0.6, top + 2.0], "fixedrange": True}})
