"""The gradient-check lab: backprop against central finite differences, dW and db of every
layer apart, with each of the tutorial's three published errors as its own switch."""

import numpy as np
import pandas as pd
import streamlit as st

from app_logic import study as studies
from app_logic.settings import ACTIVATION_LABELS
from mlp_core import explain as ex
from viz import backprop_figures as bf
from viz.backprop_figures import format_small
from viz.i18n import N_, _, ngettext, number

from . import session

# (error, switch key, switch label, what it does in words)
SWITCHES = (
    (ex.SIGMOID_DERIVATIVE, "bp_gc_sig", N_("Sigmoid slope written 2·s·(1−s)"),
     N_("The sigmoid's slope is s·(1−s); the factor 2 doubles every gradient that flows back "
        "through a sigmoid, so that layer and every layer below it are off by 2.")),
    (ex.SUMMED_LOSS, "bp_gc_sum", N_("Loss summed, called a mean"),
     N_("The loss divides by the number of outputs (1), not of samples, so every gradient is "
        "n times the gradient of the mean loss the check measures.")),
    (ex.DB_AVERAGED, "bp_gc_db", N_("db averaged, dW summed"),
     N_("dW = Aᵀδ sums over the samples but db takes their mean, so every db is n times too "
        "small; dW stays right.")),
)


def numeric_for(version, source):
    """Finite differences of the study's loss: computed once per study (they do not depend
    on the switches); kept for the latest study only."""
    cache = session.kept(session.GRADCHECK) or {}
    if cache.get("version") != version:
        cache = session.keep(session.GRADCHECK, {
            "version": version, "numeric": studies.numeric_gradients(source)})
    return cache["numeric"]


def check_table(source, check):
    dw_error, db_error = _("dW relative error"), _("db relative error")
    rows = [{_("layer"): k + 1, _("activation"): _(ACTIVATION_LABELS.get(name, name)),
             dw_error: dw, "dW": studies.verdict(dw), db_error: db, "db": studies.verdict(db)}
            for k, (name, dw, db) in enumerate(zip(source.net.activations, check.dW_error,
                                                   check.db_error))]
    return pd.DataFrame(rows).style.format({dw_error: format_small, db_error: format_small})


def outcome(check):
    failing = check.failing()
    if not failing and check.worst < studies.PASS:
        st.success(_("Backprop agrees with finite differences for every weight and bias."))
        return
    if not failing:
        st.warning(_("Close but not exact: relative error up to {error}. A kink of ReLU "
                     "within ±ε of a sum, or a saturated unit, can do this.")
                   .format(error=format_small(check.worst)))
        return
    names = ", ".join(name for name, _err in failing)
    st.error(_("The check fails on {names}: relative error up to {error}.")
             .format(names=names, error=format_small(check.worst)))


def gradient_check_lab(version, source):
    st.markdown(_("Backprop is checked by nudging every weight and bias by ±ε and measuring "
                  "the loss: (L(w+ε) − L(w−ε)) / 2ε. Where the derivation and the code are "
                  "right, the two agree to about 1e-7 or better. Switch on the tutorial's "
                  "published errors one at a time and see which gradients they break."))
    errors = []
    for error, key, label, meaning in SWITCHES:
        c1, c2 = st.columns(2, vertical_alignment="center")
        if c1.toggle(_(label), key=key, persist_state="session"):
            errors.append(error)
            why = studies.cannot_show(source, error)
            (c2.info if why else c2.caption)(why or _(meaning))
        else:
            c2.caption(_(meaning))
    check = studies.gradient_check(source, errors, numeric_for(version, source))
    st.metric(_("Largest relative error"), format_small(check.worst),
              help=_("‖backprop − finite differences‖ / (‖backprop‖ + ‖finite differences‖) "
                     "over each layer's weights (dW) and biases (db) apart"))
    st.dataframe(check_table(source, check), hide_index=True, key="bp_gc_table")
    outcome(check)
    if ex.SUMMED_LOSS in errors and ex.DB_AVERAGED in errors:
        st.caption(_("Together the two errors cancel for the biases: db, n times too large "
                     "from the sum, is divided by n again by the mean. So in the tutorial's "
                     "code the weights follow a gradient n times too large, the biases the "
                     "right one."))
    st.caption(ngettext("Checked on the first {n} sample of {network}.",
                        "Checked on the first {n} samples of {network}.", check.n_samples)
               .format(n=number(check.n_samples), network=studies.describe(source))
               + " " + _("✓ below 1e-6, ✗ above 1e-2."))
    names = [_("layer {k}").format(k=k + 1) for k in range(source.net.n_layers)]
    flat = [[np.concatenate([W.ravel(), b]) for W, b in grads]
            for grads in (check.analytic, check.numeric)]
    c1, c2 = st.columns([3, 2], vertical_alignment="center")
    c1.plotly_chart(bf.analytic_vs_numeric_figure(*flat, names), key="bp_gc_plot")
    c2.caption(_("Every weight and bias: backprop against finite differences. Points off the "
                 "dashed diagonal are gradients the code gets wrong."))
