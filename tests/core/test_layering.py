"""Import contracts (napari style): the core stays Qt-free, widgets never reach the network."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE_QT_FREE = ["noc_app/model.py", "noc_app/units.py", "noc_app/plans.py", "noc_app/panel_keys.py",
                "noc_app/selectors.py", "noc_app/selectors_incidents.py", "noc_app/selectors_wall.py",
                "noc_app/wall_state.py", "noc_app/modes.py", "noc_app/display_text.py",
                "noc_app/backoff.py", "noc_app/redaction.py", "noc_app/scrub.py", "noc_app/worker_stop.py"]
CORE_QT_FREE_DIRS = ["noc_app/config", "noc_app/sources", "noc_app/analytics", "noc_app/actions", "noc_app/state",
                     "noc_app/attention"]
# The actions core and the state database must not even load Qt through another module.
QT_FREE_PACKAGES = ["noc_app.actions", "noc_app.state", "noc_app.modes"]
# What widgets may import from the actions package: requests and the policy, never execution.
WIDGET_ACTIONS_ALLOWED = ("noc_app.actions.model", "noc_app.actions.policy")
QTCORE_ONLY = ["noc_app/polling.py", "noc_app/store.py", "noc_app/runtime.py", "noc_app/actions/service.py"]
# The one QtCore module of the actions package: the thin service around the Qt-free core.
QT_FREE_EXCEPTIONS = {"noc_app/actions/service.py"}
WIDGET_DIR = "widgets"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _files(paths: list[str], dirs: list[str]) -> list[Path]:
    out = [ROOT / p for p in paths if (ROOT / p).exists()]
    for d in dirs:
        out.extend(p for p in sorted((ROOT / d).rglob("*.py")) if str(p.relative_to(ROOT)) not in QT_FREE_EXCEPTIONS)
    return out


def _is_qt(name: str) -> bool:
    return name.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6")


@pytest.mark.parametrize("path", _files(CORE_QT_FREE, CORE_QT_FREE_DIRS), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_imports_no_qt(path):
    bad = sorted(n for n in _imports(path) if _is_qt(n))
    assert not bad, f"{path.relative_to(ROOT)} is a core module but imports {bad}"


@pytest.mark.parametrize("path", _files(QTCORE_ONLY, []), ids=lambda p: str(p.relative_to(ROOT)))
def test_polling_and_store_use_qtcore_only(path):
    bad = sorted(
        n for n in _imports(path)
        if _is_qt(n) and not (n == "PySide6" or n.startswith("PySide6.QtCore"))
    )
    assert not bad, f"{path.relative_to(ROOT)} may import PySide6.QtCore only, imports {bad}"


@pytest.mark.parametrize("path", _files([], [WIDGET_DIR]), ids=lambda p: str(p.relative_to(ROOT)))
def test_widgets_never_import_sources_polling_or_httpx(path):
    forbidden = ("noc_app.sources", "noc_app.polling", "noc_app.runtime", "httpx", "noc_app.app")
    bad = sorted(n for n in _imports(path) if n.startswith(forbidden))
    assert not bad, f"{path.relative_to(ROOT)} is a widget but imports {bad}"


@pytest.mark.parametrize("path", _files([], [WIDGET_DIR]), ids=lambda p: str(p.relative_to(ROOT)))
def test_widgets_import_only_the_actions_model_and_policy(path):
    bad = sorted(n for n in _imports(path) if _actions_import_forbidden_to_widgets(n))
    assert not bad, f"{path.relative_to(ROOT)} is a widget; from actions it may import only {WIDGET_ACTIONS_ALLOWED}: {bad}"


def _actions_import_forbidden_to_widgets(name: str) -> bool:
    if name.startswith("noc_app.state"):
        return True
    if not name.startswith("noc_app.actions."):
        return False  # the bare package (`from noc_app.actions import model`) is checked by its members
    return not any(name == ok or name.startswith(ok + ".") for ok in WIDGET_ACTIONS_ALLOWED)


@pytest.mark.parametrize("path", _files([], [WIDGET_DIR]), ids=lambda p: str(p.relative_to(ROOT)))
def test_widgets_read_the_store_only_through_its_read_only_view(path):
    """Widgets take a StoreView (read methods and change signals); the Store itself is the app's."""
    bad = sorted(n for n in _imports(path) if n == "noc_app.store" or n.startswith("noc_app.store."))
    assert not bad, f"{path.relative_to(ROOT)} is a widget; it may import noc_app.store_view, not {bad}"


# Decided once in noc_app.selectors_incidents; a widget that calls these is doing model work.
INCIDENT_DECISIONS = ("panel_alerts", "group_alerts", "counts_text", "empty_text", "select_incident_board",
                      "alert_sort_key", "CALM_EMPTY_STATES")


@pytest.mark.parametrize("path", _files([], [WIDGET_DIR]), ids=lambda p: str(p.relative_to(ROOT)))
def test_widgets_do_not_select_group_or_count_incidents(path):
    names = _imports(path)
    bad = sorted(n for n in names for d in INCIDENT_DECISIONS
                 if n in (f"noc_app.selectors.{d}", f"noc_app.selectors_incidents.{d}"))
    assert not bad, f"{path.relative_to(ROOT)} is a widget but imports incident decisions {bad}"


def test_the_store_view_and_selectors_load_no_qt():
    """store_view names Qt's SignalInstance for type checkers only; importing it (or the selectors) loads no Qt."""
    code = (
        "import sys\n"
        "import noc_app.store_view, noc_app.selectors_wall, noc_app.selectors_incidents, noc_app.wall_state\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_selectors_keep_no_module_level_memo():
    """The incidents memo is an object its owner (the wall window) creates and passes in."""
    for rel in ("noc_app/selectors.py", "noc_app/selectors_incidents.py", "noc_app/selectors_wall.py"):
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        for node in tree.body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            assert not isinstance(value, (ast.Dict, ast.DictComp, ast.List, ast.Set)) or _is_constant_table(node), (
                f"{rel}:{node.lineno}: module-level mutable state"
            )


def _is_constant_table(node: ast.stmt) -> bool:
    """Read-only lookup tables written in capitals (MUTED_TAGS) are not a memo."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]  # type: ignore[attr-defined]
    return all(isinstance(t, ast.Name) and (t.id.isupper() or t.id == "__all__") and "MEMO" not in t.id
               for t in targets)


def test_actions_and_state_do_not_load_qt_even_indirectly():
    """Import every module of the Qt-free packages in a fresh interpreter; no Qt may appear in sys.modules."""
    modules = []
    for package in QT_FREE_PACKAGES:
        base = ROOT / package.replace(".", "/")
        if base.with_suffix(".py").exists():
            modules.append(package)
            continue
        for path in sorted(base.rglob("*.py")):
            if str(path.relative_to(ROOT)) in QT_FREE_EXCEPTIONS:
                continue
            rel = path.relative_to(ROOT).with_suffix("")
            modules.append(".".join(p for p in rel.parts if p != "__init__"))
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph', 'shiboken6', 'noc_app') and "
        "(m.split('.')[0] != 'noc_app' or m.startswith(('noc_app.widgets', 'noc_app.polling')))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert len(modules) >= 10, modules
    assert result.stdout.strip() == "[]", f"importing {QT_FREE_PACKAGES} loaded {result.stdout.strip()}"


def test_the_action_service_is_the_only_qt_module_of_the_actions_package():
    assert (ROOT / "noc_app/actions/service.py").exists()
    with_qt = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "noc_app/actions").rglob("*.py")
                     if any(_is_qt(n) for n in _imports(p)))
    assert with_qt == ["noc_app/actions/service.py"]
    assert _actions_import_forbidden_to_widgets("noc_app.actions.service")


def test_the_actions_rule_for_widgets_is_checked():
    assert not _actions_import_forbidden_to_widgets("noc_app.actions.model")
    assert not _actions_import_forbidden_to_widgets("noc_app.actions.policy.decide")
    assert _actions_import_forbidden_to_widgets("noc_app.actions.execute")
    assert _actions_import_forbidden_to_widgets("noc_app.actions.backends.alertmanager")
    assert not _actions_import_forbidden_to_widgets("noc_app.actions")
    assert _actions_import_forbidden_to_widgets("noc_app.state.sqlite")
    assert not _actions_import_forbidden_to_widgets("noc_app.model")


def test_only_the_composition_root_imports_widgets():
    offenders = []
    for path in (ROOT / "noc_app").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ("noc_app/app.py", "noc_app/app_services.py") or rel.startswith("noc_app/bench/"):
            continue
        if any(n.startswith("noc_app.widgets") for n in _imports(path)):
            offenders.append(rel)
    assert not offenders, f"only the composition root (app.py, app_services.py) and the benchmark import widgets: {offenders}"


def test_layering_test_sees_the_tree():
    # Guard against this test silently checking nothing after a move.
    assert len(_files(CORE_QT_FREE, CORE_QT_FREE_DIRS)) >= 10
    assert (ROOT / "noc_app" / "polling.py").exists()


def test_a_qt_import_is_detected(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\nimport httpx\n")
    names = _imports(sample)
    assert any(_is_qt(n) for n in names) and "httpx" in names
