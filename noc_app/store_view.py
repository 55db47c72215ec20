"""The read-only face of the store: what widgets and selectors may use.

Widgets take a `StoreView`, never the `Store`: they read snapshots and statuses
and follow the change signals, but cannot apply a poll, mark a failure or
register a source.  `SourceReader` is the Qt-free part (what the selectors need).
The `Store` satisfies both structurally; nothing here imports Qt at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from noc_app.model import Snapshot, SourceStatus

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance


class SourceReader(Protocol):
    """Read access to the last good snapshot and the status of each source."""

    def source_ids(self) -> tuple[str, ...]: ...

    def snapshot(self, source_id: str, /) -> Snapshot | None: ...

    def status(self, source_id: str, /) -> SourceStatus: ...


class StoreView(SourceReader, Protocol):
    """A `SourceReader` that also says when a source changed (the store's signals, connect only)."""

    @property
    def changed(self) -> SignalInstance: ...  # source_id: new data

    @property
    def status_changed(self) -> SignalInstance: ...  # source_id: health, latency or error changed
