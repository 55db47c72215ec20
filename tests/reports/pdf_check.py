"""Reading a rendered PDF back: its text (pdftotext) and its pages as images (pdftoppm), for checks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QImage


def need(tool: str) -> None:
    import os
    import shutil

    if shutil.which(tool) is None:
        if os.environ.get("NOC_REQUIRE_BACKENDS") == "1":
            pytest.fail(f"{tool} is missing (apt-get install poppler-utils)")
        pytest.skip(f"{tool} is missing (poppler-utils)")


def pdf_text(pdf: Path) -> str:
    need("pdftotext")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pages(pdf: Path, out: Path, dpi: int = 60) -> list[Path]:
    need("pdftoppm")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page-*.png"))


def ink_in_margin(page: Path, margin_frac: float = 0.05) -> list[str]:
    """Where a page has ink in its outer margin band (text or drawing that ran off the body)."""
    image = QImage(str(page))
    w, h = image.width(), image.height()
    mx, my = int(w * margin_frac), int(h * margin_frac)
    found = []
    for name, xs, ys in (("left", range(mx), range(h)), ("right", range(w - mx, w), range(h)),
                         ("top", range(w), range(my)), ("bottom", range(w), range(h - my, h))):
        if any(image.pixelColor(x, y).lightness() < 200 for y in ys[::2] for x in xs[::2]):
            found.append(name)
    return found
