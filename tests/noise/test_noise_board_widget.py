"""The incident board paints FLAPPING and MAINTENANCE rows calm, the folded count and the problem hints."""

from __future__ import annotations

import dataclasses

from noise_kit import T0, alert, board_panel, snapshot
from PySide6.QtGui import QColor

from noc_app.model import DataState, Severity
from noc_app.noise.config import FlapRule, MaintenanceWindow, NoiseConfig
from noc_app.noise.flapping import FLAPS_KEY, FlapReport
from noc_app.selectors import PanelData, PanelView
from noc_app.selectors_incidents import select_incident_board
from noc_app.selectors_noise import NoiseMemo
from noc_app.themes import load_theme
from noc_app.widgets.incident_board import IncidentBoardBody

THEME = load_theme("dark")
PANEL = board_panel("src")
NOISE = NoiseConfig(
    flapping=FlapRule(changes=3, window_s=600),
    maintenance=(MaintenanceWindow(name="db patching", match={"service": "search"}, start=T0 - 60, end=T0 + 3600),),
    topology={"checkout": ("payments",), "payments": ("db",)},
)


def _data(noise: NoiseConfig = NOISE) -> PanelData:
    alerts = [
        alert("HighLatency", Severity.HIGH, service="checkout", starts_at=T0 - 100),
        alert("HighErrorRate", service="payments", starts_at=T0 - 200),
        alert("DbConnectionsExhausted", service="db", starts_at=T0 - 300),
        alert("SearchDown", service="search", fp="search"),
        alert("LinkFlaps", Severity.WARNING, service="edge", fp="flap", starts_at=T0 - 9000),
        *(alert("Http5xx", fp=f"x{code}", service="shop", status=str(code), starts_at=T0 - 9000)
          for code in range(500, 508)),
    ]
    snap = dataclasses.replace(snapshot(*alerts), prepared={FLAPS_KEY: FlapReport(counts={"flap": 6})})
    board = select_incident_board(PANEL, {"src": snap}, DataState.OK, NoiseMemo(noise=noise, clock=lambda: T0))
    return PanelData(view=PanelView(state=DataState.OK), now=T0, alerts=board.alerts, board=board)


def _board(qtbot, data: PanelData) -> IncidentBoardBody:
    board = IncidentBoardBody(PANEL, THEME)
    qtbot.addWidget(board)
    board.set_text_px(22)
    board.resize(1600, 900)
    board.record_text = True
    board.refresh(data)
    with qtbot.waitExposed(board):
        board.show()
    board.repaint()
    return board


def test_the_board_paints_tags_folded_count_and_the_hint(qtbot, tmp_path):
    board = _board(qtbot, _data())
    painted = [text for text, *_ in board.painted_text]
    assert "13 alerts → 6 incidents" in painted
    assert "1 in maintenance" in painted and "1 flapping" in painted
    hint = "▸ 3 incidents · probable cause: db (started first, payments and checkout depend on it)"
    assert hint in painted
    tags = {row.name: row.state_tag for row in board.visible_rows}
    assert tags["SearchDown"] == "MAINTENANCE" and tags["LinkFlaps"] == "FLAPPING ×6 in 10m"
    assert any(t.startswith("MAINTENANCE") for t in painted) and any(t.startswith("FLAPPING ×6") for t in painted)
    names = [row.name for row in board.visible_rows]
    assert names[-2:] == ["LinkFlaps", "SearchDown"]  # below the active rows
    image = board.grab().toImage()
    image.save("/tmp/noise-board.png")
    # Calm: the maintenance row's marker is drawn in the dimmed text colour, never the critical red.
    y = board._metrics()[2] + board._metrics()[3] * names.index("SearchDown") + board._metrics()[3] // 2
    strip = {QColor(image.pixel(x, y)).name() for x in range(5)}
    assert THEME.color("critical").lower() not in strip


def test_the_hint_lines_take_room_above_the_rows_and_go_when_there_is_no_problem(qtbot):
    with_hint = _board(qtbot, _data())
    plain = _board(qtbot, _data(NoiseConfig(flapping=NOISE.flapping, maintenance=NOISE.maintenance)))
    assert with_hint.hint_lines and not plain.hint_lines
    assert with_hint._metrics()[2] > plain._metrics()[2]
    assert with_hint.row_at(plain._metrics()[2] + 1) is None  # a click on the hint line selects no row


def test_a_wall_window_selects_its_boards_with_the_configs_noise_settings(qtbot):
    from noc_app.config.schema import AppConfig, DashboardConfig, Mode, SourceConfig
    from noc_app.store import Store
    from noc_app.widgets.wall_window import WallWindow

    config = AppConfig(path="<t>", title="t", mode=Mode.WALL, theme="dark",
                       sources=(SourceConfig(id="src", kind="alertmanager"),),
                       dashboards=(DashboardConfig(id="d", title="D", panels=(PANEL,)),), noise=NOISE)
    store = Store()
    store.register("src", "alertmanager", 15.0)
    window = WallWindow(config, config.dashboards, store, THEME, mode=Mode.WALL)
    qtbot.addWidget(window)
    assert isinstance(window.alerts_memo, NoiseMemo) and window.alerts_memo.noise is NOISE
