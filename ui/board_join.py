"""The Playground's side of a class board: a student link (``?board=CODE``) joins the board,
the settings its challenge fixes are locked, and "Submit to the class board" stores the
session's own run (computed here on the server from its network and points).

The Playground calls ``join`` before it seeds its widgets and ``board_panel`` above the live
view; the sidebar asks ``locked_keys`` which settings to disable.
"""

import secrets

import streamlit as st

from app_logic.board_rules import MAX_NAME, BoardError, differing, parse_code, run_result
from app_logic.session import apply_config
from app_logic.settings import BY_KEY
from viz.i18n import _

from . import session
from . import widget_sync as widgets
from .board_store_access import database_failure, open_store, page_url
from .i18n import fragment
from .widget_sync import set_widgets

JOINED = "board_joined"  # the code of the board this session joined
STUDENT = "board_student"  # this session's random id: the board's limits are per session
JOIN_PROBLEM = "board_join_problem"  # why the link's board could not be joined
NAME, SUBMIT = "board_name", "board_submit"  # widget keys (the load client finds them)
SUBMIT_NOTICE = "board_submit"


def joined_board():
    """The Board this session joined (read afresh), or None."""
    code = session.kept(JOINED)
    store = open_store() if code else None
    try:
        return store.board(code) if store else None
    except Exception:  # noqa: BLE001 - the database is away: the Playground works on
        return None


def locked_keys():
    """Settings the sidebar shows disabled: those the joined board's challenge fixes."""
    board = joined_board() if session.kept(JOINED) else None
    return board.fixed if board else ()


def join(state):
    """The Playground's state after following a student link: a link with only the board's
    code starts from the challenge's whole setup; any link keeps the settings it fixes."""
    raw = st.query_params.get("board")
    if raw is None:
        session.drop(JOINED)
        return state
    store = open_store()
    try:
        board = store.board(raw) if store else None
    except Exception as exc:  # noqa: BLE001 - shown, and the Playground works on
        session.keep(JOIN_PROBLEM, database_failure(exc))
        return state
    if board is None:
        session.drop(JOINED)
        session.keep(JOIN_PROBLEM, (
            _("This link's class board could not be found: the code is not a class code.")
            if parse_code(raw) is None else
            _("This link's class board could not be found: board {code} may have expired or "
              "been deleted.").format(code=parse_code(raw))))
        return state
    session.drop(JOIN_PROBLEM)
    first = session.kept(JOINED) != board.code
    session.keep(JOINED, board.code)
    if session.kept(STUDENT) is None:
        session.keep(STUDENT, secrets.token_hex(16))
    whole = first and set(st.query_params) == {"board"}
    wanted = {**state.config, **(board.setup if whole else
                                 {k: board.setup[k] for k in board.fixed})}
    if wanted == state.config:
        return state
    state = apply_config(state, wanted)[0]
    state.notices = []
    session.set_playground(state)
    set_widgets(state.config)
    if not first:
        session.toast(_("This class board's challenge fixes the data: its settings were put "
                        "back."), icon=":material/lock:")
    return state


def board_panel():
    """The joined board's title, rule and locks, and the submit form (a fragment)."""
    problem = session.kept(JOIN_PROBLEM)
    if problem and "board" in st.query_params:
        st.error(problem, icon=":material/leaderboard:")
    if session.kept(JOINED):
        fragment(_panel, key="board_panel")()


def _panel():
    board = joined_board()
    if board is None:
        st.warning(_("The class board you joined is gone (closed for good or expired)."))
        return
    with st.container(border=True):
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.markdown(_("**:material/leaderboard: Class board {code}** · {rule} ·")
                        .format(code=board.code, rule=board.rule_title), width="content")
            st.text(board.title, width="content")  # plain text: a title is never Markdown
        fixed = _(", ").join(_(BY_KEY[k].label) for k in board.fixed)
        st.caption(_("The challenge fixes: {settings} (locked in the sidebar); the rest is "
                     "yours to choose. Your best run counts on the board.")
                   .format(settings=fixed))
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.text_input(_("Your name on the board"), key=NAME, max_chars=MAX_NAME,
                          placeholder=_("e.g. Ada"), width=260)
            st.button(_("Submit to the class board"), key=SUBMIT, on_click=_submit,
                      icon=":material/send:", type="primary")
            st.link_button(_("Open the board"), page_url("board", code=board.code),
                           icon=":material/open_in_new:")
        session.show_notice(SUBMIT_NOTICE, keep=True)  # until the next submission


def _submit():
    state, board, store = session.playground_state(), joined_board(), open_store()
    if state is None or board is None or store is None:
        session.notify(SUBMIT_NOTICE, "error",
                       _("This session has no class board to submit to."))
        return
    wrong = differing(board.setup, state.config, board.rule)
    if wrong:
        session.notify(SUBMIT_NOTICE, "error",
                       _("Not submitted: the challenge fixes {settings}, and this run changed "
                         "them. Open the student link again to start from the challenge's "
                         "data.").format(settings=_(", ").join(wrong)))
        return
    result = run_result(state)
    try:
        number = store.submit(board.code, session.kept(STUDENT),
                              widgets.value(NAME, ""), result)
    except BoardError as exc:
        session.notify(SUBMIT_NOTICE, "error", _("Not submitted: {problem}").format(problem=exc))
        return
    except Exception as exc:  # noqa: BLE001 - the database is away: said, not raised
        session.notify(SUBMIT_NOTICE, "error", database_failure(exc))
        return
    accuracy = result["test_acc"]
    shown = (_("test accuracy {accuracy}").format(accuracy=f"{accuracy:.1%}")
             if accuracy is not None else
             _("test loss {loss}").format(loss=f"{result['test_loss']:.4g}"))
    answer = _("Submitted to the class board (#{number}): epoch {epoch}, {result}, "
               "{params} parameters.").format(number=number, epoch=result["epoch"],
                                              result=shown, params=result["params"])
    session.notify(SUBMIT_NOTICE, "success", answer)
    # Said twice: on a busy server the panel's run that draws the answer is sometimes lost
    # on its way to the browser (its start arrives, its elements never do), and a student
    # who is not told submits again. A playing view's next tick shows it as a toast.
    session.toast(answer, icon=":material/check_circle:", repeat=True)
