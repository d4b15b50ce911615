"""Argument checks shared by the public entry points. Each raises ValueError naming the
argument and the value it got, so a caller (or a UI) can show the message as it is.

Every check runs before any work or allocation that depends on the value: sizes are
compared with the limits below first, nested lists are measured level by level (in loops,
never by recursion, so a list nested 10,000 deep costs nothing) and their items are checked
to be numbers before NumPy sees them. Strings, booleans and None are refused where numbers
belong, and so are integers too large for float64 (10**400), with a ValueError, never an
OverflowError, MemoryError or TypeError.
"""

import math
from numbers import Integral, Real

import numpy as np

MAX_LAYERS = 64  # weight layers in a network
MAX_UNITS = 4096  # units in one layer
MAX_PARAMS = 1_000_000  # weights and biases in a network (8 MB as float64)
MAX_VALUES = 2**24  # numbers in one array argument, and rows x units in one forward pass
MAX_SEED = 2**32 - 1  # seeds: what np.random.RandomState accepts, as np.random.Generator does


def choice(name, value, options):
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(options)}; got {show(value)}")
    return value


def integer(name, value, low=None, high=None):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer; got {show(value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be in [{low}, {high}]; got {show(value)}")
    return int(value)


def number(name, value, low=None, high=None, low_open=False):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a finite number; got {show(value)}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be a finite number; got an integer too large for "
                         f"float64 ({show(value)})") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    if too_low or (high is not None and value > high):
        bound = f"> {low}" if low_open else f">= {low}"
        if high is not None:
            bound += f" and <= {high}"
        raise ValueError(f"{name} must be {bound}; got {value!r}")
    return value


def seed(name, value):
    return integer(name, value, 0, MAX_SEED)


def show(value, limit=60):
    """repr() cut short: a hostile value may be a huge int or a long string."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of {len(str(abs(value)))} digits"
    text = repr(value) if isinstance(value, (str, bytes, int, float)) else type(value).__name__
    return text if len(text) <= limit else text[:limit] + "..."


_NUMBER_TYPES = (int, float)


def _is_number(v):
    if type(v) in _NUMBER_TYPES:  # the common case, fast; bool is a type of its own
        return True
    return (isinstance(v, Real) and not isinstance(v, (bool, np.bool_))
            and not isinstance(v, np.ndarray))


def _nested_shape(name, value, ndim, shape=None):
    """The shape of ``value``: lists (or tuples) nested ``ndim`` (1 or 2) deep, all of one
    length at each depth, with numbers at the bottom (and of ``shape``, if given, checked
    before anything else). Checked level by level, in loops."""
    rows = value if ndim == 2 else [value]
    width = len(rows[0]) if isinstance(rows[0], (list, tuple)) else -1
    if shape is not None and (len(value), width)[2 - ndim:] != tuple(shape):
        got = (len(value), width)[2 - ndim:] if width >= 0 else f"{len(value)} items"
        raise ValueError(f"{name} has shape {got}; expected {tuple(shape)}")
    if len(rows) * max(width, 0) > MAX_VALUES:
        raise ValueError(f"{name} holds {len(rows) * width:,} numbers; the limit is "
                         f"MAX_VALUES = {MAX_VALUES:,}")
    for i, row in enumerate(rows):
        if not isinstance(row, (list, tuple)) or len(row) != width:
            got = f"length {len(row)}" if isinstance(row, (list, tuple)) else show(row)
            raise ValueError(f"{name} must be a list of equally long lists of numbers; row "
                             f"{i} has {got}")
        for j, v in enumerate(row):
            if not _is_number(v):
                where = f"row {i}, column {j}" if ndim == 2 else f"item {j}"
                raise ValueError(f"{name} must be numeric: found {show(v)} where a number "
                                 f"belongs ({where})")
    return (len(rows), width) if ndim == 2 else (width,)


def array(name, value, ndim, shape=None):
    """A float64 array with ``ndim`` dimensions (1 or 2, or a tuple of those allowed; and
    ``shape`` if given) from an ndarray or from lists nested that deep, with every limit and
    type checked first. Non-finite values are left for the caller (``features`` refuses them)."""
    allowed = ndim if isinstance(ndim, tuple) else (ndim,)
    if isinstance(value, (list, tuple)):
        ndim = 2 if len(value) and isinstance(value[0], (list, tuple)) and 2 in allowed else (
            1 if 1 in allowed else 2)
    nested = isinstance(value, (list, tuple)) and (ndim == 1 or len(value) > 0)
    if nested and not (len(value) and isinstance(value[0], np.ndarray)):
        _nested_shape(name, value, ndim, shape)
        try:
            arr = np.array(value, dtype=float)
        except OverflowError:
            raise ValueError(f"{name} holds an integer too large for float64") from None
    else:
        if not isinstance(value, np.ndarray):  # rows given as arrays, or other array-likes
            if value is None or isinstance(value, (str, bytes)):
                raise ValueError(f"{name} must be an array or a list of numbers; got "
                                 f"{show(value)}")
            if hasattr(value, "__len__") and len(value) > MAX_VALUES:
                raise ValueError(f"{name} holds more than MAX_VALUES = {MAX_VALUES:,} numbers")
            try:
                value = np.asarray(value)
            except (TypeError, ValueError, OverflowError):
                raise ValueError(f"{name} must be an array of numbers with one length per "
                                 f"dimension") from None
        if value.dtype.kind not in "iuf":
            raise ValueError(f"{name} must be numeric; got an array of {value.dtype}")
        if value.size > MAX_VALUES:
            raise ValueError(f"{name} holds {value.size:,} numbers; the limit is MAX_VALUES "
                             f"= {MAX_VALUES:,}")
        arr = value.astype(float, copy=False)
    if arr.ndim not in allowed:
        dims = " or ".join(map(str, allowed))
        raise ValueError(f"{name} must have {dims} dimension(s); got shape {arr.shape}")
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} has shape {arr.shape}; expected {tuple(shape)}")
    return arr


def features(name, X, n_features=None):
    """A finite float64 array of shape (n_samples, n_features) with at least one row."""
    arr = array(name, X, 2)
    if len(arr) == 0:
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


def work(name, n_rows, units):
    """A forward pass over ``n_rows`` rows holds rows x units values per list of z and a."""
    if n_rows * units > MAX_VALUES:
        raise ValueError(f"{name} has {n_rows:,} rows; with {units:,} units in the network a "
                         f"pass would hold {n_rows * units:,} values, over MAX_VALUES = "
                         f"{MAX_VALUES:,}. Use fewer rows at a time.")
