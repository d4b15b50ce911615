"""Playground: pick data and a network, press Play, watch it learn."""

import math
import time

import streamlit as st

import mlp_core as mc
from viz import figures
from viz import state as pgs

TICK_SECONDS = 0.05  # how often the live fragment reruns while playing
TRAIN_SECONDS = 0.05  # training time per tick; the rest of a tick is drawing
SLOW_FIGURE_SECONDS = 1.0  # network and curves redraw at most this often while playing
CUSTOM = "Custom"

DATASET_LABELS = {"circles": "Circles", "moons": "Moons", "xor": "XOR", "gaussians": "Gaussians",
                  "spiral": "Spiral", "blobs3": "Blobs (3 classes)",
                  "spiral3": "Spiral (3 classes)"}
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
    sb.selectbox("Dataset", mc.DATASETS, key="pg_dataset", format_func=DATASET_LABELS.get,
                 help="The 2-D points to classify. Blobs and Spiral (3 classes) need three "
                      "outputs, which the network gets automatically.")
    sb.slider("Samples", *pgs.SAMPLES_RANGE, step=10, key="pg_n_samples",
              help="How many points, before splitting into train and test.")
    sb.slider("Noise", *pgs.NOISE_RANGE, step=0.01, key="pg_noise",
              help="Standard deviation of the random jitter added to each point.")
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
        fig = figures.boundary_figure(
            state.grid_x, state.grid_y, boundary, state.train.X, state.train.y,
            state.test.X, state.test.y, n_classes=state.n_classes, show_test=show_test,
            discretize=ss.get("pg_discretize", False), height=int(500 * scale), points=points)
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


# ---- the page --------------------------------------------------------------------------------
def apply_widget_changes(state):
    config, problems = config_from_widgets(state.config)
    if problems:
        st.toast("Ignored: " + "; ".join(problems))
    kind = pgs.change_kind(state.config, config)
    if kind is None:
        return state
    try:
        state, kind = pgs.apply_config(state, config)
    except ValueError as exc:
        st.error(f"That setting could not be used: {exc}. The previous setup is kept.")
        set_widgets(state.config)
        return state
    state.notices = []
    ss[pgs.SESSION_KEY] = state
    if kind == "data":
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


main()
