"""The decision boundary forming, as an animated GIF."""

import io

import numpy as np

from .boundary import boundary_colors, value_colors
from .style import class_colors_rgb

GIF_SIZE = 360
GIF_MAX_FRAMES = 60  # with GIF_SIZE: about 1-1.5 MB for a busy boundary
GIF_COLORS = 128
GIF_FRAME_MS = 100
GIF_LAST_FRAME_MS = 1500
GIF_MAX_POINTS = 600


def _pick(n, k):
    """Up to k indices spread evenly over range(n), first and last included."""
    if n <= k:
        return list(range(n))
    return sorted(set(np.round(np.linspace(0, n - 1, k)).astype(int).tolist()))


def _points_overlay(X, y, size, box, values):
    """The points as a transparent ``size`` x ``size`` layer over the plane ``box``
    (x0, x1, y0, y1)."""
    from PIL import Image, ImageDraw

    overlay = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    if X is None or not len(X):
        return overlay
    x0, x1, y0, y1 = box
    colors = class_colors_rgb()
    keep = _pick(len(X), GIF_MAX_POINTS)
    X, y = np.asarray(X, float)[keep], np.asarray(y)[keep]
    fills = value_colors(y) if values else [colors[int(c) % len(colors)] for c in y]
    draw = ImageDraw.Draw(overlay)
    r = max(2.0, size / 110)
    for (px, py), fill in zip(X, fills):
        u = (px - x0) / (x1 - x0) * (size - 1)
        v = (1.0 - (py - y0) / (y1 - y0)) * (size - 1)  # image rows run downwards
        draw.ellipse((u - r, v - r, u + r, v + r), fill=tuple(int(c) for c in fill),
                     outline=(255, 255, 255), width=1)
    return overlay


def boundary_gif(snapshots, grid_x, grid_y, X=None, y=None, size=GIF_SIZE,
                 max_frames=GIF_MAX_FRAMES, frame_ms=GIF_FRAME_MS, progress=None,
                 values=False, epoch_label="epoch {epoch}"):
    """Animated GIF bytes of the boundary over ``snapshots`` [(epoch, grid), ...] (oldest
    first), with the points (X raw, y classes, or with ``values`` a regression's targets in
    [-1, 1]) on top and the epoch in a corner. ``progress(done, total)`` is called after
    each frame. ``epoch_label`` names the epoch in the corner, in the page's language; Pillow's
    own font draws Latin letters only, so a label it cannot draw shows the number alone
    rather than empty boxes."""
    from PIL import Image, ImageDraw, ImageFont

    if not epoch_label.isascii():
        epoch_label = "{epoch}"

    snapshots = list(snapshots)
    if not snapshots:
        raise ValueError("there are no snapshots to animate yet")
    size = int(min(max(size, 64), 720))
    max_frames = int(min(max(max_frames, 1), 200))
    chosen = [snapshots[i] for i in _pick(len(snapshots), max_frames)]
    x0, x1 = float(grid_x[0]), float(grid_x[-1])
    y0, y1 = float(grid_y[0]), float(grid_y[-1])

    overlay = _points_overlay(X, y, size, (x0, x1, y0, y1), values)
    try:
        font = ImageFont.load_default(size=max(12, size // 22))
    except (OSError, TypeError):  # Pillow built without FreeType
        font = ImageFont.load_default()

    frames = []
    for done, (epoch, grid) in enumerate(chosen, start=1):
        rgb = np.ascontiguousarray(boundary_colors(grid)[::-1])  # row 0 is the lowest y
        frame = Image.fromarray(rgb, "RGB").resize((size, size), Image.Resampling.BILINEAR)
        frame = frame.convert("RGBA")
        frame.alpha_composite(overlay)
        draw = ImageDraw.Draw(frame)
        text = epoch_label.format(epoch=epoch)
        left, top, right, bottom = draw.textbbox((8, 6), text, font=font)
        draw.rounded_rectangle((left - 4, top - 3, right + 4, bottom + 3), radius=4,
                               fill=(255, 255, 255, 230), outline=(90, 90, 90, 255))
        draw.text((8, 6), text, fill=(30, 30, 30, 255), font=font)
        # 128 colours show the shading without visible bands at a fifth less size than 256.
        frames.append(frame.convert("RGB").quantize(colors=GIF_COLORS,
                                                    method=Image.Quantize.MEDIANCUT))
        if progress is not None:
            progress(done, len(chosen))
    durations = [frame_ms] * (len(frames) - 1) + [GIF_LAST_FRAME_MS]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:],
                   duration=durations, loop=0, optimize=False)
    return out.getvalue()
