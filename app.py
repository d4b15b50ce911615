"""Backprop Playground: `streamlit run app.py`.

The pages live in app_pages/, not pages/: a folder named pages/ beside the entry script puts
Streamlit in its older multipage mode until this script has run once, so a shared link such as
/backprop opened on a freshly started server would skip the navigation and the layout below.
"""

import streamlit as st

st.set_page_config(page_title="Backprop Playground", page_icon=":material/hub:", layout="wide")

pages = [
    st.Page("app_pages/playground.py", title="Playground", icon=":material/play_circle:",
            default=True),
    st.Page("app_pages/backprop.py", title="How backprop works", icon=":material/functions:",
            url_path="backprop"),
    st.Page("app_pages/compare.py", title="Compare runs", icon=":material/compare:",
            url_path="compare"),
]
st.navigation(pages).run()
