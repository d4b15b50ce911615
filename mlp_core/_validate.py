"""Argument checks shared by the public entry points. Each raises ValueError naming the
argument and the value it got, so a caller (or a UI) can show the message as it is."""

import math
from numbers import Integral, Real

import numpy as np


def choice(name, value, options):
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(options)}; got {value!r}")
    return value


def integer(name, value, low=None, high=None):
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be in [{low}, {high}]; got {value!r}")
    return int(value)


def number(name, value, low=None, high=None, low_open=False):
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    if too_low or (high is not None and value > high):
        bound = f"> {low}" if low_open else f">= {low}"
        if high is not None:
            bound += f" and <= {high}"
        raise ValueError(f"{name} must be {bound}; got {value!r}")
    return value


def features(name, X, n_features=None):
    """A finite float64 array of shape (n_samples, n_features) with at least one row."""
    try:
        arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric array; got {type(X).__name__}") from None
    if arr.ndim != 2 or len(arr) == 0:
        raise ValueError(f"{name} must have shape (n_samples, n_features) with n_samples >= 1; "
                         f"got shape {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(f"{name} has {arr.shape[1]} columns but the network expects "
                         f"{n_features}; got shape {arr.shape}")
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} contains a non-finite value ({arr[tuple(bad)]}) at row "
                         f"{bad[0]}, column {bad[1]}")
    return arr
