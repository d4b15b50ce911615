"""English and Simplified Chinese: the catalog is complete and matches the source, the
language is picked from the link, the browser or English, and the sidebar speaks Chinese."""

import io
import pathlib
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from app_logic import settings
from viz import i18n

ROOT = pathlib.Path(__file__).resolve().parents[2]
PO = ROOT / "locales" / "zh" / "LC_MESSAGES" / "messages.po"
# {name}, {0}, {n:g}; %s, %d, %(name)s (no space flag: "70% for" is a percentage)
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%(?:\([^)]*\))?[-#0+]*\d*(?:\.\d+)?[sdifgexr%]")


def catalog():
    with PO.open("rb") as po:
        return read_po(po, locale="zh_Hans_CN")


def messages(cat):
    return [m for m in cat if m.id]


def extracted_ids():
    """Every message the source marks, found as `pybabel extract -F babel.cfg` finds them."""
    method_map, options_map = parse_mapping_cfg(io.StringIO((ROOT / "babel.cfg").read_text()))
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def test_every_message_has_a_translation_with_the_same_placeholders():
    found = messages(catalog())
    assert len(found) > 50
    for message in found:
        # A plural message (ngettext) has its forms as tuples: each form must have the
        # placeholders of the plural source (Chinese has one form).
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        assert all(forms) and not message.fuzzy, f"untranslated: {message.id!r}"
        for form in forms:
            assert placeholders(form) == placeholders(source), message.id


def test_the_catalog_holds_every_message_the_source_marks_and_no_other():
    in_catalog = {m.id[0] if isinstance(m.id, tuple) else m.id for m in messages(catalog())}
    in_source = extracted_ids()
    assert in_source - in_catalog == set(), "run the update in locales/README.md"
    assert in_catalog - in_source == set(), "messages no longer in the source"


def test_placeholder_check_catches_a_mismatch():
    assert placeholders("{n} epochs/s") != placeholders("{count} 轮/秒")
    assert placeholders("%s of %d") == ["%d", "%s"]


@pytest.mark.parametrize("url, browser, expected", [
    ("zh", "en-US", "zh"),  # the link beats the browser
    ("en", "zh-CN", "en"),
    (None, "zh-CN", "zh"),  # then the browser
    (None, "zh_TW", "zh"),
    ("fr", "zh-Hans-CN", "zh"),  # a language we lack in the link falls back
    ("", "de-DE", "en"),  # then English
    (["zh"], None, "en"),
    (None, None, "en"),
])
def test_the_language_comes_from_the_link_then_the_browser_then_english(url, browser,
                                                                       expected):
    assert i18n.pick_language(url, browser) == expected


@pytest.fixture
def chinese():
    i18n.use_language("zh")
    yield
    i18n.use_language("en")


def test_settings_show_in_the_current_language(chinese):
    assert settings.label("lr") == "学习率"
    assert settings.BY_KEY["speed"].show(5) == "5 轮/秒"
    assert settings.BY_KEY["speed"].show(0) == "最快"
    assert settings.BY_KEY["optimizer"].show("momentum") == f"SGD + 动量 {settings.MOMENTUM}"
    assert settings.BY_KEY["features"].show([]) == "无"
    _config, problems = settings.config_from_query({"lr": "fast", "colour": "red",
                                                    "lang": "zh"})
    assert problems == ["lr=fast（已保留默认值 0.003）", "未知的设置“colour”"]


def test_english_is_the_source_text():
    i18n.use_language("en")
    assert settings.label("lr") == "Learning rate"
    assert settings.BY_KEY["optimizer"].show("momentum") == f"SGD + momentum {settings.MOMENTUM}"


def test_numbers_keep_digits_grouping_and_percent_in_chinese(chinese):
    assert i18n.number(12345) == "12,345"
    assert i18n.number(0.5, decimals=2) == "0.50"
    assert i18n.percent(0.987) == "98.7%"


def test_the_language_belongs_to_one_thread():
    import threading

    i18n.use_language("zh")
    seen = []
    thread = threading.Thread(target=lambda: seen.append(i18n.language()))
    thread.start()
    thread.join()
    i18n.use_language("en")
    assert seen == ["en"]  # another session's thread does not see this one's language


def test_speaking_sets_the_language_for_a_block_and_gives_back_the_one_before():
    before = i18n._language.get()
    with i18n.speaking("zh"):
        assert i18n.gettext("Learning rate") == "学习率"
        with i18n.speaking("en-GB"):
            assert i18n.language() == "en"
        assert i18n.language() == "zh"
        with pytest.raises(RuntimeError), i18n.speaking("en"):
            raise RuntimeError  # left by an exception (st.rerun raises one) just the same
        assert i18n.language() == "zh"
    assert i18n._language.get() == before


# ---- the app, in Chinese ---------------------------------------------------------------------
def run_app(**query):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def sidebar_labels(at):
    return {w.label for kind in ("selectbox", "slider", "select_slider", "number_input")
            for w in at.sidebar.get(kind)}


def test_lang_zh_shows_the_sidebar_in_chinese():
    at = run_app(lang="zh")
    labels = sidebar_labels(at)
    assert {"数据集", "学习率", "激活函数", "正则化", "隐藏层"} <= labels
    assert "Learning rate" not in labels
    assert [h.value for h in at.sidebar.header] == ["数据", "网络", "训练"]
    assert at.query_params["lang"] == ["zh"] or at.query_params["lang"] == "zh"


def test_switching_language_keeps_the_network_and_its_epoch():
    at = run_app(hidden="5,3", lr="0.01")
    assert "Learning rate" in sidebar_labels(at)
    state = at.session_state["playground"]
    state.train_for(7)
    network, epoch = state.trainer.net, state.epoch
    at.sidebar.get("button_group")[0].set_value("zh").run()
    assert not at.exception, at.exception
    assert "学习率" in sidebar_labels(at)
    after = at.session_state["playground"]
    assert after.trainer.net is network and after.epoch == epoch == 7
    assert after.config["hidden"] == [5, 3] and after.config["lr"] == 0.01


def test_a_rerun_of_the_sidebar_alone_stays_in_chinese(chinese):
    """A fragment's rerun never passes through app.py, and may run in a fresh thread. (The
    test's own thread speaks Chinese too: AppTest reads a choice back through its label.)"""
    at = run_app(lang="zh")
    at = at.sidebar.slider(key="pg_noise").set_value(0.2).run()
    assert not at.exception, at.exception
    assert "学习率" in sidebar_labels(at)


def test_a_click_in_the_live_view_after_a_switch_speaks_the_new_language():
    """The live view's fragment looks the language up once per run: after the switch its
    own reruns (a click on Play) speak Chinese, and the run leaves no language behind."""
    at = run_app()
    at.sidebar.get("button_group")[0].set_value("zh").run()
    i18n.use_language("zh")  # AppTest sends a choice back by its label, in this thread's
    try:
        at.button(key="pg_play").click().run()
    finally:
        i18n.use_language(None)
    assert not at.exception, at.exception
    assert at.button(key="pg_pause").label == "暂停"
    assert at.button(key="pg_reset").label == "重置"


def test_a_refused_file_is_explained_in_chinese(chinese):
    from app_logic.exports import model_from_json
    from app_logic.files import FileError, load_json

    with pytest.raises(FileError) as refused:
        model_from_json(b"\x89PNG\r\n\x1a\n" + bytes(40))
    assert str(refused.value) == "这个文件是PNG 图片，不是模型文件。请确认选对了文件。"
    with pytest.raises(FileError) as refused:
        load_json(b'{"a": 1, "a": 2}', "runs file")
    assert str(refused.value) == "训练记录文件在同一个对象中两次出现键“a”；每个键只能出现一次。"
