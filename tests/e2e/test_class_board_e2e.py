"""The class board in two browsers: a lecturer creates a board, a student follows the link,
finds the data locked, trains and submits, and the lecturer's board counts the run within
seconds; the board is looked at on a projector and a phone."""

import re

import pytest

from benchmarks.app_server import free_port, start_app, stop_app

from .conftest import SCREENSHOTS, wait_for_app


@pytest.fixture(scope="module")
def board_app(tmp_path_factory):
    """A server of its own with the board database in a temporary folder."""
    database = tmp_path_factory.mktemp("board") / "board.db"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with open(SCREENSHOTS / f"board-server-{port}.log", "w") as log:
        proc, url = start_app(port, log=log,
                              env={"PLAYGROUND_DATABASE_URL": f"sqlite:///{database}"})
        try:
            yield url
        finally:
            stop_app(proc)


def test_lecturer_creates_student_submits_board_counts_it(board_app, browser):
    lecturer = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    lecturer.set_default_timeout(30_000)
    lecturer.goto(board_app + "/board")
    wait_for_app(lecturer)
    lecturer.get_by_label("Title").fill("Separate the spiral <b>now</b>")
    lecturer.get_by_role("button", name="Create the board").click()
    lecturer.get_by_text("Scan to join").wait_for()
    link = lecturer.get_by_text(re.compile(r"/\?board=[A-Z2-9]{6}$")).inner_text()
    assert "key=" not in link
    lecturer.get_by_text("Separate the spiral <b>now</b>").wait_for()  # plain text
    lecturer.get_by_text("No submissions yet").wait_for()

    student = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    student.set_default_timeout(30_000)
    student.goto(link)
    wait_for_app(student)
    student.get_by_text("The challenge fixes: Dataset").wait_for()
    sidebar = student.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_role("spinbutton", name="Seed").is_disabled()
    student.get_by_role("button", name="Step", exact=True).click()
    student.get_by_label("Your name on the board").fill("Ada")
    student.get_by_label("Your name on the board").press("Enter")
    student.get_by_role("button", name="Submit to the class board").click()
    student.get_by_text(re.compile(r"Submitted to the class board \(#1\)")).wait_for()
    student.screenshot(path=str(SCREENSHOTS / "board_student.png"))

    lecturer.get_by_text(re.compile(r"1 student, 1 run;")).wait_for(timeout=5_000)
    lecturer.screenshot(path=str(SCREENSHOTS / "board_lecturer_1280.png"))
    board_link = lecturer.url.split("&key=")[0]
    for name, size in (("board_1920", (1920, 1080)), ("board_phone", (390, 844))):
        viewer = browser.new_context(viewport=dict(zip(("width", "height"), size))).new_page()
        viewer.goto(board_link)
        viewer.get_by_text(re.compile(r"1 student, 1 run;")).wait_for()
        assert viewer.get_by_text("Lecturer controls").count() == 0
        viewer.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        viewer.context.close()
    student.context.close()
    lecturer.context.close()
