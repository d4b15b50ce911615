from .conftest import wait_for_app


def test_app_loads_with_navigation(app_url, page):
    page.goto(app_url)
    wait_for_app(page)
    nav = page.locator('[data-testid="stSidebar"]')
    for title in ("Playground", "How backprop works", "Compare runs"):
        assert nav.get_by_text(title).count() >= 1
