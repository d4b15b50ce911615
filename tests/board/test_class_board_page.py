"""The Class board page and the Playground's join/lock/submit under AppTest, on a SQLite
file in a temporary folder."""

import pathlib

import pytest
from streamlit.testing.v1 import AppTest

from app_logic.board_store import URL_ENV, BoardStore
from app_logic.presets import PRESETS
from ui import board_join

ROOT = pathlib.Path(__file__).resolve().parents[2]
BOARD_PAGE = str(ROOT / "app_pages" / "class_board.py")
PLAYGROUND = str(ROOT / "app_pages" / "playground.py")
SPIRAL = "Spiral needs depth"


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'board.db'}"
    monkeypatch.setenv(URL_ENV, url)
    return BoardStore(url)


def run(page, **query):
    at = AppTest.from_file(page, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at):
    return " ".join(str(e.value) for kind in ("markdown", "caption", "error", "warning",
                                              "success", "info", "text")
                    for e in at.get(kind))


def button(at, key):
    return next(b for b in at.button if b.key == key)


def new_board(store, rule="best_accuracy", **options):
    return store.create_board("Spiral race", PRESETS[SPIRAL]["config"], rule, **options)


def test_create_a_board_from_a_preset(store):
    at = run(BOARD_PAGE)
    at.text_input[1].input("Find the smallest spiral network")
    at.selectbox[0].select(SPIRAL)
    at.radio[0].set_value("fewest_params")
    at.button[1].click().run()  # the create form's submit button
    assert not at.exception, at.exception
    code, key = at.query_params["code"], at.query_params["key"]
    board = store.board(code)
    assert board.title == "Find the smallest spiral network"
    assert board.setup["dataset"] == "spiral" and board.threshold == 0.95
    assert store.is_lecturer(code, key)
    shown = texts(at)
    assert "Fewest parameters reaching ≥ 95% test accuracy" in shown
    assert f"?board={code}" in " ".join(e.proto.body for e in at.get("html"))  # the link, large
    assert len(at.get("image")) == 1  # the QR code
    assert "No submissions yet" in shown
    assert {b.key for b in at.button} >= {"board_close", "board_delete"}


def test_a_regression_cannot_have_an_accuracy_rule(store):
    at = run(BOARD_PAGE)
    at.text_input[1].input("Bumps")
    at.selectbox[0].select("Regression: a sum of Gaussians needs hidden units")
    at.button[1].click().run()
    assert "regression, which has no accuracy" in texts(at)
    assert "code" not in at.query_params


def test_open_by_code_and_unknown_codes(store):
    code, _ = new_board(store)
    at = run(BOARD_PAGE)
    at.text_input[0].input(code.lower())
    at.button[0].click().run()
    assert at.query_params["code"] == code
    assert "No submissions yet" in texts(at)
    for bad in ("ZZZZZZ", "'; DROP TABLE boards;--"):
        at = run(BOARD_PAGE, code=bad)
        assert "no class board" in texts(at) or "not a class code" in texts(at)


def test_without_the_key_no_control_is_shown(store):
    code, key = new_board(store)
    for wrong in (None, "guess", key[:-2]):
        at = run(BOARD_PAGE, code=code, **({"key": wrong} if wrong else {}))
        assert not {b.key for b in at.button} & {"board_close", "board_delete", "board_hide"}
        assert not at.get("download_button")
        assert ("does not open this board" in texts(at)) == (wrong is not None)


def test_a_hostile_title_is_shown_as_plain_text(store):
    code, _ = store.create_board("<b>bold</b> **x** :red[y]", PRESETS[SPIRAL]["config"],
                                 "best_accuracy")
    at = run(BOARD_PAGE, code=code)
    bodies = [e.proto.body for e in at.get("html")]
    assert any("&lt;b&gt;bold&lt;/b&gt; **x** :red[y]" in b for b in bodies)


def join(code, **query):
    return run(PLAYGROUND, board=code, **query)


def test_a_student_link_joins_with_the_data_locked(store):
    code, _ = new_board(store)
    at = join(code)
    config = at.session_state["playground"].config
    assert config["dataset"] == "spiral" and config["hidden"] == [16, 16, 16]
    sidebar = {w.key: w for kind in ("selectbox", "slider", "number_input")
               for w in at.sidebar.get(kind)}
    for key in ("pg_dataset", "pg_n_samples", "pg_noise", "pg_test_fraction", "pg_seed"):
        assert sidebar[key].disabled, key
    assert not sidebar["pg_activation"].disabled and not sidebar["pg_n_layers"].disabled
    assert "The challenge fixes: Dataset, Samples, Noise, Test fraction, Seed" in texts(at)
    assert at.query_params["board"] == code


def submit(at, name):
    next(t for t in at.text_input if t.key == board_join.NAME).input(name)
    button(at, board_join.SUBMIT).click().run()
    assert not at.exception, at.exception
    return at


def test_submit_stores_what_the_server_computed(store):
    code, _ = new_board(store)
    at = join(code)
    button(at, "pg_step").click().run()
    at.run()  # the whole page: a fragment run shows only the fragment
    at = submit(at, "  Ada\u202e  ")
    assert "Submitted to the class board (#1)" in texts(at)
    state = at.session_state["playground"]
    (row,) = store.submissions(code)
    assert row["name"] == "Ada" and row["epoch"] == state.epoch == 1
    assert row["params"] == sum(w.size + b.size for w, b in zip(state.net.weights,
                                                                 state.net.biases))
    assert row["test_acc"] == pytest.approx(
        float((state.net.predict(state.X_test) == state.test.y).mean()))
    assert row["thumbnail"].startswith(b"\x89PNG")
    at = submit(at, "Ada")  # at once again: the 5-second rule
    assert "One submission every 5 seconds" in texts(at)
    assert len(store.submissions(code)) == 1


def test_bad_names_closed_and_unknown_boards_get_messages(store):
    code, key = new_board(store)
    at = submit(join(code), "\u200b ")
    assert "Not submitted: The name is empty." in texts(at)
    store.set_closed(code, key, True)
    at = submit(at, "Ada")
    assert "board is closed" in texts(at)
    at = join("NOPE22")
    assert "could not be found" in texts(at)
    assert at.session_state["playground"].config["dataset"] == "circles"


def test_lecturer_hides_closes_and_deletes(store):
    code, key = new_board(store)
    sub = store.submit(code, "student-0001", "Troll", {
        **_result()})
    at = run(BOARD_PAGE, code=code, key=key)
    assert next(s for s in at.selectbox if s.key == "board_pick").value == sub
    button(at, "board_hide").click().run()
    assert store.submissions(code) == [] and "Hidden from the board." in texts(at)
    button(at, "board_close").click().run()
    assert store.board(code).closed
    at.checkbox[0].check().run()
    button(at, "board_delete").click().run()
    assert store.board(code) is None and not at.query_params.get("code")


def _result():
    from .helpers import result
    return result()


def _answer_and_toast(later):
    import streamlit as st

    from ui import session

    session.notify("answer", "success", "Submitted (#7)")
    session.toast("Submitted (#7)", repeat=True)
    session.show_notice("answer", keep=True)
    session.show_toasts()  # the page's start: a repeat waits for a later run (a live tick)
    if later is not None:
        st.session_state["toasts"] = [(text, icon, made - later)
                                      for text, icon, made in st.session_state["toasts"]]
        session.show_toasts(repeats=True)


@pytest.mark.parametrize("later, toasts", [(None, []), (1.0, ["Submitted (#7)"]), (30.0, [])])
def test_an_answer_is_repeated_as_a_toast_by_a_later_run_while_it_is_recent(later, toasts):
    """The panel's run that draws a submission's answer can be lost on a busy server: a
    live tick soon after says it again; one long after (a paused view) does not."""
    at = AppTest.from_function(_answer_and_toast, args=(later,))
    at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Submitted (#7)"]
    assert [t.value for t in at.toast] == toasts
    assert ("toasts" in at.session_state) == (later is None)
