"""The "draw" dataset: points a user places by clicking, with undo, kept in session_state.

    drawing = DrawnPoints()
    drawing.add(0.3, -0.2, 1)        # a point of class 1
    drawing.remove_nearest(0.3, -0.2, radius=0.1)
    drawing.undo()
    csv_bytes = drawing.to_csv()     # the download; DrawnPoints.from_csv(csv_bytes) reads it back
    ds = drawing.to_dataset()        # mc.Dataset; DrawError until there is enough to train on
"""

import numpy as np

import mlp_core as mc
from viz.i18n import _, number

from . import uploads
from .files import MAX_POINTS

MAX_UNDO = 200
CLASSES = 3  # a drawing may use classes 0, 1 and 2, like the app's 3-class datasets
MIN_PER_CLASS = 2
DEFAULT_RANGE = (-1.5, 1.5)  # the toy datasets' range: where an empty canvas starts


class DrawError(ValueError):
    """The drawing cannot be used (yet); ``str(error)`` is the message for the user."""


class DrawnPoints:
    """Points (x, y) with class labels. Every change can be undone, most recent first."""

    def __init__(self, X=None, y=None):
        X = np.zeros((0, 2)) if X is None else np.asarray(X, dtype=float).reshape(-1, 2)
        y = np.zeros(0, np.int64) if y is None else np.asarray(y, dtype=np.int64).reshape(-1)
        if len(X) != len(y):
            raise DrawError(_("{n} points but {labels} labels").format(n=len(X), labels=len(y)))
        if len(X) > MAX_POINTS:
            raise DrawError(_("a drawing holds at most {limit} points; got {n}").format(
                limit=number(MAX_POINTS), n=number(len(X))))
        if len(y) and (y.min() < 0 or y.max() >= CLASSES):
            raise DrawError(_("classes must be 0 to {last}").format(last=CLASSES - 1))
        if not np.isfinite(X).all():
            raise DrawError(_("points must have finite coordinates"))
        self._X, self._y = X.copy(), y.copy()
        # Undo log: ("add",), ("remove", index, point, cls) or ("set", X, y) for a wholesale
        # change; a log instead of copies keeps memory small for big drawings.
        self._undo = []

    # ---- reading ---------------------------------------------------------------------------
    @property
    def X(self):
        view = self._X.view()
        view.flags.writeable = False
        return view

    @property
    def y(self):
        view = self._y.view()
        view.flags.writeable = False
        return view

    def __len__(self):
        return len(self._y)

    def counts(self):
        """Points per class, for classes 0 .. CLASSES - 1."""
        return np.bincount(self._y, minlength=CLASSES)[:CLASSES].tolist()

    @property
    def can_undo(self):
        return bool(self._undo)

    def bounds(self, margin=0.1):
        """((x_min, x_max), (y_min, y_max)) for a canvas: the default range, widened to
        include every point with a margin."""
        lo, hi = np.full(2, DEFAULT_RANGE[0]), np.full(2, DEFAULT_RANGE[1])
        if len(self):
            span = np.maximum(self._X.max(axis=0) - self._X.min(axis=0), 1e-9)
            lo = np.minimum(lo, self._X.min(axis=0) - margin * span)
            hi = np.maximum(hi, self._X.max(axis=0) + margin * span)
        return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))

    # ---- changing --------------------------------------------------------------------------
    def _remember(self, *change):
        self._undo.append(change)
        del self._undo[:-MAX_UNDO]

    def add(self, x, y, cls):
        """Add a point; DrawError if the class or coordinates are invalid or the drawing full."""
        if isinstance(cls, bool) or not isinstance(cls, (int, np.integer)) \
                or not 0 <= cls < CLASSES:
            raise DrawError(_("class must be 0 to {last}; got {value}").format(
                last=CLASSES - 1, value=repr(cls)))
        try:
            point = np.array([float(x), float(y)])
        except (TypeError, ValueError):
            raise DrawError(_("a point needs two numbers; got {x}, {y}").format(
                x=repr(x), y=repr(y))) from None
        if not np.isfinite(point).all():
            raise DrawError(_("a point needs finite coordinates; got {x}, {y}").format(
                x=repr(x), y=repr(y)))
        if len(self) >= MAX_POINTS:
            raise DrawError(_("the drawing is full ({limit} points); remove some first").format(
                limit=number(MAX_POINTS)))
        self._remember("add")
        self._X = np.vstack([self._X, point])
        self._y = np.append(self._y, np.int64(cls))

    def remove_nearest(self, x, y, radius=None):
        """Remove the point nearest (x, y), if one lies within ``radius`` (any distance when
        None). Returns the removed (x, y, class) or None."""
        if not len(self):
            return None
        d = np.hypot(self._X[:, 0] - float(x), self._X[:, 1] - float(y))
        i = int(d.argmin())
        if radius is not None and d[i] > radius:
            return None
        removed = (float(self._X[i, 0]), float(self._X[i, 1]), int(self._y[i]))
        self._remember("remove", i, self._X[i].copy(), self._y[i])
        self._X = np.delete(self._X, i, axis=0)
        self._y = np.delete(self._y, i)
        return removed

    def clear(self):
        if len(self):
            self._remember("set", self._X, self._y)
            self._X, self._y = np.zeros((0, 2)), np.zeros(0, np.int64)

    def undo(self):
        """Revert the latest change; False if there is nothing to undo."""
        if not self._undo:
            return False
        change = self._undo.pop()
        if change[0] == "add":
            self._X, self._y = self._X[:-1].copy(), self._y[:-1].copy()
        elif change[0] == "remove":
            _, i, point, cls = change
            self._X = np.insert(self._X, i, point, axis=0)
            self._y = np.insert(self._y, i, cls)
        else:
            _, self._X, self._y = change
        return True

    def replace(self, X, y):
        """Swap in other points (e.g. from an uploaded drawing) as one undoable change."""
        other = DrawnPoints(X, y)
        self._remember("set", self._X, self._y)
        self._X, self._y = other._X, other._y

    # ---- using -----------------------------------------------------------------------------
    def check(self):
        """DrawError saying what is missing before the drawing can be trained on."""
        counts = self.counts()
        used = [c for c in range(CLASSES) if counts[c]]
        if len(used) < 2:
            raise DrawError(_("Draw points of at least two classes to train on them."))
        few = [c for c in used if counts[c] < MIN_PER_CLASS]
        if few:
            raise DrawError(_("Draw at least {n} points of class {c} (it has {has}).").format(
                n=MIN_PER_CLASS, c=few[0], has=counts[few[0]]))
        if np.ptp(self._X[:, 0]) == 0 or np.ptp(self._X[:, 1]) == 0:
            raise DrawError(_("The points lie on one line parallel to an axis; spread them "
                              "out."))

    def to_dataset(self, name="draw"):
        """An mc.Dataset whose classes are the drawn ones, renumbered 0.. in order (a drawing
        with classes 0 and 2 becomes a 2-class dataset)."""
        self.check()
        used = np.flatnonzero(np.bincount(self._y, minlength=CLASSES))
        y = np.searchsorted(used, self._y).astype(np.int64)
        return mc.Dataset(self._X.copy(), y, len(used), name)

    def class_names(self):
        """The names of ``to_dataset()``'s classes: the drawn class numbers as text."""
        return [str(c) for c in np.flatnonzero(np.bincount(self._y, minlength=CLASSES))]

    def to_csv(self):
        """UTF-8 CSV bytes: header x1,x2,label, one point per line, exact floats."""
        return uploads.points_to_csv(self._X, self._y)

    @classmethod
    def from_csv(cls, data):
        """A drawing from CSV bytes (a download of ``to_csv`` or any file ``uploads`` reads
        whose labels are 0, 1 or 2). Raises uploads.UploadError or DrawError."""
        points = uploads.parse_csv(data)
        try:
            labels = [int(name) for name in points.class_names]
        except ValueError:
            labels = list(range(points.n_classes))
        if min(labels) < 0 or max(labels) >= CLASSES:
            labels = list(range(points.n_classes))
        return cls(points.X, np.asarray(labels, np.int64)[points.y])
