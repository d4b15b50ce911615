"""Figures in Chinese: titles, legends and hover text come from the catalog, and the live
boundary's picture made on the server carries no words (a server may have no Chinese font):
the browser writes them over it."""

import numpy as np
import pytest

import mlp_core as mc
from viz import boundary as vb
from viz import curves, network
from viz.format import count
from viz.i18n import ngettext, use_language

from .test_figures import no_points


@pytest.fixture
def chinese():
    use_language("zh")
    yield
    use_language(None)


def _frame(n_classes=2):
    gx, gy = np.linspace(-1, 1, 40), np.linspace(-1, 1, 40)
    return vb.raster_frame(gx, gy, no_points(gx, gy), n_classes=n_classes, show_test=True,
                           height=400, axis_labels=("x1", "x2"))


def test_the_live_picture_leaves_its_words_to_the_browser(chinese):
    frame = _frame()
    texts = [label["text"] for label in frame.labels]
    assert texts[:4] == ["第 0 类（训练）", "第 1 类（训练）", "第 0 类（测试）", "第 1 类（测试）"]
    assert {"x1", "x2", "P(第 1 类)"} <= set(texts)
    pixels = np.asarray(frame.canvas.convert("L"), int)
    for label in frame.labels:
        if label["rotate"] or label["align"] != "left":
            continue
        x, y = int(label["x"]), int(label["y"])
        where = pixels[y - 5:y + 5, x:x + 40]  # where a legend entry's words go
        assert (where == 255).all(), label["text"]  # white: nothing written by the server


def test_a_regression_picture_names_its_colour_bar_and_points(chinese):
    texts = [label["text"] for label in _frame(n_classes=0).labels]
    assert {"训练点", "测试点", "预测值"} <= set(texts)


def test_curves_and_network_speak_chinese(chinese):
    loss = curves.loss_figure(np.arange(3), np.array([0.7, 0.6, 0.5]),
                              np.array([0.72, 0.65, 0.6]), rollbacks=(2,))
    assert loss.layout.xaxis.title.text == "轮" and loss.layout.yaxis.title.text == "损失"
    assert [t.name for t in loss.data] == ["训练", "测试"]
    assert "已退回到第 1 轮" in loss.layout.annotations[0].text
    net = mc.MLP([2, 3, 1], activations=["tanh", "sigmoid"], seed=0)
    fig = network.network_figure(net, ["x₁", "x₂"])
    titles = [a.text for a in fig.layout.annotations]
    assert "隐藏层 1<br>3 个单元" in titles and "输入" in titles and "输出" in titles
    assert "隐藏层：tanh · 输出层：sigmoid" in titles
    assert {t.name for t in fig.data if t.name} >= {"正权重", "负权重"}
    hover = [h for t in fig.data if t.hovertext is not None for h in t.hovertext]
    assert any(h.startswith("第 1 层: w[0,0] = ") for h in hover)
    assert any(h.startswith("隐藏层 1，第 1 个单元：偏置 = ") for h in hover)


def test_counts_take_the_languages_plural_and_digit_grouping(chinese):
    assert count(1234, ngettext("{n} point", "{n} points", 1234)) == "1,234 个数据点"
    use_language("en")
    assert count(1, ngettext("{n} point", "{n} points", 1)) == "1 point"
    assert count(1234, ngettext("{n} point", "{n} points", 1234)) == "1,234 points"
    assert count(2, "run") == "2 runs"  # a bare English noun still works


@pytest.mark.parametrize("code", ["en", "zh"])
def test_the_strips_fast_integers_read_as_numbers_does(code):
    from viz.i18n import integer_format, number
    use_language(code)
    try:
        integer = integer_format()
        for value in (0, 7, 999, 1000, 12_345, 1_234_567, 10**12):
            assert integer(value) == number(value)
    finally:
        use_language(None)
