"""The one place that picks the page's language: ``?lang=zh`` or ``?lang=en`` in the link,
otherwise the browser's language, otherwise English; and the switch that changes it.

Streamlit starts a new thread for a run that follows a finished one, and a callback or a
fragment rerun never passes through app.py; so, rather than setting the language at the top
of a run, this module installs ``current`` as viz.i18n's language source: every ``_()`` asks
the calling session's link and browser, wherever it runs.
"""

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from viz import i18n
from viz.i18n import _

from . import session

PARAM = "lang"  # the link's parameter, kept in shared links like every setting
SWITCH = "lang_switch"


def current():
    """The language this session shows: the link's, else the browser's, else English (also
    outside a session's thread, e.g. a test's)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return i18n.ENGLISH
    return i18n.pick_language(st.query_params.get(PARAM), st.context.locale)


i18n.set_language_source(current)


KEEP_PREFIXES = ("pg_", "bp_", "cmp_")  # widgets whose choices keep their value across a switch


def _plain(value):
    scalar = (str, int, float)
    if isinstance(value, (list, tuple)):
        return all(isinstance(v, scalar) and not isinstance(v, bool) for v in value)
    return isinstance(value, scalar) and not isinstance(value, bool)


def _keep_choices():
    """Write each setting widget's value back to itself. The browser names a choice by its
    label, and a label in the old language matches no option in the new one: without this
    a select slider (the speed) would fall back to its first stop."""
    for key in session.keys_starting(KEEP_PREFIXES):
        value = session.kept(key)
        if _plain(value):
            session.keep(key, value)


def _on_switch():
    chosen = session.kept(SWITCH)
    if chosen in i18n.LANGUAGES:
        _keep_choices()
        st.query_params[PARAM] = chosen


def language_switch(place):
    """English | 中文, in ``place`` (the sidebar). Switching reruns the page in the other
    language; the Playground's state lives in the session, so the network and its epoch stay."""
    session.keep(SWITCH, current())
    place.segmented_control(_("Language"), list(i18n.LANGUAGES), key=SWITCH,
                            format_func=i18n.LANGUAGES.get, on_change=_on_switch,
                            label_visibility="collapsed", width="content")
