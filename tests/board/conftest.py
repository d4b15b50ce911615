"""Databases for the class board's tests: every store test runs on SQLite (a file in a
temporary folder) and on PostgreSQL from Debian's package, a private server this fixture
starts in a temporary folder (initdb and pg_ctl; as an unprivileged user when the tests run
as root, since PostgreSQL refuses to run as root). Without PostgreSQL installed the PostgreSQL
cases are skipped on a laptop and fail in CI, like the browser tests."""

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import pytest

PG_BINARIES = "/usr/lib/postgresql/*/bin/initdb"
_databases = itertools.count()


def postgres_bin():
    found = sorted(glob.glob(PG_BINARIES), key=lambda p: int(p.split("/")[4]))
    return os.path.dirname(found[-1]) if found else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user():
    """Who runs the server: ourselves, or (as root) the postgres user Debian's package
    makes, else nobody."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    pytest.fail("running as root, and there is no postgres or nobody user to run PostgreSQL")


def _run(command, user, folder):
    prefix = ["runuser", "-u", user.pw_name, "--"] if user else []
    done = subprocess.run(prefix + command, cwd=folder, capture_output=True, text=True,
                          timeout=120)
    if done.returncode:
        raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a fresh PostgreSQL server for this test session."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (apt-get install -y postgresql)")
        pytest.skip("PostgreSQL is not installed (apt-get install -y postgresql)")
    pytest.importorskip("psycopg")
    user = _server_user()
    folder = tempfile.mkdtemp(prefix="board-pg-")
    os.chmod(folder, 0o700)
    if user:
        os.chown(folder, user.pw_uid, user.pw_gid)
    data, port = os.path.join(folder, "data"), free_port()
    try:
        _run([f"{bin_dir}/initdb", "-D", data, "-U", "board", "--auth=trust", "-E", "UTF8",
              "--no-sync"], user, folder)
        _run([f"{bin_dir}/pg_ctl", "-D", data, "-l", os.path.join(folder, "log"), "-w",
              "-t", "60", "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 "
              "-c fsync=off", "start"], user, folder)
    except (RuntimeError, subprocess.TimeoutExpired):
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        yield f"postgresql://board@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run((["runuser", "-u", user.pw_name, "--"] if user else [])
                       + [f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                       cwd=folder, capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_postgres_database(server_url):
    import psycopg
    name = f"board_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A database URL for an empty board store, once per database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'board.db'}"
    return fresh_postgres_database(request.getfixturevalue("postgres_server"))
