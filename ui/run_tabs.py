"""Below the live view: replay the boundary at a past epoch, save the run for the Compare
page, export the model, a script and a GIF, and import a model."""

import math

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from app_logic import exports, own_data, runs
from app_logic.session import record_at
from app_logic.settings import experiment
from viz import boundary, curves, gif
from viz.format import count, format_accuracy, format_loss
from viz.i18n import N_, _, ngettext, number

from . import session
from . import widget_sync as widgets
from .file_inputs import file_input, plain, reading
from .i18n import fragment
from .widget_sync import CUSTOM, kept_tabs, set_widgets

SAVE_NOTICE, IMPORT_NOTICE = "save", "import"  # notice slots
GIF = "pg_gif"  # (snapshot version, GIF bytes) of the last GIF made


GO_TO = "pg_replay_go_to"


def _on_go_to(epochs):
    wanted = widgets.value(GO_TO)
    if wanted is not None:
        widgets.set_value("pg_replay_epoch",
                          max([e for e in epochs if e <= wanted] or epochs[:1]))
        widgets.set_value(GO_TO, None)


def replay_tab(state):
    if state.playing:
        st.info(_("Pause to replay how the boundary formed."), icon=":material/pause:")
        return
    state.record_snapshot(force=True)  # the current epoch can be replayed too
    store = state.snapshots
    epochs = store.epochs
    if len(epochs) < 2:
        st.info(_("Train for a while (Play or Step), then replay the boundary at any earlier "
                  "epoch here."), icon=":material/history:")
        return
    seen = (store.version, state.epoch)
    if session.kept("pg_replay_seen") != seen or widgets.value("pg_replay_epoch") not in epochs:
        # after more training, start at the newest
        widgets.set_value("pg_replay_epoch", epochs[-1])
        session.keep("pg_replay_seen", seen)
    slider, go_to = st.columns([5, 1], vertical_alignment="bottom")
    epoch = slider.select_slider(
        _("Epoch to replay"), epochs, key="pg_replay_epoch", persist_state="session",
        format_func=number,
        help=_("{n} snapshots of the boundary are kept: every epoch of a run with an epoch "
               "limit under {limit}; as a longer run grows, older ones are thinned out so "
               "memory stays bounded.").format(n=number(len(epochs)),
                                               limit=number(store.max_snapshots)))
    go_to.number_input(_("Go to epoch"), 0, epochs[-1], value=None, step=1, key=GO_TO,
                       on_change=_on_go_to, args=(epochs,),
                       placeholder=f"0–{number(epochs[-1])}",
                       help=_("Type an epoch and press Enter: the replay shows the latest "
                              "snapshot at or before it."))
    epoch, grid = store.at(epoch)
    _replay_caption(state, epoch)
    _replay_figures(state, epoch, grid)


def _replay_caption(state, epoch):
    """The numbers of the replayed epoch, when its record was kept."""
    record = record_at(state.trainer.history, epoch)
    if record is not None and record["epoch"] == epoch:
        st.caption(_("Epoch {epoch}: train loss {train_loss}, test loss {test_loss}, train "
                     "accuracy {train_acc}, test accuracy {test_acc}.").format(
            epoch=number(epoch), train_loss=format_loss(record["train_loss"]),
            test_loss=format_loss(record["test_loss"]),
            train_acc=format_accuracy(record["train_acc"]),
            test_acc=format_accuracy(record["test_acc"])))


def points_picture(state, show_test):
    """The data points as one picture for a chart (the replay tab's), made once per
    dataset."""
    return session.cached_figure(
        "points", (state.points_id, show_test), lambda: boundary.points_image(
            state.grid_x, state.grid_y, state.train.X, state.train.y,
            state.test.X if show_test else None, state.test.y, values=state.regression),
        math.inf)


def _replay_figures(state, epoch, grid):
    """The replayed boundary beside the curves with the epoch marked."""
    show_test = widgets.value("pg_show_test", True)
    left, right = st.columns([5, 4])
    left.plotly_chart(boundary.boundary_figure(
        state.grid_x, state.grid_y, grid, state.train.X, state.train.y, state.test.X,
        state.test.y, n_classes=state.n_classes, show_test=show_test,
        discretize=widgets.value("pg_discretize", False), height=420,
        points=points_picture(state, show_test)),
        # No tool bar: over a narrow picture (a phone) it covers the legend.
        key="pg_replay_boundary", theme=None, config={"displayModeBar": False})
    history = state.trainer.history
    with right:
        st.plotly_chart(curves.with_cursor(curves.loss_figure(
            history.column("epoch"), history.column("train_loss"), history.column("test_loss"),
            log_y=widgets.value("pg_log_loss", False), height=210,
            rollbacks=state.rollbacks), epoch),
            key="pg_replay_loss",
            theme=None, config={"displaylogo": False})
        if not state.regression:
            st.plotly_chart(curves.with_cursor(curves.accuracy_figure(
                history.column("epoch"), history.column("train_acc"),
                history.column("test_acc"), height=210), epoch), key="pg_replay_accuracy",
                theme=None, config={"displaylogo": False})


def _on_save_run():
    state, saved = session.load_playground(), session.runs()
    try:
        name = saved.unique_name(widgets.value("pg_run_name", "").strip()
                                 or runs.default_name(state.config, state.epoch))
        saved.add(runs.run_from_state(name, state))
    except runs.RunsError as err:
        session.notify(SAVE_NOTICE, "error", plain(err))
        return
    widgets.set_value("pg_run_name", "")
    session.notify(SAVE_NOTICE, "success", _("Saved “{name}” ({n} of {limit}).").format(
        name=plain(name), n=number(len(saved)), limit=number(saved.max_runs)))


def save_tab(state, compact=False):
    saved = session.runs()
    if not compact:
        st.caption(_("A saved run keeps the settings, the loss and accuracy curves and the "
                     "boundary as they are now. Save one before and one after a change, then "
                     "compare them."))
    # The link on a line of its own: beside the name and the button it was cut to "Compare
    # saved r…" at 1024 pixels, and it left the name too little room for a default name.
    name_col, button_col = st.columns([3.2, 1.2], vertical_alignment="bottom")
    name_col.text_input(_("Run name"), key="pg_run_name", max_chars=runs.MAX_NAME_LENGTH,
                        placeholder=saved.unique_name(runs.default_name(state.config,
                                                                        state.epoch)))
    button_col.button(_("Save run"), key="pg_save_run", on_click=_on_save_run, type="primary",
                      icon=":material/bookmark_add:", disabled=saved.full, width="stretch")
    try:
        st.page_link("app_pages/compare.py", label=_("Compare saved runs"),
                     icon=":material/compare:")
    except StreamlitPageNotFoundError:  # the page run on its own, outside app.py
        st.markdown(_("Open **Compare runs** from the navigation."))
    session.show_notice(SAVE_NOTICE)
    if len(saved) and not compact:
        st.caption(_("Saved ({n} of {limit}): {names}.").format(
            n=number(len(saved)), limit=number(saved.max_runs),
            names="; ".join(plain(n) for n in saved.names))
            + (" " + _("Delete some on the Compare page to save more.") if saved.full else ""))


def _gif_column(state):
    st.markdown(_("**Animation (GIF)**"))
    store = state.snapshots
    if store.latest:
        st.caption(_("The boundary forming, from {n} snapshots up to epoch {epoch}.").format(
            n=number(len(store)), epoch=number(store.latest[0])))
    else:
        st.caption(_("The boundary forming, from {n} snapshots.").format(n=number(len(store))))
    made = session.kept(GIF)
    if st.button(_("Make the GIF"), key="pg_make_gif", icon=":material/movie:",
                 disabled=len(store) < 2):
        bar = st.progress(0.0, text=_("Drawing the frames…"))
        data = gif.boundary_gif(
            store.items(), state.grid_x, state.grid_y, state.train.X, state.train.y,
            progress=lambda done, total: bar.progress(
                done / total, text=_("Frame {done} of {total}").format(done=done, total=total)),
            values=state.regression, epoch_label=_("epoch {epoch}"))
        bar.empty()
        made = session.keep(GIF, (store.version, data))
    if made is not None and made[0] == store.version:  # the snapshots it shows are current
        st.download_button(_("Download the GIF ({size})").format(
            size=f"{number(len(made[1]) / 1e6, 1)} MB"), made[1],
                           file_name=f"boundary-epoch-{store.latest[0]}.gif",
                           mime="image/gif", key="pg_export_gif",
                           icon=":material/download:", on_click="ignore")


def export_tab(state):
    if state.playing:
        st.info(_("Pause to export the network."), icon=":material/pause:")
        return
    model_col, script_col, gif_col = st.columns(3)
    with model_col:
        st.markdown(_("**Model (JSON)**"))
        st.caption(_("The settings, weights, biases, input features and the data's "
                     "standardisation. Load it again under Import a model."))
        st.download_button(_("Download the model"), exports.model_json_from_state(state),
                           file_name=f"model-epoch-{state.epoch}.json",
                           mime="application/json", key="pg_export_model",
                           icon=":material/download:", on_click="ignore")
    with script_col:
        st.markdown(_("**Training script (Python)**"))
        needs = "NumPy, scikit-learn" if state.config["dataset"] == "tutorial" else "NumPy"
        epochs = count(state.epoch, ngettext("{n} epoch", "{n} epochs", state.epoch))
        st.caption(_("A standalone script ({needs}) that rebuilds the data and trains the "
                     "same network with the same seed for {epochs}.").format(
            needs=needs, epochs=epochs))
        if state.epoch == 0:
            st.caption(_("Train at least one epoch first."))
        else:
            if state.changed_mid_run or state.imported:
                why = (_("the weights were imported from a model file") if state.imported
                       else _("training settings changed during this run"))
                st.warning(_("Since {why}, the script trains with the current settings from "
                             "fresh weights: it reproduces a new run, not this one.").format(
                    why=why), icon=":material/info:")
            script = exports.training_script(state.config, state.epoch, state.all_points,
                                             state.class_names)
            st.download_button(_("Download the script"), script.encode("utf-8"),
                               file_name=f"train-epoch-{state.epoch}.py", mime="text/x-python",
                               key="pg_export_script", icon=":material/download:",
                               on_click="ignore")
    with gif_col:
        _gif_column(state)


def _view_of(config):
    return {k: v for k, v in config.items() if k not in experiment(config)}


IMPORT_KEPT = N_("Your current network is unchanged.")


def _on_model_import():
    uploaded = widgets.value("pg_model_file")
    if uploaded is None:
        return
    with reading(IMPORT_NOTICE, uploaded.name, IMPORT_KEPT, "imported"):
        model = exports.model_from_json(uploaded.getvalue())
        state = exports.state_from_import(model, session.own_data(model.config["dataset"]))
        if model.own is not None:  # the file's points become this session's own points
            session.set_own_data(model.own)
            if model.own.source == "draw":
                session.drawing().replace(model.own.data.X, own_data.drawing_labels(model.own))
        state.config.update(_view_of(session.load_playground().config))  # keep how it is shown
        session.set_playground(state)
        set_widgets(state.config)
        widgets.set_value("pg_preset", CUSTOM)
        points = "" if model.own is None else " " + _(
            "It trains on the {n} points the file keeps.").format(n=number(len(model.own.data)))
        session.notify(IMPORT_NOTICE, "success", _(
            "Imported the network from “{name}” at epoch {epoch}: its settings are set in the "
            "sidebar and its weights are in place.{points} Press Play to train on.").format(
            name=plain(uploaded.name), epoch=number(state.epoch), points=points))
        st.rerun()  # every part of the page shows the imported network


def import_tab():
    file_input("pg_model_file", _("Model file (JSON) downloaded here earlier"), ["json"],
               _on_model_import, IMPORT_NOTICE, IMPORT_KEPT,
               help=_("Restores the network, its settings and the epoch it reached, and the "
                      "points it was trained on if you drew or uploaded them."))


TABS = (N_("Save run"), N_("Replay"), N_("Export"), N_("Import a model"))


def _tabs():
    state = session.load_playground()
    if state.config["presenter"]:  # on a projector only what a lecturer needs
        replay_tab(state)
        save_tab(state, compact=True)
        return
    st.header(_("Save, replay and export"))
    tabs = kept_tabs([_(label) for label in TABS], "pg_tab")
    parts = (lambda: save_tab(state), lambda: replay_tab(state), lambda: export_tab(state),
             import_tab)
    for tab, part in zip(tabs, parts):
        if tab.open:  # only the open tab is made
            with tab:
                part()


def run_tabs():
    """Below the live view (a fragment: the tabs rerun on their own)."""
    fragment(_tabs, key=session.TABS_FRAGMENT)()
