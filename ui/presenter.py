"""Presenter mode on the pages other than the Playground (which sizes its own figures, see
ui/live_view.py): larger text, read on a projector from the back of a room."""

import streamlit as st

from . import session

LARGER_TEXT = """<style>
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 1.2rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.05rem; }
</style>"""


def presenter_mode():
    """A presenter-mode link, or a Playground in presenter mode this session (a page switch
    drops the link's parameters)."""
    state = session.playground_state()
    return st.query_params.get("presenter") == "1" or bool(state and state.config["presenter"])


def larger_text():
    st.html(LARGER_TEXT)
