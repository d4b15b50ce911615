"""The network diagram's message (app_logic/network_message.py): what the browser reads back
is the network's shape, its weights and biases, the link widths of viz/network.py's rule and
every neuron's map within half a level (1/510 of the range)."""

import numpy as np

import mlp_core as mc
from app_logic.network_message import encode_maps, network_message, read_network_message
from viz import network
from viz.style import NEURON_LUT


def _message(net, maps, extra=None):
    words = {"titles": [["input"]], "description": "a network"}
    return network_message("id1", 7, net.weights, net.biases, maps, words, NEURON_LUT, extra)


def _maps(sizes, shape=(25, 25), seed=0):
    rng = np.random.default_rng(seed)
    return [rng.random((n, *shape)) for n in sizes]


def test_the_browser_reads_back_the_network_and_its_maps():
    net = mc.MLP([3, 5, 4, 2], activations=["tanh", "relu", "softmax"], seed=1)
    maps = _maps(net.layer_sizes)
    header, parts = read_network_message(_message(net, maps, {"focus": [1, 2], "height": 300}))
    assert header["sizes"] == [3, 5, 4, 2] and header["map_shape"] == [25, 25]
    assert header["epoch"] == 7 and header["focus"] == [1, 2] and header["height"] == 300
    assert header["words"]["description"] == "a network"
    for W, b, got_W, got_b in zip(net.weights, net.biases, parts["weights"], parts["biases"]):
        assert got_W.shape == W.shape and np.allclose(got_W, W, rtol=1e-6, atol=1e-7)
        assert np.allclose(got_b, b, rtol=1e-6, atol=1e-7)
    classes, widths = network.link_widths(net.weights)
    assert header["widths"] == [round(w, 3) for w in widths]
    for want, got in zip(classes, parts["widths"]):
        assert np.array_equal(got, want)
    for want, got in zip(maps, parts["maps"]):
        assert got.shape == want.shape
        assert np.abs(got / 255.0 - want).max() <= 1 / 510 + 1e-12
    assert np.array_equal(parts["lut"], NEURON_LUT)


def test_the_widths_follow_the_weights_magnitude():
    net = mc.MLP([2, 2, 1], activations=["tanh", "sigmoid"], seed=0)
    net.weights[0][:] = [[4.0, -1.0], [0.1, -4.0]]
    net.weights[1][:] = [[2.0], [-0.5]]
    _, parts = read_network_message(_message(net, _maps(net.layer_sizes)))
    # |w| over the largest in five classes: 1 -> 4, 0.25 -> 1, 0.5 -> 2, below 0.2 -> 0
    assert parts["widths"][0].tolist() == [[4, 1], [0, 4]]
    assert parts["widths"][1].tolist() == [[2], [0]]


def test_the_maps_are_small_and_compressed():
    sizes = [7, 16, 16, 16, 16, 16, 16, 1]  # the largest network the sidebar allows
    data, shape = encode_maps(_maps(sizes))
    assert shape == [25, 25] and len(data) <= sum(sizes) * 25 * 25 + 64  # about a byte a cell
    flat = [np.full((n, 25, 25), 0.5) for n in sizes]  # a uniform map compresses to little
    assert len(encode_maps(flat)[0]) < 1000


def test_values_out_of_float32_range_arrive_as_its_largest():
    net = mc.MLP([2, 1], activations=["sigmoid"], seed=0)
    net.weights[0][:] = [[1e300], [-1e300]]
    _, parts = read_network_message(_message(net, _maps(net.layer_sizes)))
    assert np.all(np.isfinite(parts["weights"][0]))
    assert parts["weights"][0][0, 0] > 1e38 and parts["weights"][0][1, 0] < -1e38
