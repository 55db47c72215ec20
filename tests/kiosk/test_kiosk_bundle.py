"""The frozen bundle (packaging/build-bundle.sh) runs `screenshot` and `check-config` with no Python around it.

The session fixture builds the bundle into a temp dir (about a minute and a half on two cores with
the wheels cached); NOC_BUNDLE_DIR names a bundle built before (its OUT dir) to reuse instead.
The bundle then runs from a directory outside the checkout, with PYTHONHOME and PYTHONPATH unset
and a PATH that holds no python.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "packaging" / "build-bundle.sh"
DEMO_BADGE = "#a371f7"  # the demo wall's "DEMO DATA" banner (themes/dark.yaml demo_badge)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    prebuilt = os.environ.get("NOC_BUNDLE_DIR")
    out = Path(prebuilt) if prebuilt else tmp_path_factory.mktemp("bundle")
    executable = out / "noc-app" / "noc-app"
    if not prebuilt:
        done = subprocess.run(["bash", str(BUILD), str(out)], env={**os.environ, "PYTHON": sys.executable},
                              capture_output=True, text=True, timeout=1700)
        assert done.returncode == 0, f"build-bundle.sh failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert os.access(executable, os.X_OK), f"no bundle at {executable}"
    return executable


@pytest.fixture
def bare_env(tmp_path: Path) -> dict[str, str]:
    """No Python anywhere: PATH holds one empty directory; nothing points into a Python installation."""
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {"PATH": str(empty_bin), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    assert shutil.which("python3", path=env["PATH"]) is None and shutil.which("python", path=env["PATH"]) is None
    return env


def _run(bundle: Path, args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    assert not cwd.resolve().is_relative_to(REPO)
    return subprocess.run([str(bundle), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    raw = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return raw[:, : image.width(), 2::-1].astype(int)


def test_bundle_screenshot_is_the_demo_wall(bundle: Path, bare_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "wall.png"
    done = _run(bundle, ["screenshot", "--size", "1600x900", "--after", "3", "--out", str(out)], bare_env, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"wrote {out} (1600x900)" in done.stdout
    image = QImage(str(out))
    assert not image.isNull() and (image.width(), image.height()) == (1600, 900)
    pixels = _pixels(image)
    colours = np.unique(pixels.reshape(-1, 3)[::7], axis=0)
    assert len(colours) > 200  # text, charts and panels, not a blank or single-colour frame
    badge = np.array(QColor(DEMO_BADGE).getRgb()[:3])
    assert np.count_nonzero(np.all(np.abs(pixels - badge) <= 12, axis=-1)) > 500  # the DEMO DATA banner


def test_bundle_check_config_exit_codes(bundle: Path, bare_env: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text((REPO / "config" / "demo.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nsources: []\ndashboards:\n  - id: d\n    title: D\n    panelz: []\n",
                   encoding="utf-8")
    ok = _run(bundle, ["check-config", str(good)], bare_env, tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    failed = _run(bundle, ["check-config", str(bad)], bare_env, tmp_path)
    assert failed.returncode == 2 and "panelz" in failed.stdout + failed.stderr
