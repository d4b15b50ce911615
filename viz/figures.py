"""Plotly figures for the app: arrays in, ``go.Figure`` out. Nothing here imports streamlit.

Colours follow one convention everywhere: orange is class 0 / negative, blue is class 1 /
positive, green is class 2. Orange and blue stay distinguishable with the common forms of
colour blindness, and every class also gets its own marker symbol.
"""

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


def _image(rgb):
    return Image.fromarray(np.ascontiguousarray(rgb), "RGB")


def _point_traces(X, y, n_classes, split):
    traces = []
    test = split == "test"
    for c in range(n_classes):
        pts = X[y == c].astype(np.float32)
        color = CLASS_COLORS[c % len(CLASS_COLORS)]
        symbol = CLASS_SYMBOLS[c % len(CLASS_SYMBOLS)]
        marker = (dict(symbol=symbol + "-open", size=8, color=color, line=dict(width=2))
                  if test else
                  dict(symbol=symbol, size=8, color=color, line=dict(width=1, color="white")))
        traces.append(go.Scatter(
            x=pts[:, 0], y=pts[:, 1], mode="markers", marker=marker,
            name=f"class {c} ({split})", legendgroup=f"class{c}",
            hovertemplate=f"class {c} ({split})<br>x₁=%{{x:.2f}}<br>x₂=%{{y:.2f}}<extra></extra>"))
    return traces


def boundary_figure(grid_x, grid_y, boundary, X_train, y_train, X_test=None, y_test=None,
                    n_classes=2, show_test=True, discretize=False, height=480, title=None):
    """The decision boundary over the data's range with the points on top.

    ``grid_x`` (W,) and ``grid_y`` (H,) are the cell centres; ``boundary`` is what
    ``boundary_colors`` takes. Two classes give a probability heatmap with a colour bar;
    more classes give an image blending the class colours by their probabilities.
    Train points are filled, test points outlined.
    """
    grid_x, grid_y = np.asarray(grid_x, float), np.asarray(grid_y, float)
    boundary = np.asarray(boundary)
    fig = go.Figure()
    if boundary.ndim == 2:
        z = np.where(boundary >= 128, 255, 0).astype(np.uint8) if discretize else boundary
        fig.add_trace(go.Heatmap(
            x=grid_x.astype(np.float32), y=grid_y.astype(np.float32), z=z, zmin=0, zmax=255,
            colorscale=PROBABILITY_COLORSCALE, hoverinfo="skip",
            colorbar=dict(title=dict(text="P(class 1)", side="right"), thickness=14,
                          tickvals=[0, 64, 128, 191, 255],
                          ticktext=["0", "0.25", "0.5", "0.75", "1"], len=0.75)))
    else:
        dx = (grid_x[-1] - grid_x[0]) / max(len(grid_x) - 1, 1)
        dy = (grid_y[-1] - grid_y[0]) / max(len(grid_y) - 1, 1)
        # Row 0 of an image is its top, so the rows go from the largest y down.
        fig.add_layout_image(
            source=_image(boundary_colors(boundary, discretize)[::-1]), xref="x", yref="y",
            x=grid_x[0] - dx / 2, y=grid_y[-1] + dy / 2, sizex=grid_x[-1] - grid_x[0] + dx,
            sizey=grid_y[-1] - grid_y[0] + dy, sizing="stretch", layer="below")
    for trace in _point_traces(np.asarray(X_train), np.asarray(y_train), n_classes, "train"):
        fig.add_trace(trace)
    if show_test and X_test is not None and len(X_test):
        for trace in _point_traces(np.asarray(X_test), np.asarray(y_test), n_classes, "test"):
            fig.add_trace(trace)
    x_range = [float(grid_x[0]), float(grid_x[-1])]
    y_range = [float(grid_y[0]), float(grid_y[-1])]
    fig.update_layout(
        height=height, margin=dict(l=50, r=10, t=40 if title else 10, b=45), font=FONT,
        title=title, uirevision="boundary", plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, font=dict(size=12)),
        xaxis=dict(title="x₁", range=x_range, constrain="domain", showgrid=False, zeroline=False),
        yaxis=dict(title="x₂", range=y_range, scaleanchor="x", scaleratio=1,
                   constrain="domain", showgrid=False, zeroline=False))
    return fig


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
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=epochs, y=train, mode="lines", name="train",
                             line=dict(color="#333333", width=2.5)))
    if test is not None and np.isfinite(test).any():
        fig.add_trace(go.Scatter(x=epochs, y=test, mode="lines", name="test",
                                 line=dict(color="#d62728", width=2.5, dash="dash")))
    fig.update_layout(
        height=height, margin=dict(l=60, r=10, t=10, b=45), font=FONT, uirevision=y_title,
        plot_bgcolor="white", legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1,
                                          xanchor="right"),
        xaxis=dict(title="epoch", gridcolor="#e5e5e5", rangemode="tozero"),
        yaxis=dict(title=y_title, gridcolor="#e5e5e5", type="log" if log_y else "linear",
                   range=y_range, exponentformat="power" if log_y else "none"))
    return fig


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
    return _image(NEURON_LUT[u8[::-1]])


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
    arrays in [0, 1] (one per node, row 0 = lowest y): drawn as a small map inside each node.
    Hovering a link's midpoint shows its weight; hovering a node shows its bias.
    """
    sizes = list(net.layer_sizes)
    n_layers = len(sizes) - 1
    pos = _node_positions(sizes)
    weights = [np.asarray(W) for W in net.weights]
    biggest = max((float(np.abs(W).max()) for W in weights if W.size), default=1.0) or 1.0
    bins = np.linspace(0, 1, 6)[1:]  # five widths, so a big network stays a few traces
    fig = go.Figure()
    mid_x, mid_y, mid_text = [], [], []
    for k, W in enumerate(weights):
        faded = highlight_layer is not None and k != highlight_layer
        for sign, color, name in ((1, POSITIVE_WEIGHT, "positive weight"),
                                  (-1, NEGATIVE_WEIGHT, "negative weight")):
            rel = np.abs(W) / biggest
            for b, upper in enumerate(bins):
                lower = bins[b - 1] if b else -1.0
                idx = np.argwhere((np.sign(W) == sign) & (rel > lower) & (rel <= upper))
                if not len(idx):
                    continue
                xs, ys = [], []
                for i, j in idx:
                    (x0, y0), (x1, y1) = pos[k][i], pos[k + 1][j]
                    xs += [x0, x1, None]
                    ys += [y0, y1, None]
                fig.add_trace(go.Scatter(
                    x=xs, y=ys, mode="lines", hoverinfo="skip", opacity=0.18 if faded else 0.9,
                    line=dict(color=color, width=0.8 + 7 * upper), name=name, legendgroup=name,
                    showlegend=False))
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                (x0, y0), (x1, y1) = pos[k][i], pos[k + 1][j]
                # A quarter of the way along, so midpoints of links sharing a node stay apart.
                mid_x.append(x0 + 0.3 * (x1 - x0))
                mid_y.append(y0 + 0.3 * (y1 - y0))
                mid_text.append(f"layer {k + 1}: w[{i},{j}] = {W[i, j]:.3g}")
    fig.add_trace(go.Scatter(x=mid_x, y=mid_y, mode="markers", hovertext=mid_text,
                             hoverinfo="text", marker=dict(size=6, opacity=0), showlegend=False))
    for name, color in (("positive weight", POSITIVE_WEIGHT), ("negative weight",
                                                                NEGATIVE_WEIGHT)):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=name,
                                 line=dict(color=color, width=4)))

    node_x, node_y, node_text, node_line = [], [], [], []
    box = 0.62
    emphasised = set()
    if highlight_layer is not None:
        emphasised = {highlight_layer, highlight_layer + 1}
    for k, layer in enumerate(pos):
        for i, (x, y) in enumerate(layer):
            node_x.append(x)
            node_y.append(y)
            if k == 0:
                label = feature_label(feature_names[i]) if i < len(feature_names) else f"in {i}"
                node_text.append(f"input {label}")
            else:
                node_text.append(f"layer {k} node {i}: bias = {float(net.biases[k - 1][i]):.3g}")
            node_line.append(3 if k in emphasised else 1)
            maps = neuron_maps[k] if neuron_maps is not None and k < len(neuron_maps) else None
            if maps is not None and i < len(maps) and maps[i] is not None:
                fig.add_layout_image(source=_map_image(maps[i]), xref="x", yref="y", x=x, y=y,
                                     sizex=box, sizey=box, xanchor="center", yanchor="middle",
                                     sizing="contain", layer="above")
    fig.add_trace(go.Scatter(
        x=node_x, y=node_y, mode="markers", hovertext=node_text, hoverinfo="text",
        showlegend=False,
        marker=dict(symbol="square", size=30 if neuron_maps is None else 36,
                    color="rgba(255,255,255,0)" if neuron_maps is not None else "#f4f4f4",
                    line=dict(color="#222", width=node_line))))

    top = (max(sizes) - 1) / 2
    annotations = []
    for k, n in enumerate(sizes):
        act = net.activations[k - 1] if k else ""
        annotations.append(dict(x=k, y=top + 0.85, text=_layer_title(k, n_layers, n, act),
                                showarrow=False, yanchor="bottom", font=dict(size=13)))
    for i, name in enumerate(feature_names[:sizes[0]]):
        x, y = pos[0][i]
        annotations.append(dict(x=x - 0.4, y=y, text=feature_label(name), showarrow=False,
                                xanchor="right", font=dict(size=15)))
    if height is None:
        height = int(min(900, max(300, 48 * max(sizes) + 130)))
    fig.update_layout(
        height=height, font=FONT, plot_bgcolor="white", annotations=annotations,
        margin=dict(l=10, r=10, t=10, b=10), uirevision="network", hovermode="closest",
        legend=dict(orientation="h", yanchor="bottom", y=0.0, x=0.5, xanchor="center",
                    font=dict(size=12)),
        xaxis=dict(visible=False, range=[-1.0, n_layers + 0.5], fixedrange=True),
        yaxis=dict(visible=False, range=[-top - 1.3, top + 2.0], fixedrange=True))
    return fig
