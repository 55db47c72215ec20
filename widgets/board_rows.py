"""The words of the incident board's rows: decided in noc_app.selectors_incidents.

Kept so widgets that name a row by its identity (`row_key`) import it from the
widget side; nothing here decides anything.
"""

from __future__ import annotations

from noc_app.selectors_board_rows import BoardRow, board_row, firing_for, row_key

__all__ = ["BoardRow", "board_row", "firing_for", "row_key"]
