"""Backprop Playground: `streamlit run app.py`."""

import streamlit as st

st.set_page_config(page_title="Backprop Playground", page_icon=":material/hub:", layout="wide")

pages = [
    st.Page("pages/playground.py", title="Playground", icon=":material/play_circle:",
            default=True),
    st.Page("pages/backprop.py", title="How backprop works", icon=":material/functions:",
            url_path="backprop"),
    st.Page("pages/compare.py", title="Compare runs", icon=":material/compare:",
            url_path="compare"),
]
st.navigation(pages).run()
