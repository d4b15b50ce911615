"""The draw dataset: add, remove nearest, clear, undo, and CSV round trips."""

import numpy as np
import pytest

from app_logic import drawing
from app_logic import uploads as up


def drawing_with(points):
    d = drawing.DrawnPoints()
    for x, y, c in points:
        d.add(x, y, c)
    return d


def test_add_remove_clear_undo():
    d = drawing_with([(0.0, 0.0, 0), (1.0, 1.0, 1), (-1.0, 0.5, 2)])
    assert len(d) == 3 and d.counts() == [1, 1, 1]
    assert d.remove_nearest(0.9, 1.2) == (1.0, 1.0, 1)
    assert d.X.tolist() == [[0.0, 0.0], [-1.0, 0.5]] and d.y.tolist() == [0, 2]
    d.clear()
    assert len(d) == 0
    assert d.undo()  # the clear
    assert d.X.tolist() == [[0.0, 0.0], [-1.0, 0.5]]
    assert d.undo()  # the removal puts the point back where it was
    assert d.X.tolist() == [[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5]] and d.y.tolist() == [0, 1, 2]
    assert d.undo() and d.undo() and d.undo()  # the three adds
    assert len(d) == 0 and not d.can_undo and not d.undo()


def test_remove_nearest_respects_radius():
    d = drawing_with([(0.0, 0.0, 0), (1.0, 0.0, 1)])
    assert d.remove_nearest(0.5, 0.6, radius=0.2) is None
    assert len(d) == 2
    assert d.remove_nearest(0.95, 0.05, radius=0.2) == (1.0, 0.0, 1)
    assert drawing.DrawnPoints().remove_nearest(0, 0) is None


@pytest.mark.parametrize("x,y,cls", [(0, 0, 3), (0, 0, -1), (0, 0, True), (0, 0, 1.0),
                                     ("a", 0, 0), (np.nan, 0, 0), (0, np.inf, 1)])
def test_invalid_points_are_refused_and_change_nothing(x, y, cls):
    d = drawing_with([(0.0, 0.0, 0)])
    with pytest.raises(drawing.DrawError):
        d.add(x, y, cls)
    assert len(d) == 1 and d.undo() and not d.can_undo


def test_undo_history_is_bounded():
    d = drawing.DrawnPoints()
    for i in range(drawing.MAX_UNDO + 50):
        d.add(i, -i, i % 2)
    undone = 0
    while d.undo():
        undone += 1
    assert undone == drawing.MAX_UNDO
    assert len(d) == 50


def test_points_are_read_only_views():
    d = drawing_with([(0.0, 0.0, 0)])
    with pytest.raises(ValueError):
        d.X[0, 0] = 5.0
    assert d.X[0, 0] == 0.0


def test_to_dataset_needs_two_classes():
    d = drawing_with([(0, 0, 0), (1, 1, 0), (2, 0, 0)])
    with pytest.raises(drawing.DrawError, match="at least two classes"):
        d.to_dataset()
    d.add(3, 3, 2)
    with pytest.raises(drawing.DrawError, match="at least 2 points of class 2"):
        d.to_dataset()
    d.add(4, 1, 2)
    ds = d.to_dataset()
    # classes 0 and 2 become a 2-class data set, named by the drawn classes
    assert ds.n_classes == 2 and ds.y.tolist() == [0, 0, 0, 1, 1]
    assert d.class_names() == ["0", "2"]
    assert ds.name == "draw"


def test_csv_round_trip_is_exact():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2)) / 3.0
    y = np.arange(40) % 3
    d = drawing.DrawnPoints(X, y)
    back = drawing.DrawnPoints.from_csv(d.to_csv())
    np.testing.assert_array_equal(back.X, X)
    np.testing.assert_array_equal(back.y, y)
    # the download is a normal upload too
    points = up.parse_csv(d.to_csv())
    assert points.class_names == ["0", "1", "2"] and points.feature_names == ["x1", "x2"]


def test_csv_round_trip_keeps_class_numbers():
    d = drawing_with([(0, 0, 0), (1, 1, 0), (2, 0, 2), (0.5, 3, 2)])
    back = drawing.DrawnPoints.from_csv(d.to_csv())
    assert back.y.tolist() == [0, 0, 2, 2]


def test_upload_of_named_classes_becomes_0_1_2():
    data = b"a,b,kind\n0,0,cat\n1,1,dog\n2,0,cat\n0,2,dog\n"
    assert drawing.DrawnPoints.from_csv(data).y.tolist() == [0, 1, 0, 1]


def test_bad_upload_leaves_the_drawing_alone():
    d = drawing_with([(0, 0, 0), (1, 1, 1)])
    with pytest.raises(up.UploadError):
        d.replace(*_points(drawing.DrawnPoints.from_csv(b"x,y,label\n")))
    assert d.X.tolist() == [[0, 0], [1, 1]]
    good = drawing.DrawnPoints.from_csv(b"x,y,label\n0,0,1\n1,1,0\n2,2,1\n3,0,0\n")
    d.replace(good.X, good.y)
    assert len(d) == 4
    assert d.undo() and d.X.tolist() == [[0, 0], [1, 1]]


def _points(drawing):
    return drawing.X, drawing.y


def test_a_full_drawing_refuses_more():
    X = np.column_stack([np.arange(drawing.MAX_POINTS), np.zeros(drawing.MAX_POINTS)])
    d = drawing.DrawnPoints(X, np.arange(drawing.MAX_POINTS) % 2)
    with pytest.raises(drawing.DrawError, match="full"):
        d.add(0.0, 0.0, 1)
    with pytest.raises(drawing.DrawError):
        drawing.DrawnPoints(np.zeros((drawing.MAX_POINTS + 1, 2)), np.zeros(drawing.MAX_POINTS + 1))


def test_bounds_cover_points_and_default_range():
    d = drawing.DrawnPoints()
    assert d.bounds() == (drawing.DEFAULT_RANGE, drawing.DEFAULT_RANGE)
    d.add(5.0, -0.5, 0)
    d.add(0.0, 0.5, 1)
    (x0, x1), (y0, y1) = d.bounds()
    assert x0 == drawing.DEFAULT_RANGE[0] and x1 > 5.0
    assert (y0, y1) == drawing.DEFAULT_RANGE
