"""The Streamlit layer: widgets, fragments, the session-state accessors and notices. Pages
(app_pages/) compose these parts; the logic they call lives in app_logic/, the figures in
viz/."""
