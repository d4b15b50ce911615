"""What every figure shares: the class colours, colour maps, fonts and the fast figure maker.

Colours follow one convention everywhere: orange is class 0 / negative, blue is class 1 /
positive, green is class 2. Orange and blue stay distinguishable with the common forms of
colour blindness, and every class also gets its own marker symbol.
"""

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from .i18n import N_

CLASS_COLORS = ("#e8710a", "#1a6fb5", "#1e9e5a")
CLASS_SYMBOLS = ("circle", "square", "diamond")
# Light tints of the class colours for backgrounds, so the points stay visible on top.
CLASS_TINTS = np.array([(247, 190, 140), (150, 196, 232), (160, 216, 178)], dtype=float)
NEUTRAL = np.array([247, 247, 247], dtype=float)
POSITIVE_WEIGHT, NEGATIVE_WEIGHT = CLASS_COLORS[1], CLASS_COLORS[0]
FONT = dict(family="sans-serif", size=14, color="#222")
CLASS_COLOR_NAMES = (N_("orange"), N_("blue"), N_("green"))  # translated where shown



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


def make_figure(data, layout):
    """A go.Figure from plain dicts, skipping plotly's per-property validation: these figures
    are redrawn many times a second and validation would cost more than everything else.
    The empty template keeps the defaults of plotly's theme out of every message.
    A fixed ``datarevision`` tells plotly.js that the data of a drawn chart never change
    (a changed figure arrives as a new chart), so resizes and restyles skip comparing arrays."""
    layout = {"template": {}, "font": FONT, "plot_bgcolor": "white", "datarevision": 1, **layout}
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def png_uri(rgb):
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_image(uri):
    """A PIL RGBA image from a ``data:image/...;base64,...`` URI such as ``points_image``'s."""
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGBA")


def class_colors_rgb():
    """The class colours as (r, g, b) tuples: orange, blue, green."""
    return [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in CLASS_COLORS]
