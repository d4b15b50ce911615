"""The live view: the transport row, the metrics and the boundary, the curves and the network.

The view is one fragment ("live") so that a click on Play, Pause, Step or Reset reruns only
the view, never the whole page. Inside it, three fragments of their own:
- the board (metrics and boundary picture) reruns every tick while playing, and each
  tick draws first and then trains a little (Streamlit fades the elements of a running
  fragment until they are sent again; training first would keep the picture faded);
- the curves and the network rerun every SLOW_SECONDS or more while playing: re-sending a
  chart costs the server and the browser far more than a picture, and they change slowly.
The tick's interval and its training time are the session's fair share of the server
(app_logic/fair_share.py): one session alone ticks every 0.05 s and trains 0.03 s of it;
with more playing, ticks come less often and train less. While paused none of the
fragments has a timer, so a paused session costs nothing.
"""

import math
import time
import uuid

import numpy as np
import streamlit as st

from app_logic import fair_share
from app_logic.settings import ACTIVATION_LABELS, FEATURE_LABELS
from viz import boundary, curves, network
from viz.format import format_accuracy, format_loss

from . import session
from .transport import divergence_notice, transport

SLOW_SECONDS = 2.0  # the curves and the network redraw at most this often while playing

ss = st.session_state
FOCUS = "pg_focus"  # (layer of nodes, unit) shown instead of the boundary, or None
SHARE_KEY = "pg_share_key"  # this session's name in the server's fair share
TICK = "pg_tick"  # the board's tick interval as the live view last set it (None: paused)


# ---- the fair share of the server (app_logic/fair_share.py) ----------------------------------
def _share_key():
    return ss.setdefault(SHARE_KEY, uuid.uuid4().hex)


def _check_in(playing):
    """The session's Share while playing (its tick is counted), None when paused."""
    if not playing:
        fair_share.REGISTRY.leave(_share_key())
        return None
    return fair_share.REGISTRY.tick(_share_key(), ss.get(TICK))


def sizes(presenter):
    """Pixel sizes of the boundary picture and the curves (presenter mode: a projector at
    1280x720 shows the controls, the boundary and the loss curve without scrolling)."""
    if presenter:
        return {"picture_height": 470, "picture_width": 600, "curve_height": 250,
                "network_scale": 1.15, "font_size": 17}
    return {"picture_height": 480, "picture_width": 580, "curve_height": 240,
            "network_scale": 1.0, "font_size": 14}


def points_picture(state, show_test):
    """The data points as one picture, made once per dataset (shared with the replay tab)."""
    return session.cached_figure(
        "points", (state.data_id, show_test), lambda: boundary.points_image(
            state.grid_x, state.grid_y, state.train.X, state.train.y,
            state.test.X if show_test else None, state.test.y, values=state.regression),
        math.inf)


def metrics_row(state, place):
    metrics = state.metrics()
    with place.container(horizontal=True, gap="medium", key="pg_metrics"):
        st.metric("Epoch", f"{state.epoch:,}", width="content")
        st.metric("Train loss", format_loss(metrics["train_loss"]), width="content")
        st.metric("Test loss", format_loss(metrics["test_loss"]), width="content")
        if not state.regression:  # a regression has no accuracy to show
            st.metric("Train accuracy", format_accuracy(metrics["train_acc"]),
                      width="content")
            st.metric("Test accuracy", format_accuracy(metrics["test_acc"]), width="content")


def focused_neuron(state):
    """(layer of nodes, unit) whose map replaces the boundary, or None: set by a click on a
    neuron in the network diagram, dropped when the network no longer has it."""
    focus = ss.get(FOCUS)
    if focus is not None:
        k, i = focus
        if not (0 <= k < len(state.net.layer_sizes) and 0 <= i < state.net.layer_sizes[k]):
            focus = ss[FOCUS] = None
    return focus


def _neuron_grid(state, focus):
    """The focused neuron's output over the plane as a uint8 grid (0.5 = zero), and the
    colour bar that reads it."""
    state.forward_grid()
    k, i = focus
    values = state.net.a[k][:, i]
    scale = float(np.abs(values).max()) or 1.0
    shape = (len(state.grid_y), len(state.grid_x))
    u8 = np.clip((0.5 + 0.5 * values / scale) * 255 + 0.5, 0, 255).astype(np.uint8)
    ticks = [(p, f"{(2 * p - 1) * scale:.2g}") for p in (0, 0.25, 0.5, 0.75, 1)]
    return u8.reshape(shape), ("neuron output", ticks)


def boundary_picture(state, size):
    """The boundary picture of the current network (or the map of the neuron clicked in the
    diagram), remade only when something it shows changed (the weights, the display
    toggles, the data)."""
    show_test, discretize = ss.get("pg_show_test", True), ss.get("pg_discretize", False)
    height, width = size["picture_height"], size["picture_width"]
    focus = focused_neuron(state)
    grid, bar = (_neuron_grid(state, focus) if focus is not None
                 else (None, "auto"))
    frame = session.cached_figure(
        "raster_frame", (state.data_id, show_test, height, width, size["font_size"],
                         focus is None, bar if focus is not None else None),
        lambda: boundary.raster_frame(state.grid_x, state.grid_y,
                                      points_picture(state, show_test), state.n_classes,
                                      show_test, height, width, colour_bar=bar,
                                      axis_labels=state.axis_names,
                                      font_size=size["font_size"]), math.inf)
    return session.cached_figure(
        "picture", (state.data_id, show_test, height, width, size["font_size"],
                    state.params_id(), discretize, focus),
        lambda: boundary.boundary_picture(frame, state.boundary_u8() if grid is None
                                          else grid, discretize and grid is None), math.inf)


def board(metrics_place):
    """The metrics (written into ``metrics_place``, a row above the boundary and the curves)
    and the boundary; while playing it trains after drawing."""
    state = session.load_playground()
    size = sizes(state.config["presenter"])
    metrics_row(state, metrics_place)
    with st.container(key="pg_boundary"):
        st.image(boundary_picture(state, size), width="content")
    focus = focused_neuron(state)
    if focus is not None:
        k, i = focus
        what = ("input " + FEATURE_LABELS.get(state.feature_names[i], "") if k == 0 else
                f"unit {i + 1} of the output" if k == len(state.net.layer_sizes) - 1 else
                f"unit {i + 1} of hidden layer {k}")
        st.caption(f"The map of {what}: what it computes over the plane (orange negative, "
                   f"blue positive). Click it in the network again for the network's output.")
    with st.container(horizontal=True, gap="medium"):
        st.toggle("Show test data", value=True, key="pg_show_test",
                  help="Draw the held-out test points (outlined) on the boundary.")
        st.toggle("Discretize output", value=False, key="pg_discretize",
                  help="Colour each area by the predicted class instead of the probability.")
    share = _check_in(state.playing)
    if share is not None:
        with fair_share.REGISTRY.heavy:
            state.train_live(time.monotonic(), share.train_seconds)
        if not state.playing:  # the epoch budget is spent or training diverged
            _check_in(False)
            st.rerun()  # the whole page: the notice, the Play button, the final figures
        if share.interval != ss.get(TICK):  # more or fewer sessions play: new timers (the
            st.rerun()  # live view sets them; a fragment body may only rerun the whole app)


def curves_view():
    """Loss and accuracy curves. Unchanged curves are sent again as the same figure, which
    the browser keeps as it is (a Pause or a Step redraws the whole view)."""
    state = session.load_playground()
    height = sizes(state.config["presenter"])["curve_height"]
    history, log_loss = state.trainer.history, ss.get("pg_log_loss", False)
    seen = (state.data_id, state.params_id(), state.epoch, len(history), height)
    if state.regression:  # no classes, no accuracy: the loss curve takes the room
        height *= 2
    rollbacks = tuple(state.rollbacks)  # diverged epochs, marked where the curve stops
    loss = session.cached_figure("loss", (*seen, log_loss, rollbacks), lambda: curves.loss_figure(
        state.curve("epoch"), state.curve("train_loss"), state.curve("test_loss"),
        log_y=log_loss, height=height, rollbacks=rollbacks), math.inf)
    st.plotly_chart(loss, key="pg_loss", theme=None, config={"displaylogo": False})
    if not state.regression:
        accuracy = session.cached_figure("accuracy", seen, lambda: curves.accuracy_figure(
            state.curve("epoch"), state.curve("train_acc"), state.curve("test_acc"),
            height=height), math.inf)
        st.plotly_chart(accuracy, key="pg_accuracy", theme=None,
                        config={"displaylogo": False})
    st.toggle("Log-scale loss", value=False, key="pg_log_loss",
              help="Plot the loss on a logarithmic axis to see small values.")


def network_view():
    state = session.load_playground()
    height = network.figure_height(state.net.layer_sizes,
                                   sizes(state.config["presenter"])["network_scale"])

    def build():
        state.forward_grid()  # the neuron maps show the current network over the plane
        activations, shape = state.grid_activations()
        return network.network_figure(
            state.net, [FEATURE_LABELS.get(f, f) for f in state.feature_names],
            neuron_maps=network.neuron_maps_from_activations(
                activations, shape, probabilities=not state.regression), height=height,
            activation_label=lambda name: ACTIVATION_LABELS.get(name, name))

    fig = session.cached_figure("network", (state.data_id, state.params_id(), height), build,
                                math.inf)
    st.plotly_chart(fig, key="pg_network", theme=None, config={"displayModeBar": False},
                    on_select=_on_neuron_click, selection_mode="points")


def _on_neuron_click():
    """A click on a neuron shows its map in place of the boundary; a click on the neuron
    shown (which deselects it) or beside the nodes brings the boundary back."""
    points = (((ss.get("pg_network") or {}).get("selection") or {}).get("points")) or []
    ids = [p.get("customdata") for p in points if isinstance(p.get("customdata"), list)]
    ss[FOCUS] = tuple(ids[0]) if ids else None
    st.rerun([session.LIVE_FRAGMENT])


# Two entry points per part: a fragment's identity comes from its function, so playing and
# paused are different fragments, and switching drops the timer of the one not drawn.
def _board_playing(metrics_place):
    board(metrics_place)


def _board_paused(metrics_place):
    board(metrics_place)


def _curves_playing():
    curves_view()


def _curves_paused():
    curves_view()


def _network_playing():
    network_view()


def _network_paused():
    network_view()


def caption(state):
    loss = {"bce": "binary cross-entropy with one sigmoid output",
            "mse": "mean squared error with one linear output (the background is the "
                   "prediction, the points are coloured by their target)"}.get(
        state.loss, f"cross-entropy with {state.n_classes} softmax outputs")
    if state.config["regularization"] != "none":
        loss += f" + {state.config['regularization'].upper()} penalty"
    st.caption(f"{len(state.train)} training and {len(state.test)} test points. Loss: {loss}. "
               "In the network, blue links are positive weights and orange negative, thicker "
               "= larger; each square shows what that neuron computes over the plane.")


def _live():
    session.show_toasts()
    state = session.load_playground()
    playing = state.playing
    if state.diverged:
        divergence_notice(state)
    transport(state)
    ss[TICK] = None  # the check-in below starts a new timer, with no settling
    share = _check_in(playing)
    every = ss[TICK] = share.interval if playing else None
    slow = max(SLOW_SECONDS, share.slow_interval) if playing else None
    metrics_place = st.container()
    left, right = st.container(key="pg_view").columns([1.15, 1], gap="medium")
    with left:
        st.fragment(_board_playing if playing else _board_paused, run_every=every)(
            metrics_place)
    with right:
        st.fragment(_curves_playing if playing else _curves_paused, run_every=slow)()
    st.fragment(_network_playing if playing else _network_paused, run_every=slow)()
    if not state.config["presenter"]:
        caption(state)


def live_view():
    st.fragment(_live, key=session.LIVE_FRAGMENT)()
