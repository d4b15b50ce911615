"""Widget values that outlive their widget.

Streamlit forgets the value of a widget that a run does not draw: a widget on a closed tab,
on another page. Widgets that take ``persist_state="session"`` keep theirs; ``st.tabs`` does
not take it, so the open tab is kept here under a key of its own.
"""

import streamlit as st


def kept_tabs(labels, key):
    """``st.tabs`` that reopens the tab last open, after a visit to another page too."""
    ss = st.session_state
    kept = f"{key}_kept"
    if key not in ss and ss.get(kept) in labels:
        ss[key] = ss[kept]  # re-seeded before the widget is drawn
    tabs = st.tabs(labels, key=key, on_change="rerun")
    ss[kept] = ss.get(key, labels[0])
    return tabs
