"""Import contracts (napari style): the core stays Qt-free, widgets never reach the network."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE_QT_FREE = ["noc_app/model.py", "noc_app/units.py", "noc_app/plans.py", "noc_app/panel_keys.py",
                "noc_app/selectors.py", "noc_app/wall_state.py", "noc_app/display_text.py"]
CORE_QT_FREE_DIRS = ["noc_app/config", "noc_app/sources", "noc_app/analytics"]
QTCORE_ONLY = ["noc_app/polling.py", "noc_app/store.py", "noc_app/runtime.py"]
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
        out.extend(sorted((ROOT / d).rglob("*.py")))
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


def test_only_the_composition_root_imports_widgets():
    offenders = []
    for path in (ROOT / "noc_app").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ("noc_app/app.py",) or rel.startswith("noc_app/bench/"):
            continue
        if any(n.startswith("noc_app.widgets") for n in _imports(path)):
            offenders.append(rel)
    assert not offenders, f"only noc_app/app.py (and the benchmark) may import widgets: {offenders}"


def test_layering_test_sees_the_tree():
    # Guard against this test silently checking nothing after a move.
    assert len(_files(CORE_QT_FREE, CORE_QT_FREE_DIRS)) >= 10
    assert (ROOT / "noc_app" / "polling.py").exists()


def test_a_qt_import_is_detected(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\nimport httpx\n")
    names = _imports(sample)
    assert any(_is_qt(n) for n in names) and "httpx" in names
