"""The Class board page's parts: opening or creating a board, its links and QR code, the
board itself (refreshed every second), and the lecturer's controls (only with the key)."""

import base64
import html
import io
import time
from urllib.parse import parse_qsl

import pandas as pd
import segno
import streamlit as st

from app_logic.board_rules import (
    EPOCH_RANGE,
    MAX_TITLE,
    RULES,
    THRESHOLD_RANGE,
    BoardError,
    parse_code,
    ranked,
)
from app_logic.board_store import BoardStore, unknown_board
from app_logic.presets import PRESETS
from app_logic.settings import DATASET_LABELS
from viz import i18n
from viz.i18n import N_, _, ngettext, number

from . import session
from .board_store_access import BOARD_PAGE, app_root, database_failure, open_store, page_url
from .i18n import PARAM as LANGUAGE_PARAM
from .i18n import fragment

__all__ = ["BOARD_PAGE", "database_failure", "page_url", "unknown_board"]  # for the page

CURRENT = N_("The Playground's current setup")  # a value: shown through _
CONTROL_NOTICE = "board_control"
REFRESH_SECONDS = 1  # a submission is on the board within a refresh and a run


def _kept_language(params):
    """``params`` and the link's language, if it names one: a board's link keeps it."""
    lang = st.query_params.get(LANGUAGE_PARAM)
    return {**params, LANGUAGE_PARAM: lang} if lang else params


# ---- no board chosen: open one, or create one ------------------------------------------
def open_by_code():
    with st.form("board_open", border=True):
        st.subheader(_("Open a board"))
        typed = st.text_input(_("Class code"), max_chars=20, placeholder=_("e.g. K7MX2Q"))
        if st.form_submit_button(_("Open the board"), icon=":material/leaderboard:"):
            code = parse_code(typed)
            if code is None:
                st.error(_("That is not a class code: a code has 6 letters and digits, such as "
                           "K7MX2Q."))
            else:
                st.query_params.from_dict(_kept_language({"code": code}))
                st.rerun()


def _challenge_sources():
    sources = {CURRENT: None} if session.playground_state() is not None else {}
    return {**sources, **{name: preset["config"] for name, preset in PRESETS.items()}}


def create_form(store):
    """A new board from a title, a setup and a rule; on success the page becomes the
    lecturer's (the key in its link)."""
    sources = _challenge_sources()
    with st.form("board_create", border=True):
        st.subheader(_("Create a board"))
        title = st.text_input(_("Title"), max_chars=MAX_TITLE,
                              placeholder=_("Find the smallest network that separates the "
                                            "spiral"))
        source = st.selectbox(_("Challenge data"), list(sources), format_func=_,
                              help=_("The data every student trains on, from your Playground "
                                     "or a preset. Students start from its whole setup; the "
                                     "data settings (and an epoch limit) are locked for them."))
        rule = st.radio(_("Rule"), list(RULES), format_func=lambda r: _(RULES[r].choice))
        threshold = st.slider(_("Test accuracy to reach (fewest parameters)"),
                              *(int(100 * v) for v in THRESHOLD_RANGE), 95, format="%d%%")
        epochs = st.number_input(_("Epoch limit (lowest test loss)"), *EPOCH_RANGE, 200,
                                 step=50)
        if not st.form_submit_button(_("Create the board"), type="primary",
                                     icon=":material/add:"):
            return
    config = sources[source] if sources[source] is not None else \
        session.playground_state().config
    try:
        code, key = store.create_board(title, config, rule, threshold / 100, epochs)
    except BoardError as exc:
        st.error(_("No board was created: {problem}").format(problem=exc))
        return
    except Exception as exc:  # noqa: BLE001 - the database is away: said, not raised
        st.error(database_failure(exc))
        return
    st.query_params.from_dict(_kept_language({"code": code, "key": key}))
    st.rerun()


# ---- one board ---------------------------------------------------------------------------
@st.cache_data(max_entries=16, show_spinner=False)  # the same link at every refresh
def qr_png(link):
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def header(board, presenter):
    if not presenter:
        st.title(_("Class board"))
    # Escaped into HTML: a title is plain text, never Markdown or markup.
    st.html(f"<h2 style='margin:0'>{html.escape(board.title)}</h2>")
    state = _("closed to new submissions") if board.closed else _("open")
    st.markdown(_("**Rule:** {rule} · **Board {code}** is {state}. Data: {dataset}, {n} "
                  "points, noise {noise}.").format(
        rule=board.rule_title, code=board.code, state=state,
        dataset=_(DATASET_LABELS[board.setup["dataset"]]), n=number(board.setup["n_samples"]),
        noise=f"{board.setup['noise']:g}"))


def links(board, key):
    """The student link large with its QR code; the private lecturer link with the key."""
    student = page_url("", board=board.code)
    words, picture = st.columns([3, 1], vertical_alignment="center")
    with words:
        st.markdown(_("Students open"))
        st.html(f"<p style='font-size:2rem;font-weight:600;line-height:1.2;"
                f"overflow-wrap:anywhere'>{html.escape(student)}</p>")
        st.markdown(_("or type the class code **{code}** on the Class board page.")
                    .format(code=board.code))
    with picture:
        st.image(qr_png(student), width=180, caption=_("Scan to join"))
    if key:
        with st.expander(_("Private lecturer link (keep it to yourself)"),
                         icon=":material/key:"):
            st.code(page_url(BOARD_PAGE, code=board.code, key=key), language=None,
                    wrap_lines=True)
            st.caption(_("It holds the secret key that hides, closes, exports and deletes. "
                         "Project the board from the link without the key: {link}")
                       .format(link=page_url(BOARD_PAGE, code=board.code)))


def _thumbnail_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def board_table(board, rows):
    """The ranked board as a data frame for st.dataframe (every text cell plain text)."""
    best = ranked(rows, board.rule, board.threshold, board.epochs)
    return pd.DataFrame({
        "Rank": [r["rank"] for r in best],
        "Boundary": [_thumbnail_uri(r["thumbnail"]) for r in best],
        "Name": [r["name"] for r in best],
        "Meets the rule": [_("yes") if r["qualifies"] else _("no") for r in best],
        "Test accuracy": [None if r["test_acc"] is None else 100 * r["test_acc"] for r in best],
        "Test loss": [r["test_loss"] for r in best],
        "Parameters": [r["params"] for r in best],
        "Epoch": [r["epoch"] for r in best],
        "Runs": [r["runs"] for r in best],
        "Setup": [page_url("", **dict(parse_qsl(r["setup"]))) for r in best],
    })


# The table's columns (their names in the data frame; headers translated where drawn).
COLUMNS = (N_("Rank"), N_("Boundary"), N_("Name"), N_("Meets the rule"), N_("Test accuracy"),
           N_("Test loss"), N_("Parameters"), N_("Epoch"), N_("Runs"), N_("Setup"))


def column_config():
    """How each column is drawn, its header in the session's language."""
    column = st.column_config
    return {
        "Rank": column.NumberColumn(_("Rank"), width=50),
        "Boundary": column.ImageColumn(_("Boundary"), width=70),
        "Name": column.TextColumn(_("Name"), width="medium"),
        "Meets the rule": column.TextColumn(_("Meets the rule"), width=110),
        "Test accuracy": column.NumberColumn(_("Test accuracy"), format="%.1f%%", width=110),
        "Test loss": column.NumberColumn(_("Test loss"), format="%.4f", width=90),
        "Parameters": column.NumberColumn(_("Parameters"), width=100),
        "Epoch": column.NumberColumn(_("Epoch"), width=70),
        "Runs": column.NumberColumn(_("Runs"), width=60),
        "Setup": column.LinkColumn(_("Setup"), display_text=_("open this setup"), width=130),
    }


def live_board(code):
    """The ranked board, and a watcher (a fragment) that reads the board's version every
    REFRESH_SECONDS and reruns the page only when it changed: an unchanged board is not
    sent again (Streamlit's message cache is off, .streamlit/config.toml, so a fragment
    that drew the table at every refresh sent all of it every second)."""
    seen = _board_now(code)
    fragment(_watch, run_every=REFRESH_SECONDS, key="board_watch")(code, seen)


def _fingerprint(store, code):
    """What the board shows depends on: None when it is gone."""
    board = store.board(code)
    return None if board is None else (board.closed, store.version(code))


def _watch(code, seen):
    store = open_store()
    try:
        now = _fingerprint(store, code) if store is not None else seen
    except Exception:  # noqa: BLE001 - the database is away: the board says so on its rerun
        now = ("away",)
    if now != seen:
        st.rerun()  # the whole page: the table, the caption and the lecturer's controls
    st.caption(_("Checked {time}, every {seconds} s.").format(
        time=time.strftime("%H:%M:%S"), seconds=REFRESH_SECONDS))


def _board_now(code):
    """Draw the board; its fingerprint as read (None: gone or unreadable)."""
    store = open_store()
    if store is None:
        return None
    try:
        seen = _fingerprint(store, code)  # first: a submission landing meanwhile reruns
        board = store.board(code)
        rows, table = _rows_and_table(store, board) if board else ([], None)
    except Exception as exc:  # noqa: BLE001 - the database is away: said, not raised
        st.warning(database_failure(exc))
        return ("away",)
    if board is None:
        st.warning(_("This board is gone: it was deleted or has expired."))
        return seen
    students = ngettext("{n} student", "{n} students", len(table)).format(n=number(len(table)))
    runs = ngettext("{n} run", "{n} runs", len(rows)).format(n=number(len(rows)))
    st.caption(_("{students}, {runs}; each student's best run counts.").format(
        students=students, runs=runs))
    if table.empty:
        st.info(_("No submissions yet. Students press “Submit to the class board” on the "
                  "Playground."), icon=":material/hourglass_empty:")
        return seen
    shown = [c for c in COLUMNS if board.rule != "best_accuracy" or c != "Meets the rule"]
    st.dataframe(table, column_config=column_config(), column_order=shown, hide_index=True,
                 row_height=64, height=min(64 * len(table) + 40, 64 * 10 + 40),
                 key="board_table")
    return seen


def _rows_and_table(store, board):
    """The board's rows and ranked table, read again only when its version changed."""
    version = (board.code, store.version(board.code), i18n.language())  # "yes" is worded
    return _read_board(store, board, version, app_root())


@st.cache_data(max_entries=32, ttl=60, show_spinner=False,
               hash_funcs={BoardStore: lambda store: store.target})
def _read_board(store, board, version, root):
    """(rows, table) of ``board`` at ``version``: read once per worker for every viewer of
    the board (a projector, the lecturer, students who opened it) when a run lands. ``root``
    (the app's address as this browser sees it) is part of the key: the table's links use it."""
    rows = store.submissions(board.code)
    return rows, board_table(board, rows)


# ---- the lecturer's controls ---------------------------------------------------------------
def lecturer_controls(store, board, key):
    session.show_notice(CONTROL_NOTICE)
    try:
        all_rows = store.submissions(board.code, include_hidden=True)
        export = store.export_csv(board.code, key)
    except Exception as exc:  # noqa: BLE001 - the database is away: said, not raised
        st.warning(database_failure(exc))
        return
    with st.expander(_("Lecturer controls"), icon=":material/admin_panel_settings:"):
        cols = st.columns(3)
        cols[0].button(_("Reopen the board") if board.closed else _("Close to new submissions"),
                       key="board_close", on_click=_act, icon=":material/lock:",
                       args=(store.set_closed, board.code, key, not board.closed,
                             _("Board reopened.") if board.closed else _("Board closed.")))
        cols[1].download_button(_("Export CSV"), export,
                                file_name=f"class-board-{board.code}.csv", mime="text/csv",
                                icon=":material/download:", key="board_export")
        if all_rows:
            labels = {r["id"]: f"#{r['id']} {r['name']}" + (" " + _("(hidden)")
                                                            if r["hidden"] else "")
                      for r in all_rows}
            chosen = st.selectbox(_("A submission"), list(labels)[::-1],
                                  format_func=labels.get, key="board_pick")
            hidden = next(r["hidden"] for r in all_rows if r["id"] == chosen)
            st.button(_("Show it again") if hidden else _("Hide it"), key="board_hide",
                      on_click=_act,
                      args=(store.set_hidden, board.code, key, chosen, not hidden,
                            _("Shown again.") if hidden else _("Hidden from the board.")))
        sure = st.checkbox(_("Delete this board and every submission in it"), key="board_sure")
        cols[2].button(_("Delete the board"), key="board_delete", disabled=not sure,
                       on_click=_delete, args=(store, board.code, key),
                       icon=":material/delete_forever:")


def _act(action, code, key, *args):
    *args, done = args
    try:
        action(code, key, *args)
        session.notify(CONTROL_NOTICE, "success", done)
    except BoardError as exc:
        session.notify(CONTROL_NOTICE, "error", str(exc))
    except Exception as exc:  # noqa: BLE001 - the database is away: said, not raised
        session.notify(CONTROL_NOTICE, "error", database_failure(exc))


def _delete(store, code, key):
    _act(store.delete_board, code, key,
         _("Board {code} and its submissions were deleted.").format(code=code))
    if (session.notice(CONTROL_NOTICE) or ("",))[0] == "success":
        st.query_params.from_dict(_kept_language({}))
