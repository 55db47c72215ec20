"""Builders shared by the wall-shell widget tests: a settable clock, configs, snapshots."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

from noc_app.config.schema import AppConfig, DashboardConfig, GridPos, Mode, PanelConfig
from noc_app.model import Alert, AlertState, DataState, LogLevel, LogLine, QueryResult, Series, Severity, Snapshot
from noc_app.selectors import PanelData, PanelView
from noc_app.selectors_incidents import board_from_alerts
from noc_app.store import Store

T0 = 1_700_000_000.0


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def panel(pid: str, kind: str, *, source: str | None = "src", x=0, y=0, w=12, h=6, **kw) -> PanelConfig:
    return PanelConfig(id=pid, kind=kind, title=kw.pop("title", pid.title()), source=source, grid=GridPos(x=x, y=y, w=w, h=h), **kw)


def dashboard(*panels: PanelConfig, did: str = "dash", title: str = "Dash", rows: int = 12) -> DashboardConfig:
    return DashboardConfig(id=did, title=title, panels=panels, rows=rows)


def app_config(*dashboards: DashboardConfig, mode: Mode = Mode.WALL) -> AppConfig:
    return AppConfig(path="<test>", title="Test wall", mode=mode, theme="dark", sources=(), dashboards=dashboards)


def store_with(*sources: tuple[str, str], interval_s: float = 15.0) -> Store:
    store = Store()
    for sid, kind in sources:
        store.register(sid, kind, interval_s)
    return store


def alert(name: str, severity: Severity, *, state: AlertState = AlertState.FIRING, starts_at: float = T0 - 600, **kw) -> Alert:
    return Alert(
        fingerprint=kw.pop("fingerprint", name), source_id=kw.pop("source_id", "src"), name=name,
        severity=severity, state=state, starts_at=starts_at, **kw,
    )


def log_lines(start: int, stop: int, *, level: LogLevel = LogLevel.INFO) -> tuple[LogLine, ...]:
    return tuple(
        LogLine(ts=T0 + i, level=level, text=f"request {i} served", cursor=f"c{i}", service="api") for i in range(start, stop)
    )


def metric_result(values: list[float] | None = None, *, error: str | None = None) -> QueryResult:
    if error is not None:
        return QueryResult.build(error=error)
    series = () if values is None else (
        Series(key="k", name="k", labels={}, x=np.arange(len(values), dtype=float) + T0, y=np.array(values, dtype=float)),
    )
    return QueryResult.build(series)


def snapshot(sid: str = "src", **sections) -> Snapshot:
    return Snapshot.build(sid, T0, **sections)


def data(view_state: DataState = DataState.OK, *, now: float = T0, **kw) -> PanelData:
    """PanelData for driving a body directly (an incident board's model built by its selector)."""
    if "board" not in kw:
        kw["board"] = board_from_alerts(tuple(kw.get("alerts", ())), view_state)
    return PanelData(view=PanelView(state=view_state), now=now, **kw)


def has_color_near(image: QImage, color: str, tolerance: int = 24) -> bool:
    """True when any pixel of the image is within `tolerance` of `color` in every channel."""
    target = QColor(color)
    img = image.convertToFormat(QImage.Format.Format_RGB32)
    ptr = img.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8, count=img.sizeInBytes()).reshape(img.height(), img.bytesPerLine())
    px = arr[:, : img.width() * 4].reshape(img.height(), img.width(), 4).astype(int)
    b, g, r = px[..., 0], px[..., 1], px[..., 2]
    near = (abs(r - target.red()) <= tolerance) & (abs(g - target.green()) <= tolerance) & (abs(b - target.blue()) <= tolerance)
    return bool(near.any())


__all__ = [
    "T0", "FakeClock", "panel", "dashboard", "app_config", "store_with", "alert", "log_lines",
    "metric_result", "snapshot", "data", "has_color_near",
]
