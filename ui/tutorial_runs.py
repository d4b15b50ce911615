"""The tutorial's run, to the printed digit, beside corrected runs from the same data and
initial weights; and any combination of its errors to try."""

import numpy as np
import pandas as pd
import streamlit as st

from app_logic import study as studies
from app_logic.presets import PRESETS, TUTORIAL_COMPARISON_NOTE
from mlp_core import explain as ex
from viz import backprop_figures as bf
from viz import curves as curve_figures
from viz.format import format_accuracy
from viz.i18n import N_, _

from . import session
from . import widget_sync as widgets
from .file_inputs import plain

BESIDE = "pg_tutorial_beside"  # names of the saved runs the Playground shows side by side

LRS = (0.005, 0.05, 0.5, 5.0)
PUBLISHED, SCALED, SLOW, FIXED = (name for name, _, _ in studies.TUTORIAL_RUNS)


@st.cache_data(max_entries=32, show_spinner=False)
def run(errors, lr):
    return studies.tutorial_run(errors, lr)


def runs():
    return {name: run(tuple(errors), lr) for name, errors, lr in studies.TUTORIAL_RUNS}


def summary(named):
    def at(values, e):
        return values[e] if e < len(values) else np.nan

    return pd.DataFrame([{
        "run": name,
        "loss at 145": at(r.reported_loss, 145),  # as printed: a sum with the summed loss
        "accuracy at 145": at(r.accuracy, 145),
        "at 146": at(r.accuracy, 146),
        "best accuracy": np.nanmax(r.accuracy),
    } for name, r in named.items()])


def styled(table):
    return table.style.format({"loss at 145": "{:.8g}", "accuracy at 145": "{:.3f}",
                               "at 146": "{:.3f}", "best accuracy": "{:.3f}"})


def curves(named, key):
    epochs = np.arange(len(next(iter(named.values())).accuracy))
    dash = {SCALED: "dot"}
    g1, g2 = st.columns(2)
    g1.plotly_chart(bf.curves_figure(epochs, {n: r.accuracy for n, r in named.items()},
                                     "Accuracy on the 1000 points", "accuracy",
                                     y_range=[0.3, 1.02], dash=dash), key=f"{key}_acc")
    g2.plotly_chart(bf.curves_figure(epochs, {n: r.mean_loss for n, r in named.items()},
                                     "Loss (mean over the points)", "binary cross-entropy",
                                     dash=dash), key=f"{key}_loss")


def explanation(named):
    pub, scaled = named[PUBLISHED], named[SCALED]
    best = int(np.nanargmax(pub.accuracy))
    moved = int(np.argmax(np.asarray(pub.accuracy) > 0.55))  # first iteration off chance
    st.caption(
        f"Why: the tutorial's printed “mean” loss was a sum over its {pub.n_samples} points, so "
        f"every gradient was {pub.n_samples} times too large and lr {pub.lr:g} acted like lr "
        f"{scaled.lr:g} on the mean. The run with the mean loss and lr {scaled.lr:g} prints "
        "the same accuracies and a loss exactly that many times smaller (dotted: it lies on the "
        "published curve). Such a step is far too large: the accuracy sat at chance until "
        f"iteration {moved - 1}, then every step overshot and it swung up and down (best "
        f"{pub.accuracy[best]:.3g} at iteration {best}, {pub.accuracy[145]:.3g} at 145, "
        f"{pub.accuracy[146]:.3g} at 146). With the mean loss at lr "
        f"{pub.lr:g} it barely moves in 150 iterations. With all three errors corrected it does "
        "not learn either: the biases, no longer held back by the averaged db, take steps "
        f"{pub.n_samples} times larger and switch off the few live ReLUs.")


def own_combination():
    st.markdown("Keep any of the errors and pick a learning rate; the correct gradients at "
                "the same rate run beside it.")
    c1, c2 = st.columns([3, 1])
    chosen = [e for e, key, label in (
        (ex.SUMMED_LOSS, "bp_tut_sum", "Loss summed over the samples, called a mean"),
        (ex.DB_AVERAGED, "bp_tut_db", "db averaged while dW is summed"),
        (ex.SIGMOID_DERIVATIVE, "bp_tut_sig", "Sigmoid derivative written 2·s·(1−s)"),
    ) if c1.toggle(label, key=key, persist_state="session")]
    lr = c2.selectbox("Learning rate", LRS, key="bp_tut_lr", persist_state="session",
                      help="0.005 is the tutorial's. With a summed loss it acts like "
                           "0.005 × 1000 = 5 on the mean.")
    named = {"correct": run((), lr)}
    if chosen:
        named["with errors"] = run(tuple(chosen), lr)
    curves(named, "bp_tut_own")
    table = summary(named)
    table.insert(1, "loss printed as", [r.reported_scale.split()[0] for r in named.values()])
    st.dataframe(styled(table), hide_index=True, key="bp_tut_table")


def tutorial_runs():
    st.markdown("The tutorial trains a 2-4-3-1 ReLU/ReLU/sigmoid network on 1000 circles by "
                "gradient descent at lr 0.005 for 150 iterations. These runs start from exactly "
                "its data and initial weights, so the first prints what the tutorial prints.")
    named = runs()
    st.markdown(f"**{PUBLISHED}**, as the tutorial prints it:")
    st.code(studies.printed_excerpt(named[PUBLISHED]), language=None, wrap_lines=True)
    other = st.selectbox("And a corrected run from the same start", [SCALED, SLOW, FIXED],
                         key="bp_tut_beside", width=320,
                         persist_state="session")
    st.code(studies.printed_excerpt(named[other]), language=None, wrap_lines=True)
    curves(named, "bp_tut_runs")
    st.dataframe(styled(summary(named)), hide_index=True, key="bp_tut_summary")
    explanation(named)
    with st.expander("Try any combination of the errors"):
        own_combination()


BESIDE_TITLE = N_("The tutorial's run beside the corrected ones")


def beside_on_playground(presenter):
    """The tutorial's run and the corrected ones side by side on the Playground, once
    "Train the corrected runs beside it" has trained them (saved runs, also on the Compare
    page)."""
    saved = session.runs()
    shown = [saved.get(name) for name in session.kept(BESIDE) or () if name in saved]
    if not shown:
        return
    st.subheader(_(BESIDE_TITLE))
    for column, run in zip(st.columns(len(shown), gap="medium"), shown, strict=True):
        history = run.history
        with column:
            st.markdown(f"**{plain(run.name)}**")
            st.plotly_chart(curve_figures.accuracy_figure(
                history["epoch"], history["train_acc"], history["test_acc"],
                height=260 if presenter else 220), key=f"pg_beside_{plain(run.name)}",
                theme=None, config={"displayModeBar": False})
            best = int(np.nanargmax(history["train_acc"]))
            st.caption(_("Epoch {epoch}: test accuracy {test_acc}; best train accuracy "
                         "{best_acc} at epoch {best}.").format(
                epoch=f"{int(history['epoch'][-1]):,}",
                test_acc=format_accuracy(history["test_acc"][-1]),
                best_acc=format_accuracy(history["train_acc"][best]),
                best=f"{int(history['epoch'][best]):,}"))
    st.markdown(_(TUTORIAL_COMPARISON_NOTE))


def preset_story(presenter):
    """In presenter mode, the chosen preset's name and explanation in large type above the
    live run (on a projector the sidebar, where it is otherwise read, is folded away)."""
    name = widgets.value("pg_preset")
    if not presenter or name not in PRESETS:
        return
    with st.container(key="pg_story"):
        st.markdown(_("**{name}.** {explanation}").format(
            name=_(name), explanation=_(PRESETS[name]["explanation"])))
