"""The README's notebook example runs and prints what it says it prints."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_readme_example_runs_and_its_comments_hold(capsys):
    code = re.search(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    assert len(code.strip().splitlines()) <= 12
    exec(compile(code, "README.md", "exec"), {})
    acc, errors = capsys.readouterr().out.strip().splitlines()
    printed = re.search(r'last\["test_acc"\]\)\s+# ([\d.]+)', code).group(1)
    assert acc == printed and float(acc) >= 0.98  # the same seed gives the same run
    assert max(float(e) for e in errors.strip("[]").split(",")) < 1e-10
