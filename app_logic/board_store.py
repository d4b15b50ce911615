"""Where class boards live: one small data layer over SQLite (the default: a file in a data
folder, shared by every worker on one machine) or PostgreSQL (``PLAYGROUND_DATABASE_URL``,
for a cluster).

The standard library's sqlite3 and psycopg rather than an ORM or SQLAlchemy: a dozen
statements, written once with ``?`` placeholders (psycopg gets ``%s``), every value passed as
a parameter, no new dependency for the default. Each call opens its own connection and
transaction, so sessions on any thread or worker never share one; the checks that limit
submissions run inside the transaction that inserts (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
board's row locked FOR UPDATE), so concurrent workers cannot overshoot them.

The schema is versioned (table ``schema_version``); ``MIGRATIONS[n]`` brings version n-1 to n
and runs once, under a lock, whichever worker opens the store first.
"""

import csv
import datetime
import io
import math
import os
import pathlib
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass

from viz.i18n import N_, _

from .board_rules import (
    MAX_NAME,
    MAX_TITLE,
    BoardError,
    challenge_config,
    check_challenge,
    clean_text,
    fixed_keys,
    formula_safe,
    hash_key,
    key_matches,
    new_code,
    new_key,
    parse_code,
    rule_title,
    setup_from_query,
    setup_query,
)

URL_ENV, DAYS_ENV = "PLAYGROUND_DATABASE_URL", "PLAYGROUND_BOARD_DAYS"
DEFAULT_PATH = pathlib.Path(__file__).resolve().parent.parent / "data" / "board.db"
DEFAULT_DAYS = 30
MAX_SUBMISSIONS = 500  # per board
MAX_PER_STUDENT = 20  # per session and board
MIN_GAP = 5.0  # seconds between two submissions of one session
MAX_THUMBNAIL = 64 * 1024
PNG = b"\x89PNG\r\n\x1a\n"
# Any fixed number: the advisory lock that lets one PostgreSQL client migrate at a time.
MIGRATION_LOCK = 1_959_019

MIGRATIONS = {
    1: [
        """CREATE TABLE boards (
            code TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            rule TEXT NOT NULL,
            threshold {real},
            epochs INTEGER,
            setup TEXT NOT NULL,
            key_hash TEXT NOT NULL,
            closed INTEGER NOT NULL DEFAULT 0,
            created {real} NOT NULL,
            expires {real} NOT NULL)""",
        """CREATE TABLE submissions (
            id {id},
            board TEXT NOT NULL REFERENCES boards (code),
            student TEXT NOT NULL,
            name TEXT NOT NULL,
            setup TEXT NOT NULL,
            epoch INTEGER NOT NULL,
            train_loss {real},
            test_loss {real},
            train_acc {real},
            test_acc {real},
            params INTEGER NOT NULL,
            thumbnail {blob} NOT NULL,
            hidden INTEGER NOT NULL DEFAULT 0,
            created {real} NOT NULL)""",
        "CREATE INDEX submissions_by_board ON submissions (board, id)",
        "CREATE INDEX submissions_by_student ON submissions (board, student, created)",
        "CREATE INDEX boards_by_expiry ON boards (expires)",
    ],
}
SCHEMA_VERSION = max(MIGRATIONS)
TYPES = {"sqlite": {"real": "REAL", "id": "INTEGER PRIMARY KEY AUTOINCREMENT", "blob": "BLOB"},
         "postgresql": {"real": "DOUBLE PRECISION",
                        "id": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                        "blob": "BYTEA"}}
METRICS = ("train_loss", "test_loss", "train_acc", "test_acc")
LIST_COLUMNS = ("id, student, name, setup, epoch, train_loss, test_loss, train_acc, test_acc, "
                "params, thumbnail, hidden, created")


@dataclass(frozen=True)
class Board:
    code: str
    title: str
    rule: str
    threshold: float | None
    epochs: int | None
    setup: dict  # the challenge's config
    closed: bool
    created: float
    expires: float

    @property
    def rule_title(self):
        return rule_title(self.rule, self.threshold, self.epochs)

    @property
    def fixed(self):
        return fixed_keys(self.rule)


def parse_url(url):
    """("sqlite", path) or ("postgresql", url) for a database URL; None means the default
    SQLite file. ValueError names what is accepted."""
    if not url:
        return "sqlite", DEFAULT_PATH
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if not path:
            raise ValueError("a sqlite URL needs a file: sqlite:////absolute/path/board.db")
        return "sqlite", pathlib.Path(path)
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql", url
    raise ValueError(f"{URL_ENV} must start with sqlite:/// or postgresql://")


def days_from_environment():
    text = os.environ.get(DAYS_ENV, "")
    try:
        days = float(text) if text else DEFAULT_DAYS
    except ValueError:
        raise ValueError(f"{DAYS_ENV} must be a number of days; got {text!r}") from None
    if not (math.isfinite(days) and days > 0):
        raise ValueError(f"{DAYS_ENV} must be more than 0 days; got {text!r}")
    return days


class _Db:
    """One open transaction: rows as dicts, ``?`` placeholders for either database."""

    def __init__(self, connection, kind):
        self.connection, self.kind = connection, kind

    def run(self, sql, params=()):
        if self.kind == "postgresql":
            sql = sql.replace("?", "%s")
        return self.connection.execute(sql, tuple(params))

    def all(self, sql, params=()):
        cursor = self.run(sql, params)
        if self.kind == "sqlite":
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
        return cursor.fetchall()

    def one(self, sql, params=()):
        rows = self.all(sql, params)
        return rows[0] if rows else None


class BoardStore:
    """Class boards in one database. ``days``: how long a board lives before it is deleted."""

    def __init__(self, url=None, days=DEFAULT_DAYS):
        self.kind, self.target = parse_url(url)
        self.days = days
        if self.kind == "sqlite":
            self.target.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.target, timeout=30)
            # WAL lets every worker read while one writes; it is kept in the file.
            connection.execute("PRAGMA journal_mode=WAL")
            connection.close()
        self._migrate()

    @classmethod
    def from_environment(cls):
        return cls(os.environ.get(URL_ENV), days_from_environment())

    @contextmanager
    def transaction(self, write=False):
        """A _Db inside one transaction, committed on success. ``write``: take the write
        lock at once (SQLite), so checks and the write that follows see the same state."""
        if self.kind == "sqlite":
            connection = sqlite3.connect(self.target, timeout=30, isolation_level=None)
            try:
                connection.execute("PRAGMA busy_timeout=30000")
                connection.execute("PRAGMA synchronous=NORMAL")  # WAL: survives a killed worker
                connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield _Db(connection, self.kind)
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
            finally:
                connection.close()
            return
        import psycopg  # only a PostgreSQL deployment needs it
        from psycopg.rows import dict_row
        with psycopg.connect(self.target, connect_timeout=10, row_factory=dict_row) as connection:
            yield _Db(connection, self.kind)  # the with block commits, or rolls back on error

    def _migrate(self):
        with self.transaction(write=True) as db:
            if self.kind == "postgresql":
                db.run("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            db.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.one("SELECT MAX(version) AS version FROM schema_version")
            version = (row or {}).get("version") or 0
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"the board database has schema version {version}; this "
                                   f"app knows up to {SCHEMA_VERSION}")
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number]:
                    db.run(statement.format(**TYPES[self.kind]))
                db.run("INSERT INTO schema_version (version) VALUES (?)", (number,))

    def schema_version(self):
        with self.transaction() as db:
            return db.one("SELECT MAX(version) AS version FROM schema_version")["version"]

    # ---- boards --------------------------------------------------------------------------
    def create_board(self, title, config, rule, threshold=None, epochs=None, now=None):
        """(code, key): a new board on ``config``'s data; the key is shown once and only
        its hash is kept."""
        title = clean_text(title, MAX_TITLE, N_("title"))
        rule, threshold, epochs = check_challenge(config, rule, threshold, epochs)
        setup = setup_query(challenge_config(config, rule, epochs))
        now = time.time() if now is None else now
        self.purge_expired(now)
        key = new_key()
        with self.transaction(write=True) as db:
            for _ in range(20):
                code = new_code()
                if db.one("SELECT code FROM boards WHERE code = ?", (code,)) is None:
                    break
            else:
                raise BoardError(_("No free class code was found; try again."))
            db.run("INSERT INTO boards (code, title, rule, threshold, epochs, setup, key_hash, "
                   "closed, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                   (code, title, rule, threshold, epochs, setup, hash_key(key), now,
                    now + self.days * 86400))
        return code, key

    def board(self, code, now=None):
        """The Board with ``code`` (as typed), or None if there is none (or it expired)."""
        code = parse_code(code)
        if code is None:
            return None
        with self.transaction() as db:
            row = db.one("SELECT * FROM boards WHERE code = ? AND expires > ?",
                         (code, time.time() if now is None else now))
        return None if row is None else _board(row)

    def require(self, code, now=None):
        board = self.board(code, now)
        if board is None:
            raise BoardError(unknown_board(code))
        return board

    def is_lecturer(self, code, key, now=None):
        try:
            with self.transaction() as db:
                self._authorise(db, code, key, now)
            return True
        except BoardError:
            return False

    def _authorise(self, db, code, key, now=None):
        """The board's row if ``key`` is its lecturer key; BoardError otherwise."""
        clean = parse_code(code)
        row = None if clean is None else db.one(
            "SELECT * FROM boards WHERE code = ? AND expires > ?",
            (clean, time.time() if now is None else now))
        if row is None:
            raise BoardError(unknown_board(code))
        if not key_matches(key, row["key_hash"]):
            raise BoardError(_("That lecturer key does not open this board."))
        return row

    def set_closed(self, code, key, closed):
        with self.transaction(write=True) as db:
            row = self._authorise(db, code, key)
            db.run("UPDATE boards SET closed = ? WHERE code = ?", (int(bool(closed)), row["code"]))

    def set_hidden(self, code, key, submission_id, hidden):
        with self.transaction(write=True) as db:
            row = self._authorise(db, code, key)
            changed = db.run("UPDATE submissions SET hidden = ? WHERE board = ? AND id = ?",
                             (int(bool(hidden)), row["code"], int(submission_id))).rowcount
        if not changed:
            raise BoardError(_("That submission is not on this board."))

    def delete_board(self, code, key):
        with self.transaction(write=True) as db:
            row = self._authorise(db, code, key)
            db.run("DELETE FROM submissions WHERE board = ?", (row["code"],))
            db.run("DELETE FROM boards WHERE code = ?", (row["code"],))

    def purge_expired(self, now=None):
        """Delete every board past its expiry, and its submissions; returns how many."""
        now = time.time() if now is None else now
        with self.transaction(write=True) as db:
            db.run("DELETE FROM submissions WHERE board IN "
                   "(SELECT code FROM boards WHERE expires <= ?)", (now,))
            return db.run("DELETE FROM boards WHERE expires <= ?", (now,)).rowcount

    # ---- submissions ---------------------------------------------------------------------
    def submit(self, code, student, name, result, now=None):
        """Store one run; returns its id. ``result``: setup (config), epoch, params, the four
        metrics and a PNG thumbnail, all computed by the server. BoardError says why not."""
        name = clean_text(name, MAX_NAME, N_("name"))
        if not isinstance(student, str) or not 8 <= len(student) <= 64:
            raise BoardError(_("This session cannot submit (no student id)."))
        values = _result_values(result)
        now = time.time() if now is None else now
        with self.transaction(write=True) as db:
            clean = parse_code(code)
            lock = " FOR UPDATE" if self.kind == "postgresql" else ""
            board = None if clean is None else db.one(
                "SELECT * FROM boards WHERE code = ? AND expires > ?" + lock, (clean, now))
            if board is None:
                raise BoardError(unknown_board(code))
            if board["closed"]:
                raise BoardError(_("This board is closed: the lecturer is not taking new "
                                   "submissions."))
            _check_limits(db, board, student, now)
            return db.one(
                "INSERT INTO submissions (board, student, name, setup, epoch, train_loss, "
                "test_loss, train_acc, test_acc, params, thumbnail, hidden, created) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?) RETURNING id",
                (board["code"], student, name, *values, now))["id"]

    def submissions(self, code, include_hidden=False):
        """Every submission of the board, oldest first (hidden ones only if asked)."""
        clean = parse_code(code)
        if clean is None:
            return []
        hidden = "" if include_hidden else " AND hidden = 0"
        with self.transaction() as db:
            rows = db.all(f"SELECT {LIST_COLUMNS} FROM submissions WHERE board = ?{hidden} "
                          "ORDER BY id", (clean,))
        for row in rows:
            row["thumbnail"] = bytes(row["thumbnail"])
            row["hidden"] = bool(row["hidden"])
        return rows

    def version(self, code):
        """A cheap fingerprint of the board's submissions (count, newest id, hidden ones):
        while it stays the same, the ranked board has not changed."""
        clean = parse_code(code)
        with self.transaction() as db:
            row = db.one("SELECT COUNT(*) AS n, MAX(id) AS newest, "
                         "SUM(CASE WHEN hidden = 1 THEN id ELSE 0 END) AS hidden "
                         "FROM submissions WHERE board = ?", (clean,))
        return (row["n"], row["newest"], row["hidden"] or 0)

    def export_csv(self, code, key):
        """Every submission as CSV text (hidden ones marked), for the lecturer."""
        with self.transaction() as db:
            row = self._authorise(db, code, key)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "name", "submitted (UTC)", "epoch", *METRICS, "parameters",
                         "hidden", "setup"])
        for sub in self.submissions(row["code"], include_hidden=True):
            when = datetime.datetime.fromtimestamp(sub["created"], datetime.UTC)
            writer.writerow([sub["id"], formula_safe(sub["name"]),
                             when.strftime("%Y-%m-%d %H:%M:%S"), sub["epoch"],
                             *("" if sub[m] is None else f"{sub[m]:.6g}" for m in METRICS),
                             sub["params"], "yes" if sub["hidden"] else "no",
                             "?" + sub["setup"]])
        return out.getvalue()


def unknown_board(code):
    shown = parse_code(code)
    if shown is None:
        return _("That is not a class code: a code has 6 letters and digits, such as K7MX2Q.")
    return _("There is no class board {code}: it may have expired, been deleted, or the code "
             "was mistyped.").format(code=shown)


def _board(row):
    return Board(code=row["code"], title=row["title"], rule=row["rule"],
                 threshold=row["threshold"], epochs=row["epochs"],
                 setup=setup_from_query(row["setup"]), closed=bool(row["closed"]),
                 created=row["created"], expires=row["expires"])


def _check_limits(db, board, student, now):
    total = db.one("SELECT COUNT(*) AS n FROM submissions WHERE board = ?", (board["code"],))
    if total["n"] >= MAX_SUBMISSIONS:
        raise BoardError(_("This board is full: it holds at most {n} submissions.")
                         .format(n=MAX_SUBMISSIONS))
    mine = db.one("SELECT COUNT(*) AS n, MAX(created) AS last FROM submissions "
                  "WHERE board = ? AND student = ?", (board["code"], student))
    if mine["n"] >= MAX_PER_STUDENT:
        raise BoardError(_("You have submitted {n} runs to this board, the most it takes "
                           "from one session.").format(n=MAX_PER_STUDENT))
    if mine["last"] is not None and now - mine["last"] < MIN_GAP:
        wait = max(1, math.ceil(MIN_GAP - (now - mine["last"])))
        raise BoardError(_("One submission every {gap} seconds: try again in {wait} s.")
                         .format(gap=f"{MIN_GAP:g}", wait=wait))


def _number(value, what):
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None  # a diverged or regression metric: shown as "–"
    return value


def _result_values(result):
    """The stored columns of a run result, checked (these come from the server's own
    objects, so a failure here is a bug, not a user's input)."""
    epoch, params, thumbnail = result["epoch"], result["params"], result["thumbnail"]
    if not (isinstance(epoch, int) and 0 <= epoch <= 10**9):
        raise BoardError(_("The run's epoch is not a count."))
    if not (isinstance(params, int) and 0 < params <= 10**7):
        raise BoardError(_("The run's parameter count is not a count."))
    if not (isinstance(thumbnail, bytes) and thumbnail.startswith(PNG)
            and len(thumbnail) <= MAX_THUMBNAIL):
        raise BoardError(_("The run's picture is not a small PNG."))
    return (setup_query(result["setup"]), epoch,
            *(_number(result[m], m) for m in METRICS), params, thumbnail)
