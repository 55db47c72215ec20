from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from noc_app.state.sqlite import SqliteJournal


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def journal(db_path: Path) -> Iterator[SqliteJournal]:
    j = SqliteJournal(db_path)
    yield j
    j.close()
