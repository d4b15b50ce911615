"""The class board's data layer, the same tests on SQLite and on PostgreSQL."""

import csv
import io
import threading

import pytest

from app_logic import board_store
from app_logic.board_rules import CODE_ALPHABET, BoardError, hash_key, ranked
from app_logic.board_store import MAX_PER_STUDENT, MAX_SUBMISSIONS, MIN_GAP, BoardStore
from app_logic.settings import default_config

from .helpers import THUMBNAIL, result, student

T0 = 1_800_000_000.0


@pytest.fixture
def store(database_url):
    return BoardStore(database_url, days=30)


def make_board(store, rule="best_accuracy", **rule_options):
    return store.create_board("Separate the spiral", default_config(), rule, now=T0,
                              **rule_options)


def test_schema_is_versioned_and_migrated_once(database_url):
    first = BoardStore(database_url)
    assert first.schema_version() == board_store.SCHEMA_VERSION == 1
    code, _ = make_board(first)
    again = BoardStore(database_url)  # a second worker opening the same database
    assert again.schema_version() == 1
    assert again.board(code, now=T0).title == "Separate the spiral"


def test_sqlite_file_is_in_wal_mode(tmp_path):
    store = BoardStore(f"sqlite:///{tmp_path / 'data' / 'b.db'}")
    with store.transaction() as db:
        assert db.one("PRAGMA journal_mode")["journal_mode"] == "wal"


def test_a_board_keeps_its_challenge_and_only_the_keys_hash(store):
    config = {**default_config(), "dataset": "spiral", "noise": 0.2, "speed": 5}
    code, key = store.create_board(" Spiral  race ", config, "lowest_loss", epochs=200, now=T0)
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    assert len(key) >= 32  # 192 random bits, url-safe base64
    board = store.board(code.lower(), now=T0 + 1)
    assert board.title == "Spiral race"
    assert board.setup["dataset"] == "spiral" and board.setup["noise"] == 0.2
    assert board.setup["epoch_budget"] == 200  # the rule's limit stops training there
    assert board.rule_title == "Lowest test loss within 200 epochs"
    assert "epoch_budget" in board.fixed and "dataset" in board.fixed
    with store.transaction() as db:
        row = db.one("SELECT * FROM boards WHERE code = ?", (code,))
    assert row["key_hash"] == hash_key(key) and key not in str(row)


def test_submissions_are_stored_listed_and_ranked(store):
    code, _ = make_board(store)
    ids = [store.submit(code, student(1), "Ada", result(test_acc=0.8), now=T0),
           store.submit(code, student(2), "Bo", result(test_acc=0.95), now=T0 + 1),
           store.submit(code, student(1), "Ada", result(test_acc=0.9), now=T0 + 10)]
    rows = store.submissions(code)
    assert [r["id"] for r in rows] == ids
    assert rows[0]["thumbnail"] == THUMBNAIL and rows[0]["test_acc"] == 0.8
    board = ranked(rows, "best_accuracy")
    assert [(r["name"], r["test_acc"], r["runs"]) for r in board] == [("Bo", 0.95, 1),
                                                                       ("Ada", 0.9, 2)]


def test_limits_per_session_and_per_board(store, monkeypatch):
    code, _ = make_board(store)
    store.submit(code, student(1), "Ada", result(), now=T0)
    with pytest.raises(BoardError, match="every 5 seconds"):
        store.submit(code, student(1), "Ada", result(), now=T0 + MIN_GAP - 0.5)
    for i in range(1, MAX_PER_STUDENT):
        store.submit(code, student(1), "Ada", result(), now=T0 + MIN_GAP * i)
    with pytest.raises(BoardError, match="20 runs"):
        store.submit(code, student(1), "Ada", result(), now=T0 + 1000)
    monkeypatch.setattr(board_store, "MAX_SUBMISSIONS", 25)
    for i in range(2, 7):
        store.submit(code, student(i), "Bo", result(), now=T0 + 2000)
    with pytest.raises(BoardError, match="full"):
        store.submit(code, student(99), "Cy", result(), now=T0 + 2000)
    assert len(store.submissions(code)) == 25


def test_lecturer_controls_need_the_key(store):
    code, key = make_board(store)
    other_code, other_key = make_board(store)
    sub = store.submit(code, student(1), "Ada", result(), now=T0)
    for wrong in ("", "x" * 32, other_key, key[:-1], key + "A", None, 12345):
        with pytest.raises(BoardError, match="lecturer key"):
            store.set_hidden(code, wrong, sub, True)
        with pytest.raises(BoardError, match="lecturer key"):
            store.delete_board(code, wrong)
        assert not store.is_lecturer(code, wrong)
    assert store.is_lecturer(code, key) and not store.is_lecturer(other_code, key)
    store.set_hidden(code, key, sub, True)
    assert store.submissions(code) == []
    assert store.submissions(code, include_hidden=True)[0]["hidden"]
    store.set_hidden(code, key, sub, False)
    assert len(store.submissions(code)) == 1
    with pytest.raises(BoardError, match="not on this board"):
        store.set_hidden(other_code, other_key, sub, True)


def test_a_closed_board_takes_no_submissions_until_reopened(store):
    code, key = make_board(store)
    store.set_closed(code, key, True)
    assert store.board(code).closed
    with pytest.raises(BoardError, match="closed"):
        store.submit(code, student(1), "Ada", result(), now=T0)
    store.set_closed(code, key, False)
    store.submit(code, student(1), "Ada", result(), now=T0)


def test_deleting_a_board_deletes_everything_in_it(store):
    code, key = make_board(store)
    kept, _ = make_board(store)
    store.submit(code, student(1), "Ada", result(), now=T0)
    store.submit(kept, student(1), "Ada", result(), now=T0)
    store.delete_board(code, key)
    assert store.board(code) is None and store.submissions(code, include_hidden=True) == []
    with pytest.raises(BoardError, match="no class board"):
        store.submit(code, student(2), "Bo", result(), now=T0 + 10)
    assert len(store.submissions(kept)) == 1


def test_boards_expire_after_their_days(database_url):
    store = BoardStore(database_url, days=2)
    code, _ = make_board(store)
    store.submit(code, student(1), "Ada", result(), now=T0)
    assert store.board(code, now=T0 + 2 * 86400 - 60) is not None
    assert store.board(code, now=T0 + 2 * 86400 + 1) is None  # gone at once for readers
    assert store.purge_expired(now=T0 + 2 * 86400 + 1) == 1
    assert store.submissions(code, include_hidden=True) == []


def test_days_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(board_store.DAYS_ENV, "7")
    assert board_store.days_from_environment() == 7
    for bad in ("soon", "0", "-3", "nan"):
        monkeypatch.setenv(board_store.DAYS_ENV, bad)
        with pytest.raises(ValueError, match=board_store.DAYS_ENV):
            board_store.days_from_environment()
    monkeypatch.delenv(board_store.DAYS_ENV)
    assert board_store.days_from_environment() == 30


def test_database_urls():
    assert board_store.parse_url(None) == ("sqlite", board_store.DEFAULT_PATH)
    assert board_store.parse_url("sqlite:////tmp/x/b.db")[1].as_posix() == "/tmp/x/b.db"
    assert board_store.parse_url("postgresql://u@h/db") == ("postgresql", "postgresql://u@h/db")
    for bad in ("mysql://x", "sqlite:///", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            board_store.parse_url(bad)


def test_export_is_csv_a_spreadsheet_does_not_run(store):
    code, key = make_board(store)
    store.submit(code, student(1), "=HYPERLINK(\"x\")", result(), now=T0)
    hidden = store.submit(code, student(2), "@SUM(A1)", result(test_acc=None), now=T0)
    store.set_hidden(code, key, hidden, True)
    rows = list(csv.reader(io.StringIO(store.export_csv(code, key))))
    assert rows[0][:2] == ["id", "name"]
    assert rows[1][1] == "'=HYPERLINK(\"x\")" and rows[2][1] == "'@SUM(A1)"
    assert rows[2][rows[0].index("hidden")] == "yes" and rows[2][rows[0].index("test_acc")] == ""
    assert rows[1][-1].startswith("?dataset=circles&")
    with pytest.raises(BoardError):
        store.export_csv(code, "wrong")


def test_concurrent_submissions_neither_lost_nor_past_the_limit(store):
    code, _ = make_board(store)
    stored, refused, errors = [], [], []

    def students(first):
        for i in range(first, first + 70):
            try:
                stored.append(store.submit(code, student(i), f"s{i}", result(), now=T0))
            except BoardError as exc:
                refused.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - a failure the test reports
                errors.append(exc)

    threads = [threading.Thread(target=students, args=(70 * t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(stored) == len(set(stored)) == MAX_SUBMISSIONS
    assert len(refused) == 8 * 70 - MAX_SUBMISSIONS and all("full" in r for r in refused)
    assert sorted(r["id"] for r in store.submissions(code)) == sorted(stored)
