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
PUBLISHED, SCALED, SLOW, FIXED = (run[0] for run in studies.TUTORIAL_RUNS)


@st.cache_data(max_entries=32, show_spinner=False)
def run(errors, lr):
    return studies.tutorial_run(errors, lr)


def runs():
    return {name: run(tuple(errors), lr) for name, errors, lr in studies.TUTORIAL_RUNS}


# The summary's columns: (header, number format).
COLUMNS = ((N_("loss at 145"), "{:.8g}"), (N_("accuracy at 145"), "{:.3f}"),
           (N_("at 146"), "{:.3f}"), (N_("best accuracy"), "{:.3f}"))
OWN_RUNS = {"correct": N_("correct"), "with errors": N_("with errors")}
OWN_COLOURS = {"correct": bf.CORRECT, "with errors": bf.WITH_ERRORS}
SCALES = {"sum over samples": N_("sum"), "mean over samples": N_("mean")}


def summary(named):
    def at(values, e):
        return values[e] if e < len(values) else np.nan

    loss, accuracy, next_one, best = (_(header) for header, _format in COLUMNS)
    return pd.DataFrame([{
        _("run"): _(name),
        loss: at(r.reported_loss, 145),  # as printed: a sum with the summed loss
        accuracy: at(r.accuracy, 145),
        next_one: at(r.accuracy, 146),
        best: np.nanmax(r.accuracy),
    } for name, r in named.items()])


def styled(table):
    return table.style.format({_(header): form for header, form in COLUMNS})


def curves(named, key, colours=None):
    epochs = np.arange(len(next(iter(named.values())).accuracy))
    dash = {_(SCALED): "dot"}
    g1, g2 = st.columns(2)
    g1.plotly_chart(bf.curves_figure(epochs, {_(n): r.accuracy for n, r in named.items()},
                                     _("Accuracy on the 1000 points"), _("accuracy"),
                                     y_range=[0.3, 1.02], dash=dash, colours=colours),
                    key=f"{key}_acc")
    g2.plotly_chart(bf.curves_figure(epochs, {_(n): r.mean_loss for n, r in named.items()},
                                     _("Loss (mean over the points)"),
                                     _("binary cross-entropy"), dash=dash, colours=colours),
                    key=f"{key}_loss")


def explanation(named):
    pub, scaled = named[PUBLISHED], named[SCALED]
    best = int(np.nanargmax(pub.accuracy))
    moved = int(np.argmax(np.asarray(pub.accuracy) > 0.55))  # first iteration off chance
    st.caption(_(
        "Why: the tutorial's printed “mean” loss was a sum over its {n} points, so every "
        "gradient was {n} times too large and lr {lr} acted like lr {scaled_lr} on the mean. "
        "The run with the mean loss and lr {scaled_lr} prints the same accuracies and a loss "
        "exactly that many times smaller (dotted: it lies on the published curve). Such a step "
        "is far too large: the accuracy sat at chance until iteration {moved}, then every step "
        "overshot and it swung up and down (best {best} at iteration {best_at}, {at_145} at "
        "145, {at_146} at 146). With the mean loss at lr {lr} it barely moves in 150 "
        "iterations. With all three errors corrected it does not learn either: the biases, no "
        "longer held back by the averaged db, take steps {n} times larger and switch off the "
        "few live ReLUs.").format(
        n=pub.n_samples, lr=f"{pub.lr:g}", scaled_lr=f"{scaled.lr:g}", moved=moved - 1,
        best=f"{pub.accuracy[best]:.3g}", best_at=best, at_145=f"{pub.accuracy[145]:.3g}",
        at_146=f"{pub.accuracy[146]:.3g}"))


def own_combination():
    st.markdown(_("Keep any of the errors and pick a learning rate; the correct gradients at "
                  "the same rate run beside it."))
    c1, c2 = st.columns([3, 1])
    chosen = [e for e, key, label in (
        (ex.SUMMED_LOSS, "bp_tut_sum", _("Loss summed over the samples, called a mean")),
        (ex.DB_AVERAGED, "bp_tut_db", _("db averaged while dW is summed")),
        (ex.SIGMOID_DERIVATIVE, "bp_tut_sig", _("Sigmoid derivative written 2·s·(1−s)")),
    ) if c1.toggle(label, key=key, persist_state="session")]
    lr = c2.selectbox(_("Learning rate"), LRS, key="bp_tut_lr", persist_state="session",
                      help=_("0.005 is the tutorial's. With a summed loss it acts like "
                             "0.005 × 1000 = 5 on the mean."))
    named = {OWN_RUNS["correct"]: run((), lr)}
    if chosen:
        named[OWN_RUNS["with errors"]] = run(tuple(chosen), lr)
    curves(named, "bp_tut_own", colours=list(OWN_COLOURS.values()))
    table = summary(named)
    table.insert(1, _("loss printed as"), [_(SCALES[r.reported_scale]) for r in named.values()])
    st.dataframe(styled(table), hide_index=True, key="bp_tut_table")


def tutorial_runs():
    st.markdown(_("The tutorial trains a 2-4-3-1 ReLU/ReLU/sigmoid network on 1000 circles "
                  "by gradient descent at lr 0.005 for 150 iterations. These runs start from "
                  "exactly its data and initial weights, so the first prints what the tutorial "
                  "prints."))
    named = runs()
    st.markdown(_("**{run}**, as the tutorial prints it:").format(run=_(PUBLISHED)))
    st.code(studies.printed_excerpt(named[PUBLISHED]), language=None, wrap_lines=True)
    other = st.selectbox(_("And a corrected run from the same start"), [SCALED, SLOW, FIXED],
                         key="bp_tut_beside", width=320, format_func=_,
                         persist_state="session")
    st.code(studies.printed_excerpt(named[other]), language=None, wrap_lines=True)
    curves(named, "bp_tut_runs")
    st.dataframe(styled(summary(named)), hide_index=True, key="bp_tut_summary")
    explanation(named)
    with st.expander(_("Try any combination of the errors")):
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
    story = _("**{name}.** {explanation}").format(
        name=_(name), explanation=_(PRESETS[name]["explanation"]))
    if session.load_playground().epoch == 0:
        with st.container(key="pg_story"):
            st.markdown(story)
        return
    # Once it trains, the story folds to one line: on a projector at 1280x720 the large
    # text and a planned pause's notice pushed the boundary below the screen.
    with st.expander(_("The story of “{name}”").format(name=_(name)),
                     icon=":material/menu_book:"):
        st.markdown(story)
