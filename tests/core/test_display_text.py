"""display_text: invisible characters made visible, tooltips Qt shows literally (pure)."""

from __future__ import annotations

import html
import re

import pytest

from noc_app.display_text import (
    NEWLINE_MARK,
    escape_char,
    tooltip_html,
    unit_text,
    visible,
    visible_lines,
    window_title,
)

RLO = "\u202e"


@pytest.mark.parametrize("text", ["", "plain ascii", "GET /api/v1/query?x=1 <b>&amp;</b>", "~!@#$%^&*()_+{}|:\"<>?"])
def test_printable_ascii_is_returned_as_is(text):
    assert visible(text) is text
    assert visible_lines(text) is text


@pytest.mark.parametrize(
    ("char", "escape"),
    [
        ("\u202e", "⟨U+202E⟩"),  # right-to-left override
        ("\u202a", "⟨U+202A⟩"),
        ("\u202d", "⟨U+202D⟩"),
        ("\u2066", "⟨U+2066⟩"),  # isolates
        ("\u2069", "⟨U+2069⟩"),
        ("\u200e", "⟨U+200E⟩"),  # LRM / RLM
        ("\u200f", "⟨U+200F⟩"),
        ("\u061c", "⟨U+061C⟩"),  # Arabic letter mark
        ("\u200b", "⟨U+200B⟩"),  # zero-width space, joiners
        ("\u200d", "⟨U+200D⟩"),
        ("\ufeff", "⟨U+FEFF⟩"),
        ("\x00", "⟨U+0000⟩"),  # C0
        ("\x1b", "⟨U+001B⟩"),  # ESC: terminal colour codes
        ("\x7f", "⟨U+007F⟩"),  # DEL
        ("\x9b", "⟨U+009B⟩"),  # C1 CSI
        ("\U000e0041", "⟨U+E0041⟩"),  # tag 'A': invisible ASCII smuggling
    ],
)
def test_hidden_characters_become_visible_escapes(char, escape):
    assert escape_char(char) == escape
    assert visible(f"a{char}b") == f"a{escape}b"
    assert visible_lines(f"a{char}b") == f"a{escape}b"


def test_an_rtl_override_cannot_reverse_a_filename():
    shown = visible(f"attachment {RLO}txt.exe")
    assert RLO not in shown
    assert shown == "attachment ⟨U+202E⟩txt.exe"


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"])
def test_line_breaks_are_one_mark_in_one_line_and_a_newline_in_many(brk):
    assert visible(f"one{brk}two") == f"one{NEWLINE_MARK}two"
    assert visible_lines(f"one{brk}two") == "one\ntwo"


def test_tabs_are_spaces():
    assert visible("a\tb") == "a b"
    assert visible_lines("a\tb\nc") == "a b\nc"


@pytest.mark.parametrize("text", ["Grüße — 東京 ×3 ⏎", "naïve café", "Ünïcödé ✓"])
def test_ordinary_unicode_is_left_alone(text):
    assert visible(text) == text


def test_every_c0_c1_control_and_bidi_character_is_escaped():
    controls = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))]
    bidi = [chr(c) for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))]
    for char in controls + bidi:
        shown = visible(f"x{char}y")
        assert char not in shown, repr(char)
        assert shown.startswith("x") and shown.endswith("y")


def test_tooltip_is_escaped_rich_text():
    tip = tooltip_html('<h1>BIG</h1> & <img src="file:///etc/passwd">\nline two ' + RLO)
    assert tip.startswith("<qt>") and tip.endswith("</qt>")
    inner = tip[len("<qt>") : -len("</qt>")]
    assert inner.split("<br>") == [
        "&lt;h1&gt;BIG&lt;/h1&gt; &amp; &lt;img src=\"file:///etc/passwd\"&gt;",
        "line two ⟨U+202E⟩",
    ]
    shown = html.unescape(inner.replace("<br>", "\n"))
    assert shown == '<h1>BIG</h1> & <img src="file:///etc/passwd">\nline two ⟨U+202E⟩'
    assert not re.search(r"<(?!br>)", inner)


def test_empty_tooltip_is_no_tooltip_and_long_ones_are_capped():
    assert tooltip_html("") == ""
    long = tooltip_html("x" * 100_000, max_chars=100)
    assert len(long) < 200 and long.endswith("…</qt>")


def test_window_title_keeps_qt_modified_marker_literal():
    assert window_title("ops [*] wall") == "ops [*][*] wall"
    assert window_title(f"a{RLO}b") == "a⟨U+202E⟩b"


def test_units_are_visible_and_short():
    assert unit_text("req/s") == "req/s"
    assert unit_text("%") == "%"
    assert unit_text(f"ms{RLO}") == "ms⟨U+202E⟩"
    long = unit_text("<font size=100>huge</font>")
    assert long == "<font size=…" and len(long) == 12
