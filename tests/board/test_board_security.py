"""A corpus of hostile input for the class board: every name, title, code, key and link is
refused with a message people can read, or stored and shown as plain text; queries are
parameterized, so none of it reaches the SQL."""

import re
import unicodedata

import pytest

from app_logic.board_rules import (
    MAX_NAME,
    MAX_TITLE,
    BoardError,
    clean_text,
    hash_key,
    key_matches,
    new_key,
    parse_code,
    setup_query,
)
from app_logic.board_store import BoardStore
from app_logic.settings import config_from_query, default_config

from .helpers import result, student

T0 = 1_800_000_000.0
SQL = ["'; DROP TABLE submissions; --", "Robert'); DROP TABLE boards;--", "\" OR 1=1 --",
       "1; DELETE FROM boards", "x' UNION SELECT key_hash FROM boards --", "%s %s %s", "?"]
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "**bold** _it_",
          "[click](javascript:alert(1))", "# Heading", "$\\frac{1}{0}$", ":red[alarm]",
          "<iframe src=//evil>", "&lt;b&gt;", "`code`", "![x](http://evil/x.png)"]
UNICODE = ["\u202eevil\u202c name", "zero\u200bwidth\u200djoin", "bell\x07\x1b[31mred",
           "nul\x00byte", "tab\tand\nnewline\r", "\ufeffbom", "emoji 🎉 ok", "名前",
           "combining é", "\u2066isolate\u2069", "surrogate \ud800"]
EMPTY = ["", "   ", "\u200b\u200b", "\x00\x01\x02", "\n\n", "\u202e"]
TOO_LONG = ["a" * 41, "é" * 41, "x" * 10_000, "word " * 9]
NOT_TEXT = [None, 42, b"bytes", ["list"], {"a": 1}]
NAMES = SQL + MARKUP + UNICODE + EMPTY + TOO_LONG + NOT_TEXT
TITLES = NAMES + ["t" * 81, "ok " * 30]
CODES = ["", "ABC", "ABCDEFG", "abc de", "'; DROP TABLE boards;--", "../../etc/passwd",
         "ABCD0O", "ABCDE1", "ＡＢＣＤＥＦ", "ABC\x00EF", "A" * 10_000, None, 123456,
         "<script>", "%41%42%43%44%45%46", "ABCDE\n", "ABCDE\u200b"]
KEYS = ["", "a", "x" * 64, "x" * 10_000, "' OR '1'='1", None, 0, b"key", "\x00" * 32,
        "key with spaces", "é" * 32, "%00", "../../../"]
LINKS = [{"board": "'; DROP TABLE boards;--"}, {"board": "javascript:alert(1)"},
         {"dataset": "javascript:alert(1)"}, {"seed": "1e309"}, {"hidden": "<script>"},
         {"lr": "NaN"}, {"features": "x1,__import__('os')"}, {"dataset": "spiral\r\nX: y"},
         {"noise": "0.1&board=ABCDEF"}, {"n_samples": "9" * 50}]
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def test_the_corpus_is_large():
    assert len(NAMES) >= 30 and len(TITLES) >= 30 and len(CODES) >= 15
    assert len(KEYS) >= 10 and len(LINKS) >= 10


def shown_safely(text, limit):
    return (isinstance(text, str) and 0 < len(text) <= limit and not CONTROL.search(text)
            and not any(unicodedata.category(c) in ("Cf", "Cs", "Co", "Cn") for c in text))


@pytest.mark.parametrize("text", NAMES, ids=range(len(NAMES)))
def test_a_name_is_refused_or_clean(text):
    try:
        clean = clean_text(text, MAX_NAME, "name")
    except BoardError as exc:
        assert str(exc).startswith("The name")
        return
    assert shown_safely(clean, MAX_NAME)


@pytest.mark.parametrize("text", TITLES, ids=range(len(TITLES)))
def test_a_title_is_refused_or_clean(text):
    try:
        clean = clean_text(text, MAX_TITLE, "title")
    except BoardError as exc:
        assert str(exc).startswith("The title")
        return
    assert shown_safely(clean, MAX_TITLE)


def test_bidi_and_invisible_characters_are_removed():
    assert clean_text("\u202eevil\u202c name", 40, "name") == "evil name"
    assert clean_text("zero\u200bwidth", 40, "name") == "zerowidth"
    assert clean_text("tab\tand\nnewline\r", 40, "name") == "tab and newline"


@pytest.mark.parametrize("code", CODES, ids=range(len(CODES)))
def test_a_hostile_code_is_no_code(code):
    assert parse_code(code) is None


@pytest.mark.parametrize("key", KEYS, ids=range(len(KEYS)))
def test_a_hostile_key_opens_nothing(key):
    assert not key_matches(key, hash_key(new_key()))


def test_keys_are_random_and_long():
    keys = {new_key() for _ in range(200)}
    assert len(keys) == 200 and min(len(k) for k in keys) >= 32  # >= 192 bits


@pytest.mark.parametrize("params", LINKS, ids=range(len(LINKS)))
def test_a_setup_link_is_made_from_checked_settings_only(params):
    config, _ = config_from_query(params)
    query = setup_query(config)
    assert re.fullmatch(r"[A-Za-z0-9_=&.%+\-]+", query), query
    assert "board=" not in query and "javascript" not in query


def test_the_corpus_through_both_databases(database_url):
    """Every hostile name or title is refused or stored as its cleaned text; codes and keys
    find nothing; the tables survive."""
    store = BoardStore(database_url)
    code, key = store.create_board("Fair", default_config(), "best_accuracy", now=T0)
    kept = 0
    for i, name in enumerate(NAMES):
        try:
            expected = clean_text(name, MAX_NAME, "name")
        except BoardError:
            with pytest.raises(BoardError):
                store.submit(code, student(i), name, result(), now=T0)
            continue
        sub = store.submit(code, student(i), name, result(), now=T0)
        row = next(r for r in store.submissions(code) if r["id"] == sub)
        assert row["name"] == expected
        kept += 1
    for title in TITLES:
        try:
            expected = clean_text(title, MAX_TITLE, "title")
        except BoardError:
            with pytest.raises(BoardError):
                store.create_board(title, default_config(), "best_accuracy", now=T0)
            continue
        made, _ = store.create_board(title, default_config(), "best_accuracy", now=T0)
        assert store.board(made, now=T0).title == expected
    for bad in CODES:
        assert store.board(bad, now=T0) is None and store.submissions(bad) == []
        with pytest.raises(BoardError, match="class code|no class board"):
            store.submit(bad, student(1000), "Ada", result(), now=T0)
    for bad in KEYS:
        assert not store.is_lecturer(code, bad)
        with pytest.raises(BoardError):
            store.delete_board(code, bad)
    assert len(store.submissions(code)) == kept > 20
    assert store.board(code, now=T0).title == "Fair" and store.is_lecturer(code, key)
