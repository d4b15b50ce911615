"""Backprop Playground: `streamlit run app.py`.

The pages live in app_pages/, not pages/: a folder named pages/ beside the entry script puts
Streamlit in its older multipage mode until this script has run once, so a shared link such as
/backprop opened on a freshly started server would skip the navigation and the layout below.
"""

import json
import pathlib

import streamlit as st

from app_logic.fair_share import REGISTRY
from ui import i18n
from ui.reconnect import keep_connected
from viz.i18n import _

ASSETS = pathlib.Path(__file__).parent / "assets"
ICON = ASSETS / "icon.png"  # served by the app itself: works offline


def main():
    # A link in presenter mode opens with the sidebar folded away, for a projector.
    presenter = st.query_params.get("presenter") == "1"
    st.set_page_config(page_title=_("Backprop Playground"), page_icon=str(ICON), layout="wide",
                       initial_sidebar_state="collapsed" if presenter else "auto")
    st.html(ASSETS / "style.css")
    st.html((ASSETS / "keyboard.html").read_text(encoding="utf-8").replace(  # equations that scroll
        "__LABEL__", json.dumps(_("Equation; scroll sideways with the arrow keys"))),
        unsafe_allow_javascript=True)
    keep_connected()  # a lost session comes back from the link, never a grey page

    pages = [
        st.Page("app_pages/playground.py", title=_("Playground"), icon=":material/play_circle:",
                default=True),
        st.Page("app_pages/backprop.py", title=_("How backprop works"), icon=":material/functions:",
                url_path="backprop"),
        st.Page("app_pages/compare.py", title=_("Compare runs"), icon=":material/compare:",
                url_path="compare"),
        st.Page("app_pages/class_board.py", title=_("Class board"), icon=":material/leaderboard:",
                url_path="board"),
    ]
    page = st.navigation(pages)
    i18n.language_switch(st.sidebar)
    page.run()


# The worker's whole-page runs one after another (fair_share.FairShare.page_run), and every
# word of the run in one language, looked up once.
with REGISTRY.page_run(), i18n.session_language():
    main()
