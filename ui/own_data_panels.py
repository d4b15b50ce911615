"""The panels for the user's own points: a canvas to draw them and an uploader for a CSV."""

import numpy as np
import streamlit as st

from app_logic import own_data as od
from app_logic import uploads
from app_logic.drawing import DrawError
from app_logic.files import megabytes
from app_logic.settings import DATASET_LABELS
from app_logic.uploads import inspect_csv, parse_csv
from viz.format import count
from viz.i18n import N_, _, ngettext, number
from viz.style import CLASS_COLOR_NAMES

from . import session
from . import widget_sync as widgets
from .file_inputs import file_input, plain, reading
from .i18n import fragment
from .live_board import live_board, taps
from .live_view import draw_message, on_missing_style
from .widget_sync import apply_widget_changes, rerun, sync_url

KEPT = N_("The previous data stay in use.")
DRAW_MODES = (0, 1, 2, "erase")
ERASE_RADIUS = 0.05  # of the canvas's larger side
UPLOAD_NOTICE = "upload"  # the notice slot of the upload panel
PENDING = "pg_upload_pending"  # (file name, bytes, preview) of a file waiting for its columns
DRAW_PROBLEM = "pg_draw_problem"  # why the drawing cannot be trained on yet
DRAW_BOARD = "pg_draw_board"  # the drawing canvas (ui/live_board)
TAPS_SEEN = "pg_draw_taps_seen"  # (board token, number) of the last tap drawn


# ---- draw ------------------------------------------------------------------------------------
def draw_mode_label(mode):
    if mode == "erase":
        return _("Erase the nearest point")
    return _("Add class {c} ({colour})").format(c=mode, colour=_(CLASS_COLOR_NAMES[mode]))


def _train_on(own):
    """From a callback: the Playground trains on ``own`` (if its dataset is chosen), and the
    panel and the live view show it."""
    session.set_own_data(own)
    sync_url(apply_widget_changes(session.load_playground()).config)
    rerun(session.OWN_DATA_FRAGMENT, session.LIVE_FRAGMENT)


def publish_drawing():
    """Hand the drawing to the Playground once it can be trained on; until then the
    Playground keeps the points it has."""
    try:
        own = od.from_drawing(session.drawing())
    except DrawError as err:
        session.keep(DRAW_PROBLEM, str(err))
        return
    session.drop(DRAW_PROBLEM)
    _train_on(own)


def new_taps(taps):
    """(x, y) of the taps on the drawing board not drawn yet, in order."""
    board, last = session.kept(TAPS_SEEN, (None, 0))
    fresh = []
    for tap in taps:
        try:
            token, n, x, y = str(tap["board"]), int(tap["n"]), float(tap["x"]), float(tap["y"])
        except (KeyError, TypeError, ValueError):
            continue
        if (token != board or n > last) and np.isfinite(x) and np.isfinite(y):
            fresh.append((x, y))
            board, last = token, n
    session.keep(TAPS_SEEN, (board, last))
    return fresh


def draw_at(points, point, mode):
    """Add a point of class ``mode`` at ``point``, or erase the nearest; False (with a
    toast) when that cannot be done."""
    try:
        if mode == "erase":
            (x0, x1), (y0, y1) = points.bounds()
            if points.remove_nearest(*point, radius=ERASE_RADIUS * max(x1 - x0, y1 - y0)) \
                    is None:
                session.toast(_("There is no point near that spot to erase."))
                return False
        else:
            points.add(*point, int(mode))
    except DrawError as err:
        text = str(err)
        session.toast(_("{message}.").format(message=text[:1].upper() + text[1:]))
        return False
    return True


def on_board_taps():
    points, mode = session.drawing(), widgets.value("pg_draw_mode", 0)
    changed = [draw_at(points, point, mode) for point in new_taps(taps(DRAW_BOARD))]
    if any(changed):
        publish_drawing()


def on_draw_undo():
    if session.drawing().undo():
        publish_drawing()


def on_draw_clear():
    session.drawing().clear()
    publish_drawing()


def on_draw_from_current():
    state = session.load_playground()
    X = np.concatenate([state.train.X, state.test.X])
    y = np.concatenate([state.train.y, state.test.y])
    session.drawing().replace(X, y)
    publish_drawing()


def draw_panel(state):
    points = session.drawing()
    with st.container(border=True):
        st.markdown(_("**Draw your own points.** Choose what a click does, then click on the "
                      "canvas. Every change starts training again from epoch 0."))
        left, right = st.columns([3, 2])
        with right:
            st.radio(_("A click on the canvas"), DRAW_MODES, key="pg_draw_mode",
                     format_func=draw_mode_label)
            n = len(points)
            st.caption(_("{points}: {per_class}.").format(
                points=count(n, ngettext("{n} point", "{n} points", n)),
                per_class=_(", ").join(_("{n} of class {c}").format(n=number(k), c=c)
                                       for c, k in enumerate(points.counts()))))
            undo_col, clear_col = st.columns(2)
            undo_col.button(_("Undo"), key="pg_draw_undo", on_click=on_draw_undo,
                            icon=":material/undo:", disabled=not points.can_undo,
                            width="stretch")
            clear_col.button(_("Clear"), key="pg_draw_clear", on_click=on_draw_clear,
                             icon=":material/delete:", disabled=not len(points),
                             width="stretch")
            st.button(_("Start from the current points"), key="pg_draw_from_current",
                      on_click=on_draw_from_current, icon=":material/content_copy:",
                      width="stretch",
                      help=_("Copy the points the network trains on now into the drawing, "
                             "to edit them."))
            st.download_button(_("Download the points (CSV)"), points.to_csv(),
                               file_name="my-points.csv", mime="text/csv",
                               key="pg_draw_download", on_click="ignore",
                               icon=":material/download:", disabled=not len(points),
                               width="stretch",
                               help=_("Upload this file later (dataset: Upload a CSV) to "
                                      "train on the same points."))
            problem = session.kept(DRAW_PROBLEM) if len(points) else \
                _("Draw points of at least two classes to train on them.")
            if problem:
                using = _("your previous drawing") if state.config["dataset"] == "draw" else \
                    _(DATASET_LABELS.get(state.config["dataset"], state.config["dataset"]))
                st.info(_("{problem} Until then the network trains on {using}.").format(
                    problem=problem, using=using), icon=":material/edit:")
        with left, st.container(key="pg_draw_canvas"):
            x_range, y_range = points.bounds()
            live_board(draw_message(points.X, points.y, x_range, y_range, DRAW_BOARD),
                       DRAW_BOARD, on_missing_style, on_taps=on_board_taps)


# ---- upload ----------------------------------------------------------------------------------
def _loaded_text(points, name):
    text = _("Loaded {n} points of {classes} classes from “{name}”.").format(
        n=number(len(points.y)), classes=points.n_classes, name=plain(name))
    if points.conflicts:
        text += " " + ngettext(
            "{n} place holds points with different labels; all are kept (the network cannot "
            "get every one of them right).",
            "{n} places hold points with different labels; all are kept (the network cannot "
            "get every one of them right).", points.conflicts).format(
            n=number(points.conflicts))
    return text


def use_upload(name, data, features=None, label=None):
    with reading(UPLOAD_NOTICE, name, KEPT):
        points = parse_csv(data, features, label)
        own = od.from_upload(points, name)
        session.drop(PENDING)
        session.notify(UPLOAD_NOTICE, "success", _loaded_text(points, name))
        _train_on(own)


def on_upload():
    uploaded = widgets.value("pg_upload_file")
    if uploaded is None:  # the file was removed from the uploader: keep its points
        return
    session.drop(PENDING)
    with reading(UPLOAD_NOTICE, uploaded.name, KEPT):
        data = uploaded.getvalue()
        preview = inspect_csv(data)
        if preview.ambiguous:
            session.keep(PENDING, (uploaded.name, data, preview))
            widgets.set_value("pg_upload_x", preview.columns[preview.suggested_features[0]])
            widgets.set_value("pg_upload_y", preview.columns[preview.suggested_features[1]])
            widgets.set_value("pg_upload_label", preview.columns[preview.suggested_label])
            session.notify(UPLOAD_NOTICE, "info", _(
                "“{name}” has {n} columns: choose the two features and the label, then press "
                "Use these columns.").format(name=plain(uploaded.name),
                                             n=len(preview.columns)))
            return
        use_upload(uploaded.name, data)


def on_upload_columns():
    pending = session.kept(PENDING)
    if pending is not None:
        name, data, _ = pending
        use_upload(name, data, [widgets.value("pg_upload_x"), widgets.value("pg_upload_y")],
                   widgets.value("pg_upload_label"))


def upload_panel(state):
    with st.container(border=True):
        st.markdown(_(
            "**Upload your own points**: a CSV file with two numeric feature columns and a "
            "label column (a header row is optional). Labels may be numbers or names, "
            "{classes} classes at most; up to {rows} rows, {columns} columns and {size}.").format(
            classes=uploads.MAX_CLASSES, rows=number(uploads.MAX_POINTS),
            columns=uploads.MAX_COLUMNS, size=megabytes(uploads.MAX_FILE_BYTES)))
        file_input("pg_upload_file", _("CSV file"), ["csv", "txt", "tsv"], on_upload,
                   UPLOAD_NOTICE, KEPT)
        pending = session.kept(PENDING)
        if pending is not None:
            columns = pending[2].columns  # at most MAX_COLUMNS
            cols = st.columns(3)
            cols[0].selectbox(_("Feature x₁"), columns, key="pg_upload_x")
            cols[1].selectbox(_("Feature x₂"), columns, key="pg_upload_y")
            cols[2].selectbox(_("Label"), columns, key="pg_upload_label")
            # On a line of its own: in a fourth column its label is cut at 1024 px.
            st.button(_("Use these columns"), key="pg_upload_use", type="primary",
                      on_click=on_upload_columns)
        own = session.own_data("upload")
        if own is None:
            st.caption(_("Until a file is loaded, the network trains on {data}.").format(
                data=_(DATASET_LABELS.get(state.config["dataset"], N_("the current data")))))
            return
        names = _(", ").join(_("class {k} = “{name}” ({colour})").format(
            k=k, name=plain(name), colour=_(CLASS_COLOR_NAMES[k]))
            for k, name in enumerate(own.class_names))
        text = (_("In use: {n} points from “{source}”.") if state.own is own else
                _("Loaded: {n} points from “{source}”."))
        st.caption(text.format(n=number(len(own.data)), source=plain(own.description)) + " "
                   + _("On the plots x₁ is “{x1}” and x₂ is “{x2}”, in the file's own units "
                       "(the network sees them standardised); {names}.").format(
                       x1=plain(own.axis_names[0]), x2=plain(own.axis_names[1]), names=names))


def _panel():
    session.show_toasts()
    state = session.load_playground()
    if widgets.value("pg_dataset") == "draw":
        draw_panel(state)
    elif widgets.value("pg_dataset") == "upload":
        upload_panel(state)


def own_data_panel():
    """The panel of the chosen own dataset (a fragment: drawing a point reruns the panel and
    the live view, not the page)."""
    if widgets.value("pg_dataset") in ("draw", "upload"):
        fragment(_panel, key=session.OWN_DATA_FRAGMENT)()
