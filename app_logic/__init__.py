"""The app's logic, with no streamlit in it: the settings table, the session model, the
user's own data (drawn or uploaded), saved runs, snapshots and exports. Tested directly."""
