"""Playground: pick data and a network, press Play, watch it learn."""

import math
import time

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

import mlp_core as mc
from viz import exports as ex
from viz import figures, uploads
from viz import own_data as od
from viz import runs as rn
from viz import state as pgs
from viz.draw import DrawError, DrawnPoints
from viz.uploads import UploadError, inspect_csv, parse_csv

TICK_SECONDS = 0.05  # how often the live fragment reruns while playing
TRAIN_SECONDS = 0.05  # training time per tick; the rest of a tick is drawing
SLOW_FIGURE_SECONDS = 2.0  # network and curves redraw at most this often while playing
CUSTOM = "Custom"

DATASET_LABELS = {"circles": "Circles", "moons": "Moons", "xor": "XOR", "gaussians": "Gaussians",
                  "spiral": "Spiral", "blobs3": "Blobs (3 classes)",
                  "spiral3": "Spiral (3 classes)", "draw": "Draw your own",
                  "upload": "Upload a CSV"}
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum 0.9", "adam": "Adam"}
REG_LABELS = {"none": "None", "l1": "L1", "l2": "L2"}
INIT_LABELS = {"he": "He", "xavier": "Xavier", "normal": "Normal N(0, 0.1)"}

ss = st.session_state


# ---- config <-> widgets ----------------------------------------------------------------------
def widget_values(config):
    values = {f"pg_{k}": config[k] for k in (
        "dataset", "n_samples", "noise", "test_fraction", "seed", "features", "activation",
        "init", "optimizer", "lr", "batch_size", "regularization", "reg_rate", "epoch_budget")}
    values["pg_features"] = list(config["features"])
    values["pg_n_layers"] = len(config["hidden"])
    for i, n in enumerate(config["hidden"]):
        values[f"pg_neurons_{i}"] = n
    return values


def set_widgets(config):
    for key, value in widget_values(config).items():
        ss[key] = value
    for i in range(len(config["hidden"]), pgs.MAX_LAYERS):
        ss.pop(f"pg_neurons_{i}", None)


def seed_widgets(config):
    """Give every widget its config value unless it already holds one."""
    for key, value in widget_values(config).items():
        ss.setdefault(key, value)
    n_layers = ss["pg_n_layers"]
    for i in range(n_layers):
        previous = ss.get(f"pg_neurons_{i - 1}", 4) if i else 4
        ss.setdefault(f"pg_neurons_{i}", previous)


def config_from_widgets(old):
    config = {k: ss[f"pg_{k}"] for k in pgs.DEFAULTS if f"pg_{k}" in ss}
    config["hidden"] = [ss[f"pg_neurons_{i}"] for i in range(ss["pg_n_layers"])]
    if not ss["pg_features"]:
        st.toast("The network needs at least one input feature; kept the previous ones.")
        ss["pg_features"] = list(old["features"])
    config["features"] = ss["pg_features"]
    config, problems = pgs.validate_config(config)
    return config, problems


# ---- callbacks (they run before the script, so they may set widget values) -------------------
def current_state():
    return pgs.load_state(ss, st.query_params.to_dict())


def on_play(play):
    # The wanted state comes from the label the user clicked, not from toggling: a click
    # that reaches the server twice (it can, while the live view reruns) must not undo itself.
    state = current_state()
    if not play:
        state.playing = False
        return
    if state.budget_left() == 0:
        st.toast(f"The epoch budget ({state.config['epoch_budget']}) is reached. Raise it, set "
                 "it to 0 for no limit, or press Reset.")
        return
    if not state.playing:
        state.diverged = None
    state.playing = True


def on_step():
    state = current_state()
    state.playing = False
    state.diverged = None
    if state.budget_left() == 0:
        st.toast("The epoch budget is reached; raise it or press Reset.")
        return
    state.train_for(1)


def on_reset():
    current_state().rebuild_network()


def on_regenerate(seed):
    ss["pg_seed"] = (seed + 1) % (pgs.SEED_RANGE[1] + 1)


def on_preset():
    name = ss.get("pg_preset")
    if name not in pgs.PRESETS:
        return
    config = pgs.PRESETS[name]["config"]
    set_widgets(config)
    ss[pgs.SESSION_KEY] = pgs.build_state(config)  # a preset is a fresh experiment


def on_smaller_lr(lr):
    ss["pg_lr"] = lr


# ---- sidebar ---------------------------------------------------------------------------------
def sidebar(state):
    sb = st.sidebar
    sb.toggle("Presenter mode", key="pg_presenter",
              help="Hides the explanations and enlarges the figures for a projector.")
    sb.selectbox("Preset", [CUSTOM, *pgs.PRESETS], key="pg_preset", on_change=on_preset,
                 help="Ready-made experiments. Each sets every control below; change any of "
                      "them afterwards.")
    if ss.get("pg_preset") in pgs.PRESETS:
        sb.caption(pgs.PRESETS[ss["pg_preset"]]["explanation"])

    sb.header("Data")
    sb.selectbox("Dataset", pgs.DATASET_CHOICES, key="pg_dataset",
                 format_func=DATASET_LABELS.get,
                 help="The 2-D points to classify. Blobs and Spiral (3 classes) need three "
                      "outputs, which the network gets automatically. Draw your own or "
                      "upload a CSV to train on your own points.")
    own = ss["pg_dataset"] in pgs.OWN_DATASETS
    sb.slider("Samples", *pgs.SAMPLES_RANGE, step=10, key="pg_n_samples", disabled=own,
              help="How many points, before splitting into train and test (not used for "
                   "your own points).")
    sb.slider("Noise", *pgs.NOISE_RANGE, step=0.01, key="pg_noise", disabled=own,
              help="Standard deviation of the random jitter added to each point (not used "
                   "for your own points).")
    sb.slider("Test fraction", *pgs.TEST_FRACTION_RANGE, step=0.05, key="pg_test_fraction",
              help="Share of the points held out for testing; the network never trains on "
                   "them. Test points are drawn outlined, training points filled.")
    seed_col, button_col = sb.columns([3, 2], vertical_alignment="bottom")
    seed_col.number_input("Seed", *pgs.SEED_RANGE, step=1, key="pg_seed",
                          help="Fixes the points, the split, the initial weights and the "
                               "batch order: the same seed gives the same run.")
    button_col.button("Regenerate", key="pg_regenerate", on_click=on_regenerate,
                      args=(state.config["seed"],),
                      help="New points (and initial weights) from the next seed.")
    sb.multiselect("Input features", pgs.FEATURE_CHOICES, key="pg_features",
                   format_func=figures.feature_label,
                   help="What the network sees of each point (x₁, x₂ after standardising). "
                        "Squares and products let even a network without hidden layers draw "
                        "curved boundaries.")

    sb.header("Network")
    sb.slider("Hidden layers", 0, pgs.MAX_LAYERS, key="pg_n_layers",
              help="0 gives a linear model (logistic regression): one straight boundary.")
    for i in range(ss["pg_n_layers"]):
        sb.slider(f"Neurons in layer {i + 1}", 1, pgs.MAX_NEURONS, key=f"pg_neurons_{i}",
                  help="Units in this hidden layer. More units can bend the boundary more.")
    sb.selectbox("Activation", pgs.ACTIVATION_CHOICES, key="pg_activation",
                 help="The function each hidden unit applies to its weighted sum. The output "
                      "is sigmoid for 2 classes and softmax for 3.")
    sb.selectbox("Initialisation", mc.INITS, key="pg_init", format_func=INIT_LABELS.get,
                 help="How the starting weights are drawn. He suits ReLU, Xavier suits tanh "
                      "and sigmoid; Normal N(0, 0.1) is the tutorial's choice.")

    sb.header("Training")
    sb.selectbox("Optimizer", pgs.OPTIMIZER_CHOICES, key="pg_optimizer",
                 format_func=OPTIMIZER_LABELS.get,
                 help="How gradients become weight updates. Changing it keeps the network "
                      "and starts the optimizer's memory afresh.")
    sb.select_slider("Learning rate", pgs.with_value(pgs.LR_VALUES, ss["pg_lr"]), key="pg_lr",
                     format_func=lambda v: f"{v:g}",
                     help="Step size, on a log scale from 0.00001 to 10. Too small crawls, "
                          "too large diverges. Changing it keeps the network.")
    n_train = len(state.train)
    sb.number_input("Batch size", *pgs.BATCH_RANGE, step=1, key="pg_batch_size",
                    help=f"Training points per update. {n_train} or more (all training points)"
                         " is full-batch gradient descent; 1 is pure stochastic.")
    sb.selectbox("Regularization", pgs.REGULARIZATIONS, key="pg_regularization",
                 format_func=REG_LABELS.get,
                 help="A penalty on large weights: L1 pushes weights to exactly zero, L2 "
                      "shrinks them all. Biases are not penalised.")
    sb.select_slider("Regularization rate", pgs.with_value(pgs.REG_RATE_VALUES,
                                                           ss["pg_reg_rate"]),
                     key="pg_reg_rate", format_func=lambda v: f"{v:g}",
                     disabled=ss["pg_regularization"] == "none",
                     help="Strength of the penalty (ignored when Regularization is None).")
    sb.number_input("Epoch budget", *pgs.BUDGET_RANGE, step=50, key="pg_epoch_budget",
                    help="Training pauses after this many epochs; 0 means no limit.")


# ---- main area -------------------------------------------------------------------------------
def fmt_loss(value):
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.3g}" if value >= 1e-3 else f"{value:.2e}"


def fmt_acc(value):
    return "–" if value is None or not math.isfinite(value) else f"{100 * value:.1f}%"


def current_metrics(state):
    last = state.trainer.history.last
    if last is not None:
        return last
    net, loss = state.net, state.loss
    return {
        "epoch": 0,
        "train_loss": net.loss(state.X_train, state.train.y, loss),
        "test_loss": net.loss(state.X_test, state.test.y, loss),
        "train_acc": float((net.predict(state.X_train) == state.train.y).mean()),
        "test_acc": float((net.predict(state.X_test) == state.test.y).mean()),
    }


def smaller_lr(lr):
    below = [v for v in pgs.LR_VALUES if v <= lr / 10]
    return below[-1] if below else pgs.LR_VALUES[0]


def divergence_notice(state):
    info = state.diverged
    suggestion = smaller_lr(info["lr"])
    st.error(
        f"**Training diverged in epoch {info['epoch']}**: {info['reason']}. With a learning "
        f"rate of {info['lr']:g} each step overshoots, the weights grow without bound and the "
        f"numbers overflow. Training is paused; the network shown is the last good one "
        f"(after epoch {info['epoch'] - 1}). Try a smaller learning rate, e.g. "
        f"{suggestion:g}.", icon=":material/warning:")
    st.button(f"Use learning rate {suggestion:g}", key="pg_smaller_lr", on_click=on_smaller_lr,
              args=(suggestion,))


def cached_figure(name, signature, build, max_age):
    """What ``build`` made last time for ``name`` if its signature matches and it is younger
    than ``max_age`` seconds, else a new one. Re-sending an unchanged figure is cheap: the
    browser keeps the chart it has."""
    cache = ss.setdefault("pg_figure_cache", {})
    now = time.monotonic()
    entry = cache.get(name)
    if entry is not None and entry[0] == signature and now - entry[1] < max_age:
        return entry[2]
    fig = build()
    cache[name] = (signature, now, fig)
    return fig


def live_view(presenter):
    """Metrics and figures; while playing it reruns on a timer and trains each time.

    It draws first and trains afterwards: Streamlit fades the elements of a running fragment
    until they are sent again, and with training first the page would look faded all the
    time. What is drawn is therefore one tick behind the model, about 1/20 s.
    """
    state = ss[pgs.SESSION_KEY]
    metrics = current_metrics(state)
    cols = st.columns(5)
    cols[0].metric("Epoch", f"{state.epoch:,}")
    cols[1].metric("Train loss", fmt_loss(metrics["train_loss"]))
    cols[2].metric("Test loss", fmt_loss(metrics["test_loss"]))
    cols[3].metric("Train accuracy", fmt_acc(metrics["train_acc"]))
    cols[4].metric("Test accuracy", fmt_acc(metrics["test_acc"]))

    out = state.forward_grid()
    boundary = state.boundary_u8(out)
    scale = 1.35 if presenter else 1.0
    # The boundary redraws every tick; the network and the curves at most every
    # SLOW_FIGURE_SECONDS while playing, since every new figure is a fresh chart in the browser.
    max_age = SLOW_FIGURE_SECONDS if state.playing else 0.0
    show_test = ss.get("pg_show_test", True)
    points = cached_figure(  # the points only change with the data
        "points", (id(state.train), show_test), lambda: figures.points_image(
            state.grid_x, state.grid_y, state.train.X, state.train.y,
            state.test.X if show_test else None, state.test.y), math.inf)
    left, right = st.columns([5, 4])
    with left:
        discretize, height = ss.get("pg_discretize", False), int(500 * scale)
        if state.playing:  # a picture is swapped in place; a new chart is built from scratch
            frame = cached_figure("raster_frame", (id(state.train), show_test, height),
                                  lambda: figures.raster_frame(
                                      state.grid_x, state.grid_y, points, state.n_classes,
                                      show_test, height, int(560 * scale)), math.inf)
            with st.container(key="pg_boundary_live"):
                st.image(figures.boundary_raster(frame, boundary, discretize))
        else:
            fig = figures.boundary_figure(
                state.grid_x, state.grid_y, boundary, state.train.X, state.train.y,
                state.test.X, state.test.y, n_classes=state.n_classes, show_test=show_test,
                discretize=discretize, height=height, points=points)
            st.plotly_chart(fig, key="pg_boundary", theme=None, config={"displaylogo": False})

    def network():
        maps = state.neuron_maps()  # uses the activations of the forward pass above
        fig = figures.network_figure(state.net, state.feature_names, neuron_maps=maps)
        fig.update_layout(height=int(fig.layout.height * scale))
        return fig

    with right:
        fig = cached_figure("network", (id(state.net), scale), network, max_age)
        st.plotly_chart(fig, key="pg_network", theme=None, config={"displayModeBar": False})
    history = state.trainer.history
    curve_height = int(270 * scale)
    log_loss = ss.get("pg_log_loss", False)
    signature = (id(state.trainer), curve_height, log_loss)
    loss_fig = cached_figure("loss", signature, lambda: figures.loss_figure(
        history.column("epoch"), history.column("train_loss"), history.column("test_loss"),
        log_y=log_loss, height=curve_height), max_age)
    accuracy_fig = cached_figure("accuracy", signature, lambda: figures.accuracy_figure(
        history.column("epoch"), history.column("train_acc"), history.column("test_acc"),
        height=curve_height), max_age)
    left, right = st.columns(2)
    left.plotly_chart(loss_fig, key="pg_loss", theme=None, config={"displaylogo": False})
    right.plotly_chart(accuracy_fig, key="pg_accuracy", theme=None,
                       config={"displaylogo": False})

    if state.playing:
        state.train_for(n_epochs=10**9, time_budget=TRAIN_SECONDS)
        if not state.playing:  # budget reached or diverged: redraw the whole page once
            st.rerun()


# ---- own data: draw and upload ---------------------------------------------------------------
KEPT = "The previous data stay in use."
DRAW_MODES = (0, 1, 2, "erase")
ERASE_RADIUS = 0.05  # of the canvas's larger side


def draw_mode_label(mode):
    if mode == "erase":
        return "Erase the nearest point"
    return f"Add class {mode} ({od.CLASS_COLOR_NAMES[mode]})"


def drawing():
    found = ss.get("pg_drawing")
    if not isinstance(found, DrawnPoints):
        found = ss["pg_drawing"] = DrawnPoints()
    return found


def publish_drawing():
    """Hand the drawing to the Playground once it can be trained on; until then the
    Playground keeps the points it has."""
    try:
        own = od.own_data_from_drawing(drawing())
    except DrawError as err:
        ss["pg_draw_problem"] = str(err)
        return
    ss.pop("pg_draw_problem", None)
    pgs.set_own_data(ss, own)


def on_canvas_click():
    point = od.clicked_point(ss.get("pg_draw_canvas"))
    if point is None:
        return
    points, mode = drawing(), ss.get("pg_draw_mode", 0)
    try:
        if mode == "erase":
            (x0, x1), (y0, y1) = points.bounds()
            if points.remove_nearest(*point, radius=ERASE_RADIUS * max(x1 - x0, y1 - y0)) \
                    is None:
                st.toast("There is no point near that spot to erase.")
                return
        else:
            points.add(*point, int(mode))
    except DrawError as err:
        st.toast(f"{str(err).capitalize()}.")
        return
    publish_drawing()


def on_draw_undo():
    if drawing().undo():
        publish_drawing()


def on_draw_clear():
    drawing().clear()
    publish_drawing()


def on_draw_from_current():
    state = current_state()
    X = np.concatenate([state.train.X, state.test.X])
    y = np.concatenate([state.train.y, state.test.y])
    drawing().replace(X, y)
    publish_drawing()


def draw_panel(state):
    points = drawing()
    with st.container(border=True):
        st.markdown("**Draw your own points.** Choose what a click does, then click on the "
                    "canvas. Every change starts training again from epoch 0.")
        left, right = st.columns([3, 2])
        with right:
            st.radio("A click on the canvas", DRAW_MODES, key="pg_draw_mode",
                     format_func=draw_mode_label)
            counts = points.counts()
            st.caption(f"{len(points)} points: " + ", ".join(
                f"{n} of class {c}" for c, n in enumerate(counts)) + ".")
            undo_col, clear_col = st.columns(2)
            undo_col.button("Undo", key="pg_draw_undo", on_click=on_draw_undo,
                            icon=":material/undo:", disabled=not points.can_undo,
                            width="stretch")
            clear_col.button("Clear", key="pg_draw_clear", on_click=on_draw_clear,
                             icon=":material/delete:", disabled=not len(points),
                             width="stretch")
            st.button("Start from the current points", key="pg_draw_from_current",
                      on_click=on_draw_from_current, icon=":material/content_copy:",
                      width="stretch",
                      help="Copy the points the network trains on now into the drawing, "
                           "to edit them.")
            st.download_button("Download the points (CSV)", points.to_csv(),
                               file_name="my-points.csv", mime="text/csv",
                               key="pg_draw_download", on_click="ignore",
                               icon=":material/download:", disabled=not len(points),
                               width="stretch",
                               help="Upload this file later (dataset: Upload a CSV) to "
                                    "train on the same points.")
            problem = ss.get("pg_draw_problem") if len(points) else \
                "Draw points of at least two classes to train on them."
            if problem:
                using = "your previous drawing" if state.config["dataset"] == "draw" else \
                    DATASET_LABELS.get(state.config["dataset"], state.config["dataset"])
                st.info(f"{problem} Until then the network trains on {using}.",
                        icon=":material/edit:")
        with left:
            x_range, y_range = points.bounds()
            st.plotly_chart(od.canvas_figure(points.X, points.y, x_range, y_range),
                            key="pg_draw_canvas", on_select=on_canvas_click,
                            selection_mode="points", theme=None,
                            config={"displayModeBar": False})


def upload_notice(kind, text):
    ss["pg_upload_notice"] = (kind, text)


def use_upload(name, data, features=None, label=None):
    try:
        points = parse_csv(data, features, label)
    except UploadError as err:
        upload_notice("error", f"“{name}” was not loaded: {err} {KEPT}")
        return
    pgs.set_own_data(ss, od.own_data_from_upload(points, name))
    ss.pop("pg_upload_pending", None)
    upload_notice("success", f"Loaded {len(points.y)} points of {points.n_classes} classes "
                             f"from “{name}”.")


def on_upload():
    uploaded = ss.get("pg_upload_file")
    if uploaded is None:  # the file was removed from the uploader: keep its points
        return
    data = uploaded.getvalue()
    ss.pop("pg_upload_pending", None)
    try:
        preview = inspect_csv(data)
    except UploadError as err:
        upload_notice("error", f"“{uploaded.name}” was not loaded: {err} {KEPT}")
        return
    if preview.ambiguous:
        ss["pg_upload_pending"] = (uploaded.name, data, preview)
        ss["pg_upload_x"] = preview.columns[preview.suggested_features[0]]
        ss["pg_upload_y"] = preview.columns[preview.suggested_features[1]]
        ss["pg_upload_label"] = preview.columns[preview.suggested_label]
        upload_notice("info", f"“{uploaded.name}” has {len(preview.columns)} columns: choose "
                              f"the two features and the label, then press Use these "
                              f"columns.")
        return
    use_upload(uploaded.name, data)


def on_upload_columns():
    pending = ss.get("pg_upload_pending")
    if pending is not None:
        name, data, _ = pending
        use_upload(name, data, [ss["pg_upload_x"], ss["pg_upload_y"]], ss["pg_upload_label"])


def upload_panel(state):
    with st.container(border=True):
        st.markdown(f"**Upload your own points**: a CSV file with two numeric feature columns "
                    f"and a label column (a header row is optional). Labels may be numbers or "
                    f"names, {uploads.MAX_CLASSES} classes at most; up to "
                    f"{uploads.MAX_ROWS:,} rows and {uploads.MAX_BYTES // 2**20} MB.")
        st.file_uploader("CSV file", type=["csv", "txt", "tsv"], key="pg_upload_file",
                         on_change=on_upload)
        notice = ss.get("pg_upload_notice")
        if notice:
            kind, text = notice
            {"error": st.error, "info": st.info, "success": st.success}[kind](text)
        pending = ss.get("pg_upload_pending")
        if pending is not None:
            columns = pending[2].columns
            cols = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
            cols[0].selectbox("Feature x₁", columns, key="pg_upload_x")
            cols[1].selectbox("Feature x₂", columns, key="pg_upload_y")
            cols[2].selectbox("Label", columns, key="pg_upload_label")
            cols[3].button("Use these columns", key="pg_upload_use", type="primary",
                           on_click=on_upload_columns)
        own = pgs.own_data(ss, "upload")
        if own is None:
            st.caption("Until a file is loaded, the network trains on "
                       f"{DATASET_LABELS.get(state.config['dataset'], 'the current data')}.")
            return
        names = ", ".join(f"class {k} = “{name}” ({od.CLASS_COLOR_NAMES[k]})"
                          for k, name in enumerate(own.class_names))
        in_use = "In use" if state.own is own else "Loaded"
        st.caption(f"{in_use}: {len(own.data)} points from “{own.description}”. On the plots "
                   f"x₁ is “{own.axis_names[0]}” and x₂ is “{own.axis_names[1]}”, in the "
                   f"file's own units (the network sees them standardised); {names}.")


def own_data_panel(state):
    if ss.get("pg_dataset") == "draw":
        draw_panel(state)
    elif ss.get("pg_dataset") == "upload":
        upload_panel(state)


def own_data_for(state, config):
    """The points for a draw/upload ``config``. Without any yet (nothing drawn or uploaded),
    ``config`` keeps the Playground's current dataset."""
    if config["dataset"] not in pgs.OWN_DATASETS:
        return None
    own = pgs.own_data(ss, config["dataset"])
    if own is None:
        config["dataset"] = state.config["dataset"]
        return state.own
    return own


# ---- replay, save and export -----------------------------------------------------------------
def run_collection():
    runs = ss.get(rn.SESSION_KEY)
    if not isinstance(runs, rn.RunCollection):
        runs = ss[rn.SESSION_KEY] = rn.RunCollection()
    return runs


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
    seen = (id(store), state.epoch)
    if ss.get("pg_replay_seen") != seen or ss.get("pg_replay_epoch") not in epochs:
        ss["pg_replay_epoch"] = epochs[-1]  # after more training, start at the newest
        ss["pg_replay_seen"] = seen
    epoch = st.select_slider(
        "Epoch to replay", epochs, key="pg_replay_epoch",
        format_func=lambda e: f"{e:,}",
        help=f"{len(epochs)} snapshots of the boundary are kept; as a run grows, older ones "
             "are thinned out so memory stays bounded.")
    epoch, grid = store.at(epoch)
    show_test = ss.get("pg_show_test", True)
    points = cached_figure(  # the same picture of the points as the live view's
        "points", (id(state.train), show_test), lambda: figures.points_image(
            state.grid_x, state.grid_y, state.train.X, state.train.y,
            state.test.X if show_test else None, state.test.y), math.inf)
    record = od.record_at(state.trainer.history, epoch)
    if record is not None and record["epoch"] == epoch:
        st.caption(f"Epoch {epoch:,}: train loss {fmt_loss(record['train_loss'])}, test loss "
                   f"{fmt_loss(record['test_loss'])}, train accuracy "
                   f"{fmt_acc(record['train_acc'])}, test accuracy "
                   f"{fmt_acc(record['test_acc'])}.")
    left, right = st.columns([5, 4])
    left.plotly_chart(figures.boundary_figure(
        state.grid_x, state.grid_y, grid, state.train.X, state.train.y, state.test.X,
        state.test.y, n_classes=state.n_classes, show_test=show_test,
        discretize=ss.get("pg_discretize", False), height=420, points=points),
        key="pg_replay_boundary", theme=None, config={"displaylogo": False})
    history = state.trainer.history
    with right:
        st.plotly_chart(od.with_cursor(figures.loss_figure(
            history.column("epoch"), history.column("train_loss"), history.column("test_loss"),
            log_y=ss.get("pg_log_loss", False), height=210), epoch), key="pg_replay_loss",
            theme=None, config={"displaylogo": False})
        st.plotly_chart(od.with_cursor(figures.accuracy_figure(
            history.column("epoch"), history.column("train_acc"), history.column("test_acc"),
            height=210), epoch), key="pg_replay_accuracy", theme=None,
            config={"displaylogo": False})


def default_run_name(state):
    config = state.config
    hidden = "-".join(str(n) for n in config["hidden"]) or "linear"
    name = (f"{DATASET_LABELS.get(config['dataset'], config['dataset'])}, {hidden}, "
            f"{config['optimizer']} {config['lr']:g}, epoch {state.epoch}")
    return name[:rn.MAX_NAME_LENGTH]


def on_save_run():
    state, runs = current_state(), run_collection()
    try:
        name = runs.unique_name(ss.get("pg_run_name", "").strip() or default_run_name(state))
        runs.add(rn.run_from_state(name, state))
    except rn.RunsError as err:
        ss["pg_save_notice"] = ("error", str(err))
        return
    ss["pg_run_name"] = ""
    ss["pg_save_notice"] = ("success", f"Saved “{name}” ({len(runs)} of {runs.max_runs}).")


def save_tab(state, compact=False):
    runs = run_collection()
    if not compact:
        st.caption("A saved run keeps the settings, the loss and accuracy curves and the "
                   "boundary as they are now. Save one before and one after a change, then "
                   "compare them.")
    name_col, button_col, link_col = st.columns([3, 1.2, 1.6], vertical_alignment="bottom")
    name_col.text_input("Run name", key="pg_run_name", max_chars=rn.MAX_NAME_LENGTH,
                        placeholder=default_run_name(state))
    button_col.button("Save run", key="pg_save_run", on_click=on_save_run, type="primary",
                      icon=":material/bookmark_add:", disabled=runs.full, width="stretch")
    with link_col:
        try:
            st.page_link("app_pages/compare.py", label="Compare saved runs",
                         icon=":material/compare:")
        except StreamlitPageNotFoundError:  # the page run on its own, outside app.py
            st.markdown("Open **Compare runs** from the navigation.")
    notice = ss.pop("pg_save_notice", None)
    if notice:
        (st.success if notice[0] == "success" else st.error)(notice[1])
    if len(runs) and not compact:
        st.caption(f"Saved ({len(runs)} of {runs.max_runs}): " + "; ".join(runs.names) + "."
                   + (" Delete some on the Compare page to save more." if runs.full else ""))


def export_tab(state):
    if state.playing:
        st.info("Pause to export the network.", icon=":material/pause:")
        return
    model_col, script_col, gif_col = st.columns(3)
    with model_col:
        st.markdown("**Model (JSON)**")
        st.caption("The settings, weights, biases, input features and the data's "
                   "standardisation. Load it again under Import a model.")
        st.download_button("Download the model", ex.model_json_from_state(state),
                           file_name=f"model-epoch-{state.epoch}.json",
                           mime="application/json", key="pg_export_model",
                           icon=":material/download:", on_click="ignore")
    with script_col:
        st.markdown("**Training script (Python)**")
        needs = " and scikit-learn" if state.config["dataset"] in ("circles", "moons") else ""
        st.caption(f"A standalone script (NumPy{needs}) that rebuilds the data and trains the "
                   f"same network with the same seed for {state.epoch:,} epochs.")
        if state.epoch == 0:
            st.caption("Train at least one epoch first.")
        else:
            if state.changed_mid_run or state.imported:
                why = ("the weights were imported from a model file" if state.imported else
                       "training settings changed during this run")
                st.warning(f"Since {why}, the script trains with the current settings from "
                           f"fresh weights: it reproduces a new run, not this one.",
                           icon=":material/info:")
            script = ex.training_script(state.config, state.epoch, state.all_points,
                                        state.class_names)
            st.download_button("Download the script", script.encode("utf-8"),
                               file_name=f"train-epoch-{state.epoch}.py", mime="text/x-python",
                               key="pg_export_script", icon=":material/download:",
                               on_click="ignore")
    with gif_col:
        st.markdown("**Animation (GIF)**")
        store = state.snapshots
        st.caption(f"The boundary forming, from {len(store)} snapshots"
                   + (f" up to epoch {store.latest[0]:,}." if store.latest else "."))
        signature = (id(store), len(store), store.latest[0] if store.latest else None)
        gif = ss.get("pg_gif")
        if st.button("Make the GIF", key="pg_make_gif", icon=":material/movie:",
                     disabled=len(store) < 2):
            bar = st.progress(0.0, text="Drawing the frames…")
            data = ex.boundary_gif(
                store.items(), state.grid_x, state.grid_y, state.train.X, state.train.y,
                progress=lambda done, total: bar.progress(done / total,
                                                          text=f"Frame {done} of {total}"))
            bar.empty()
            gif = ss["pg_gif"] = (signature, data)
        if gif is not None and gif[0] == signature:
            st.download_button(f"Download the GIF ({len(gif[1]) / 1e6:.1f} MB)", gif[1],
                               file_name=f"boundary-epoch-{signature[2]}.gif",
                               mime="image/gif", key="pg_export_gif",
                               icon=":material/download:", on_click="ignore")


def on_model_import():
    uploaded = ss.get("pg_model_file")
    if uploaded is None:
        return
    try:
        model = ex.model_from_json(uploaded.getvalue())
        dataset = model.config["dataset"]
        own = pgs.own_data(ss, dataset) if dataset in pgs.OWN_DATASETS else None
        state = ex.state_from_import(model, own)
    except ex.ModelFileError as err:
        ss["pg_import_notice"] = ("error", f"“{uploaded.name}” was not imported: {err} Your "
                                           f"current network is unchanged.")
        return
    ss[pgs.SESSION_KEY] = state
    set_widgets(state.config)
    ss["pg_preset"] = CUSTOM
    ss["pg_import_notice"] = ("success", f"Imported the network from “{uploaded.name}”: "
                                         f"its settings are set in the sidebar and its "
                                         f"weights are in place. Press Play to train on.")


def import_tab():
    st.file_uploader("Model file (JSON) downloaded here earlier", type=["json"],
                     key="pg_model_file", on_change=on_model_import,
                     help="Restores the network and its settings. A model trained on drawn "
                          "or uploaded points needs those points loaded first.")
    notice = ss.get("pg_import_notice")
    if notice:
        (st.success if notice[0] == "success" else st.error)(notice[1])


def replay_save_export(state, presenter):
    if presenter:  # on a projector only what a lecturer needs: save runs to compare them
        save_tab(state, compact=True)
        return
    st.subheader("Replay, save and export")
    with st.container():
        replay, save, export, load = st.tabs(["Replay", "Save run", "Export",
                                              "Import a model"])
        with replay:
            replay_tab(state)
        with save:
            save_tab(state)
        with export:
            export_tab(state)
        with load:
            import_tab()


# ---- the page --------------------------------------------------------------------------------
def apply_widget_changes(state):
    config, problems = config_from_widgets(state.config)
    if problems:
        st.toast("Ignored: " + "; ".join(problems))
    own = own_data_for(state, config)
    kind = pgs.state_change_kind(state, config, own)
    if kind is None:
        return state
    points_only = pgs.change_kind(state.config, config) is None  # drawn/uploaded points
    try:
        state, kind = pgs.apply_config(state, config, own)
    except ValueError as exc:
        st.error(f"That setting could not be used: {exc}. The previous setup is kept.")
        set_widgets(state.config)
        return state
    state.notices = []
    ss[pgs.SESSION_KEY] = state
    if kind == "data" and not points_only:
        st.toast("New data: the network was reset to epoch 0.", icon=":material/restart_alt:")
    elif kind == "network":
        st.toast("New network shape: the network was reset to epoch 0.",
                 icon=":material/restart_alt:")
    preset = pgs.PRESETS.get(ss.get("pg_preset"))
    if preset is not None and preset["config"] != state.config:
        ss["pg_preset"] = CUSTOM
    return state


def sync_url(config):
    target = pgs.config_to_query(config)
    if st.query_params.to_dict() != target:
        st.query_params.from_dict(target)


def main():
    state = current_state()
    seed_widgets(state.config)
    state = apply_widget_changes(state)
    presenter = ss.get("pg_presenter", False)
    sidebar(state)
    sync_url(state.config)

    if not presenter:
        st.title("Playground")
        st.caption("A neural network written from scratch in NumPy learns to separate the "
                   "classes. Press Play and watch the boundary, the loss and every neuron "
                   "change; hover over the network to read its weights.")
    if state.notices:
        st.warning("Some settings in the link could not be used and were replaced by "
                   "defaults: " + "; ".join(state.notices) + ".", icon=":material/link_off:")
    if state.diverged:
        divergence_notice(state)
    own_data_panel(state)

    controls = st.columns([1, 1, 1, 1.3, 1.3, 1.3], vertical_alignment="center")
    controls[0].button("Pause" if state.playing else "Play", key="pg_play", on_click=on_play,
                       args=(not state.playing,),
                       type="primary", icon=":material/pause:" if state.playing
                       else ":material/play_arrow:", width="stretch",
                       help="Train continuously until paused (or until the epoch budget).")
    controls[1].button("Step", key="pg_step", on_click=on_step, icon=":material/skip_next:",
                       width="stretch", help="Train exactly one epoch.")
    controls[2].button("Reset", key="pg_reset", on_click=on_reset, icon=":material/replay:",
                       width="stretch", help="Start again from fresh initial weights.")
    controls[3].toggle("Show test data", value=True, key="pg_show_test",
                       help="Draw the held-out test points (outlined) on the boundary.")
    controls[4].toggle("Discretize output", value=False, key="pg_discretize",
                       help="Colour each area by the predicted class instead of the "
                            "probability.")
    controls[5].toggle("Log-scale loss", value=False, key="pg_log_loss",
                       help="Plot the loss on a logarithmic axis to see small values.")

    run_every = TICK_SECONDS if state.playing else None
    st.fragment(run_every=run_every)(live_view)(presenter)

    if not presenter:
        loss_text = ("binary cross-entropy with one sigmoid output" if state.loss == "bce"
                     else f"cross-entropy with {state.n_classes} softmax outputs")
        if state.config["regularization"] != "none":
            loss_text += f" + {state.config['regularization'].upper()} penalty"
        st.caption(
            f"{len(state.train)} training and {len(state.test)} test points. Loss: "
            f"{loss_text}. In the "
            "network, blue links are positive weights and orange negative, thicker = larger; "
            "each square shows what that neuron computes over the plane.")
    replay_save_export(state, presenter)


main()
