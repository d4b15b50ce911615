"""With ?lang=zh, the backprop page (each tab), Compare runs (empty, then with runs) and the
class board (its start, then a board with the lecturer's controls) show no English sentence:
no run of two or more ASCII words of three or more letters, outside the allowed names,
symbols, code and equations."""

import pathlib
import re

import pytest
from babel.messages.pofile import read_po

from app_logic.presets import PRESETS
from tests.e2e.conftest import wait_for_app

CATALOG = pathlib.Path(__file__).resolve().parents[2] / "locales/zh/LC_MESSAGES/messages.po"

# A run of English words: two or more ASCII words of >= 3 letters separated by spaces.
ENGLISH = re.compile(r"(?<![A-Za-z])[A-Za-z]{3,}(?:[ \u00a0]+[A-Za-z]{3,})+(?![A-Za-z])")
# Names and symbols that stay as they are in Chinese: the product, activations, optimizers.
ALLOWED = ("Backprop Playground", "Leaky ReLU",
           "Skip to main content")  # Streamlit's own link for screen readers
NAMES = re.compile(r"\b(?:ReLU|ELU|sigmoid|tanh|softmax|softplus|swish|Adam|SGD|He|Xavier|"
                   r"XOR|CSV|JSON|PNG|base64|NumPy)\b")
# Text read from the page: the main area and the sidebar, the figures' SVG text (titles,
# axes, legends) and the tables' cells; code blocks (the tutorial's printout), equations
# and the figures' toolbar are not words to translate.
PAGE_TEXT = """() => {
    // Streamlit's own uploader instructions ("Limit 2MB per file") are not the app's words.
    const skip = '[data-testid="stCode"], .katex, .modebar, '
        + '[data-testid="stFileUploaderDropzoneInstructions"]';
    const parts = [];
    const walk = (node) => {
        if (node.nodeType === Node.TEXT_NODE) { parts.push(node.textContent); return; }
        if (node.nodeType !== Node.ELEMENT_NODE || node.matches(skip)) return;
        const style = window.getComputedStyle(node);
        if (style.display === 'none' || style.visibility === 'hidden') return;
        for (const child of node.childNodes) walk(child);
        parts.push('\\n');
    };
    const root = document.querySelector('[data-testid="stAppViewContainer"]');
    walk(root);
    // What a box shows as its value (a select box's choice) is an input's value, not text.
    for (const input of root.querySelectorAll('input:not([type=hidden]):not([type=range])')) {
        if (input.value && !input.closest(skip)) parts.push('\\n' + input.value + '\\n');
    }
    return parts.join('');
}"""


def untranslated_presets():
    """The presets' names (the Playground's words, offered as a board's challenge data) that
    the catalog does not hold yet: allowed until they are translated, checked from then on."""
    with CATALOG.open("rb") as po:
        catalog = read_po(po)
    return [name for name in PRESETS if name not in catalog]


def english_sentences(text, allowed=()):
    for name in (*ALLOWED, *allowed):
        text = text.replace(name, " · ")
    text = NAMES.sub(" · ", text)
    return sorted(set(ENGLISH.findall(text)))


def test_the_detector_finds_english_and_spares_names_and_symbols():
    assert english_sentences("Step through one training step") == [
        "Step through one training step"]
    assert english_sentences("逐步走过 · 第 2 层 ReLU sigmoid x1 sin(x1) Adam SGD tanh") == []
    assert english_sentences("第 1 层（Leaky ReLU），dL/dW，2-4-3-1 ReLU/ReLU/sigmoid") == []
    assert english_sentences("深层 sigmoid 与 deep network") == ["deep network"]


@pytest.fixture
def zh(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def settle(pg):
    wait_for_app(pg)
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stSpinner\"]')")


def assert_chinese(pg, where, allowed=()):
    settle(pg)
    left = english_sentences(pg.evaluate(PAGE_TEXT), allowed)
    assert left == [], f"{where}: English left: {left}"


def open_tab(pg, name):
    pg.get_by_role("tab", name=name).click()
    pg.wait_for_function("name => [...document.querySelectorAll('[role=tab]')].some("
                         "t => t.innerText.includes(name) "
                         "&& t.getAttribute('aria-selected') === 'true')", arg=name)


def test_every_tab_of_the_backprop_page_speaks_chinese(zh, app_url):
    zh.goto(f"{app_url}/backprop?lang=zh")
    zh.get_by_role("heading", name="反向传播原理").wait_for()
    assert_chinese(zh, "step through")
    zh.get_by_role("button", name="下一步 ▶").click()
    zh.get_by_text("第 2 步").first.wait_for()
    zh.get_by_text("教程印出的公式错在哪里").click()
    zh.get_by_text("它的代码这两处都是对的").wait_for()
    assert_chinese(zh, "step 2")
    # Each tab, once its last part is drawn (the tutorial's runs take a few seconds).
    for tab, last in (("梯度检验", "每个权重和偏置：反向传播与有限差分对比"),
                      ("教程的训练", "尝试任意组合的错误"), ("梯度流", "运行对比")):
        open_tab(zh, tab)
        zh.get_by_text(last).first.wait_for()
        if tab == "教程的训练":
            zh.get_by_text(last).first.click()
            zh.get_by_text("打印的损失为").wait_for(state="attached")  # a table header
        assert_chinese(zh, tab)
    zh.get_by_role("button", name="运行对比").click()
    zh.get_by_text("深层 sigmoid：第 1 轮的梯度比").wait_for()
    zh.get_by_role("button", name=re.compile("在本页训练这个网络")).click()
    zh.get_by_text("不传递梯度的单元").first.wait_for()
    assert_chinese(zh, "gradient flow, trained")


def test_compare_runs_speaks_chinese_before_and_after_the_demo_runs(zh, app_url):
    zh.goto(f"{app_url}/compare?lang=zh")
    zh.get_by_role("heading", name="比较训练记录").wait_for()
    assert_chinese(zh, "no runs")
    zh.get_by_role("button", name="创建两条示例训练记录").click()
    zh.get_by_role("heading", name="最终决策边界").wait_for()
    assert_chinese(zh, "two runs")


def test_the_class_board_speaks_chinese_to_the_lecturer(zh, app_url):
    zh.goto(f"{app_url}/board?lang=zh")
    zh.get_by_role("heading", name="课堂看板").first.wait_for()
    assert_chinese(zh, "start", untranslated_presets())
    zh.get_by_label("标题").fill("最小的网络")
    zh.get_by_role("button", name="创建看板").click()
    zh.get_by_text("还没有提交").wait_for()
    for folded in ("讲师专用链接（请勿外传）", "讲师控制"):
        zh.get_by_text(folded).click()
    zh.get_by_role("button", name="导出 CSV").wait_for()
    assert_chinese(zh, "board")


def test_switching_language_keeps_the_open_tab_and_the_step(zh, app_url):
    zh.goto(f"{app_url}/backprop?lang=en")
    zh.get_by_role("button", name="Next ▶").click()
    zh.get_by_text("Step 2 of").first.wait_for()
    open_tab(zh, "Gradient check")
    zh.get_by_text("Sigmoid slope written 2·s·(1−s)").click()
    zh.get_by_text("The check fails on").wait_for()
    zh.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
    zh.get_by_text("检验在").first.wait_for()  # still failing: the switch kept its value
    assert zh.get_by_role("tab", name="梯度检验").get_attribute("aria-selected") == "true"
    open_tab(zh, "逐步走过一次训练")
    zh.get_by_text("第 2 步，共 8 步").first.wait_for()  # the step stayed too
