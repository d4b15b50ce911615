"""Compare runs: saved runs' curves overlaid, their final boundaries side by side and the
settings that differ, plus rename, delete, download and upload of the saved runs."""

import streamlit as st

from app_logic import runs as rn
from app_logic.run_tables import metrics_frame, settings_frame
from app_logic.session import build_state
from app_logic.settings import default_config, label
from ui import session
from ui import widget_sync as widgets
from ui.file_inputs import file_input, plain, reading
from ui.presenter import larger_text, presenter_mode
from viz import compare_figures as cf
from viz.i18n import N_, _, ngettext, number

# Sizes on a screen and, in presenter mode, on a projector read from the back of a room.
LOOKS = {False: {"font_size": 14, "legend": "0.95rem", "boundary_width": 270, "title_size": 14},
         True: {"font_size": 17, "legend": "1.2rem", "boundary_width": 340, "title_size": 16}}
NOTICE = "compare"  # the page's notice slot
UPLOAD_NOTICE = "compare_upload"  # the runs uploader's own slot
UPLOAD_KEPT = N_("Your saved runs are unchanged.")  # translated where it is shown
DEMO_EPOCHS = 150
DEMO_RUNS = (
    (N_("Demo: linear model"), {"hidden": []}),
    (N_("Demo: one hidden layer of 8"), {"hidden": [8]}),
)


def notify(kind, text):
    session.notify(NOTICE, kind, text)


def select(names):
    """Add runs to the chosen ones (before the multiselect is drawn on the next run)."""
    widgets.set_value("cmp_chosen", [*widgets.value("cmp_chosen", []), *names])


# ---- actions ---------------------------------------------------------------------------------
def create_demo_runs(runs):
    if len(runs) + len(DEMO_RUNS) > runs.max_runs:
        notify("error", _("There is no room for two more runs ({n} at most); delete some "
                          "first.").format(n=runs.max_runs))
        return
    added = []
    for name, changes in DEMO_RUNS:
        state = build_state({**default_config(), **changes})
        state.train_for(DEMO_EPOCHS)
        added.append(runs.add(rn.run_from_state(runs.unique_name(_(name)), state)).name)
    select(added)
    notify("success", _("Trained and saved two demo runs on the same circles data for "
                        "{epochs} epochs each: a linear model (no hidden layer) and a network "
                        "with one hidden layer of 8 neurons.").format(epochs=DEMO_EPOCHS))


def import_upload():
    """on_change of the uploader: runs before the page, so it may change the selection."""
    uploaded, runs = widgets.value("cmp_upload"), session.runs()
    if uploaded is None:
        return
    with reading(UPLOAD_NOTICE, uploaded.name, _(UPLOAD_KEPT)):
        added = runs.import_json(uploaded.getvalue())
        select(added)
        session.notify(UPLOAD_NOTICE, "success",
                       ngettext("Loaded {n} run from “{file}”: {names}.",
                                "Loaded {n} runs from “{file}”: {names}.", len(added))
                       .format(n=number(len(added)), file=plain(uploaded.name),
                               names=", ".join(f"“{plain(n)}”" for n in added)))


def rename(runs):
    old, new = widgets.value("cmp_rename_from"), widgets.value("cmp_rename_to", "")
    try:
        new = runs.rename(old, new)
    except rn.RunsError as err:
        notify("error", plain(err))
        return
    widgets.set_value("cmp_chosen",
                      [new if n == old else n for n in widgets.value("cmp_chosen", [])])
    widgets.set_value("cmp_rename_to", "")
    notify("success", _("Renamed “{old}” to “{new}”.").format(old=plain(old), new=plain(new)))


def delete(runs):
    name = widgets.value("cmp_delete_which")
    try:
        runs.delete(name)
    except rn.RunsError as err:
        notify("error", plain(err))
        return
    notify("success", _("Deleted “{name}”.").format(name=plain(name)))


# ---- drawing ---------------------------------------------------------------------------------
def highlight(row):
    style = "background-color: #fff1c2; font-weight: 600" if row[_("differs")] else ""
    return [style] * len(row)


def column_width(texts):
    """Pixels that show the longest of ``texts`` whole (a table cuts what does not fit)."""
    return min(round(24 + 6.5 * max(len(str(t)) for t in texts)), 300)


def curves(runs, colour, log_loss, look):
    """Loss and accuracy of the classifiers side by side, then the regressions' loss apart:
    a squared error and a cross-entropy on one axis would not compare."""
    classifiers = [r for r in runs if r.n_classes]
    regressions = [r for r in runs if not r.n_classes]
    if classifiers:
        indices = [colour[r.name] for r in classifiers]
        left, right = st.columns(2)
        left.plotly_chart(cf.curves_figure(classifiers, "loss", log_y=log_loss,
                                           color_indices=indices,
                                           title=_("Loss (cross-entropy)"),
                                           font_size=look["font_size"]), key="cmp_loss_chart")
        right.plotly_chart(cf.curves_figure(classifiers, "accuracy", color_indices=indices,
                                            font_size=look["font_size"]), key="cmp_acc_chart")
    if regressions:
        left, right = st.columns(2)
        indices = [colour[r.name] for r in regressions]
        left.plotly_chart(cf.curves_figure(regressions, "loss", log_y=log_loss,
                                           color_indices=indices,
                                           title=_("Regressions: loss (squared error)"),
                                           font_size=look["font_size"]),
                          key="cmp_regression_loss_chart")
        right.caption(_("A regression predicts a number, so it has no accuracy: compare its "
                        "loss, and its surface below."))


def comparison(runs, look):
    names = runs.names
    kept = widgets.value("cmp_chosen", names)
    widgets.set_value("cmp_chosen", list(dict.fromkeys(n for n in kept if n in names)))
    chosen_names = st.multiselect(_("Runs to compare"), names, key="cmp_chosen",
                                  persist_state="session",
                                  help=_("Saved runs stay until the browser tab is closed; "
                                         "download them to keep them."))
    if not chosen_names:
        st.info(_("Choose at least one run to compare."))
        return
    chosen = [runs.get(n) for n in chosen_names]
    colour = {name: names.index(name) for name in chosen_names}  # stable colour per run

    log_loss = st.toggle(_("Logarithmic loss axis"), key="cmp_log_loss",
                         persist_state="session")
    by_colour = sorted(chosen, key=lambda r: colour[r.name])
    st.html(cf.legend_html(by_colour, [colour[r.name] for r in by_colour], look["legend"]))
    st.caption(_("Solid lines: training data; dashed: test data. Hover a curve for its run."))
    with st.container(key="cmp_curves"):  # stacked beside an open sidebar (assets/style.css)
        curves(by_colour, colour, log_loss, look)

    st.header(_("Final decision boundaries"))
    # A fixed width each, wrapping to a new row where the page is narrow: columns would
    # shrink three or four plots to thumbnails on a 1024-pixel projector.
    with st.container(horizontal=True, gap="small"):
        for run in chosen:
            st.plotly_chart(cf.boundary_figure(run, colour[run.name], height=310,
                                               title_size=look["title_size"]),
                            width=look["boundary_width"],
                            key=f"cmp_boundary_{colour[run.name]}")

    st.header(_("Final metrics"))
    st.dataframe(metrics_frame(chosen))
    st.header(_("Settings"))
    differing = runs.differing_keys(chosen_names)
    if len(chosen) < 2:
        st.caption(_("Choose two or more runs to see which settings differ."))
    elif differing:
        st.caption(_("Highlighted (≠): the settings that differ between the chosen runs: "
                     "{settings}.").format(
            settings=_(", ").join(plain(label(k).lower()) for k in differing)))
    else:
        st.caption(_("The chosen runs have identical settings."))
    frame = settings_frame(runs, chosen_names)
    # Each run's column wide enough for its name and values (the table scrolls sideways
    # where they do not all fit); its header's tooltip shows the name too.
    whole_names = {name: st.column_config.Column(
        help=name, width=column_width([name, *frame[name]])) for name in chosen_names}
    st.dataframe(frame.style.apply(highlight, axis=1), height=36 * (len(frame) + 1) + 3,
                 column_config={"_index": st.column_config.Column(width=150), **whole_names})


def manage(runs):
    st.header(_("Manage saved runs"))
    # A row per action, the run's chooser widest: in a third of the page a name was cut
    # inside its numbers at 1024 pixels.
    widths = dict(spec=[3.4, 2, 1], vertical_alignment="bottom")
    which, new_name, rename_button = st.columns(**widths)
    which.selectbox(_("Run to rename"), runs.names, key="cmp_rename_from")
    new_name.text_input(_("New name"), key="cmp_rename_to", max_chars=rn.MAX_NAME_LENGTH)
    rename_button.button(_("Rename"), key="cmp_rename", on_click=rename, args=(runs,))
    which, delete_button, _spare = st.columns(**widths)
    which.selectbox(_("Run to delete"), runs.names, key="cmp_delete_which")
    delete_button.button(_("Delete"), key="cmp_delete", on_click=delete, args=(runs,))
    st.download_button(_("Download all runs (JSON)"), runs.to_json(),
                       file_name="backprop-playground-runs.json", mime="application/json",
                       key="cmp_download", on_click="ignore")
    st.caption(_("{n} of {total} run slots used.").format(n=len(runs), total=runs.max_runs))


def upload_section():
    file_input("cmp_upload", _("Load runs from a file downloaded here earlier"), ["json"],
               import_upload, UPLOAD_NOTICE, _(UPLOAD_KEPT))


def main():
    presenter = presenter_mode()
    if presenter:
        larger_text()
    st.title(_("Compare runs"))
    runs = session.runs()
    session.show_notice(NOTICE)
    if not len(runs):
        st.info(_(
            "No runs saved yet. On the **Playground**, train a network and press **Save "
            "run**: each saved run keeps its settings, loss and accuracy curves and final "
            "decision boundary, and appears here. Save a few (say, before and after a change) "
            "to see them side by side. You can also load a runs file, or start with two demo "
            "runs."))
        if st.button(_("Create two demo runs"), key="cmp_demo", type="primary",
                     help=_("The same circles data learned by a linear model and by a network "
                            "with one hidden layer.")):
            with st.spinner(_("Training two demo runs…")):
                create_demo_runs(runs)
            st.rerun()
    else:
        comparison(runs, LOOKS[presenter])
        st.divider()
        manage(runs)
    upload_section()


main()
