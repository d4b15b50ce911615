"""The network drawn as TensorFlow Playground draws it, with a small map in every neuron."""

import numpy as np

from .style import NEGATIVE_WEIGHT, NEURON_LUT, POSITIVE_WEIGHT, make_figure, png_uri


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
    return png_uri(NEURON_LUT[u8[::-1]])


def _layer_title(k, n_layers, size, activation):
    if k == 0:
        return "input"
    if k == n_layers:
        return f"output<br>{activation}"
    return f"hidden {k}<br>{size} {activation}"


def _link_traces(weights, pos, highlight_layer):
    """Links in a few traces (by sign and one of five widths), plus invisible hover targets
    a third of the way along each link, so links sharing a node stay apart."""
    biggest = max((float(np.abs(W).max()) for W in weights if W.size), default=1.0) or 1.0
    bins = np.linspace(0, 1, 6)  # five widths, so a big network stays a few traces
    data, mid_x, mid_y, mid_text = [], [], [], []
    for k, W in enumerate(weights):
        faded = highlight_layer is not None and k != highlight_layer
        x0 = np.full(W.shape, float(k))
        y0 = np.array([p[1] for p in pos[k]])[:, None] + np.zeros(W.shape)
        y1 = np.array([p[1] for p in pos[k + 1]])[None, :] + np.zeros(W.shape)
        width_bin = np.clip(np.digitize(np.abs(W) / biggest, bins[1:-1], right=True), 0, 4)
        for positive, color in ((True, POSITIVE_WEIGHT), (False, NEGATIVE_WEIGHT)):
            for b in range(5):
                chosen = ((W >= 0) if positive else (W < 0)) & (width_bin == b)
                n = int(chosen.sum())
                if not n:
                    continue
                xs = np.column_stack([x0[chosen], x0[chosen] + 1, np.full(n, np.nan)]).ravel()
                ys = np.column_stack([y0[chosen], y1[chosen], np.full(n, np.nan)]).ravel()
                data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines",
                             "hoverinfo": "skip", "showlegend": False,
                             "opacity": 0.15 if faded else 0.9,
                             "line": {"color": color, "width": 0.8 + 7 * bins[b + 1]}})
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
    return data


def _nodes(net, pos, input_labels, highlight_layer, neuron_maps):
    """The nodes as one trace of squares, and the neuron maps as images inside them."""
    box = 0.62
    emphasised = set() if highlight_layer is None else {highlight_layer, highlight_layer + 1}
    node_x, node_y, node_text, node_line, images = [], [], [], [], []
    for k, layer in enumerate(pos):
        maps = neuron_maps[k] if neuron_maps is not None and k < len(neuron_maps) else None
        for i, (x, y) in enumerate(layer):
            node_x.append(x)
            node_y.append(y)
            if k == 0:
                label = input_labels[i] if i < len(input_labels) else f"in {i}"
                node_text.append(f"input {label}")
            else:
                node_text.append(f"layer {k} node {i}: bias = {float(net.biases[k - 1][i]):.3g}")
            node_line.append(3 if k in emphasised else 1)
            if maps is not None and i < len(maps) and maps[i] is not None:
                images.append({"source": _map_image(maps[i]), "xref": "x", "yref": "y",
                               "x": x, "y": y, "sizex": box, "sizey": box, "xanchor": "center",
                               "yanchor": "middle", "sizing": "contain", "layer": "above"})
    trace = {"type": "scatter", "x": node_x, "y": node_y, "mode": "markers",
             "hovertext": node_text, "hoverinfo": "text", "showlegend": False,
             "marker": {"symbol": "square", "size": 30 if neuron_maps is None else 36,
                        "color": "rgba(255,255,255,0)" if neuron_maps is not None
                        else "#f4f4f4", "line": {"color": "#222", "width": node_line}}}
    return trace, images


def network_figure(net, input_labels, highlight_layer=None, neuron_maps=None, height=None,
                   activation_label=str):
    """The network as TensorFlow Playground draws it: nodes per layer, links coloured by the
    weight's sign (blue positive, orange negative) with width growing with its magnitude.
    ``input_labels`` name the inputs (e.g. "x₁"); ``activation_label`` turns an activation's
    name into the words shown above its layer.

    ``highlight_layer`` (an index into ``net.weights``) draws that layer's links and the nodes
    they join in full strength and fades the rest. ``neuron_maps`` (optional) is a list with
    one entry per layer of nodes (input, hidden..., output), each None or a sequence of 2-D
    arrays in [0, 1] (one per node, row 0 = lowest y): drawn as a small map inside each node
    (0 orange, 0.5 white, 1 blue). Hovering a link shows its weight, a node its bias.
    """
    sizes = list(net.layer_sizes)
    n_layers = len(sizes) - 1
    pos = _node_positions(sizes)
    data = _link_traces([np.asarray(W, float) for W in net.weights], pos, highlight_layer)
    nodes, images = _nodes(net, pos, input_labels, highlight_layer, neuron_maps)
    data.append(nodes)
    top = (max(sizes) - 1) / 2
    annotations = []
    for k, n in enumerate(sizes):
        act = activation_label(net.activations[k - 1]) if k else ""
        annotations.append({"x": k, "y": top + 0.85, "text": _layer_title(k, n_layers, n, act),
                            "showarrow": False, "yanchor": "bottom", "font": {"size": 13}})
    for i, name in enumerate(input_labels[:sizes[0]]):
        x, y = pos[0][i]
        annotations.append({"x": x - 0.4, "y": y, "text": name,
                            "showarrow": False, "xanchor": "right", "font": {"size": 15}})
    if height is None:
        height = int(min(900, max(300, 48 * max(sizes) + 150)))
    return make_figure(data, {
        "height": height, "annotations": annotations, "images": images,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 36}, "uirevision": "network",
        "hovermode": "closest",
        "legend": {"orientation": "h", "yanchor": "top", "y": 0.0, "x": 0.5,
                   "xanchor": "center", "font": {"size": 12}, "bgcolor": "rgba(255,255,255,0)"},
        "xaxis": {"visible": False, "range": [-1.0, n_layers + 0.5], "fixedrange": True},
        "yaxis": {"visible": False, "range": [-top - 0.6, top + 2.0], "fixedrange": True}})
