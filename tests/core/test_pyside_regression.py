"""PySide6 6.12.0 aborted Python 3.11 ('none_dealloc') after a few thousand setRenderHint calls.

pyqtgraph and our charts call setRenderHint on every paint, so a wall would die in
minutes. Run the reproducer in a subprocess: a crash there fails this test instead
of killing the test session.
"""

from __future__ import annotations

import os
import subprocess
import sys

LOOP = """
from PySide6.QtGui import QGuiApplication, QImage, QPainter
app = QGuiApplication([])
img = QImage(16, 16, QImage.Format_ARGB32)
for _ in range(20000):
    p = QPainter(img)
    p.setRenderHint(QPainter.Antialiasing, False)
    p.end()
print("survived")
"""


def test_setrenderhint_loop_does_not_abort():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", LOOP], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    assert "survived" in proc.stdout


def test_installed_pyside6_is_below_6_12():
    import PySide6

    major, minor = (int(p) for p in PySide6.__version__.split(".")[:2])
    assert (major, minor) < (6, 12), f"PySide6 {PySide6.__version__}: 6.12.0 is known to abort; verify with the loop first"
