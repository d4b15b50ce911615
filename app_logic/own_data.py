"""The user's own points, drawn or uploaded, as the Playground trains on them."""

from dataclasses import dataclass

import numpy as np

import mlp_core as mc

from .drawing import CLASSES
from .settings import OWN_DATASETS

# A handful of points split at the sidebar's fraction (0.5 by default) would leave half of
# them out of training: 20 drawn points trained on 10. Below FEW_POINTS, at most
# FEW_POINTS_TEST_FRACTION of them are held out for testing.
FEW_POINTS = 50
FEW_POINTS_TEST_FRACTION = 0.2


@dataclass(frozen=True, eq=False)
class OwnData:
    """Points a user drew or uploaded, in their own units. They live in the session (a link
    cannot hold them); a new OwnData object means new points, so identity tells them apart."""

    source: str  # "draw" or "upload"
    data: mc.Dataset  # every point, before the train/test split
    class_names: list  # class_names[k] is what the user calls class k
    axis_names: tuple = ("x1", "x2")  # what the two coordinates are (an upload's columns)
    description: str = ""  # e.g. the file's name

    def __post_init__(self):
        if self.source not in OWN_DATASETS:
            raise ValueError(f"source must be one of {OWN_DATASETS}; got {self.source!r}")
        if len(self.class_names) != self.data.n_classes:
            raise ValueError("one class name per class is needed")


def from_drawing(drawing):
    """OwnData of a app_logic.drawing.DrawnPoints; DrawError (with a message for the user)
    until the drawing can be trained on."""
    return OwnData("draw", drawing.to_dataset(), drawing.class_names())


def from_upload(points, file_name=""):
    """OwnData of a app_logic.uploads.UploadedData."""
    return OwnData("upload", points.to_dataset(), list(points.class_names),
                   tuple(points.feature_names), file_name)


def test_fraction(n_points, chosen):
    """The share of ``n_points`` own points held out for testing, with ``chosen`` set in
    the sidebar: at most FEW_POINTS_TEST_FRACTION of a handful of points."""
    return min(chosen, FEW_POINTS_TEST_FRACTION) if n_points < FEW_POINTS else chosen


def drawing_labels(own):
    """The class numbers of ``own``'s points on the drawing canvas: the drawn ones where its
    class names are them ("0" and "2" stay 0 and 2), else 0, 1, 2 in order."""
    names = own.class_names
    if set(names) <= {str(c) for c in range(CLASSES)}:
        return np.array([int(n) for n in names], dtype=np.int64)[own.data.y]
    return own.data.y.copy()
