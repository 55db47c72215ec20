"""Reading a rendered PDF back: its text (pdftotext) and its pages as images (pdftoppm), for checks."""

from __future__ import annotations

import re
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


MM = 72 / 25.4  # PDF points per millimetre
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def words_off_the_body(pdf: Path, margin_mm: float = 15.0) -> list[str]:
    """Words whose box leaves the page's body (A4 less the margins): text cut off at the clip, or off the page."""
    need("pdftotext")
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, flags=re.S)
    assert pages, "no pages in the PDF"
    off = []
    for width, height, body in pages:
        left, right = margin_mm * MM - 1, float(width) - margin_mm * MM + 1
        top, bottom = margin_mm * MM - 1, float(height) - margin_mm * MM + 1
        for x0, y0, x1, y1, word in _WORD.findall(body):
            if float(x0) < left or float(x1) > right or float(y0) < top or float(y1) > bottom:
                off.append(word)
    return off
