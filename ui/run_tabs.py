"""Below the live view: replay the boundary at a past epoch, save the run for the Compare
page, export the model, a script and a GIF, and import a model."""

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from app_logic import exports, own_data, runs
from app_logic.session import record_at
from app_logic.settings import experiment
from viz import boundary, curves, gif
from viz.format import count, format_accuracy, format_loss

from . import session
from . import widget_sync as widgets
from .file_inputs import file_input, plain, reading
from .live_view import points_picture
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
        st.info("Pause to replay how the boundary formed.", icon=":material/pause:")
        return
    state.record_snapshot(force=True)  # the current epoch can be replayed too
    store = state.snapshots
    epochs = store.epochs
    if len(epochs) < 2:
        st.info("Train for a while (Play or Step), then replay the boundary at any earlier "
                "epoch here.", icon=":material/history:")
        return
    seen = (store.version, state.epoch)
    if session.kept("pg_replay_seen") != seen or widgets.value("pg_replay_epoch") not in epochs:
        # after more training, start at the newest
        widgets.set_value("pg_replay_epoch", epochs[-1])
        session.keep("pg_replay_seen", seen)
    slider, go_to = st.columns([5, 1], vertical_alignment="bottom")
    epoch = slider.select_slider(
        "Epoch to replay", epochs, key="pg_replay_epoch", persist_state="session",
        format_func=lambda e: f"{e:,}",
        help=f"{len(epochs)} snapshots of the boundary are kept: every epoch of a run with "
             f"an epoch limit under {store.max_snapshots}; as a longer run grows, older ones "
             "are thinned out so memory stays bounded.")
    go_to.number_input("Go to epoch", 0, epochs[-1], value=None, step=1, key=GO_TO,
                       on_change=_on_go_to, args=(epochs,), placeholder=f"0–{epochs[-1]:,}",
                       help="Type an epoch and press Enter: the replay shows the latest "
                            "snapshot at or before it.")
    epoch, grid = store.at(epoch)
    show_test = widgets.value("pg_show_test", True)
    record = record_at(state.trainer.history, epoch)
    if record is not None and record["epoch"] == epoch:
        st.caption(f"Epoch {epoch:,}: train loss {format_loss(record['train_loss'])}, test "
                   f"loss {format_loss(record['test_loss'])}, train accuracy "
                   f"{format_accuracy(record['train_acc'])}, test accuracy "
                   f"{format_accuracy(record['test_acc'])}.")
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
    session.notify(SAVE_NOTICE, "success", f"Saved “{plain(name)}” ({len(saved)} of "
                                           f"{saved.max_runs}).")


def save_tab(state, compact=False):
    saved = session.runs()
    if not compact:
        st.caption("A saved run keeps the settings, the loss and accuracy curves and the "
                   "boundary as they are now. Save one before and one after a change, then "
                   "compare them.")
    # The link on a line of its own: beside the name and the button it was cut to "Compare
    # saved r…" at 1024 pixels, and it left the name too little room for a default name.
    name_col, button_col = st.columns([3.2, 1.2], vertical_alignment="bottom")
    name_col.text_input("Run name", key="pg_run_name", max_chars=runs.MAX_NAME_LENGTH,
                        placeholder=saved.unique_name(runs.default_name(state.config,
                                                                        state.epoch)))
    button_col.button("Save run", key="pg_save_run", on_click=_on_save_run, type="primary",
                      icon=":material/bookmark_add:", disabled=saved.full, width="stretch")
    try:
        st.page_link("app_pages/compare.py", label="Compare saved runs",
                     icon=":material/compare:")
    except StreamlitPageNotFoundError:  # the page run on its own, outside app.py
        st.markdown("Open **Compare runs** from the navigation.")
    session.show_notice(SAVE_NOTICE)
    if len(saved) and not compact:
        st.caption(f"Saved ({len(saved)} of {saved.max_runs}): "
                   + "; ".join(plain(n) for n in saved.names) + "."
                   + (" Delete some on the Compare page to save more." if saved.full else ""))


def _gif_column(state):
    st.markdown("**Animation (GIF)**")
    store = state.snapshots
    st.caption(f"The boundary forming, from {len(store)} snapshots"
               + (f" up to epoch {store.latest[0]:,}." if store.latest else "."))
    made = session.kept(GIF)
    if st.button("Make the GIF", key="pg_make_gif", icon=":material/movie:",
                 disabled=len(store) < 2):
        bar = st.progress(0.0, text="Drawing the frames…")
        data = gif.boundary_gif(
            store.items(), state.grid_x, state.grid_y, state.train.X, state.train.y,
            progress=lambda done, total: bar.progress(done / total,
                                                      text=f"Frame {done} of {total}"),
            values=state.regression)
        bar.empty()
        made = session.keep(GIF, (store.version, data))
    if made is not None and made[0] == store.version:  # the snapshots it shows are current
        st.download_button(f"Download the GIF ({len(made[1]) / 1e6:.1f} MB)", made[1],
                           file_name=f"boundary-epoch-{store.latest[0]}.gif",
                           mime="image/gif", key="pg_export_gif",
                           icon=":material/download:", on_click="ignore")


def export_tab(state):
    if state.playing:
        st.info("Pause to export the network.", icon=":material/pause:")
        return
    model_col, script_col, gif_col = st.columns(3)
    with model_col:
        st.markdown("**Model (JSON)**")
        st.caption("The settings, weights, biases, input features and the data's "
                   "standardisation. Load it again under Import a model.")
        st.download_button("Download the model", exports.model_json_from_state(state),
                           file_name=f"model-epoch-{state.epoch}.json",
                           mime="application/json", key="pg_export_model",
                           icon=":material/download:", on_click="ignore")
    with script_col:
        st.markdown("**Training script (Python)**")
        needs = " and scikit-learn" if state.config["dataset"] == "tutorial" else ""
        st.caption(f"A standalone script (NumPy{needs}) that rebuilds the data and trains the "
                   f"same network with the same seed for {count(state.epoch, 'epoch')}.")
        if state.epoch == 0:
            st.caption("Train at least one epoch first.")
        else:
            if state.changed_mid_run or state.imported:
                why = ("the weights were imported from a model file" if state.imported else
                       "training settings changed during this run")
                st.warning(f"Since {why}, the script trains with the current settings from "
                           f"fresh weights: it reproduces a new run, not this one.",
                           icon=":material/info:")
            script = exports.training_script(state.config, state.epoch, state.all_points,
                                             state.class_names)
            st.download_button("Download the script", script.encode("utf-8"),
                               file_name=f"train-epoch-{state.epoch}.py", mime="text/x-python",
                               key="pg_export_script", icon=":material/download:",
                               on_click="ignore")
    with gif_col:
        _gif_column(state)


def _view_of(config):
    return {k: v for k, v in config.items() if k not in experiment(config)}


IMPORT_KEPT = "Your current network is unchanged."


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
        points = "" if model.own is None else (f" It trains on the {len(model.own.data):,} "
                                                f"points the file keeps.")
        session.notify(IMPORT_NOTICE, "success", f"Imported the network from "
                                                 f"“{plain(uploaded.name)}” at epoch "
                                                 f"{state.epoch:,}: its settings are set in the "
                                                 f"sidebar and its weights are in place.{points} "
                                                 f"Press Play to train on.")
        st.rerun()  # every part of the page shows the imported network


def import_tab():
    file_input("pg_model_file", "Model file (JSON) downloaded here earlier", ["json"],
               _on_model_import, IMPORT_NOTICE, IMPORT_KEPT,
               help="Restores the network, its settings and the epoch it reached, and the "
                    "points it was trained on if you drew or uploaded them.")


TABS = ("Save run", "Replay", "Export", "Import a model")


def _tabs():
    state = session.load_playground()
    if state.config["presenter"]:  # on a projector only what a lecturer needs
        replay_tab(state)
        save_tab(state, compact=True)
        return
    st.header("Save, replay and export")
    tabs = kept_tabs(TABS, "pg_tab")
    parts = (lambda: save_tab(state), lambda: replay_tab(state), lambda: export_tab(state),
             import_tab)
    for tab, part in zip(tabs, parts):
        if tab.open:  # only the open tab is made
            with tab:
                part()


def run_tabs():
    """Below the live view (a fragment: the tabs rerun on their own)."""
    st.fragment(_tabs, key=session.TABS_FRAGMENT)()
