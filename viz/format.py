"""Numbers as people read them on the pages."""

import math

from .i18n import number

SIGNIFICANT = 3  # digits of a number on the backprop page


def format_number(v, digits=SIGNIFICANT):
    """``digits`` significant digits, so small values keep theirs (0.00663, not 0.007;
    the tutorial's small initial weights make them common); e-notation below 0.001 and from
    10,000; an exact 0 (a ReLU that is off) as 0."""
    if not math.isfinite(v):
        return str(v)
    v += 0.0  # -0.0 (a ReLU's zero times a negative weight) reads as 0, not -0
    if v == 0:
        return "0"
    if not 1e-3 <= abs(v) < 1e4:
        return f"{v:.{digits - 1}e}"
    decimals = max(digits - 1 - math.floor(math.log10(abs(v))), 0)
    text = f"{v:.{decimals}f}"
    if len(text.lstrip("-").replace(".", "").lstrip("0")) > digits:  # 9.996 rounded to 10.00
        text = f"{v:.{max(decimals - 1, 0)}f}"
    return text


def count(n, noun, plural=None):
    """"1 point", "2 points", "1,000 points": a number and its noun in agreement, the number
    grouped for the language. ``noun`` is best the text ngettext chose for ``n``, with
    ``{n}`` where the number goes (so it is translated with its plural):
    ``count(n, ngettext("{n} point", "{n} points", n))``; a bare noun gets an English
    plural (``plural`` or an added s)."""
    if "{n}" in noun:
        return noun.format(n=number(n))
    return f"{number(n)} {noun if n == 1 else plural or noun + 's'}"


def format_loss(value):
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.3g}" if value >= 1e-3 else f"{value:.2e}"


def format_accuracy(value):
    return "–" if value is None or not math.isfinite(value) else f"{100 * value:.1f}%"
