"""The built wheel, installed (not editable) into a fresh venv, run as a user runs it.

Two places matter: some other directory (the installed package alone), and the
checkout root, where `python -m noc_app` imports the checkout's noc_app/ instead of
the installed one and must still find widgets/, themes/ and config/ next to it.
The fresh venv sees this interpreter's dependencies through a .pth line, which does
not run this venv's own .pth files, so an editable install of the checkout (whose
finder would hide a broken mapping) is not visible there.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from wall_pixels import rgb_array, screenshot_problems

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")
ENV.pop("PYTHONPATH", None)


def _run(cmd: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=cwd, env=ENV, timeout=timeout)


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory) -> Path:
    """A fresh venv holding the wheel built from this checkout; dependencies from this interpreter."""
    tmp = tmp_path_factory.mktemp("wheel")
    build = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"),
                  str(ROOT)], cwd=tmp)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((tmp / "dist").glob("noc_app-*.whl"))
    venv = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    assert made.returncode == 0, made.stderr
    purelib = _run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                   cwd=tmp).stdout.strip()
    Path(purelib, "deps-from-test-interpreter.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install = _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
                    "--no-index", str(wheel)], cwd=tmp)
    assert install.returncode == 0, install.stderr[-2000:]
    return venv


def _where_from(venv: Path, cwd: Path) -> str:
    probe = _run([str(venv / "bin" / "python"), "-c",
                  "import noc_app.widgets.wall_window, noc_app.themes, noc_app.configs as c; print(c.__file__)"], cwd=cwd)
    assert probe.returncode == 0, probe.stderr
    return probe.stdout.strip()


@pytest.mark.slow
def test_elsewhere_the_wheel_runs_its_own_files(wheel_venv, tmp_path):
    assert _where_from(wheel_venv, tmp_path).startswith(str(wheel_venv)), "imported from the checkout, not the wheel"
    helped = _run([str(wheel_venv / "bin" / "python"), "-m", "noc_app", "--help"], cwd=tmp_path, timeout=60)
    assert helped.returncode == 0 and "usage: noc-app" in helped.stdout, helped.stderr
    out = tmp_path / "w.png"
    shot = _run([str(wheel_venv / "bin" / "noc-app"), "screenshot", "--size", "1600x900", "--after", "4",
                 "--out", str(out)], cwd=tmp_path, timeout=120)
    assert shot.returncode == 0, shot.stderr
    from noc_app.themes import load_theme

    # the installed wheel drew a live wall: the same check test_cli's negative control proves
    assert screenshot_problems(rgb_array(QImage(str(out))), load_theme("dark")) == []


@pytest.mark.slow
def test_in_the_checkout_root_python_m_runs_the_checkout(wheel_venv):
    # The checkout shadows the install here; its sibling directories must be found.
    assert _where_from(wheel_venv, ROOT) == str(ROOT / "config" / "__init__.py")
    helped = _run([str(wheel_venv / "bin" / "python"), "-m", "noc_app", "--help"], cwd=ROOT, timeout=60)
    assert helped.returncode == 0, helped.stderr
    assert "usage: noc-app" in helped.stdout


@pytest.mark.slow
@pytest.mark.parametrize("place", ["checkout-root", "elsewhere"])
@pytest.mark.parametrize("launcher", ["console-script", "python-m"])
def test_bench_smoke_runs(wheel_venv, launcher, place, tmp_path):
    cmd = [str(wheel_venv / "bin" / "noc-app")] if launcher == "console-script" else [
        str(wheel_venv / "bin" / "python"), "-m", "noc_app"]
    bench = _run([*cmd, "bench", "--smoke", "--scenario", "wall-24-fhd", "--json"],
                 cwd=ROOT if place == "checkout-root" else tmp_path)
    assert bench.returncode == 0, bench.stderr[-3000:]
    assert '"scenario": "wall-24-fhd"' in bench.stdout, bench.stdout


def test_every_package_of_the_source_tree_is_in_the_wheel_list():
    """setuptools packs only the listed packages: a new sub-package left out imports in the
    checkout and fails in every installed copy (ModuleNotFoundError at start)."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "noc_app").rglob("__init__.py")}
    assert found - listed == set()
