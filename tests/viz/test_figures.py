"""viz.figures: what each figure shows, read back from the figure itself."""

import base64
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

import mlp_core as mc
from viz import boundary as vb
from viz import curves, network, style
from viz.format import format_number

GRID_X = np.linspace(-2, 2, 40)
GRID_Y = np.linspace(-1, 1, 20)


def decode_png(uri):
    assert uri.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert(
        "RGBA"))


def no_points(gx, gy):
    """raster_frame's points drawer for a picture without points."""
    return lambda width, height: vb.points_layer(gx, gy, np.empty((0, 2)), np.empty(0, int),
                                                 width=width, height=height)


def hex_rgb(color):
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])


def test_two_class_boundary_is_an_image_coloured_by_probability():
    # Left half P = 0, right half P = 1.
    boundary = np.zeros((GRID_Y.size, GRID_X.size), np.uint8)
    boundary[:, GRID_X.size // 2:] = 255
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    fig = vb.boundary_figure(GRID_X, GRID_Y, boundary, X, np.array([0, 1]))
    assert isinstance(fig, go.Figure)
    background = fig.layout.images[0]
    rgba = decode_png(background.source)
    assert rgba.shape[:2] == boundary.shape
    assert background.layer == "below" and background.sizing == "stretch"
    # The image spans the grid cells, so the axes show exactly the grid's range.
    assert background.x < GRID_X[0] and background.x + background.sizex > GRID_X[-1]
    assert tuple(fig.layout.xaxis.range) == (GRID_X[0], GRID_X[-1])
    left, right = rgba[5, 2, :3].astype(int), rgba[5, -3, :3].astype(int)
    assert left[0] > left[2]  # orange-ish where class 0 is predicted
    assert right[2] > right[0]  # blue-ish where class 1 is predicted
    colorbars = [t for t in fig.data if t.marker and t.marker.showscale]
    assert len(colorbars) == 1 and "P(class 1)" in colorbars[0].marker.colorbar.title.text


def test_discretized_boundary_has_two_colours_only():
    ramp = np.tile(np.linspace(0, 255, GRID_X.size).astype(np.uint8), (GRID_Y.size, 1))
    X, y = np.zeros((2, 2)), np.array([0, 1])
    smooth = decode_png(vb.boundary_figure(GRID_X, GRID_Y, ramp, X, y)
                        .layout.images[0].source)
    sharp = decode_png(vb.boundary_figure(GRID_X, GRID_Y, ramp, X, y, discretize=True)
                       .layout.images[0].source)
    colours = lambda img: {tuple(c) for c in img[..., :3].reshape(-1, 3)}
    assert len(colours(smooth)) > 10
    assert len(colours(sharp)) == 2


def test_three_classes_blend_the_class_colours():
    boundary = np.zeros((GRID_Y.size, GRID_X.size, 3), np.uint8)
    boundary[:, :10] = (255, 0, 0)
    boundary[:, 10:20] = (0, 255, 0)
    boundary[:, 20:30] = (0, 0, 255)
    boundary[:, 30:] = (85, 85, 85)
    X, y = np.zeros((3, 2)), np.array([0, 1, 2])
    fig = vb.boundary_figure(GRID_X, GRID_Y, boundary, X, y, n_classes=3)
    rgba = decode_png(fig.layout.images[0].source)[..., :3].astype(int)
    for column, tint in ((5, 0), (15, 1), (25, 2)):
        np.testing.assert_allclose(rgba[3, column], style.CLASS_TINTS[tint], atol=1)
    np.testing.assert_allclose(rgba[3, 35], style.CLASS_TINTS.mean(axis=0), atol=2)
    assert not any(t.marker and t.marker.showscale for t in fig.data)
    assert {t.name for t in fig.data} >= {"class 2 (train)"}


def test_points_are_drawn_where_they_are_train_filled_test_outlined():
    X_train, y_train = np.array([[-1.0, 0.5]]), np.array([1])
    X_test, y_test = np.array([[1.0, -0.5]]), np.array([0])
    rgba = decode_png(vb.points_image(GRID_X, GRID_Y, X_train, y_train, X_test, y_test,
                                           size=400))

    assert rgba.shape[:2] == (200, 400)  # the grid's aspect: markers stay round

    def pixel(x, y):
        col = int((x - GRID_X[0]) / (GRID_X[-1] - GRID_X[0]) * 400)
        row = int((GRID_Y[-1] - y) / (GRID_Y[-1] - GRID_Y[0]) * 200)
        return row, col

    r, c = pixel(-1.0, 0.5)
    assert rgba[r, c, 3] > 240
    assert np.abs(rgba[r, c, :3].astype(int) - hex_rgb(style.CLASS_COLORS[1])).max() < 30
    r, c = pixel(1.0, -0.5)
    assert rgba[r, c, 3] < 60  # a test point is hollow ...
    ring = rgba[r - 6:r + 7, c - 6:c + 7]
    opaque = ring[ring[..., 3] > 200][:, :3].astype(int)
    assert len(opaque) and np.abs(opaque - hex_rgb(style.CLASS_COLORS[0])).max(axis=1).min() < 30
    assert rgba[0, 0, 3] == 0  # ... and the rest is transparent


def test_show_test_toggle_removes_test_points_and_legend_entries():
    X, y = np.array([[-1.0, 0.0], [1.0, 0.0]]), np.array([0, 1])
    with_test = vb.boundary_figure(GRID_X, GRID_Y, np.zeros((20, 40), np.uint8), X, y,
                                        X + 0.1, y, show_test=True)
    without = vb.boundary_figure(GRID_X, GRID_Y, np.zeros((20, 40), np.uint8), X, y,
                                      X + 0.1, y, show_test=False)
    names = lambda f: {t.name for t in f.data if t.name}
    assert "class 0 (test)" in names(with_test) and "class 0 (test)" not in names(without)
    assert with_test.layout.images[1].source != without.layout.images[1].source


def test_loss_curve_has_train_and_test_and_log_option():
    epochs = np.arange(1, 11)
    fig = curves.loss_figure(epochs, 1.0 / epochs, 2.0 / epochs)
    assert [t.name for t in fig.data] == ["train", "test"]
    np.testing.assert_allclose(fig.data[1].y, 2.0 / epochs, rtol=1e-6)
    assert fig.layout.yaxis.type == "linear"
    log = curves.loss_figure(epochs, 1.0 / epochs, 2.0 / epochs, log_y=True)
    assert log.layout.yaxis.type == "log"
    low, high = log.layout.yaxis.range
    assert low < np.log10(0.1) and high > np.log10(2.0)


def test_long_histories_are_thinned_but_keep_the_ends():
    epochs = np.arange(1, 50_001)
    fig = curves.accuracy_figure(epochs, np.linspace(0, 1, epochs.size), None)
    assert len(fig.data) == 1  # no test data, no test curve
    x = np.asarray(fig.data[0].x)
    assert len(x) <= curves.MAX_CURVE_POINTS + 1
    assert x[0] == 1 and x[-1] == 50_000
    assert tuple(fig.layout.yaxis.range) == (0, 1.02)


def _link_traces(fig):
    return [t for t in fig.data if t.mode == "lines" and t.x is not None and len(t.x) > 1]


def test_network_links_are_coloured_by_sign_and_sized_by_magnitude():
    net = mc.MLP([2, 3, 1], ["tanh", "sigmoid"], seed=0)
    net.weights[0] = [[0.1, 2.0, 0.5], [0.3, 0.2, 1.0]]
    net.weights[1] = [[-1.0], [-0.1], [-0.05]]
    fig = network.network_figure(net, ["x1", "x2"])
    links = _link_traces(fig)
    n_links = sum(np.isnan(np.asarray(t.x, float)).sum() for t in links)
    assert n_links == 2 * 3 + 3 * 1
    colour_of = {style.POSITIVE_WEIGHT: 0, style.NEGATIVE_WEIGHT: 0}
    for t in links:
        colour_of[t.line.color] += int(np.isnan(np.asarray(t.x, float)).sum())
    assert colour_of == {style.POSITIVE_WEIGHT: 6, style.NEGATIVE_WEIGHT: 3}

    def width_of(x0, y0, x1, y1):
        for t in links:
            xs, ys = np.asarray(t.x, float), np.asarray(t.y, float)
            for k in range(0, len(xs), 3):
                if (xs[k], ys[k], xs[k + 1], ys[k + 1]) == (x0, y0, x1, y1):
                    return t.line.width
        raise AssertionError("link not drawn")

    # Input node 0 sits at (0, 0.5); hidden nodes at (1, 1), (1, 0), (1, -1).
    assert width_of(0, 0.5, 1, 0.0) > width_of(0, 0.5, 1, 1.0)  # |2.0| > |0.1|
    texts = [t for t in fig.data if t.hovertext is not None and "w[" in str(t.hovertext[0])]
    assert any("= 2" in s for s in texts[0].hovertext)


def test_network_nodes_labels_and_highlight():
    net = mc.MLP([3, 4, 2, 1], ["relu", "relu", "sigmoid"], seed=1)
    names = ["x₁", "x₂", "x₁²"]
    fig = network.network_figure(net, names)
    nodes = [t for t in fig.data if t.marker and t.marker.symbol == "square"][0]
    assert len(nodes.x) == 3 + 4 + 2 + 1
    texts = " ".join(a.text for a in fig.layout.annotations)
    for label in ("x₁", "x₂", "x₁²", "input", "hidden 1", "hidden 2", "output"):
        assert label in texts
    assert {t.name for t in fig.data if t.showlegend is not False} == {
        "positive weight", "negative weight"}
    # every node says which it is, so a click on it can show its map
    assert [list(c) for c in nodes.customdata] == [
        [k, i] for k, n in enumerate((3, 4, 2, 1)) for i in range(n)]

    highlighted = network.network_figure(net, names, highlight_layer=1)
    by_layer = {}
    for t in _link_traces(highlighted):
        layer = int(np.nanmin(np.asarray(t.x, float)))
        by_layer.setdefault(layer, set()).add(t.opacity)
    assert max(by_layer[1]) > max(by_layer[0]) and max(by_layer[1]) > max(by_layer[2])
    widths = [t for t in highlighted.data if t.marker and t.marker.symbol == "square"][0]
    widths = np.asarray(widths.marker.line.width)
    assert widths[3:9].min() > widths[:3].max()  # layer 1 joins hidden 1 and hidden 2


def test_network_neuron_maps_become_images_in_the_nodes():
    net = mc.MLP([2, 3, 1], ["tanh", "sigmoid"], seed=0)
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 8), np.linspace(-1, 1, 8)), -1).reshape(-1, 2)
    net.forward(grid)
    maps = network.neuron_maps_from_activations(net.a, (8, 8))
    assert [m.shape for m in maps] == [(2, 8, 8), (3, 8, 8), (1, 8, 8)]
    fig = network.network_figure(net, ["x1", "x2"], neuron_maps=maps)
    assert len(fig.layout.images) == 6
    first = decode_png(fig.layout.images[0].source)
    assert first.shape[:2] == (8, 8)
    # Input x1 grows to the right: orange on the left, blue on the right.
    assert first[4, 0, 0] > first[4, 0, 2] and first[4, -1, 2] > first[4, -1, 0]
    # Maps may be left out per layer.
    partial = network.network_figure(net, ["x1", "x2"], neuron_maps=[None, maps[1]])
    assert len(partial.layout.images) == 3


@pytest.mark.parametrize("discretize", [False, True])
def test_boundary_colors_for_export(discretize):
    two = vb.boundary_colors(np.array([[0, 128, 255]], np.uint8), discretize)
    assert two.shape == (1, 3, 3) and two.dtype == np.uint8
    three = vb.boundary_colors(np.full((2, 2, 3), 85, np.uint8), discretize)
    assert three.shape == (2, 2, 3)


def test_uneven_ranges_get_a_square_plot_instead_of_a_strip():
    gx, gy = np.linspace(-5, 85, 50), np.linspace(6, 13, 40)  # 90 wide, 7 high
    X, y = np.array([[0.0, 7.0], [80.0, 12.0]]), np.array([0, 1])
    fig = vb.boundary_figure(gx, gy, np.zeros((40, 50), np.uint8), X, y)
    # pixel height / pixel width = (y span * scaleratio) / x span = 1
    assert fig.layout.yaxis.scaleratio * 7 / 90 == pytest.approx(1.0)
    uri = vb.points_image(gx, gy, X, y, size=200)
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.size == (200, 200)
    # Ranges within 3x of each other keep equal scales, so circles stay circles.
    fig = vb.boundary_figure(np.linspace(-1.5, 1.5, 30), np.linspace(-1, 1, 20),
                                  np.zeros((20, 30), np.uint8), X / 80, y)
    assert fig.layout.yaxis.scaleratio == pytest.approx(1.0)


def test_live_raster_shows_the_boundary_colours_inside_the_frame():
    gx, gy = np.linspace(-1, 1, 50), np.linspace(-1, 1, 50)
    boundary = np.zeros((50, 50), np.uint8)
    boundary[:, 25:] = 255  # right half: class 1 for sure
    frame = vb.raster_frame(gx, gy, no_points(gx, gy), n_classes=2, show_test=True, height=300)
    image = np.asarray(style.decode_image(vb.boundary_picture(frame, boundary)).convert("RGB"))
    left, top, width, height = frame.box
    assert image.shape[:2] == (300, frame.canvas.width) and width == height
    inside_left = image[top + height // 2, left + width // 4].astype(int)
    inside_right = image[top + height // 2, left + 3 * width // 4].astype(int)
    np.testing.assert_allclose(inside_left, style.PROBABILITY_LUT[0], atol=8)  # JPEG
    np.testing.assert_allclose(inside_right, style.PROBABILITY_LUT[255], atol=8)
    # The frame around the plot stays white where no tick or label is drawn.
    assert (image[top + 5, left + width + 5] > 240).all()
    discrete = np.asarray(style.decode_image(vb.boundary_picture(
        frame, np.full((50, 50), 140, np.uint8), discretize=True)).convert("RGB"))
    np.testing.assert_allclose(discrete[top + 10, left + 10], style.PROBABILITY_LUT[255],
                               atol=8)


def test_live_raster_draws_its_points_at_the_plotted_size_where_they_are():
    gx, gy = np.linspace(-1, 1, 50), np.linspace(-1, 1, 50)
    X, y = np.array([[-0.5, 0.5]]), np.array([1])
    frame = vb.raster_frame(gx, gy, lambda width, height: vb.points_layer(
        gx, gy, X, y, width=width, height=height), n_classes=2, show_test=False, height=400)
    left, top, width, height = frame.box
    assert frame.points.size == (width, height) and frame.points.mode == "RGBA"
    points = np.asarray(frame.points)
    row, col = round(0.25 * height), round(0.25 * width)  # (-0.5, 0.5) is a quarter in
    assert points[row, col, 3] == 255
    assert np.abs(points[row, col, :3].astype(int) - hex_rgb(style.CLASS_COLORS[1])).max() <= 2
    assert points[height // 2, width // 2, 3] == 0  # transparent away from the point
    png = Image.open(io.BytesIO(vb.points_png(frame.points))).convert("RGBA")
    assert np.abs(np.asarray(png).astype(int) - points).max() <= 16  # 128 colours suffice


def test_nice_ticks_are_round_and_inside_the_range():
    assert vb.nice_ticks(-1.27, 1.31) == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert vb.nice_ticks(6, 13) == [6.0, 8.0, 10.0, 12.0]
    assert vb.nice_ticks(-5, 85) == [0.0, 20.0, 40.0, 60.0, 80.0]


def test_live_raster_of_wide_data_fits_the_width_and_keeps_the_aspect():
    gx, gy = np.linspace(-1.5, 1.5, 60), np.linspace(-0.8, 0.8, 32)  # twice as wide as high
    frame = vb.raster_frame(gx, gy, no_points(gx, gy), n_classes=2, show_test=False, height=600,
                                 max_width=500)
    left, top, width, height = frame.box
    assert frame.canvas.width == 500 and frame.canvas.height < 600
    assert width / height == pytest.approx(3.0 / 1.6, rel=0.02)
    assert left + width + 90 <= 500  # the colour bar still fits


def test_a_run_at_epoch_zero_shows_its_point_on_readable_axes():
    fig = curves.loss_figure(np.array([0]), np.array([0.71271]), np.array([0.71268]))
    assert all(trace.mode == "lines+markers" for trace in fig.data)  # a line of one point is blank
    low, high = fig.layout.yaxis.range
    assert high - low >= 0.05 * 0.71 and low < 0.71268 and high > 0.71271  # not 0.71265 ticks
    assert tuple(fig.layout.xaxis.range) == (0, 10)
    later = curves.loss_figure(np.arange(50), np.linspace(1, 0.1, 50), np.linspace(1, 0.2, 50))
    assert all(trace.mode == "lines" for trace in later.data)
    assert later.layout.yaxis.range is None and later.layout.xaxis.range is None


@pytest.mark.parametrize("value, text", [
    (0.00663, "0.00663"), (0.541, "0.541"), (-0.0783, "-0.0783"), (12.5, "12.5"),
    (9.996, "10.0"), (0.99996, "1.00"), (-7.83e-4, "-7.83e-04"), (0.0, "0"), (-0.0, "0"),
    (123456.0, "1.23e+05"), (0.001, "0.00100")])
def test_numbers_keep_three_significant_digits(value, text):
    assert format_number(value) == text


def test_counts_agree_with_their_nouns():
    from app_logic.settings import BY_KEY
    from viz.format import count
    assert [count(n, "point") for n in (0, 1, 2, 1500)] == [
        "0 points", "1 point", "2 points", "1,500 points"]
    assert count(1, "test point") == "1 test point"
    speed = BY_KEY["speed"]
    assert [speed.show(v) for v in (1, 2, 0)] == ["1 epoch/s", "2 epochs/s", "fastest"]


def test_network_legend_sits_under_the_activations_line_not_beside_it():
    net = mc.MLP([2, 4, 4, 1], ["tanh", "tanh", "sigmoid"], seed=0)
    fig = network.network_figure(net, ["x1", "x2"], height=300)
    words = next(a for a in fig.layout.annotations if "output:" in a.text)
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    legend_top_px = -fig.layout.legend.y * plot_px  # below the plot's bottom edge
    words_bottom_px = -words.yshift + 16  # one line of 12-pixel text under its shift
    assert fig.layout.legend.x == 0 and legend_top_px >= words_bottom_px
    assert fig.layout.margin.b >= legend_top_px + 16  # the legend's line is inside the figure
    assert fig.layout.height == 300 + network.LEGEND_LINE  # the diagram keeps its size


def test_a_diverging_loss_goes_on_a_log_axis_with_its_rollback_marked():
    epochs = np.arange(12)
    rising = np.r_[0.9, 9.1, 1.07, 34.3, 570.0, 1.2e4, 3.9e7, 5e14, 1e30, 1.7e60, 5.8e120,
                   8.4e241]
    fig = curves.loss_figure(epochs, rising, rising, rollbacks=[12])
    assert fig.layout.yaxis.type == "log" and "log" in fig.layout.yaxis.title.text
    assert fig.layout.yaxis.range[1] > 241  # every rising epoch is inside the plot
    assert np.isfinite(np.asarray(fig.data[0].y, float)).all()  # none cut to inf
    line = fig.layout.shapes[-1]
    assert (line.x0, line.x1) == (12, 12)
    assert "epoch 12: not a number" in fig.layout.annotations[-1].text
    assert "rolled back to 11" in fig.layout.annotations[-1].text
    assert fig.layout.xaxis.range[1] >= 12.5  # the mark is drawn, not cut off
    calm = curves.loss_figure(epochs, np.linspace(0.9, 0.1, 12))
    assert calm.layout.yaxis.type == "linear" and not calm.layout.shapes
