"""The one place that picks the page's language: ``?lang=zh`` or ``?lang=en`` in the link,
otherwise the browser's language, otherwise English; and the switch that changes it.

Streamlit starts a new thread for a run that follows a finished one, and a callback or a
fragment rerun never passes through app.py, so each of them sets the language itself:
app.py calls ``activate()`` at the top of a full run, and a fragment or a callback that shows
words is wrapped in ``localized``.
"""

import functools

import streamlit as st

from viz import i18n
from viz.i18n import _

PARAM = "lang"  # the link's parameter, kept in shared links like every setting
SWITCH = "lang_switch"


def current():
    """The language this session shows: the link's, else the browser's, else English."""
    return i18n.pick_language(st.query_params.get(PARAM), st.context.locale)


def activate():
    """Set the language of this run; returns its code."""
    code = current()
    i18n.use_language(code)
    return code


def localized(function):
    """``function`` run with this session's language (for fragments and callbacks)."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        activate()
        return function(*args, **kwargs)
    return run


def _on_switch():
    chosen = st.session_state.get(SWITCH)
    if chosen in i18n.LANGUAGES:
        st.query_params[PARAM] = chosen
        i18n.use_language(chosen)


def language_switch(place):
    """English | 中文, in ``place`` (the sidebar). Switching reruns the page in the other
    language; the Playground's state lives in the session, so the network and its epoch stay."""
    st.session_state[SWITCH] = current()
    place.segmented_control(_("Language"), list(i18n.LANGUAGES), key=SWITCH,
                            format_func=i18n.LANGUAGES.get, on_change=_on_switch,
                            label_visibility="collapsed", width="content")
