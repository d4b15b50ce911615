"""The live view: the transport row, the metrics and the boundary, the curves and the network.

The view is one fragment ("live") so that a click on Play, Pause, Step or Reset reruns only
the view, never the whole page. Inside it:
- the board (the live boundary alone) reruns every tick while playing: it trains a little,
  recording a film strip (several states of the network, small uint8 grids:
  app_logic/frames.py), and sends the strip at once to the browser, which paints them one
  per display frame (ui/live_board). The metrics above it and the toggles under it are drawn
  by the view's own runs, not by the ticks: the browser writes the metrics of the frame on
  screen into them;
- the network diagram (drawn by the browser from the neurons' small uint8 maps:
  ui/live_network) is refreshed every NETWORK_SECONDS or more by a tick of the board, whose
  message carries the diagram's too (the board hands it over in the browser);
- the curves rerun every SLOW_SECONDS or more: re-sending a chart costs the server and the
  browser far more than a strip of frames.
The tick's interval and its training time are the session's fair share of the server
(app_logic/fair_share.py): one session alone ticks every 0.3 s and trains 0.15 s of it;
with more playing, ticks come less often and train less. While paused none of the
fragments has a timer, so a paused session costs nothing.
"""

import hashlib
import io
import math
import time

import numpy as np
import streamlit as st

from app_logic import fair_share, frames
from app_logic.network_message import network_message
from app_logic.settings import ACTIVATION_LABELS, FEATURE_LABELS
from viz import boundary, curves, network
from viz.format import count, format_accuracy, format_loss
from viz.i18n import N_, _, integer_format, language, ngettext, number
from viz.style import CLASS_TINTS, NEURON_LUT, PROBABILITY_LUT

from . import session, widget_sync
from .i18n import fragment
from .live_board import live_board
from .live_network import clicked, live_network
from .transport import divergence_notice, transport

SLOW_SECONDS = 2.0  # the curves redraw at most this often while playing
NETWORK_SECONDS = 0.4  # the network diagram (its neurons' maps) at most this often (two ticks)

FOCUS = session.FOCUS  # (layer of nodes, unit) shown instead of the boundary, or None
BOARD_KEY = "pg_board"  # the live boundary component
NETWORK_KEY = "pg_network"  # the network diagram component
DISPLAY_RATE = 60  # frames a second the browser paints
# Frames a second a tick brings at least, from states inside epochs when its share of the
# core runs fewer epochs (a class of 40 on one worker: 2 to 4 epochs a second each).
LEAST_FRAME_RATE = 8
MAX_GAP = 1.5 * fair_share.TICKS[-1]  # seconds a tick covers at most (longer: the browser was away)
MAX_TICK_TRAIN = 0.15  # training seconds of one tick at most, when it covers a long gap
MAX_STYLES_SENT = 8  # as many as the browser keeps (ui/live_board/board.js)


# ---- the fair share of the server (app_logic/fair_share.py) ----------------------------------
def _check_in(playing):
    """The session's Share while playing (its tick is counted), None when paused."""
    if not playing:
        fair_share.REGISTRY.leave(session.share_key())
        return None
    return fair_share.REGISTRY.tick(session.share_key(), session.tick())


def sizes(presenter):
    """Pixel sizes of the boundary picture and the curves (presenter mode: a projector at
    1280x720 shows the controls, the boundary and the loss curve without scrolling)."""
    if presenter:
        return {"picture_height": 470, "picture_width": 600, "curve_height": 250,
                "network_scale": 1.15, "font_size": 17}
    return {"picture_height": 480, "picture_width": 580, "curve_height": 240,
            "network_scale": 1.0, "font_size": 14}


def metrics_row(state):
    """The Epoch, losses and accuracies, drawn by the live view's runs only: while playing,
    the board writes those of the frame on screen into them (ui/live_board/board.js), so a
    tick sends no element but the board."""
    metrics = state.metrics()
    with st.container(horizontal=True, gap="medium", key="pg_metrics"):
        for label, text in metric_texts({**metrics, "epoch": state.epoch},
                                        state.regression).items():
            st.metric(label, text, width="content")


def focused_neuron(state):
    """(layer of nodes, unit) whose map replaces the boundary, or None: set by a click on a
    neuron in the network diagram, dropped when the network no longer has it."""
    focus = session.focus()
    if focus is not None:
        k, i = focus
        if not (0 <= k < len(state.net.layer_sizes) and 0 <= i < state.net.layer_sizes[k]):
            focus = session.set_focus(None)
    return focus


def _neuron_frame(state, focus):
    """The focused neuron's output over the plane as a Frame (a uint8 grid, 0.5 = zero), and
    the colour bar that reads it."""
    k, i = focus
    values = state.grid_pass()[1][k][:, i]
    scale = float(np.abs(values).max()) or 1.0
    shape = (len(state.grid_y), len(state.grid_x))
    grid = frames.quantize(values, -scale, scale).reshape(shape)
    ticks = [(p, f"{(2 * p - 1) * scale:.2g}") for p in (0, 0.25, 0.5, 0.75, 1)]
    frame = frames.Frame(state.epoch, grid, dict(state.metrics()), f"{state.params_id()}{focus}")
    return frame, (N_("neuron output"), ticks)


def _png(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _style(raster, grid_x, grid_y, title):
    """A picture's style (app_logic/frames.py) from a ``boundary.raster_frame``."""
    info = {"width": raster.canvas.width, "height": raster.canvas.height,
            "box": list(raster.box), "title": title, "labels": list(raster.labels),
            "font_size": raster.font_size,
            "words": {"epoch": _("Epoch"), "epoch_at": _("epoch {epoch}"),
                      "described": [_("Test accuracy"), _("Test loss")]},
            "range": [float(v) for v in (grid_x[0], grid_x[-1], grid_y[0], grid_y[-1])],
            "lut": PROBABILITY_LUT.ravel().tolist(), "tints": CLASS_TINTS.tolist()}
    return info, _png(raster.canvas), boundary.points_png(raster.points)


@st.cache_resource(max_entries=16, show_spinner=False)
def _shared_style(style_id, _build):
    """A picture's style made once per worker: a class that opens one link has the same
    points, and every student's first page would draw the same picture (about 30 ms)."""
    return _build()


def _cached_style(name, signature, build):
    """(id, style) for a picture named by ``signature`` (its content, never a session's
    own id: the style is shared by the worker's sessions); the session keeps the latest one
    per ``name``."""
    style_id = hashlib.blake2b(repr(signature).encode(), digest_size=8).hexdigest()
    return style_id, session.cached_figure(f"board_style_{name}", signature,
                                           lambda: _shared_style(style_id, build), math.inf)


def points_digest(state):
    """A digest of the points and the range they are drawn over, kept per dataset."""
    def digest():
        arrays = (state.train.X, state.train.y, state.test.X, state.test.y, state.grid_x,
                  state.grid_y)
        return hashlib.blake2b(b"".join(np.ascontiguousarray(a).tobytes() for a in arrays),
                               digest_size=16).hexdigest()
    return session.cached_figure("points_digest", state.points_id, digest, math.inf)


def board_style(state, size, show_test, bar, title):
    """(id, style) of the picture the frames are painted into: the axes, legend and colour
    bar as one PNG, the points as another, and where the grid goes (app_logic/frames.py)."""
    signature = (points_digest(state), state.n_classes, state.regression,
                 tuple(state.axis_names), show_test, size["picture_height"],
                 size["picture_width"], size["font_size"], bar, title, language())
    name = "boundary" if bar == "auto" else "neuron"

    def draw_points(width, height):
        return boundary.points_layer(
            state.grid_x, state.grid_y, state.train.X, state.train.y,
            state.test.X if show_test else None, state.test.y, width, height,
            values=state.regression)
    return _cached_style(name, signature, lambda: _style(boundary.raster_frame(
        state.grid_x, state.grid_y, draw_points, state.n_classes,
        show_test, size["picture_height"], size["picture_width"], colour_bar=bar,
        axis_labels=state.axis_names, font_size=size["font_size"]),
        state.grid_x, state.grid_y, title))


def metric_texts(record, regression):
    """{metric label: text} of a history record, as the metrics row shows them (the browser
    finds a metric by its label, in the page's language)."""
    return strip_texts([record], regression)[0]


def strip_texts(records, regression):
    """``metric_texts`` of each of ``records`` (a tick's strip), translated once."""
    epoch, train_loss, test_loss = _("Epoch"), _("Train loss"), _("Test loss")
    train_acc, test_acc = _("Train accuracy"), _("Test accuracy")
    integer = integer_format()
    texts = []
    for record in records:
        text = {epoch: epoch_text(record["epoch"], integer),
                train_loss: format_loss(record["train_loss"]),
                test_loss: format_loss(record["test_loss"])}
        if not regression:  # a regression has no accuracy to show
            text[train_acc] = format_accuracy(record["train_acc"])
            text[test_acc] = format_accuracy(record["test_acc"])
        texts.append(text)
    return texts


def epoch_text(epoch, integer):
    """An epoch as the metrics show it: 12, or 12.4 for a state 40% of the way through
    epoch 13 (rounded down, so it never shows an epoch before it is finished)."""
    if float(epoch).is_integer():
        return integer(epoch)
    tenths = int(epoch * 10)
    return f"{integer(tenths // 10)}.{tenths % 10}"


def _message(board_key, shown, style_id, style, texts, extra, network=None):
    """The message for a board (cached: the same frames give the same message, which the
    browser skips), with the style when this browser has not been sent it and the network
    diagram's message when given."""
    sent = session.styles_sent()
    if len(sent) > MAX_STYLES_SENT:  # a long drawing: the browser keeps only its latest few
        sent.clear()
    signature = (style_id, tuple((f.epoch, f.key) for f in shown), style_id in sent,
                 tuple(sorted(extra.items())),
                 network and hashlib.blake2b(network, digest_size=8).hexdigest())

    def build():
        message_id = hashlib.blake2b(repr(signature).encode(), digest_size=8).hexdigest()
        message = frames.frames_message(
            shown, message_id, style_id, texts(shown),
            {**extra, "picture": [style[0]["width"], style[0]["height"]]},
            None if style_id in sent else style, network)
        sent.add(style_id)
        return message
    return session.cached_message(board_key, signature, build)


def board_message(state, size, playing, network=None, span=None):
    """The live board's message: the frames recorded since the last one (or the current
    state), and ``network``, a network diagram message, when given. ``span``: seconds
    until the next message while playing (the board plays the frames over it)."""
    show_test = widget_sync.value("pg_show_test", True)
    discretize = widget_sync.value("pg_discretize", False)
    focus = focused_neuron(state)
    if focus is None:
        shown, bar = state.frames_to_show(full=not playing), "auto"
        title = _("Decision boundary") if not state.regression else _("Prediction")
    else:
        state.film.take()  # the boundary's frames are not shown meanwhile
        frame, bar = _neuron_frame(state, focus)
        shown, title = [frame], _("Map of the selected neuron")
    style_id, style = board_style(state, size, show_test, bar, title)
    return _message(BOARD_KEY, shown, style_id, style, lambda frames_shown: strip_texts(
        [{**f.metrics, "epoch": f.epoch} for f in frames_shown], state.regression),
        {"discretize": discretize and focus is None, "playing": playing, "mode": "view",
         "span": span}, network)


def draw_message(X, y, x_range, y_range, key):
    """The message of a drawing board: the drawn points over a blank plot of the ranges;
    a press on it sends a point (ui/own_data_panels.py)."""
    grid_x, grid_y = np.asarray(x_range, float), np.asarray(y_range, float)
    X = np.asarray(X, float).reshape(-1, 2)
    digest = hashlib.blake2b(X.tobytes() + np.asarray(y).tobytes(), digest_size=8).hexdigest()
    signature = (digest, x_range, y_range, language())
    style_id, style = _cached_style("draw", signature, lambda: _style(
        boundary.raster_frame(grid_x, grid_y, lambda width, height: boundary.points_layer(
            grid_x, grid_y, X, y, width=width, height=height), 3, False, 440, 560,
            colour_bar=None),
        grid_x, grid_y, _("Drawing canvas")))
    blank = frames.Frame(0, np.full((1, 1), 128, np.uint8), {}, "blank")
    return _message(key, [blank], style_id, style, lambda shown: [{}],
                    {"discretize": False, "playing": False, "mode": "draw",
                     "label": ngettext("Drawing canvas with {n} point: press to add one",
                                       "Drawing canvas with {n} points: press to add one",
                                       len(X)).format(n=number(len(X)))})


def on_missing_style():
    """The browser lacks the picture's style (a new page, a dropped message): send it."""
    session.forget_styles_sent()


def board():
    """The live boundary alone (a tick re-sends nothing else); while playing it trains first,
    so the states recorded go out as soon as they exist."""
    state = session.load_playground()
    size = sizes(state.config["presenter"])
    share = _check_in(state.playing)
    ticking = share is not None and _timer_tick(share)
    network = None
    if ticking or (share is not None and fair_share.REGISTRY.heavy.free()):
        gap = tick_gap(share)
        with fair_share.REGISTRY.heavy:
            state.train_live(time.monotonic(), tick_training(share, gap),
                             frames=frames_per_tick(gap),
                             least=least_frames(gap, state.config["speed"]))
        if not state.playing:  # the epoch budget is spent or training diverged
            _check_in(False)
            st.rerun()  # the whole page: the notice, the Play button, the final figures
        # The diagram's maps ride with the tick: a run of its own would cost the browser
        # as much again as the tick (Streamlit re-renders the page's elements each run).
        every = max(NETWORK_SECONDS, share.slow_interval) - share.interval / 2  # the nearest
        if session.network_due(every, time.monotonic()):  # tick to the period
            network = network_view_message(state, network_height(state))
    with st.container(key="pg_boundary"):
        live_board(board_message(state, size, state.playing, network,
                                 share and (session.tick() or share.interval)), BOARD_KEY,
                   on_missing_style)
    if ticking and share.interval != session.tick():  # more or fewer sessions play: new
        st.rerun()  # timers (the live view sets them; a fragment may only rerun the page)


def _timer_tick(share):
    """Whether this run of the board is its timer's tick rather than part of a run of the
    view (a click: the view checked in a moment before). A click's run trains only when no
    one else is training: it answers without waiting behind the class's ticks."""
    timer = session.tick() or share.interval  # the interval the browser's timer runs at
    return share.since_last is None or share.since_last >= timer / 2


def board_notes(state):
    """Under the board: what a neuron's map shows, and the display toggles (drawn by the
    live view's runs, not by each tick)."""
    focus = focused_neuron(state)
    if focus is not None:
        k, i = focus
        what = (_("input {name}").format(name=FEATURE_LABELS.get(state.feature_names[i], ""))
                if k == 0 else _("unit {i} of the output").format(i=i + 1)
                if k == len(state.net.layer_sizes) - 1 else
                _("unit {i} of hidden layer {k}").format(i=i + 1, k=k))
        st.caption(_("The map of {what}: what it computes over the plane (orange negative, "
                     "blue positive). Click it in the network again for the network's "
                     "output.").format(what=what))
    with st.container(horizontal=True, gap="medium"):
        st.toggle(_("Show test data"), value=True, key="pg_show_test",
                  help=_("Draw the held-out test points (outlined) on the boundary."))
        st.toggle(_("Discretize output"), value=False, key="pg_discretize",
                  help=_("Colour each area by the predicted class instead of the "
                         "probability."))


def tick_gap(share):
    """Seconds this tick covers: since the session's previous tick, at least the interval
    asked for. The browser sends ticks late while it is busy (re-plotting the network
    diagram takes a few hundred ms of its main thread on a loaded machine), and a tick
    that recorded only the interval's worth of frames and training would leave the board
    still and the training slow for the rest of the gap."""
    return min(max(share.since_last or 0.0, share.interval), MAX_GAP)


def tick_training(share, gap):
    """Training seconds for a tick covering ``gap``: the share's rate over the gap, but no
    more than MAX_TICK_TRAIN at once (a click waits behind one training loop)."""
    return min(share.train_seconds * gap / share.interval,
               max(share.train_seconds, MAX_TICK_TRAIN))


def frames_per_tick(interval):
    """States to record in a tick of ``interval`` seconds: one per display frame (60 a
    second), at most what a film strip keeps."""
    return max(1, min(frames.MAX_FRAMES, round(interval * DISPLAY_RATE)))


def least_frames(interval, speed):
    """States a tick of ``interval`` seconds records even when its share of the core runs
    fewer epochs (then some are states inside epochs): LEAST_FRAME_RATE a second, unless
    the speed asks for fewer epochs than that (slow motion plays whole epochs)."""
    if 0 < speed <= LEAST_FRAME_RATE:
        return 0
    return min(frames_per_tick(interval), math.ceil(interval * LEAST_FRAME_RATE))


def curves_view():
    """Loss and accuracy curves. Unchanged curves are sent again as the same figure, which
    the browser keeps as it is (a Pause or a Step redraws the whole view)."""
    state = session.load_playground()
    height = sizes(state.config["presenter"])["curve_height"]
    history, log_loss = state.trainer.history, widget_sync.value("pg_log_loss", False)
    seen = (state.data_id, state.params_id(), state.epoch, len(history), height, language())
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
    st.toggle(_("Log-scale loss"), value=False, key="pg_log_loss",
              help=_("Plot the loss on a logarithmic axis to see small values."))


def network_words(state):
    """Every word the network diagram shows (ui/live_network/network.js), translated."""
    sizes = state.net.layer_sizes
    last = len(sizes) - 1
    layer_names = [_("input")] + [_("hidden {layer}").format(layer=k) for k in range(1, last)]
    titles = [[_("input")]] + [
        [name, _("{n} units").format(n=n) if n > 1 else _("1 unit")]
        for name, n in zip(layer_names[1:], sizes[1:-1])] + [[_("output")]]
    hidden, out = state.net.activations[:-1], state.net.activations[-1]

    def label(name):
        return _(ACTIVATION_LABELS.get(name, name))
    parts = ([_("hidden: {activation}").format(activation=label(hidden[0]))]
             if hidden and len(set(hidden)) == 1 else
             [_("layer {layer}: {activation}").format(layer=k + 1, activation=label(a))
              for k, a in enumerate(hidden)])
    parts.append(_("output: {activation}").format(activation=label(out)))
    return {
        "titles": titles, "layer_names": layer_names + [_("output")],
        "inputs": [FEATURE_LABELS.get(f, f) for f in state.feature_names],
        "activations": " · ".join(parts),
        "positive": _("positive weight"), "negative": _("negative weight"),
        "weight": _("layer {layer}: w[{i},{j}] = {value}"),
        "input_node": _("input {label}"), "unit_node": _("{layer}, unit {unit}: bias = {bias}"),
        "click": _("Click: its map"),
        "description": _("The network: {sizes} neurons by layer; blue links are positive "
                         "weights and orange negative, thicker = larger").format(
            sizes=" - ".join(str(n) for n in sizes)),
    }


def network_view_message(state, height):
    """The network diagram's message, made again only when the network, the selected neuron,
    the size or the words change (the browser skips a message it has drawn)."""
    focus, words = focused_neuron(state), network_words(state)
    signature = (state.data_id, state.params_id(), state.epoch, height, focus, repr(words))

    def build():
        activations, shape = state.map_activations()  # the current network over the plane
        maps = network.neuron_maps_from_activations(activations, shape,
                                                    probabilities=not state.regression)
        message_id = hashlib.blake2b(repr(signature).encode(), digest_size=8).hexdigest()
        return network_message(message_id, state.epoch, state.net.weights, state.net.biases,
                               maps, words, NEURON_LUT, {"focus": focus, "height": height})
    return session.cached_message(NETWORK_KEY, signature, build)


def network_height(state):
    return network.figure_height(state.net.layer_sizes, sizes(state.config["presenter"])[
        "network_scale"]) + network.LEGEND_LINE


def network_view():
    """The network diagram as the page's runs draw it; while playing, the board's ticks
    bring its updates (``board``)."""
    state = session.load_playground()
    live_network(network_view_message(state, network_height(state)), NETWORK_KEY,
                 _on_neuron_click)


def _on_neuron_click():
    """A click on a neuron shows its map in place of the boundary; a click on the neuron
    shown or beside the nodes brings the boundary back."""
    neuron = clicked(NETWORK_KEY)
    session.set_focus(None if neuron == session.focus() else neuron)
    widget_sync.rerun(session.LIVE_FRAGMENT)


# Two entry points per part: a fragment's identity comes from its function, so playing and
# paused are different fragments, and switching drops the timer of the one not drawn.
def _board_playing():
    session.show_toasts(repeats=True)  # e.g. a submission's answer whose panel run was lost
    board()


def _board_paused():
    board()


def _curves_playing():
    curves_view()


def _curves_paused():
    curves_view()


def caption(state):
    if state.loss == "bce":
        loss = _("binary cross-entropy with one sigmoid output")
    elif state.loss == "mse":
        loss = _("mean squared error with one linear output (the background is the "
                 "prediction, the points are coloured by their target)")
    else:
        loss = _("cross-entropy with {n} softmax outputs").format(n=state.n_classes)
    if state.config["regularization"] != "none":
        loss += _(" + {name} penalty").format(name=state.config["regularization"].upper())
    n_train, n_test = len(state.train), len(state.test)
    st.caption(_("{train} and {test}. Loss: {loss}. In the network, blue links are positive "
                 "weights and orange negative, thicker = larger; each square shows what that "
                 "neuron computes over the plane.").format(
        train=count(n_train, ngettext("{n} training point", "{n} training points", n_train)),
        test=count(n_test, ngettext("{n} test point", "{n} test points", n_test)), loss=loss))


def _live():
    session.show_toasts()
    state = session.load_playground()
    playing = state.playing
    if state.diverged:
        divergence_notice(state)
    transport(state)
    session.set_tick(None)  # the check-in below starts a new timer, with no settling
    share = _check_in(playing)
    every = session.set_tick(share.interval if playing else None)
    slow = max(SLOW_SECONDS, share.slow_interval) if playing else None
    metrics_row(state)  # the board leaves it alone while its queued frames are older
    left, right = st.container(key="pg_view").columns([1.15, 1], gap="medium")
    with left:
        fragment(_board_playing if playing else _board_paused, run_every=every)()
        board_notes(state)
    with right:
        fragment(_curves_playing if playing else _curves_paused, run_every=slow)()
    network_view()
    if not state.config["presenter"]:
        caption(state)


def live_view():
    fragment(_live, key=session.LIVE_FRAGMENT)()
