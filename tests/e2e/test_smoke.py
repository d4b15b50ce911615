"""Runs first in its module, so the server is fresh: a shared deep link must still get the
app's navigation and layout (a pages/ folder beside app.py used to break exactly this)."""

from .conftest import wait_for_app

TITLES = ("Playground", "How backprop works", "Compare runs")


def test_deep_links_on_a_fresh_server_show_the_app_navigation(app_url, page):
    for path, heading in (("/backprop", "How backprop works"), ("/compare", "Compare runs")):
        page.goto(app_url + path)
        wait_for_app(page)
        page.get_by_role("heading", name=heading).first.wait_for()
        nav = page.locator('[data-testid="stSidebar"]')
        for title in TITLES:
            assert nav.get_by_text(title, exact=True).count() == 1, (path, title)
        assert nav.get_by_text("app", exact=True).count() == 0


def test_app_loads_with_navigation(app_url, page):
    page.goto(app_url)
    wait_for_app(page)
    nav = page.locator('[data-testid="stSidebar"]')
    for title in TITLES:
        nav.get_by_text(title, exact=True).wait_for()
    page.get_by_role("button", name="Play", exact=True).wait_for()
