"""The demo's "panels" dashboard (every panel kind) rendered at 4K and 1080p: nothing clipped or overlapped.

Real runtime, real demo and localhost sources, offscreen.  Every title must fit
its title bar at its full size next to the pill and badge; every text a body
painted must lie inside the body, overlap no other text, and be tall enough
to read from across the room.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QFontMetrics

from noc_app.app import LaunchOptions, build_windows
from noc_app.config.loader import load_builtin
from noc_app.config.schema import PANEL_KINDS
from noc_app.model import DataState
from noc_app.runtime import Runtime
from noc_app.themes import load_theme
from noc_app.widgets.panel_frame import PanelFrame
from noc_app.widgets.scale import text_scale

from wall_pixels import count_near, rgb_array


@pytest.fixture(params=[(3840, 2160), (1920, 1080)], ids=["4k", "1080p"])
def panels_wall(request, qtbot):
    config = load_builtin("demo")
    runtime = Runtime(config)
    windows = build_windows(config, runtime, LaunchOptions(dashboard="panels"), size=request.param)
    window = windows[0]
    qtbot.addWidget(window)
    window.show()
    runtime.start()
    frames = window.panel_frames()
    qtbot.waitUntil(lambda: all(f.state is DataState.OK for f in frames), timeout=20000)
    for frame in frames:
        frame.body.repaint()
    yield request.param, window, frames
    runtime.stop()


def _title_room(frame: PanelFrame) -> int:
    """Width left for the title after the pill, badge and age, as the frame lays them out."""
    title_font, pill_font, msg_font = frame._fonts
    pad = max(4, title_font.pixelSize() // 3)
    right = frame.width() - 1 - pad
    pill_pad = max(4, pill_font.pixelSize() // 2)
    for text in (frame.pill_text, frame.badge_text):
        if text:
            right -= QFontMetrics(pill_font).horizontalAdvance(text) + 2 * pill_pad + max(4, pill_font.pixelSize() // 3)
    if frame.age_text:
        right -= QFontMetrics(msg_font).horizontalAdvance(frame.age_text) + pad
    return right - 2 * pad


def test_every_panel_kind_is_on_the_panels_dashboard():
    kinds = {p.kind for p in load_builtin("demo").dashboard("panels").panels}
    # targets: superseded by status; text: no data; slo: the demo's own "slo" dashboard
    assert kinds == set(PANEL_KINDS) - {"targets", "text", "slo"}


def test_no_text_is_clipped_or_overlapped(panels_wall):
    (width, height), window, frames = panels_wall
    base_px = text_scale(height).base_px
    problems = []
    for frame in frames:
        frame.repaint()
        drawn = getattr(frame, "title_drawn", None)  # (elided text, font, rect) where the frame records it
        if drawn is not None:
            text, title_font, rect = drawn
            fits = text == frame.title_text and QFontMetrics(title_font).horizontalAdvance(text) <= rect.width()
        else:
            title_font = frame._fonts[0]
            fits = QFontMetrics(title_font).horizontalAdvance(frame.title_text) <= _title_room(frame)
        if not fits:
            problems.append(f"{frame.panel.id}: title {frame.title_text!r} does not fit")
        if title_font.pixelSize() < text_scale(height).title_px * 0.9:
            problems.append(f"{frame.panel.id}: title shrunk to {title_font.pixelSize()} px")
        boxes = getattr(frame.body, "text_boxes", None)
        if boxes is None:
            continue  # bodies of other helpers' kinds
        assert boxes, f"{frame.panel.id}: painted no text"
        inside = QRectF(frame.body.rect()).adjusted(-1, -1, 1, 1)
        for text, box in boxes:
            if not inside.contains(box):
                problems.append(f"{frame.panel.id}: {text!r} at {box} leaves the body {frame.body.rect()}")
            if box.height() < 0.5 * base_px:
                problems.append(f"{frame.panel.id}: {text!r} is {box.height():.0f} px tall")
        for i, (text_a, a) in enumerate(boxes):
            for text_b, b in boxes[i + 1:]:
                overlap = a.intersected(b)
                if overlap.width() > 1 and overlap.height() > 1:
                    problems.append(f"{frame.panel.id}: {text_a!r} overlaps {text_b!r}")
    assert problems == []
    geometries = [QRect(f.geometry()) for f in frames]
    for i, a in enumerate(geometries):
        assert all(not a.intersects(b) for b in geometries[i + 1:])
        assert window.rect().contains(a)


def test_the_room_sees_live_colours(panels_wall):
    _, window, frames = panels_wall
    picture = rgb_array(window.grab().toImage())
    ok = load_theme("dark").color("ok")
    assert count_near(picture, (ok,)) > 500  # apdex, bars, table values and status tiles in the ok colour
