"""Qt's own messages go to logging (logger "qt"), minus known-harmless platform noise.

Qt prints warnings straight to stderr.  Some of them are not about anything the
user can act on: the offscreen platform (screenshots, benchmarks, tests) says
"This plugin does not support propagateSizeHints()" for every window it shows.
Those are dropped; every other message is logged at its Qt severity, so it still
shows at the default WARNING level.
"""

from __future__ import annotations

import logging

log = logging.getLogger("qt")

# Exact message prefixes that carry no information for a user (offscreen/minimal platforms).
HARMLESS_PREFIXES = ("This plugin does not support propagateSizeHints()",)


def is_harmless(message: str) -> bool:
    return message.startswith(HARMLESS_PREFIXES)


def _level(msg_type: object) -> int:
    from PySide6.QtCore import QtMsgType

    levels: dict[object, int] = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }
    return levels.get(msg_type, logging.WARNING)


def handle_qt_message(msg_type: object, _context: object, message: str) -> None:
    if not is_harmless(message):
        log.log(_level(msg_type), "%s", message)


def install_qt_message_handler() -> None:
    """Route Qt messages through handle_qt_message (idempotent; before or after QApplication)."""
    from PySide6.QtCore import qInstallMessageHandler

    qInstallMessageHandler(handle_qt_message)
