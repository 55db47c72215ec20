"""Writing a report: one HTML body -> a PDF (QTextDocument + QPdfWriter), an HTML page with PNGs, CSVs.

    doc = Document(title)
    doc.heading("Availability"); doc.para("..."); doc.table(header, rows); doc.image("uptime", qimage)
    doc.csv("daily", dataframe)
    paths = doc.write(out_dir, "sla-2026-04")

Every text put in goes through html.escape: config names, alert names, operator notes are
plain text in the document, never markup.  QtGui only (offscreen): a QGuiApplication must exist.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QGuiApplication, QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

PAGE_WIDTH_PX = 660  # images scaled to the body width: A4 less 15 mm margins at 96 dpi is 680 px
_STYLE = """
body { font-family: 'DejaVu Sans'; font-size: 10pt; color: #1f2328; }
h1 { font-size: 17pt; margin-bottom: 2px; }
h2 { font-size: 13pt; margin-top: 16px; margin-bottom: 4px; }
h3 { font-size: 11pt; margin-top: 10px; margin-bottom: 2px; }
p.meta { color: #57606a; font-size: 9pt; }
th { background-color: #eaeef2; text-align: left; }
.miss { color: #cf222e; font-weight: bold; }
.ok { color: #1a7f37; font-weight: bold; }
pre { font-family: 'DejaVu Sans Mono'; font-size: 8pt; }
"""


def ensure_gui_app() -> QGuiApplication:
    """The application text layout needs; offscreen unless a platform is chosen already.

    A QApplication (not a bare QGuiApplication): it is the process's only one, and a report made
    inside a process that later opens a window (the wall's menu, a test run) must not block widgets.
    """
    app = QGuiApplication.instance()
    if app is None:
        from PySide6.QtWidgets import QApplication

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(["noc-app-report"])
    assert isinstance(app, QGuiApplication)
    return app


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


class Document:
    def __init__(self, title: str) -> None:
        self.title = title
        self._parts: list[str] = [f"<h1>{esc(title)}</h1>"]
        self._images: dict[str, QImage] = {}
        self._csvs: dict[str, pd.DataFrame] = {}

    def heading(self, text: str, level: int = 2) -> None:
        self._parts.append(f"<h{level}>{esc(text)}</h{level}>")

    def para(self, text: str, css: str = "") -> None:
        cls = f' class="{esc(css)}"' if css else ""
        self._parts.append(f"<p{cls}>{esc(text)}</p>")

    def verdict(self, label: str, ok: bool | None, text: str) -> None:
        css = "" if ok is None else ("ok" if ok else "miss")
        word = "no data" if ok is None else ("met" if ok else "missed")
        self._parts.append(f'<p>{esc(label)}: <span class="{css}">{esc(word)}</span> — {esc(text)}</p>')

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]], *, marks: Sequence[str] = ()) -> None:
        """A table; `marks` gives a css class per row ("miss" paints it red)."""
        out = ['<table border="1" cellspacing="0" cellpadding="3" width="100%">',
               "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>"]
        for index, row in enumerate(rows):
            css = marks[index] if index < len(marks) else ""
            cls = f' class="{esc(css)}"' if css else ""
            out.append("<tr>" + "".join(f"<td{cls}>{esc(cell)}</td>" for cell in row) + "</tr>")
        out.append("</table>")
        self._parts.append("".join(out))

    def lines(self, texts: Sequence[str]) -> None:
        """Preformatted lines (log lines): escaped, monospace."""
        self._parts.append("<pre>" + "\n".join(esc(t) for t in texts) + "</pre>")

    def image(self, name: str, image: QImage) -> None:
        self._images[name] = image
        self._parts.append(f'<p><img src="{esc(name)}.png" width="{PAGE_WIDTH_PX}"></p>')

    def csv(self, name: str, frame: pd.DataFrame) -> None:
        self._csvs[name] = frame

    def html(self) -> str:
        return (f"<html><head><meta charset=\"utf-8\"><title>{esc(self.title)}</title><style>{_STYLE}</style>"
                f"</head><body>{''.join(self._parts)}</body></html>")

    def write(self, out_dir: Path, stem: str) -> list[Path]:
        """stem.pdf, stem.html (+ stem-NAME.png beside it), stem-NAME.csv; returns the paths written."""
        ensure_gui_app()
        out_dir.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        page_html = self.html()
        for name, image in self._images.items():
            png = out_dir / f"{stem}-{name}.png"
            image.save(str(png))  # the format from the .png suffix
            written.append(png)
            page_html = page_html.replace(f'src="{esc(name)}.png"', f'src="{esc(png.name)}"')
        html_path = out_dir / f"{stem}.html"
        html_path.write_text(page_html, encoding="utf-8")
        written.append(html_path)
        for name, frame in self._csvs.items():
            csv_path = out_dir / f"{stem}-{name}.csv"
            frame.to_csv(csv_path)
            written.append(csv_path)
        pdf_path = out_dir / f"{stem}.pdf"
        self._write_pdf(pdf_path)
        written.insert(0, pdf_path)
        return written

    def _write_pdf(self, path: Path) -> None:
        writer = QPdfWriter(str(path))
        writer.setTitle(self.title)
        writer.setCreator("noc-app")
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                         QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
        writer.setResolution(96)
        doc = QTextDocument()
        doc.setDefaultStyleSheet(_STYLE)
        for name, image in self._images.items():
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"{name}.png"), image)
        doc.setHtml(self.html())
        rect = writer.pageLayout().paintRectPixels(writer.resolution())
        doc.setPageSize(QSizeF(rect.width(), rect.height()))
        doc.print_(writer)
