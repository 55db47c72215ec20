"""Text from a config or a backend, made safe to show: invisible characters made visible (pure).

A log line, an alert summary or a panel title may carry characters that change
what the reader sees without being seen themselves: C0/C1 controls, DEL, the
Unicode bidi overrides, embeddings and isolates (an RTL override makes
"exe.txt" read as "txt.exe"), zero-width characters and other invisible
format characters.  `visible` replaces each with a visible escape such as
"⟨U+202E⟩"; line breaks become " ⏎ " and tabs a space, so one record stays on
one line.  `visible_lines` keeps line breaks, for multi-line contexts;
`unit_text` also cuts a configured unit short, since it follows every number.
`tooltip_html` turns text into a tooltip that Qt renders literally: tooltips
have no plain-text flag and Qt guesses (Qt::mightBeRichText), so the text is
HTML-escaped and always wrapped as rich text.

Hot path: the log panel and the incident board pass thousands of strings;
printable ASCII returns at once, anything else costs one precompiled regex.
"""

from __future__ import annotations

import html
import re

NEWLINE_MARK = " ⏎ "
TOOLTIP_MAX_CHARS = 4000  # a tooltip is a hint, not a place for a megabyte error body

# Line breaks of every kind (CRLF counts once), including the Unicode line and paragraph separators.
_LINE_BREAK = r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]"
_HIDDEN = (
    "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"  # C0 and C1 controls, DEL (tab and breaks handled apart)
    "\u00ad"  # soft hyphen
    "\u061c"  # Arabic letter mark
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers: blank-looking letters
    "\u180e"  # Mongolian vowel separator
    "\u200b-\u200f"  # zero-width space/non-joiner/joiner, LRM, RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u2069"  # bidi isolates
    "\u206a-\u206f"  # deprecated format characters
    "\ufeff"  # zero-width no-break space (BOM)
    "\ufff9-\ufffb"  # interlinear annotation
    "\U0001d173-\U0001d17a"  # musical format characters
    "\U000e0000-\U000e007f"  # tag characters (invisible ASCII look-alikes)
)
_SINGLE_LINE = re.compile(f"({_LINE_BREAK})|(\t)|([{_HIDDEN}])")
_MULTI_LINE = re.compile(f"(\t)|([{_HIDDEN}])")
_BREAKS = re.compile(_LINE_BREAK)


def escape_char(char: str) -> str:
    """The visible stand-in for one invisible character: '⟨U+202E⟩'."""
    return f"⟨U+{ord(char):04X}⟩"


def _single(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return NEWLINE_MARK
    if match.group(2) is not None:
        return " "
    return escape_char(match.group(3))


def _multi(match: re.Match[str]) -> str:
    return " " if match.group(1) is not None else escape_char(match.group(2))


def visible(text: str) -> str:
    """One line of text with every control, bidi and invisible character shown as an escape."""
    if text.isascii() and text.isprintable():  # the common case: nothing to do
        return text
    return _SINGLE_LINE.sub(_single, text)


def visible_lines(text: str) -> str:
    """Like `visible`, but line breaks stay line breaks ("\\n") for multi-line contexts."""
    if text.isascii() and text.isprintable():
        return text
    return "\n".join(_MULTI_LINE.sub(_multi, line) for line in _BREAKS.split(text))


UNIT_MAX_CHARS = 12  # a unit follows every number, tick label and legend value


def unit_text(unit: str) -> str:
    """A configured unit as shown after a number: visible, and cut short ("…") past 12 characters."""
    shown = visible(unit)
    return shown if len(shown) <= UNIT_MAX_CHARS else shown[: UNIT_MAX_CHARS - 1] + "…"


def tooltip_html(text: str, max_chars: int = TOOLTIP_MAX_CHARS) -> str:
    """A tooltip Qt shows literally: visible, HTML-escaped, lines joined by <br>, wrapped in <qt>.

    Empty text gives "" (no tooltip at all).
    """
    if not text:
        return ""
    if len(text) > max_chars:
        text = text[:max_chars] + "…"
    lines = visible_lines(text).split("\n")
    return "<qt>" + "<br>".join(html.escape(line, quote=False) for line in lines) + "</qt>"


def window_title(text: str) -> str:
    """A window title shown as given: visible, and '[*]' (Qt's modified marker) kept literal."""
    return visible(text).replace("[*]", "[*][*]")
