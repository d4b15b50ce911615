import streamlit as st

st.title('backprop')
