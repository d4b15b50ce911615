import streamlit as st

st.title('playground')
