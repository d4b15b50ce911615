"""Figure builders only: arrays in, Plotly figures, tables or images out. No streamlit, and
no app logic: the callers decide what to draw, these modules decide how it looks."""
