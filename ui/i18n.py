"""The one place that picks the page's language: ``?lang=zh`` or ``?lang=en`` in the link,
otherwise the browser's language, otherwise English; and the switch that changes it.

Streamlit starts a new thread for a run that follows a finished one, and a callback or a
fragment rerun never passes through app.py; so this module installs ``current`` as viz.i18n's
language source: every ``_()`` asks the calling session's link and browser, wherever it runs.
Asking costs about 20 µs (Streamlit's query parameters and context behind their locks), and
a run of the Playground says a few hundred words, a tick of its board a few dozen: so a run
of a page (``session_language``) and of a fragment (``fragment``) looks it up once. Only a
callback changes the language, and callbacks run before the run they start.
"""

import contextlib
import functools

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


@contextlib.contextmanager
def session_language():
    """Within the block every ``_()`` speaks the session's language, looked up once."""
    with i18n.speaking(current()):
        yield


def fragment(run, **options):
    """``st.fragment(run, **options)`` whose every run looks the language up once (the
    wrapper keeps ``run``'s name, which is the fragment's identity)."""
    @functools.wraps(run)
    def in_session_language(*args, **kwargs):
        with session_language():
            return run(*args, **kwargs)
    return st.fragment(in_session_language, **options)


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
