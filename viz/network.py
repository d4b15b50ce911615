"""The network drawn as TensorFlow Playground draws it, with a small map in every neuron."""

import numpy as np

from .i18n import _, ngettext, number
from .style import NEGATIVE_WEIGHT, NEURON_LUT, POSITIVE_WEIGHT, make_figure, png_uri


def neuron_maps_from_activations(activations, shape, probabilities=True):
    """Per-layer neuron maps for ``network_figure`` from a forward pass over a grid.

    ``activations`` is ``net.a`` after ``net.forward(grid_inputs)``: one (n_points, n_units)
    array per layer of nodes. Each unit's values are divided by its largest magnitude and
    mapped to [0, 1] (0.5 = zero), so the sign reads as orange/blue; the output layer, when
    its values are ``probabilities``, is kept as it is. Returns a list of (n_units, H, W)
    arrays.
    """
    maps = []
    last = len(activations) - 1
    for k, a in enumerate(activations):
        a = np.asarray(a, float)
        if k == last and probabilities:
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


def _layer_title(k, n_layers, size):
    if k == 0:
        return _("input")
    if k == n_layers:
        return _("output")
    units = ngettext("{n} unit", "{n} units", size).format(n=number(size))
    return _("hidden {k}").format(k=k) + "<br>" + units


def _activations_text(activations, activation_label):
    """The layers' activations in one line, e.g. "hidden: tanh · output: sigmoid"."""
    hidden, out = activations[:-1], activations[-1]
    parts = []
    if hidden and len(set(hidden)) == 1:
        parts.append(_("hidden: {activation}").format(activation=activation_label(hidden[0])))
    else:
        parts += [_("layer {k}: {activation}").format(k=k + 1, activation=activation_label(a))
                  for k, a in enumerate(hidden)]
    last = _("output: {activation}").format(activation=activation_label(out))
    return " · ".join([*parts, last])


ACTIVATIONS_LINE = 24  # pixels under the diagram for "hidden: tanh · output: sigmoid"
LEGEND_LINE = 20  # and below that, for the legend of the links' colours


def figure_height(layer_sizes, scale=1.0):
    """Pixels for the diagram: it grows with the widest layer, but a 16-unit layer still fits
    beside the boundary on a projector (the squares shrink instead)."""
    return int(scale * min(500, max(260, 26 * max(layer_sizes) + 120)))


def link_widths(weights):
    """The links' width rule: (per layer, each link's width class 0..4 by its magnitude
    against the largest weight; the five widths in pixels). Five widths, so a big network
    stays a few traces; hundreds of links drawn at full width would cover the nodes, so they
    are thinner when there are many."""
    biggest = max((float(np.abs(W).max()) for W in weights if W.size), default=1.0) or 1.0
    bins = np.linspace(0, 1, 6)
    thickness = 7.0 if sum(W.size for W in weights) <= 120 else 3.5
    classes = [np.clip(np.digitize(np.abs(W) / biggest, bins[1:-1], right=True), 0, 4)
               for W in weights]
    return classes, [0.6 + thickness * b for b in bins[1:]]


def _link_traces(weights, pos, highlight_layer):
    """Links in a few traces (by sign and one of five widths), plus invisible hover targets
    a third of the way along each link, so links sharing a node stay apart."""
    width_classes, widths = link_widths(weights)
    data, mid_x, mid_y, mid_text = [], [], [], []
    for k, W in enumerate(weights):
        faded = highlight_layer is not None and k != highlight_layer
        x0 = np.full(W.shape, float(k))
        y0 = np.array([p[1] for p in pos[k]])[:, None] + np.zeros(W.shape)
        y1 = np.array([p[1] for p in pos[k + 1]])[None, :] + np.zeros(W.shape)
        width_bin = width_classes[k]
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
                             "line": {"color": color, "width": widths[b]}})
        mid_x.append((x0 + 0.3).ravel())
        mid_y.append((y0 + 0.3 * (y1 - y0)).ravel())
        rows, cols = np.indices(W.shape)
        layer = _("layer {k}").format(k=k + 1)
        mid_text += [f"{layer}: w[{i},{j}] = {w:.3g}"
                     for i, j, w in zip(rows.ravel(), cols.ravel(), W.ravel())]
    data.append({"type": "scatter", "x": np.concatenate(mid_x), "y": np.concatenate(mid_y),
                 "mode": "markers", "hovertext": mid_text, "hoverinfo": "text",
                 "marker": {"size": 6, "opacity": 0}, "showlegend": False})
    for name, color in ((_("positive weight"), POSITIVE_WEIGHT),
                        (_("negative weight"), NEGATIVE_WEIGHT)):
        data.append({"type": "scatter", "x": [None], "y": [None], "mode": "lines",
                     "name": name, "line": {"color": color, "width": 4}})
    return data


def _nodes(net, pos, input_labels, highlight_layer, neuron_maps, unit_px):
    """The nodes as one trace of squares, and the neuron maps as images inside them;
    ``unit_px`` is the distance between two nodes of a layer on screen."""
    box = 0.62
    emphasised = set() if highlight_layer is None else {highlight_layer, highlight_layer + 1}
    node_x, node_y, node_text, node_line, images, ids = [], [], [], [], [], []
    click = _("click: its map")
    for k, layer in enumerate(pos):
        maps = neuron_maps[k] if neuron_maps is not None and k < len(neuron_maps) else None
        for i, (x, y) in enumerate(layer):
            node_x.append(x)
            node_y.append(y)
            ids.append([k, i])
            if k == 0:
                label = input_labels[i] if i < len(input_labels) else f"in {i}"
                node_text.append(_("input {label}").format(label=label) + "<br>" + click)
            else:
                where = _("output") if k == len(pos) - 1 else _("hidden {k}").format(k=k)
                unit = _("{layer}, unit {i}: bias").format(layer=where, i=i + 1)
                node_text.append(f"{unit} = {float(net.biases[k - 1][i]):.3g}<br>{click}")
            node_line.append(3 if k in emphasised else 1)
            if maps is not None and i < len(maps) and maps[i] is not None:
                images.append({"source": _map_image(maps[i]), "xref": "x", "yref": "y",
                               "x": x, "y": y, "sizex": box, "sizey": box, "xanchor": "center",
                               "yanchor": "middle", "sizing": "contain", "layer": "above"})
    # The square frames each map, so it is sized like the maps (box * unit_px), not in fixed
    # pixels: with 16 units in a layer fixed squares would overlap.
    size = max(6.0, min(36.0, (box + 0.12) * unit_px))
    trace = {"type": "scatter", "x": node_x, "y": node_y, "mode": "markers",
             "hovertext": node_text, "hoverinfo": "text", "showlegend": False,
             "customdata": ids, "name": "nodes",  # [layer of nodes, unit]: which was clicked
             "selected": {"marker": {"opacity": 1}}, "unselected": {"marker": {"opacity": 1}},
             "marker": {"symbol": "square", "size": size,
                        "color": "rgba(255,255,255,0)" if neuron_maps is not None
                        else "#f4f4f4", "line": {"color": "#222", "width": node_line}}}
    return trace, images


def network_figure(net, input_labels, highlight_layer=None, neuron_maps=None, height=None,
                   activation_label=str):
    """The network as TensorFlow Playground draws it: nodes per layer, links coloured by the
    weight's sign (blue positive, orange negative) with width growing with its magnitude.
    ``input_labels`` name the inputs (e.g. "x₁"); ``activation_label`` turns an activation's
    name into the words shown under the diagram.

    ``highlight_layer`` (an index into ``net.weights``) draws that layer's links and the nodes
    they join in full strength and fades the rest. ``neuron_maps`` (optional) is a list with
    one entry per layer of nodes (input, hidden..., output), each None or a sequence of 2-D
    arrays in [0, 1] (one per node, row 0 = lowest y): drawn as a small map inside each node
    (0 orange, 0.5 white, 1 blue). Hovering a link shows its weight, a node its bias.
    """
    sizes = list(net.layer_sizes)
    n_layers = len(sizes) - 1
    pos = _node_positions(sizes)
    # The legend gets a line of its own under the activations' line: beside it, in a narrow
    # column, it covered the words.
    height = (height or figure_height(sizes)) + LEGEND_LINE
    top = (max(sizes) - 1) / 2
    y_range = [-top - 0.9, top + 1.6]
    margin = {"l": 10, "r": 10, "t": 6, "b": 34 + LEGEND_LINE}
    unit_px = (height - margin["t"] - margin["b"]) / (y_range[1] - y_range[0])
    data = _link_traces([np.asarray(W, float) for W in net.weights], pos, highlight_layer)
    nodes, images = _nodes(net, pos, input_labels, highlight_layer, neuron_maps, unit_px)
    data.append(nodes)
    # Titles shrink as layers get more numerous, so neighbours never run into each other.
    title_size = 13 if n_layers <= 4 else 12 if n_layers <= 6 else 11
    annotations = [{"x": k, "y": top + 0.55, "text": _layer_title(k, n_layers, n),
                    "showarrow": False, "yanchor": "bottom", "font": {"size": title_size}}
                   for k, n in enumerate(sizes)]
    for i, name in enumerate(input_labels[:sizes[0]]):
        x, y = pos[0][i]
        annotations.append({"x": x - 0.35, "y": y, "text": name, "showarrow": False,
                            "xanchor": "right", "font": {"size": 14 if sizes[0] <= 8 else 11}})
    annotations.append({"x": 0, "xref": "paper", "y": 0, "yref": "paper", "yanchor": "top",
                        "xanchor": "left", "showarrow": False, "yshift": -6,
                        "text": _activations_text(net.activations, activation_label),
                        "font": {"size": 12, "color": "#444"}})
    return make_figure(data, {
        "height": height, "annotations": annotations, "images": images, "margin": margin,
        "uirevision": "network", "hovermode": "closest", "clickmode": "event+select",
        "dragmode": False,
        "legend": {"orientation": "h", "yanchor": "top", "x": 0, "xanchor": "left",
                   "y": -ACTIVATIONS_LINE / (height - margin["t"] - margin["b"]),
                   "font": {"size": 12}, "bgcolor": "rgba(255,255,255,0)"},
        "xaxis": {"visible": False, "range": [-0.9, n_layers + 0.5], "fixedrange": True},
        "yaxis": {"visible": False, "range": y_range, "fixedrange": True}})
