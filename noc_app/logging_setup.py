"""Logging for the command line: quiet by default, operator-level at INFO.

At INFO an operator wants to read what changed (a config loaded, a source going
STALE and coming back), not one line per HTTP request: httpx logs every request at
INFO (~15 lines every 5 s on the demo wall), so the HTTP libraries stay at WARNING
unless --log-level DEBUG asks for everything.
"""

from __future__ import annotations

import logging

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
# library logger -> its level unless --log-level DEBUG
CHATTY_LIBRARIES = {"httpx": logging.WARNING, "httpcore": logging.WARNING}


def configure_logging(level: str) -> None:
    """Root handler on stderr at `level`; chatty libraries held back below DEBUG."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    debugging = logging.getLevelName(level) == logging.DEBUG
    for name, quiet_level in CHATTY_LIBRARIES.items():
        logging.getLogger(name).setLevel(logging.NOTSET if debugging else quiet_level)
