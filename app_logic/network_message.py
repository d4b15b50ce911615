"""The network diagram's message: what the browser needs to draw the network (ui/live_network)
as one small binary message in the format of app_logic/frames.py (a JSON header and blobs).

The header carries the layer sizes, every word shown (from the caller, so they can be
translated), the links' five widths and two colours, and the shape of the neuron maps. The
blobs: ``weights`` and ``biases`` (float32, for the values shown on hover), ``widths`` (each
link's width class, uint8, by viz/network.py's rule), ``maps`` (every neuron's map as a
uint8 grid, 0..255 for 0..1, zlib) and ``lut`` (the colour scale the maps are coloured with,
256 RGB rows). Weights are stored layer by layer, each (n_in, n_out) row-major; maps layer by
layer, unit by unit, each row-major with row 0 the lowest y.
"""

import zlib

import numpy as np

from viz import network
from viz.style import NEGATIVE_WEIGHT, POSITIVE_WEIGHT

from .frames import ZLIB_LEVEL, pack, quantize, unpack


def encode_maps(maps):
    """Every neuron's map ((n_units, rows, columns) arrays in [0, 1], one per layer) as
    zlib data of their uint8 levels, and the maps' (rows, columns)."""
    grids = [quantize(np.asarray(m, float), 0.0, 1.0) for m in maps]
    data = b"".join(np.ascontiguousarray(g).tobytes() for g in grids)
    return zlib.compress(data, ZLIB_LEVEL), list(grids[0].shape[1:])


def _float32(values):
    """Little-endian float32 bytes; values beyond float32's range (a diverging network) are
    kept at its largest."""
    limit = np.finfo(np.float32).max
    return np.clip(values, -limit, limit).astype("<f4").tobytes()


def network_message(message_id, epoch, weights, biases, maps, words, lut, extra=None):
    """The message for a network of ``weights`` (per layer (n_in, n_out)) and ``biases``,
    its neurons' ``maps`` (see ``encode_maps``), the ``words`` it shows (a dict: see
    ui/live_network/network.js) and the colour scale ``lut`` ((256, 3) uint8).
    ``extra``: more header fields (the selected neuron, the diagram's height)."""
    weights = [np.asarray(W, float) for W in weights]
    classes, widths = network.link_widths(weights)
    map_data, map_shape = encode_maps(maps)
    sizes = [weights[0].shape[0], *(W.shape[1] for W in weights)]
    header = {"id": message_id, "epoch": int(epoch), "sizes": sizes, "map_shape": map_shape,
              "widths": [round(float(w), 3) for w in widths],
              "colours": {"positive": POSITIVE_WEIGHT, "negative": NEGATIVE_WEIGHT},
              "words": words, **(extra or {})}
    blobs = {
        "weights": _float32(np.concatenate([W.ravel() for W in weights])),
        "biases": _float32(np.concatenate([np.ravel(b) for b in biases])),
        "widths": np.concatenate([c.ravel() for c in classes]).astype(np.uint8).tobytes(),
        "maps": map_data,
        "lut": np.ascontiguousarray(lut, dtype=np.uint8).tobytes(),
    }
    return pack(header, blobs)


def read_network_message(message):
    """(header, {"weights": [arrays], "biases": [arrays], "widths": [arrays], "maps":
    [uint8 (n_units, rows, columns)], "lut": (256, 3)}) of a ``network_message``: what the
    browser reads from it."""
    header, blobs = unpack(message)
    sizes, (rows, columns) = header["sizes"], header["map_shape"]
    flat = {"weights": np.frombuffer(blobs["weights"], "<f4"),
            "biases": np.frombuffer(blobs["biases"], "<f4"),
            "widths": np.frombuffer(blobs["widths"], np.uint8)}
    out = {"weights": [], "biases": [], "widths": [], "maps": []}
    at = {"weights": 0, "biases": 0, "widths": 0}
    for n_in, n_out in zip(sizes, sizes[1:]):
        for name, size, shape in (("weights", n_in * n_out, (n_in, n_out)),
                                  ("widths", n_in * n_out, (n_in, n_out)),
                                  ("biases", n_out, (n_out,))):
            out[name].append(flat[name][at[name]:at[name] + size].reshape(shape))
            at[name] += size
    maps = np.frombuffer(zlib.decompress(blobs["maps"]), np.uint8)
    start = 0
    for n in sizes:
        out["maps"].append(maps[start:start + n * rows * columns].reshape(n, rows, columns))
        start += n * rows * columns
    out["lut"] = np.frombuffer(blobs["lut"], np.uint8).reshape(256, 3)
    return header, out
