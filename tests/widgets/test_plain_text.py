"""plain_text: labels that never interpret markup, elided titles that keep their style's padding."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel

from noc_app.widgets.plain_text import ElidedLabel, plain_label, set_tooltip

STYLE = "QLabel { padding: 0 0.5em; font-weight: bold; font-size: 20px; }"


def test_plain_label_shows_markup_as_typed_and_controls_visibly(qtbot):
    label = plain_label('<img src="file:///etc/passwd"> \u202eevil')
    qtbot.addWidget(label)
    assert label.textFormat() is Qt.TextFormat.PlainText
    assert label.text() == '<img src="file:///etc/passwd"> ⟨U+202E⟩evil'
    assert not label.openExternalLinks()


def test_set_tooltip_escapes_and_empty_means_none(qtbot):
    label = plain_label("x")
    qtbot.addWidget(label)
    set_tooltip(label, "<b>bold</b>")
    assert label.toolTip() == "<qt>&lt;b&gt;bold&lt;/b&gt;</qt>"
    set_tooltip(label, "")
    assert label.toolTip() == ""


def _pair(qtbot, text):
    plain, elided = QLabel(text), ElidedLabel(text)
    for label in (plain, elided):
        qtbot.addWidget(label)
        label.setStyleSheet(STYLE)
        label.ensurePolished()
    return plain, elided


def test_elided_label_asks_for_what_a_qlabel_asks_for(qtbot):
    plain, elided = _pair(qtbot, "DEMO DATA: demo, host")
    assert elided.sizeHint() == plain.sizeHint()  # style sheet padding included


def test_elided_label_shows_everything_when_given_its_size_hint(qtbot):
    _, elided = _pair(qtbot, "DEMO DATA: demo, host")
    elided.resize(elided.sizeHint())
    elided.show()
    assert elided.text() == elided.full_text == "DEMO DATA: demo, host"


@pytest.mark.parametrize("text", ["E-commerce API Monitoring (demo)", "Payments · EU-West", "DEMO DATA: demo"])
def test_elided_label_at_its_size_hint_is_never_cut_at_any_text_size(qtbot, text):
    label = ElidedLabel(text)
    qtbot.addWidget(label)
    label.show()
    cut = []
    for px in range(10, 48):
        font = QFont(label.font())
        font.setPixelSize(px)
        font.setBold(px % 2 == 0)
        label.setFont(font)
        label.resize(label.sizeHint())
        if label.text() != text:
            cut.append((px, label.text()))
    assert cut == []


def test_elided_label_elides_inside_its_padding_when_short_of_room(qtbot):
    plain, elided = _pair(qtbot, "DEMO DATA: demo, host")
    elided.resize(elided.sizeHint().width() // 2, elided.sizeHint().height())
    elided.show()
    assert elided.text().endswith("…") and elided.full_text == "DEMO DATA: demo, host"
    padding = plain.sizeHint().width() - plain.fontMetrics().horizontalAdvance(plain.text())
    assert elided.fontMetrics().horizontalAdvance(elided.text()) <= elided.width() - padding
    assert elided.minimumSizeHint().width() < elided.sizeHint().width() // 2
