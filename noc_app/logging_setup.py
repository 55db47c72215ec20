"""Logging for the command line: quiet by default, operator-level at INFO.

At INFO an operator wants to read what changed (a config loaded, a source going
STALE and coming back), not one line per HTTP request: httpx logs every request at
INFO (~15 lines every 5 s on the demo wall), so the HTTP libraries stay at WARNING
unless --log-level DEBUG asks for everything.

Log lines quote backend text (error bodies, alert names), so control and bidi
characters are shown escaped: an ANSI sequence or an RTL override from a backend
cannot rewrite the operator's terminal or make a line read as something else.
"""

from __future__ import annotations

import logging

from noc_app.display_text import visible_lines

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
# library logger -> its level unless --log-level DEBUG
CHATTY_LIBRARIES = {"httpx": logging.WARNING, "httpcore": logging.WARNING}


class VisibleTextFormatter(logging.Formatter):
    """The usual line, with control and bidi characters made visible (line breaks kept)."""

    def format(self, record: logging.LogRecord) -> str:
        return visible_lines(super().format(record))


def configure_logging(level: str) -> None:
    """Root handler on stderr at `level`; chatty libraries held back below DEBUG."""
    handler = logging.StreamHandler()  # stderr
    handler.setFormatter(VisibleTextFormatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    debugging = logging.getLevelName(level) == logging.DEBUG
    for name, quiet_level in CHATTY_LIBRARIES.items():
        logging.getLogger(name).setLevel(logging.NOTSET if debugging else quiet_level)
