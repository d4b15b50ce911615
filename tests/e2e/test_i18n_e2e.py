"""The language in a real browser: a Chinese browser gets the Chinese sidebar, and the
switch changes the words while the network, its epoch and every setting stay."""

import re
from urllib.parse import parse_qs, urlparse

from tests.e2e.conftest import wait_for_app

SETUP = "hidden=5,3&activation=relu&dataset=moons&lr=0.01&epoch_budget=500&speed=0"


def link(pg):
    return {k: v[0] for k, v in parse_qs(urlparse(pg.url).query).items()}


def epoch(pg):
    return pg.locator('[data-testid="stMetric"]').first.inner_text().split()[-1]


def test_a_chinese_browser_gets_chinese_and_the_switch_keeps_the_run(browser, app_url):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    pg = context.new_page()
    try:
        pg.goto(f"{app_url}/?{SETUP}")
        wait_for_app(pg)
        sidebar = pg.locator('[data-testid="stSidebar"]')
        labels = sidebar.locator('[data-testid="stWidgetLabel"]')
        labels.get_by_text("学习率", exact=True).wait_for()
        pg.get_by_role("button", name="Step").click()
        pg.wait_for_function("() => document.querySelector('[data-testid=stMetric]')"
                             ".innerText.trim().endsWith('1')")
        before = link(pg)

        sidebar.get_by_text("English", exact=True).click()
        labels.get_by_text("Learning rate", exact=True).wait_for()
        wait_for_app(pg)
        assert link(pg) == {**before, "lang": "en"}
        assert epoch(pg) == "1"

        pg.get_by_role("button", name="Step").click()  # a rerun after the switch
        pg.wait_for_function("() => document.querySelector('[data-testid=stMetric]')"
                             ".innerText.trim().endsWith('2')")
        assert link(pg) == {**before, "lang": "en"}  # no choice fell back to a default
        assert not sidebar.get_by_text(re.compile("学习率")).count()
    finally:
        context.close()
