"""LogBody: appends only new lines, keeps at most `limit`, spells and colours levels."""

from __future__ import annotations

import re

import pytest

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QFontMetricsF, QTextCursor

from noc_app.config.panel_display import PanelDisplay
from noc_app.model import DataState, LogLevel, LogLine
from noc_app.themes import load_theme
from noc_app.widgets.log_panel import MAX_LINE_CHARS, LogBody, lines_after

from wall_testkit import T0, data, log_lines, panel

THEME = load_theme("dark")


def _body(qtbot, limit=200):
    body = LogBody(panel("logs", "logs", limit=limit), THEME)
    qtbot.addWidget(body)
    body.set_text_px(20)
    body.resize(800, 400)
    return body


def _fragments(body):
    """(text, colour) of every text fragment, oldest line first."""
    out = []
    block = body.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            out.append((frag.text(), frag.charFormat().foreground().color().name()))
            it += 1
        block = block.next()
    return out


def test_appends_only_new_lines_across_refreshes(qtbot):
    body = _body(qtbot)
    body.refresh(data(logs=log_lines(0, 10)))
    assert body.document().blockCount() == 10
    body.refresh(data(logs=log_lines(5, 15)))  # overlapping window: 5 new lines
    assert body.document().blockCount() == 15
    assert body.appended_count == 15
    body.refresh(data(logs=log_lines(5, 15)))  # nothing new
    assert body.appended_count == 15
    texts = body.line_texts()
    assert texts[0].endswith("request 0 served")
    assert texts[-1].endswith("request 14 served")
    assert re.match(r"^\d\d:\d\d:\d\d  INFO   api  request 0 served$", texts[0]), texts[0]


def test_respects_the_limit(qtbot):
    body = _body(qtbot, limit=20)
    for start in range(0, 50, 10):
        body.refresh(data(logs=log_lines(max(0, start - 5), start + 10)))
    assert body.document().blockCount() == 20
    assert body.appended_count == 50
    assert body.line_texts()[-1].endswith("request 49 served")
    assert body.line_texts()[0].endswith("request 30 served")


def test_cursor_gap_falls_back_to_newer_lines():
    shown = log_lines(0, 5)
    fresh = log_lines(100, 103)  # the last shown cursor scrolled out of the backend's window
    assert lines_after(fresh, shown[-1].cursor, shown[-1].ts, {ln.cursor for ln in shown}) == list(fresh)
    older = log_lines(0, 3)
    assert lines_after(older, "gone", T0 + 10, set()) == []
    assert lines_after(log_lines(0, 6), "c3", T0 + 3, set()) == log_lines(4, 6)


def test_levels_are_words_in_theme_colours(qtbot):
    body = _body(qtbot)
    lines = (
        LogLine(ts=T0, level=LogLevel.ERROR, text="payment gateway timeout", cursor="a"),
        LogLine(ts=T0 + 1, level=LogLevel.WARNING, text="slow query", cursor="b"),
        LogLine(ts=T0 + 2, level=LogLevel.CRITICAL, text="disk full", cursor="c"),
        LogLine(ts=T0 + 3, level=LogLevel.INFO, text="ok", cursor="d"),
    )
    body.refresh(data(logs=lines))
    colours = {text.split()[0]: colour for text, colour in _fragments(body)}
    assert colours["ERROR"] == QColor(THEME.color("critical")).name()
    assert colours["CRIT"] == QColor(THEME.color("critical")).name()
    assert colours["WARN"] == QColor(THEME.color("warning")).name()
    assert colours["INFO"] == QColor(THEME.color("text")).name()
    assert colours["payment"] == QColor(THEME.color("text")).name()  # the message stays readable
    body.refresh(data(DataState.STALE, logs=lines))  # stale: nothing in live colours
    assert {c for _, c in _fragments(body)} == {QColor(THEME.color("stale")).name()}
    assert body.document().blockCount() == 4


def test_wall_log_has_no_scrollbars_and_is_read_only(qtbot):
    body = _body(qtbot)
    assert body.isReadOnly()
    assert body.verticalScrollBarPolicy().name == "ScrollBarAlwaysOff"
    assert body.horizontalScrollBarPolicy().name == "ScrollBarAlwaysOff"


def _wide_body(qtbot, wrap: bool):
    body = LogBody(panel("logs", "logs", display=PanelDisplay(wrap=wrap)), THEME)
    qtbot.addWidget(body)
    body.set_text_px(20)
    body.resize(600, 400)
    body.show()
    long = LogLine(ts=T0 + 99, level=LogLevel.ERROR, text="timeout " * 63 + "END", cursor="long", service="api")
    assert len(long.text) >= 500
    body.refresh(data(logs=(*log_lines(0, 3), long, *log_lines(3, 5))))
    return body


def _stamp_boxes(body):
    """The bounding box of every line's HH:MM:SS in viewport coordinates."""
    boxes = []
    block = body.document().begin()
    while block.isValid():
        cursor = QTextCursor(block)
        start = body.cursorRect(cursor)
        cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.MoveAnchor, 8)
        end = body.cursorRect(cursor)
        boxes.append((block.text()[:8], QRect(start.topLeft(), end.bottomLeft())))
        block = block.next()
    return boxes


def _at(block, offset):
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + offset)
    return cursor


@pytest.mark.parametrize("wrap", [True, False])
def test_a_500_character_line_never_scrolls_sideways_and_every_time_shows(qtbot, wrap):
    body = _wide_body(qtbot, wrap)
    assert body.horizontalScrollBar().maximum() == 0  # nothing to scroll to
    assert body.horizontalScrollBar().value() == 0
    viewport = body.viewport().rect()
    boxes = _stamp_boxes(body)
    assert len(boxes) == 6
    for text, box in boxes:
        assert re.fullmatch(r"\d\d:\d\d:\d\d", text)
        assert box.left() >= 0 and box.width() > 0
        assert viewport.contains(box), (text, box, viewport)


def test_wrap_true_wraps_the_long_line_under_its_message(qtbot):
    body = _wide_body(qtbot, wrap=True)
    block = body.document().findBlockByNumber(3)
    assert block.text().endswith("END")  # all of it is there
    assert block.layout().lineCount() > 3
    stamp_right = body.cursorRect(_at(block, 8)).left()
    for row in range(1, block.layout().lineCount()):  # continuation rows start right of the time column
        start = block.layout().lineAt(row).textStart()
        first_char = len(block.text()[start:]) - len(block.text()[start:].lstrip(" \u2028"))
        assert body.cursorRect(_at(block, start + first_char)).left() > stamp_right
    assert body.line_texts()[3].endswith("timeout timeout END")


def test_wrap_false_ends_the_long_line_in_an_ellipsis_that_fits(qtbot):
    body = _wide_body(qtbot, wrap=False)
    block = body.document().findBlockByNumber(3)
    cut = block.text()
    assert cut.endswith("…")
    assert "END" not in cut
    assert block.layout().lineCount() == 1
    width = QFontMetricsF(body.font()).horizontalAdvance(cut)
    assert width <= body.viewport().width()
    body.resize(1200, 400)  # wider: cut again, longer
    longer = body.document().findBlockByNumber(3).text()
    assert longer.endswith("…") and len(longer) > len(cut) + 20


def test_one_record_is_bounded(qtbot):
    body = _body(qtbot)
    body.refresh(data(logs=(LogLine(ts=T0, level=LogLevel.INFO, text="y" * 100_000, cursor="big"),)))
    assert body.line_texts()[0].count("y") == MAX_LINE_CHARS - 1  # and an ellipsis


def test_log_lines_show_markup_as_text_and_controls_visibly(qtbot):
    body = _body(qtbot)
    hostile = LogLine(ts=T0, level=LogLevel.INFO, text="<b>bold</b>\u202eexe.txt\nnext\x1b[0m", cursor="h", service="<i>svc</i>")
    body.refresh(data(logs=(hostile,)))
    assert body.line_texts()[0].endswith("<i>svc</i>  <b>bold</b>⟨U+202E⟩exe.txt ⏎ next⟨U+001B⟩[0m")
