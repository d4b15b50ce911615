"""Numbers as people read them on the pages."""

import math


def format_number(v):
    """Readable at a glance: 3 decimals, or 3 significant digits in e-notation when tiny."""
    if not math.isfinite(v):
        return str(v)
    v += 0.0  # -0.0 (a ReLU's zero times a negative weight) reads as 0.000, not -0.000
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return f"{v:.3f}"
    return f"{v:.2e}"


def format_loss(value):
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.3g}" if value >= 1e-3 else f"{value:.2e}"


def format_accuracy(value):
    return "–" if value is None or not math.isfinite(value) else f"{100 * value:.1f}%"
