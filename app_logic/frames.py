"""The live boundary's film strip: states of the network recorded inside a tick, quantized to
uint8 grids and packed into one binary message that the browser paints (ui/live_board).

A frame is a uint8 grid of the boundary grid's shape: (rows, columns) for two classes, a
regression or one neuron's map, or (rows, columns, k) class probabilities for k classes
(the snapshot encoding of app_logic/snapshots.py). Row 0 is the lowest y, as in the
snapshots; the browser flips it.

The message: 4 bytes (little-endian length of the header), the header as UTF-8 JSON, then
the blobs the header names by [offset, length] from the end of the header. The frames blob
is zlib data (the browser inflates it with DecompressionStream("deflate")) of every frame's
bytes, each frame but the first stored as its difference from the one before (mod 256):
consecutive states differ little, so the differences are mostly zeros and compress well.
"""

import json
import struct
import zlib
from dataclasses import dataclass

import numpy as np

# Frames kept between two messages (half a second at 60 a second); past this every other
# one is dropped.
MAX_FRAMES = 30
# zlib's level for the frames and the neuron maps. Early in training (where a class spends
# its time) level 6 took 5 to 6 ms for a strip of 30 frames of 50 x 50, level 4 1.3 ms for
# 2 to 3% more bytes: at 40 students a tick a second each, that is a tenth of the core.
ZLIB_LEVEL = 4


def quantize(values, low=0.0, high=1.0):
    """``values`` mapped from [low, high] to 0..255, rounded to the nearest level (error at
    most half a level, 1/510 of the range) and clipped outside the range."""
    scaled = (np.asarray(values, dtype=float) - low) / (high - low) * 255.0
    return np.clip(np.nan_to_num(scaled, nan=127.5) + 0.5, 0, 255).astype(np.uint8)


def dequantize(u8, low=0.0, high=1.0):
    """The values in [low, high] that ``u8`` levels stand for."""
    return low + np.asarray(u8, dtype=float) / 255.0 * (high - low)


def epoch_number(epoch):
    """An epoch as the header carries it: an int at an epoch's end, else the fraction of
    the way through (a state after a mini-batch step) to a thousandth."""
    return int(epoch) if float(epoch).is_integer() else round(float(epoch), 3)


@dataclass
class Frame:
    epoch: int | float  # a fraction: the state after a mini-batch step inside an epoch
    grid: np.ndarray  # uint8 (rows, columns) or (rows, columns, k)
    metrics: dict  # the history record of this epoch (epoch, losses, accuracies)
    key: str = ""  # names the network state it shows (PlaygroundState.params_id)


class FilmStrip:
    """Frames recorded since the view last took them, in epoch order, at most ``limit``
    (when full, every other frame is dropped, so the strip still spans the whole tick),
    and the last frame taken (``shown``)."""

    def __init__(self, limit=MAX_FRAMES):
        self.limit = limit
        self.frames = []
        self.shown = None

    @property
    def latest(self):
        """The newest frame, pending or shown, or None."""
        return self.frames[-1] if self.frames else self.shown

    def __len__(self):
        return len(self.frames)

    def add(self, frame):
        if self.frames and frame.epoch <= self.frames[-1].epoch:  # a rolled-back epoch
            self.frames = [f for f in self.frames if f.epoch < frame.epoch]
        self.frames.append(frame)
        if len(self.frames) > self.limit:
            self.frames = self.frames[1::2] if len(self.frames) % 2 == 0 else self.frames[::2]

    def take(self):
        """The pending frames (emptied), or the last frame taken when none are pending."""
        frames, self.frames = self.frames, []
        if frames:
            self.shown = frames[-1]
        return frames or ([self.shown] if self.shown is not None else [])

    def clear(self):
        self.frames = []
        self.shown = None


def delta_encode(grids):
    """The grids' bytes, each grid after the first as its difference from the one before."""
    flat = [np.ascontiguousarray(g, dtype=np.uint8).ravel() for g in grids]
    out = [flat[0]] + [b - a for a, b in zip(flat, flat[1:])]  # uint8 wraps mod 256
    return b"".join(part.tobytes() for part in out)


def delta_decode(data, n_frames, frame_shape):
    """The inverse of ``delta_encode`` (the browser does the same in JavaScript)."""
    flat = np.frombuffer(data, dtype=np.uint8).reshape(n_frames, -1)
    return np.cumsum(flat, axis=0, dtype=np.uint64).astype(np.uint8).reshape(
        n_frames, *frame_shape)


def pack(header, blobs):
    """One binary message: the header (a dict, JSON) naming each blob's [offset, length]."""
    header = dict(header, blobs={})
    offset = 0
    for name, blob in blobs.items():
        header["blobs"][name] = [offset, len(blob)]
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<I", len(text)) + text + b"".join(blobs.values())


def unpack(message):
    """(header, {name: bytes}) of a ``pack`` message."""
    (length,) = struct.unpack_from("<I", message)
    header = json.loads(message[4:4 + length])
    body = message[4 + length:]
    return header, {name: body[start:start + size]
                    for name, (start, size) in header["blobs"].items()}


def frames_message(frames, message_id, style_id, texts=None, extra=None, style=None,
                   network=None):
    """The message for ``frames`` (Frames of one shape), painted into the picture named
    ``style_id``. ``texts``: per frame, {metric label: text} shown beside the picture;
    ``extra``: more header fields (display toggles); ``style``: (fields, background PNG
    bytes, points PNG bytes) of the picture, for a browser that does not have it yet;
    ``network``: a network diagram message (app_logic/network_message.py) that the board
    hands to the diagram, so a tick refreshes both in one run of the page."""
    header = {"id": message_id, "style_id": style_id, "shape": list(frames[0].grid.shape),
              "epochs": [epoch_number(f.epoch) for f in frames],
              "metrics": texts or [{} for _ in frames], **(extra or {})}
    blobs = {"frames": zlib.compress(delta_encode([f.grid for f in frames]), ZLIB_LEVEL)}
    if style is not None:
        header["style_info"], blobs["background"], blobs["points"] = style
    if network is not None:
        blobs["network"] = network
    return pack(header, blobs)


def read_frames(message):
    """(header, frames as a uint8 array (n, *shape)) of a ``frames_message``: what the
    browser reads from it."""
    header, blobs = unpack(message)
    shape = tuple(header["shape"])
    data = zlib.decompress(blobs["frames"])
    return header, delta_decode(data, len(header["epochs"]), shape)
