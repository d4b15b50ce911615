"""The backprop page, Compare runs and the class board with ?lang=zh under AppTest: every tab
runs without an exception and speaks Chinese; and the messages their logic raises (schema
refusals with their limits, saved runs, board rules, the studied network) read in Chinese,
with the same English as before when English is asked for."""

import pathlib

import pytest
from streamlit.testing.v1 import AppTest

from app_logic import board_rules, files, settings
from app_logic import file_formats as ff
from app_logic import runs as rn
from app_logic import study as studies
from app_logic.board_store import URL_ENV
from viz import i18n

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def chinese():
    i18n.use_language("zh")
    yield
    i18n.use_language("en")


def run(page, tab=None, **query):
    at = AppTest.from_file(str(ROOT / "app_pages" / page), default_timeout=180)
    at.query_params["lang"] = "zh"
    for key, value in query.items():
        at.query_params[key] = value
    if tab is not None:
        at.session_state["bp_tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at


def words(at):
    return " ".join(str(e.value) for kind in ("title", "header", "markdown", "caption",
                                              "success", "warning", "error", "info")
                    for e in at.get(kind))


@pytest.mark.parametrize("tab, expected", [
    ("逐步走过一次训练", "逐步走过**一次训练**"),
    ("梯度检验", "对每个权重和偏置，反向传播都与有限差分一致。"),
    ("教程的训练", "教程用梯度下降"),
    ("梯度流", "梯度消失：深层 sigmoid 与深层 ReLU 对比"),
])
def test_every_tab_of_the_backprop_page_runs_in_chinese(tab, expected):
    at = run("backprop.py", tab)
    said = words(at)
    assert at.title[0].value == "反向传播原理"
    assert expected in said
    assert "**正在研究的网络**：小例子：2-3-2-1 tanh 网络" in said
    assert "Backprop agrees" not in said and "Step through" not in said


def test_the_gradient_check_table_and_metric_are_chinese():
    at = run("backprop.py", "梯度检验")
    assert [m.label for m in at.metric] == ["最大相对误差"]
    assert list(at.dataframe[0].value.columns) == ["层", "激活函数", "dW 相对误差", "dW",
                                                   "db 相对误差", "db"]
    assert set(at.dataframe[0].value["dW"]) == {"✓ 一致"}


def test_compare_runs_in_chinese_with_its_demo_runs():
    at = run("compare.py")
    assert at.title[0].value == "比较训练记录"
    at.button(key="cmp_demo").click().run()
    assert not at.exception, at.exception
    assert [h.value for h in at.header][:3] == ["最终决策边界", "最终指标", "设置"]
    assert at.multiselect(key="cmp_chosen").value == ["示例：线性模型", "示例：一个 8 单元的隐藏层"]
    assert "已用 2 / 8 个训练记录位置。" in words(at)


def test_the_class_board_start_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv(URL_ENV, f"sqlite:///{tmp_path / 'board.db'}")
    at = run("class_board.py")
    assert at.title[0].value == "课堂看板"
    assert [s.value for s in at.subheader] == ["打开看板", "创建看板"]
    assert at.radio[0].options == ["最高测试准确率", "达到某一测试准确率的最少参数（在下方设置）",
                                   "轮数上限内的最低测试损失（在下方设置）"]


# ---- the messages of the logic ----------------------------------------------------------------
def test_a_schema_refusal_names_its_limit_in_chinese(chinese):
    too_many = {"format": ff.RUNS_FORMAT, "version": 1, "runs": [{}] * (ff.MAX_RUNS + 1)}
    assert str(files.refusal(ff.RUNS, too_many, files.FileError)) == \
        f"训练记录文件中有 9 条训练记录；至多能放 {ff.MAX_RUNS} 条。"
    assert str(files.refusal(ff.RUNS, {"format": "x"}, files.FileError)) == \
        '这不是训练记录文件（"format" 必须是 "backprop-playground-runs"）。'
    i18n.use_language("en")
    assert str(files.refusal(ff.RUNS, too_many, files.FileError)) == \
        f"The runs file holds 9 runs; at most {ff.MAX_RUNS} fit."


def test_a_bad_run_in_a_runs_file_is_named_in_chinese(chinese):
    document = b'{"format": "backprop-playground-runs", "version": 1, "runs": [[]]}'
    with pytest.raises(rn.RunsFileError) as refused:
        rn.read_runs_file(document)
    assert str(refused.value) == "第 1 条训练记录：必须是 JSON 对象。"


def test_board_rules_speak_chinese(chinese):
    assert board_rules.rule_title("fewest_params", threshold=0.9) == "测试准确率 ≥ 90% 的最少参数"
    assert board_rules.rule_title("lowest_loss", epochs=1500) == "1,500 轮内的最低测试损失"
    own = {**settings.default_config(), "dataset": "draw"}
    with pytest.raises(board_rules.BoardError, match="^挑战需要能由链接重建的数据"):
        board_rules.check_challenge(own, "best_accuracy")
    with pytest.raises(board_rules.BoardError, match="^标题至多 5 个字符；现在有 6 个。$"):
        board_rules.clean_text("abcdef", 5, "title")


def test_the_studied_network_is_described_in_the_language_of_the_moment():
    example = studies.example("relu")
    assert studies.describe(example) == "small example: 2-3-2-1 ReLU net on 8 points of circles"
    i18n.use_language("zh")
    try:
        assert studies.describe(example) == "小例子：2-3-2-1 ReLU 网络，同心圆数据集的 8 个数据点"
    finally:
        i18n.use_language("en")
