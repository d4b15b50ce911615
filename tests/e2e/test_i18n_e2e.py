"""The language in a real browser: with ``?lang=zh`` every page and every tab shows no English
sentence; a Chinese browser gets Chinese; the switch changes the words while the network, its
epoch, its weights and every setting stay.

The text checked is what a reader meets: the page's visible text, the charts' SVG text (axis
titles, legends, the network's layer titles) and the aria-labels (what a screen reader says,
the live boundary's description included). Left out: code blocks (the tutorial's printout
stays as the tutorial prints it), LaTeX's hidden MathML, icon ligatures, and the controls
Streamlit and Plotly draw themselves (FRAMEWORK), which the app cannot translate.
"""

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import SCREENSHOTS, wait_for_app

SETUP = "hidden=5,3&activation=relu&dataset=moons&lr=0.01&epoch_budget=500&speed=0"

# Names, symbols and units that stay as they are in Chinese (locales/GLOSSARY.md).
KEPT_WORDS = {
    "Adam", "SGD", "ReLU", "Leaky", "ELU", "tanh", "sigmoid", "softmax", "softplus", "swish",
    "Xavier", "NumPy", "Python", "JSON", "CSV", "GIF", "PNG", "UTF", "Excel", "XOR", "randn",
    "scikit", "learn", "English", "inf", "nan",
}
# What Streamlit and Plotly write themselves: their controls' names and the file uploader's
# words (Streamlit has no way to translate them).
FRAMEWORK = re.compile("|".join([
    r"^Skip to main content$", r"^Sidebar$", r"^(Collapse|Expand) sidebar$", r"^App pages$",
    r"^Open$", r"^Close$", r"^Decrement$", r"^Increment$", r"^Clear all$", r"^Remove .*",
    r"^Help for .*", r"^Link to heading$", r"^Download plot as a PNG$", r"^Zoom( in| out)?$",
    r"^Pan$", r"^Autoscale$", r"^Reset axes$", r"^Fullscreen$", r"^Drag and drop files? here$",
    r"^(Limit )?\S+ per file.*", r"^• [A-Z, ]+$", r"^file upload$", r"^Browse files$",
    r"^\d+ options? available\.?$", r"^Upload$", r"^Main menu$", r"^Stop$",
    r"^Running\.*$", r"^Press Enter to apply$", r"^Select all$", r"^Search$",
    r"^Download as CSV$", r"^Show/hide columns$", r"^Toggle fullscreen$", r"^Clear value$",
    r"^Selected .*", r"^Deploy$", r"^Choose an option$", r"^No results$",
]))
ENGLISH_RUN = re.compile(r"[A-Za-z]{3,}(?:[ ,.:;'’/-]+[A-Za-z]{3,})+")  # two or more words
WORD = re.compile(r"[A-Za-z]{4,}")

TEXT_JS = """() => {
  const skip = '[data-testid="stIconMaterial"], [data-testid="stAlertDynamicIcon"], '
    + 'script, style, pre, code, .katex-mathml';
  const seen = (el) => !el.checkVisibility || el.checkVisibility();
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (el && n.nodeValue.trim() && !el.closest(skip) && seen(el)) out.push(n.nodeValue.trim());
  }
  for (const el of document.querySelectorAll('[aria-label]')) {
    if (seen(el)) out.push(el.getAttribute('aria-label').trim());
  }
  return out;
}"""


def english_left(texts):
    """The pieces of ``texts`` that are English words rather than names or symbols."""
    found = []
    for text in texts:
        if FRAMEWORK.search(text):
            continue
        words = re.sub(r"\b(?:" + "|".join(KEPT_WORDS) + r")\b", " ", text)
        words = re.sub(r"\b\w*\d\w*\b|\([^)]*\d[^)]*\)", " ", words)  # x1, sin(x1), 1e-3
        found += ENGLISH_RUN.findall(words) or WORD.findall(words)
    return found


def test_the_detector_finds_sentences_and_words_and_lets_names_through():
    assert english_left(["训练损失 0.697", "Adam", "sin(x1) · x₁", "隐藏层：tanh · 输出层：sigmoid",
                         "Help for 学习率", "Drag and drop file here", "ReLU/ReLU/sigmoid"]) == []
    assert english_left(["Pause to export the network."]) == ["export the network"]
    assert english_left(["轮次", "Epoch"]) == ["Epoch"]
    assert english_left(["第 3 轮: test accuracy 90%"]) == ["test accuracy"]


def visible_text(pg):
    return pg.evaluate(TEXT_JS)


def link(pg):
    return {k: v[0] for k, v in parse_qs(urlparse(pg.url).query).items()}


def epoch(pg):
    return pg.locator('[data-testid="stMetric"]').first.inner_text().split()[-1]


def playground_drawn(pg):
    """The Playground has finished drawing: metrics, the boundary painted, the curves."""
    wait_for_app(pg)
    pg.wait_for_function(
        """() => document.querySelectorAll('[data-testid=stMetric]').length >= 3
              && Number(document.querySelector('.live-board')?.dataset.frames || 0) > 0
              && document.querySelectorAll('.js-plotly-plot .xtitle').length >= 1""",
        timeout=90_000)
    wait_for_app(pg)


def check(pg, where, problems):
    left = english_left(visible_text(pg))
    if left:
        problems.append(f"{where}: {sorted(set(left))}")
        pg.screenshot(path=str(SCREENSHOTS / f"i18n-{re.sub(r'[^a-z0-9]+', '-', where)}.png"),
                      full_page=True)


def check_tabs(pg, where, problems):
    """Open each tab of the main area in turn and check it."""
    tabs = pg.locator('[data-testid="stMain"] [role="tab"]')
    for i in range(tabs.count()):
        tab = tabs.nth(i)
        name = tab.inner_text()
        tab.click()
        pg.wait_for_function("(t) => t.getAttribute('aria-selected') === 'true'",
                             arg=tab.element_handle())
        wait_for_app(pg)
        check(pg, f"{where}, tab {i + 1} ({name})", problems)


@pytest.fixture
def zh_page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def step(pg, times=1):
    for _ in range(times):
        before = epoch(pg)
        pg.get_by_role("button", name="单步").click()
        pg.wait_for_function("(b) => document.querySelector('[data-testid=stMetric]')"
                             ".innerText.trim().split(/\\s+/).pop() !== b", arg=before)
    wait_for_app(pg)


def test_the_playground_speaks_chinese_paused_playing_and_in_every_tab(app_url, zh_page):
    pg, problems = zh_page, []
    pg.goto(f"{app_url}/?lang=zh&{SETUP}")
    playground_drawn(pg)
    check(pg, "playground, paused", problems)
    step(pg, 3)  # the replay has epochs to show
    check_tabs(pg, "playground", problems)
    pg.get_by_role("button", name="播放", exact=True).click()
    pg.get_by_role("button", name="暂停", exact=True).wait_for()
    pg.wait_for_function("() => Number(document.querySelector('.live-board')"
                         "?.dataset.epoch || 0) > 10")
    check(pg, "playground, playing", problems)  # it stops by itself at its epoch limit
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("dataset, label", [("draw", "自己画点"), ("upload", "上传 CSV")])
def test_the_own_data_panels_speak_chinese(app_url, zh_page, dataset, label):
    pg, problems = zh_page, []
    pg.goto(f"{app_url}/?lang=zh")
    playground_drawn(pg)
    pg.get_by_role("combobox", name="数据集").click()  # own points are never in a link
    pg.get_by_role("option", name=label).click()
    wait_for_app(pg)
    panel = "pg_draw_canvas" if dataset == "draw" else "pg_upload_file_box"
    pg.wait_for_selector(f".st-key-{panel}")
    if dataset == "draw":
        pg.wait_for_function("() => Number(document.querySelector("
                             "'.st-key-pg_draw_canvas .live-board')?.dataset.frames || 0) > 0")
    check(pg, f"{dataset} panel", problems)
    assert not problems, "\n".join(problems)


def test_a_diverging_run_is_explained_in_chinese(app_url, zh_page):
    pg, problems = zh_page, []
    pg.goto(f"{app_url}/?lang=zh&optimizer=sgd&activation=leaky_relu&init=he&hidden=8,8"
            "&lr=10&batch_size=200&speed=0")
    playground_drawn(pg)
    pg.get_by_role("button", name="播放", exact=True).click()
    pg.get_by_role("button", name=re.compile("以学习率")).wait_for()  # "Start again with ..."
    wait_for_app(pg)
    check(pg, "diverged", problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["backprop", "compare", "board"])
def test_every_other_page_and_tab_speaks_chinese(app_url, zh_page, path):
    pg, problems = zh_page, []
    pg.goto(f"{app_url}/{path}?lang=zh")
    wait_for_app(pg)
    pg.wait_for_selector('[data-testid="stMainBlockContainer"] h1')
    check(pg, path, problems)
    check_tabs(pg, path, problems)
    assert not problems, "\n".join(problems)


def download_model(pg, tab_name, button_name):
    pg.locator('[data-testid="stMain"] [role="tab"]').filter(has_text=tab_name).click()
    button = pg.get_by_role("button", name=button_name)
    with pg.expect_download() as download:
        button.click()
    return json.loads(open(download.value.path(), "rb").read())


def test_a_chinese_browser_gets_chinese_and_the_switch_keeps_the_run(browser, app_url):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    try:
        pg.goto(f"{app_url}/?{SETUP}")
        playground_drawn(pg)
        sidebar = pg.locator('[data-testid="stSidebar"]')
        labels = sidebar.locator('[data-testid="stWidgetLabel"]')
        labels.get_by_text("学习率", exact=True).wait_for()
        step(pg, 2)
        before = link(pg)
        model = download_model(pg, "导出", "下载模型")
        assert model["epoch"] == 2

        sidebar.get_by_text("English", exact=True).click()
        labels.get_by_text("Learning rate", exact=True).wait_for()
        playground_drawn(pg)
        assert link(pg) == {**before, "lang": "en"}
        assert epoch(pg) == "2"
        assert download_model(pg, "Export", "Download the model") == model  # same weights

        pg.get_by_role("button", name="Step").click()  # a rerun after the switch
        pg.wait_for_function("() => document.querySelector('[data-testid=stMetric]')"
                             ".innerText.trim().endsWith('3')")
        assert link(pg) == {**before, "lang": "en"}  # no choice fell back to a default
        assert not sidebar.get_by_text(re.compile("学习率")).count()
    finally:
        context.close()
