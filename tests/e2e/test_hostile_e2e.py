"""Hostile files in headless Chromium: a sample of the corpus given to the CSV upload, the
model import and the Compare page's runs upload. No exception box, no image or link made
from a file's text, the refusal shown under its uploader and the previous data kept; a file
over the size limit (refused by the browser) gets its own message while it is the newest."""

import re

from tests.app_logic import hostile_corpus as hc

from .conftest import wait_for_app
from .test_own_data_e2e import choose_dataset
from .test_playground_e2e import open_playground

CSV = {c.name: c for c in hc.csv_cases()}
MODELS = {c.name: c for c in hc.model_cases()}
RUNS = {c.name: c for c in hc.runs_cases()}
UPLOAD_BOX = ".st-key-pg_upload_file_box"


def give(page, key, name, data):
    page.locator(f'.st-key-{key} input[type="file"]').set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data})


def no_exception_box(page):
    assert page.locator('[data-testid="stException"]').count() == 0


def notice_text(page, key):
    return page.locator(f".st-key-{key}_notice").inner_text()


def test_hostile_csvs_in_the_upload_panel(app_url, page):
    open_playground(page, app_url)
    choose_dataset(page, "Upload a CSV")
    give(page, "pg_upload_file", "plain.csv", CSV["plain.csv"].data)
    page.locator(UPLOAD_BOX).get_by_text("Loaded 20 points").wait_for()
    wait_for_app(page)

    # Labels and a file name written as Markdown and HTML show as the characters they are.
    give(page, "pg_upload_file", "[evil](http://e.io) ![x](http://e.io/x.png).csv",
         CSV["markdown_html_labels.csv"].data)
    box = page.locator(UPLOAD_BOX)
    page.get_by_text("onerror=alert(1)", exact=False).wait_for()
    wait_for_app(page)
    main = page.locator('[data-testid="stMainBlockContainer"]')
    text = main.inner_text().replace("\u200b", "")  # (kept links from forming)
    assert "[click](http://example.com)" in text and "<img src=x onerror=alert(1)>" in text
    assert "[evil](http://e.io)" in text
    for selector in ("img[src='x']", "img[onerror]", "img[src*='e.io']", "a[href*='example.com']",
                     "a[href*='e.io']"):
        assert main.locator(selector).count() == 0, selector
    no_exception_box(page)

    for name in ("digits_5000.csv", "columns_200000.csv", "utf32_no_bom.csv", "gzip.csv",
                 "labels_200.csv", "cell_1_5_mb.csv"):
        give(page, "pg_upload_file", name, CSV[name].data)
        page.wait_for_function(
            """(name) => { const n = document.querySelector('.st-key-pg_upload_file_notice');
                           return n && n.innerText.includes('“' + name + '” was not loaded'); }""",
            arg=name)
        wait_for_app(page)
        text = notice_text(page, "pg_upload_file")
        assert "previous data stay in use" in text and "Loaded" not in text, text
        assert CSV[name].refuse[0].split(",")[0] in text.lower(), (name, text)
        assert "dataset=upload" in page.url
        no_exception_box(page)
        # the column choosers never offer more than the limit
        assert page.locator('[data-testid="stSelectbox"]').filter(
            has_text="Feature x₁").count() == 0

    # Over the limit: the browser refuses it, the server never sees it; a message says so.
    too_big = box.locator(".file-too-big")
    assert not too_big.is_visible()
    give(page, "pg_upload_file", "huge.csv", b"x,y,label\n" + b"1,2,0\n" * 600_000)
    too_big.wait_for(state="visible")
    assert "larger than 2.0 MB" in too_big.inner_text()
    assert not page.locator(".st-key-pg_upload_file_notice").is_visible()
    no_exception_box(page)
    assert "dataset=upload" in page.url
    # A good file after it: the message goes, the new file is loaded.
    give(page, "pg_upload_file", "plain.csv", CSV["plain.csv"].data)
    box.get_by_text("Loaded 20 points").wait_for()
    assert not too_big.is_visible()


def test_hostile_model_files_in_the_import_tab(app_url, page):
    open_playground(page, app_url)
    page.get_by_role("tab", name="Import a model").click()
    wait_for_app(page)
    for name in ("model_pickle_renamed.json", "model_weight_10_pow_400.json",
                 "model_depth_10000.json", "model_5000_layers.json"):
        give(page, "pg_model_file", name, MODELS[name].data)
        page.wait_for_function(
            """(name) => { const n = document.querySelector('.st-key-pg_model_file_notice');
                           return n
                               && n.innerText.includes('“' + name + '” was not imported'); }""",
            arg=name)
        assert "network is unchanged" in notice_text(page, "pg_model_file")
        no_exception_box(page)
    give(page, "pg_model_file", "model.json", MODELS["model.json"].data)
    page.locator(".st-key-pg_model_file_notice").get_by_text("at epoch 3").wait_for()
    no_exception_box(page)


def test_hostile_runs_files_on_the_compare_page(app_url, page):
    page.goto(app_url + "/compare")
    wait_for_app(page)
    give(page, "cmp_upload", "runs.json", RUNS["runs_markdown_name.json"].data)
    page.locator(".st-key-cmp_upload_notice").get_by_text("Loaded 1 run from").wait_for()
    wait_for_app(page)
    main = page.locator('[data-testid="stMainBlockContainer"]')
    assert main.locator("a[href*='e.io']").count() == 0
    for name in ("runs_loss_10_pow_400.json", "runs_gzip.json", "runs_nine.json"):
        give(page, "cmp_upload", name, RUNS[name].data)
        page.wait_for_function(
            """(name) => { const n = document.querySelector('.st-key-cmp_upload_notice');
                           return n && n.innerText.includes('“' + name + '” was not loaded'); }""",
            arg=name)
        assert "saved runs are unchanged" in notice_text(page, "cmp_upload")
        no_exception_box(page)
    assert re.search(r"\[x\]\(http://e\.io\) <b>", main.inner_text().replace("\u200b", ""))
