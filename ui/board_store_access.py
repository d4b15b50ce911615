"""The class board's database as the pages reach it: one BoardStore per process (a
Streamlit resource, shared by every session of the worker), links to the app's pages, and the
message shown when the database does not answer."""

import os
from urllib.parse import urlencode

import pandas  # noqa: F401 - see below
import streamlit as st

from app_logic.board_store import URL_ENV, BoardStore, days_from_environment
from viz.i18n import _

# pandas is imported up front, by every page's first run: plotly looks pandas up in
# sys.modules when it builds a figure, and finds it half-imported while another session's
# first visit to the Class board (which needs it) is importing it: "partially initialized
# module 'pandas'" in every playing session (seen with 40 students and a board viewer).
BOARD_PAGE = "board"  # the Class board page's url_path (app.py)
FALLBACK_ROOT = "http://localhost:8501"  # where a link points when the browser's URL is unknown


@st.cache_resource(show_spinner=False, max_entries=4)
def _store(url, days):
    return BoardStore(url or None, days)


def open_store():
    """The process's BoardStore, or None after an error saying why it cannot be opened."""
    try:
        return _store(os.environ.get(URL_ENV, ""), days_from_environment())
    except Exception as exc:  # noqa: BLE001 - a bad URL or an unreachable server: said
        st.error(database_failure(exc), icon=":material/database:")
        return None


def database_failure(exc):
    text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return _("The class board's database did not answer ({problem}). The Playground works "
             "on; try the board again in a moment.").format(problem=text)


def app_root():
    """The app's address as the browser sees it (scheme, host, port, base path)."""
    url = (st.context.url or FALLBACK_ROOT).split("?")[0].split("#")[0].rstrip("/")
    for page in (BOARD_PAGE, "compare", "backprop"):
        if url.endswith("/" + page):
            return url[:-len(page) - 1]
    return url


def page_url(page="", **params):
    """An absolute link to ``page`` ("" for the Playground) with ``params``."""
    path = f"{app_root()}/{page}" if page else f"{app_root()}/"
    return path + ("?" + urlencode(params) if params else "")
