"""The architecture, checked: imports only point down the layers, and streamlit is imported
only by app.py, app_pages/ and the Streamlit layer ui/."""

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
# Each layer may import only the layers after it.
LAYERS = ("app_pages", "ui", "app_logic", "viz", "mlp_core")


def imported_top_levels(path):
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def sources(folder):
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_only_point_down(layer):
    above = set(LAYERS[:LAYERS.index(layer) + 1]) - {layer}
    for path in sources(layer):
        wrong = imported_top_levels(path) & above
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)} from above"


def imports_streamlit(path):
    """Whether ``path`` imports streamlit, other than its wire format (streamlit.proto, the
    messages a load-test client exchanges with the server)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                 [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        if any(n.split(".")[0] == "streamlit" and not n.startswith("streamlit.proto")
               for n in names):
            return True
    return False


def test_streamlit_is_imported_only_by_the_app_its_pages_and_ui():
    allowed = {ROOT / "app.py", *sources("app_pages"), *sources("ui")}
    for folder in ("app_logic", "viz", "mlp_core"):
        for path in sources(folder):
            if "streamlit" in imported_top_levels(path):
                assert path in allowed, f"{path.relative_to(ROOT)} imports streamlit"
    for path in sources("benchmarks"):
        assert not imports_streamlit(path), f"{path.relative_to(ROOT)} imports streamlit"


def test_the_logic_and_figures_load_without_streamlit():
    modules = [f"{folder}.{path.stem}" for folder in ("app_logic", "viz")
               for path in sources(folder) if path.stem != "__init__"]
    code = (f"import sys; import {', '.join(modules)}; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# The two homes of the session state: widget values (ui/widget_sync.py) and everything else a
# page keeps (ui/session.py).
STATE_HOMES = {ROOT / "ui" / "session.py", ROOT / "ui" / "widget_sync.py"}


def test_session_state_is_touched_only_by_its_two_homes():
    app = [ROOT / "app.py", *sources("app_pages"), *sources("ui")]
    for path in app:
        where = path.relative_to(ROOT).as_posix()
        if path in STATE_HOMES:
            continue
        assert "session_state" not in path.read_text(encoding="utf-8"), \
            f"{where} touches st.session_state: use ui/session.py or ui/widget_sync.py"


def test_fragments_are_made_where_they_look_the_language_up_once():
    """ui/i18n.fragment wraps st.fragment so a run says every word in one language, looked
    up once (README, How the live page reruns)."""
    for path in [ROOT / "app.py", *sources("app_pages"), *sources("ui")]:
        if path != ROOT / "ui" / "i18n.py":
            assert "st.fragment" not in path.read_text(encoding="utf-8"), \
                f"{path.relative_to(ROOT)} calls st.fragment: use ui/i18n.fragment"


# Browser tests wait on a condition (an element shown, an attribute changed, a run ended),
# never a fixed time.
def test_browser_tests_wait_on_conditions_not_fixed_times():
    sleeps = [f"{path.relative_to(ROOT).as_posix()}:{node.lineno}"
              for path in sources("tests")
              for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "wait_for_timeout"]
    assert not sleeps, "wait on what the test waits for instead: " + ", ".join(sleeps)


MAX_FUNCTION_LINES = 59  # from its def to its last line, docstring included


@pytest.mark.parametrize("layer", LAYERS)
def test_functions_are_short(layer):
    long = [f"{path.relative_to(ROOT)}: {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for path in sources(layer)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, "split these functions: " + "; ".join(long)


@pytest.mark.parametrize("page", sorted((ROOT / "app_pages").glob("*.py")),
                         ids=lambda p: p.name)
def test_pages_are_short(page):
    assert len(page.read_text(encoding="utf-8").splitlines()) <= 250


def test_every_activation_has_a_name_and_a_derivative_to_show():
    """Adding an activation to mlp_core means naming it for people and writing its f'(z) for
    the stepper; this test lists what is missing."""
    import mlp_core as mc
    from app_logic.settings import ACTIVATION_LABELS
    from ui.stepper import F_PRIME

    assert set(mc.ACTIVATIONS) - set(ACTIVATION_LABELS) == set()
    assert set(mc.ACTIVATIONS) - set(F_PRIME) == set()
