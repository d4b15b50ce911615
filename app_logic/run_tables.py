"""The Compare page's tables, as data frames: the runs' settings side by side (those that
differ first, marked) and their final metrics ("—" where a run has none)."""

import pandas as pd

from viz.format import format_loss
from viz.i18n import _

from .settings import BY_KEY, label


def show_value(key, value):
    """A setting's value as the sidebar shows it; "—" where a run does not have it."""
    if value is None:
        return "—"
    if key in BY_KEY:
        return BY_KEY[key].show(value)
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def settings_frame(runs, names):
    """One row per setting, one column per named run, plus a "differs" column."""
    rows = runs.settings_table(names)
    rows.sort(key=lambda row: not row[2])  # differing settings first
    frame = pd.DataFrame(
        [[label(key), "≠" if differs else ""] + [show_value(key, v) for v in values]
         for key, values, differs in rows],
        columns=[_("setting"), _("differs"), *names])
    return frame.set_index(_("setting"))


def metrics_frame(chosen):
    """One row per run: its epochs and final losses and accuracies, train and test side by
    side in one column each (five columns beside 40-character names do not fit 1024
    pixels); a loss in 3 significant digits, so a tiny one is not 0.0000."""
    def pair(run, key, form):
        return " / ".join(shown(run.metrics[f"{part}_{key}"], form) for part in ("train", "test"))

    def shown(v, form):
        return "—" if v != v else format_loss(v) if form == "loss" else format(v, form)

    return pd.DataFrame({
        _("epochs"): [shown(r.metrics["epoch"], ".0f") for r in chosen],
        _("loss: train / test"): [pair(r, "loss", "loss") for r in chosen],
        _("accuracy: train / test"): [pair(r, "acc", ".1%") for r in chosen],
    }, index=pd.Index([r.name for r in chosen], name=_("run")))
