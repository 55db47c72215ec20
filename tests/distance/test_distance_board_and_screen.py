"""Held sizes on the incident board (what gives way) and the screen's size as Qt reports it."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

from noc_app.config.display_schema import DisplayConfig
from noc_app.model import Severity
from noc_app.selectors import panel_alerts
from noc_app.themes import load_theme
from noc_app.viewing import font_px_for
from noc_app.widgets.incident_board import IncidentBoardBody
from noc_app.widgets.viewing_scale import screen_floors, window_text_scale
from tests.widgets.wall_testkit import T0, alert, data, panel, snapshot

THEME = load_theme("dark")
PANEL = panel("inc", "incidents")
NAME = "PaymentGatewayLatencyHigh"


def _board(qtbot, width: int, height: int, floors: tuple[int, int] | None) -> IncidentBoardBody:
    board = IncidentBoardBody(PANEL, THEME)
    qtbot.addWidget(board)
    board.set_text_px(44)
    if floors is not None:
        board.set_text_floors(*floors)
    board.resize(width, height)
    with qtbot.waitExposed(board):
        board.show()
    board.record_text = True
    alerts = panel_alerts(PANEL, {"src": snapshot(alerts=(
        alert(NAME, Severity.WARNING, starts_at=T0 - 8000, summary="Payment gateway responses are slow"),
        alert("DiskSpaceLow", Severity.HIGH, starts_at=T0 - 60, summary="Low disk space"),
        alert("CertificateExpiry", Severity.INFO, starts_at=T0 - 60),
    ))})
    board.refresh(data(alerts=alerts))
    board.repaint()
    QApplication.processEvents()
    return board


def _drawn(board: IncidentBoardBody) -> dict[str, object]:
    return {text: rect for text, _, _, rect in board.painted_text}


def test_held_sizes_keep_the_name_whole_and_move_the_age_to_the_summary_line(qtbot):
    board = _board(qtbot, 1500, 900, (44, 70))
    drawn = _drawn(board)
    assert NAME in drawn, f"the name was cut: {sorted(drawn)}"
    assert "P2" in drawn and "P2 WARNING" not in drawn  # the priority id with its shape and colour
    age = next(rect for text, rect in drawn.items() if text.startswith("for "))
    assert age.top() > drawn[NAME].bottom() - 2  # on the summary line, below the name


def test_without_floors_the_board_looks_as_before(qtbot):
    drawn = _drawn(_board(qtbot, 1500, 900, None))
    assert "P1 HIGH" in drawn and "P2 WARNING" in drawn


def test_a_board_too_short_for_a_row_and_its_more_line_shows_one_row_and_says_the_rest_in_its_header(qtbot):
    board = _board(qtbot, 1500, 330, (44, 70))
    assert len(board.visible_rows) == 1 and board.more_count == 2
    more = _drawn(board)[board.more_text]
    assert more.bottom() < 70 * 1.7  # in the counts' row
    assert all(rect.bottom() <= board.height() for rect in _drawn(board).values())


def test_the_platform_size_is_used_when_the_window_fits_its_screen_and_plausible(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(640, 360)
    screen = window.screen()
    geometry, mm = screen.geometry(), screen.physicalSize()  # offscreen: 800x800 px, 203.2 mm square
    floors = screen_floors(window, DisplayConfig(viewing_distance_mm=4000.0))
    assert floors.major_px == font_px_for(16.0, 4000.0, mm.height() / geometry.height())
    configured = screen_floors(window, DisplayConfig(viewing_distance_mm=4000.0, diagonal_mm=65 * 25.4))
    assert configured.major_px < floors.major_px  # a 65" screen has bigger pixels than an 11" one


def test_a_window_larger_than_its_screen_is_taken_as_the_screen(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(3840, 2160)  # an offscreen render, bigger than the 800x800 offscreen screen
    floors = screen_floors(window, DisplayConfig(viewing_distance_mm=4000.0, diagonal_mm=65 * 25.4))
    assert (floors.major_px, floors.minor_px) == (70, 44)
    default = screen_floors(window, DisplayConfig(viewing_distance_mm=4000.0))  # 55": the platform's mm ignored
    assert default.major_px == font_px_for(16.0, 4000.0, 55 * 25.4 * 2160 / (2160**2 + 3840**2) ** 0.5 / 2160)


def test_no_display_config_means_todays_sizes(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(3840, 2160)
    scale = window_text_scale(window)
    assert (scale.title_px, scale.base_px, scale.major_px, scale.minor_px) == (40, 36, 0, 0)
