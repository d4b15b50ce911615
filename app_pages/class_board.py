"""Class board: the lecturer sets a challenge, every student's run lands on one live board."""

import streamlit as st

from ui import class_board as board_ui
from ui.board_store_access import open_store
from viz.i18n import _


def main():
    presenter = st.query_params.get("presenter") == "1"
    store = open_store()
    if store is None:
        return
    code, key = st.query_params.get("code"), st.query_params.get("key")
    if not code:
        st.title(_("Class board"))
        st.caption(_("Set the class a challenge on one dataset; every student's run lands on "
                     "one board, ranked by your rule and refreshed every second."))
        start, create = st.columns([1, 2])
        with start:
            board_ui.open_by_code()
        with create:
            board_ui.create_form(store)
        return
    try:
        board = store.board(code)
        lecturer = key is not None and store.is_lecturer(code, key)
    except Exception as exc:  # noqa: BLE001 - the database is away: said, not raised
        st.error(board_ui.database_failure(exc))
        return
    if board is None:
        st.title(_("Class board"))
        st.error(board_ui.unknown_board(code), icon=":material/search_off:")
        st.link_button(_("Open or create another board"),
                       board_ui.page_url(board_ui.BOARD_PAGE))
        return
    if key is not None and not lecturer:
        st.error(_("That lecturer key does not open this board: the board is shown without "
                   "the lecturer's controls."), icon=":material/key_off:")
    board_ui.header(board, presenter)
    board_ui.links(board, key if lecturer else None)
    if lecturer:
        board_ui.lecturer_controls(store, board, key)
    board_ui.live_board(board.code)


main()
