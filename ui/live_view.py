"""The live view: metrics, boundary, network and curves, in a fragment that reruns on a timer
while playing and trains a little each time."""

import math

import streamlit as st

from app_logic.settings import ACTIVATION_LABELS, FEATURE_LABELS
from viz import boundary, curves, network
from viz.format import format_accuracy, format_loss

from . import session

TICK_SECONDS = 0.05  # how often the live fragment reruns while playing
TRAIN_SECONDS = 0.05  # training time per tick; the rest of a tick is drawing
SLOW_FIGURE_SECONDS = 2.0  # network and curves redraw at most this often while playing
PRESENTER_SCALE = 1.35  # figures are this much larger in presenter mode

ss = st.session_state


def points_picture(state, show_test):
    """The data points as one picture, made once per dataset (shared with the replay tab)."""
    return session.cached_figure(
        "points", (id(state.train), show_test), lambda: boundary.points_image(
            state.grid_x, state.grid_y, state.train.X, state.train.y,
            state.test.X if show_test else None, state.test.y), math.inf)


def metrics_row(state):
    metrics = state.metrics()
    cols = st.columns(5)
    cols[0].metric("Epoch", f"{state.epoch:,}")
    cols[1].metric("Train loss", format_loss(metrics["train_loss"]))
    cols[2].metric("Test loss", format_loss(metrics["test_loss"]))
    cols[3].metric("Train accuracy", format_accuracy(metrics["train_acc"]))
    cols[4].metric("Test accuracy", format_accuracy(metrics["test_acc"]))


def boundary_view(state, grid, scale):
    show_test, discretize = ss.get("pg_show_test", True), ss.get("pg_discretize", False)
    points, height = points_picture(state, show_test), int(500 * scale)
    if state.playing:  # a picture is swapped in place; a new chart is built from scratch
        frame = session.cached_figure(
            "raster_frame", (id(state.train), show_test, height), lambda: boundary.raster_frame(
                state.grid_x, state.grid_y, points, state.n_classes, show_test, height,
                int(560 * scale)), math.inf)
        with st.container(key="pg_boundary_live"):
            st.image(boundary.boundary_raster(frame, grid, discretize))
    else:
        fig = boundary.boundary_figure(
            state.grid_x, state.grid_y, grid, state.train.X, state.train.y, state.test.X,
            state.test.y, n_classes=state.n_classes, show_test=show_test,
            discretize=discretize, height=height, points=points)
        st.plotly_chart(fig, key="pg_boundary", theme=None, config={"displaylogo": False})


def network_view(state, scale, max_age):
    def build():
        activations, shape = state.grid_activations()  # of the forward pass just made
        fig = network.network_figure(
            state.net, [FEATURE_LABELS.get(f, f) for f in state.feature_names],
            neuron_maps=network.neuron_maps_from_activations(activations, shape),
            activation_label=lambda name: ACTIVATION_LABELS.get(name, name))
        fig.update_layout(height=int(fig.layout.height * scale))
        return fig

    fig = session.cached_figure("network", (id(state.net), scale), build, max_age)
    st.plotly_chart(fig, key="pg_network", theme=None, config={"displayModeBar": False})


def curves_view(state, scale, max_age):
    history = state.trainer.history
    height, log_loss = int(270 * scale), ss.get("pg_log_loss", False)
    signature = (id(state.trainer), height, log_loss)
    loss_fig = session.cached_figure("loss", signature, lambda: curves.loss_figure(
        history.column("epoch"), history.column("train_loss"), history.column("test_loss"),
        log_y=log_loss, height=height), max_age)
    accuracy_fig = session.cached_figure("accuracy", signature, lambda: curves.accuracy_figure(
        history.column("epoch"), history.column("train_acc"), history.column("test_acc"),
        height=height), max_age)
    left, right = st.columns(2)
    left.plotly_chart(loss_fig, key="pg_loss", theme=None, config={"displaylogo": False})
    right.plotly_chart(accuracy_fig, key="pg_accuracy", theme=None,
                       config={"displaylogo": False})


def live_view(presenter):
    """Metrics and figures; while playing it reruns on a timer and trains each time.

    It draws first and trains afterwards: Streamlit fades the elements of a running fragment
    until they are sent again, and with training first the page would look faded all the
    time. What is drawn is therefore one tick behind the model, about 1/20 s.
    """
    state = session.load_playground()
    metrics_row(state)
    grid = state.boundary_u8(state.forward_grid())
    scale = PRESENTER_SCALE if presenter else 1.0
    # The boundary redraws every tick; the network and the curves at most every
    # SLOW_FIGURE_SECONDS while playing, since every new figure is a fresh chart in the browser.
    max_age = SLOW_FIGURE_SECONDS if state.playing else 0.0
    left, right = st.columns([5, 4])
    with left:
        boundary_view(state, grid, scale)
    with right:
        network_view(state, scale, max_age)
    curves_view(state, scale, max_age)

    if state.playing:
        state.train_for(n_epochs=10**9, time_budget=TRAIN_SECONDS)
        if not state.playing:  # budget reached or diverged: redraw the whole page once
            st.rerun()


def live_fragment(state, presenter):
    st.fragment(run_every=TICK_SECONDS if state.playing else None)(live_view)(presenter)
