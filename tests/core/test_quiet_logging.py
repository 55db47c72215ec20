"""What the log says: one line per source health change, no HTTP chatter, no Qt noise."""

from __future__ import annotations

import logging

import httpx
import numpy as np
import pytest

from noc_app.logging_setup import CHATTY_LIBRARIES, configure_logging
from noc_app.model import QueryResult, Series, Snapshot
from noc_app.qt_messages import handle_qt_message, install_qt_message_handler
from noc_app.sources.base import AuthFailed, Unreachable
from noc_app.store import Store


def _snap(degraded: tuple[str, ...] = ()) -> Snapshot:
    series = Series(key="k", name="k", labels={}, x=np.array([1.0]), y=np.array([1.0]))
    return Snapshot.build("prom", 10.0, metrics={"d/p/0": QueryResult.build([series])}, degraded=degraded)


def _store_lines(caplog) -> list[str]:
    return [f"{r.levelname} {r.getMessage()}" for r in caplog.records if r.name == "noc_app.store"]


def test_store_logs_each_health_change_once(qtbot, caplog):
    caplog.set_level(logging.INFO)
    store = Store()
    store.register("prom", "prometheus", 15)
    store.apply("prom", _snap(), 1.0, 3.0)  # first OK after start: not news
    store.mark_failed("prom", Unreachable("connection refused"), 2.0, 3.0)
    store.mark_failed("prom", Unreachable("connection refused"), 3.0, 3.0)  # still STALE: no new line
    store.apply("prom", _snap(), 4.0, 3.0)
    store.apply("prom", _snap(), 5.0, 3.0)
    store.apply("prom", _snap(degraded=("dead man's switch 'Watchdog' is not firing",)), 6.0, 3.0)
    store.mark_failed("prom", AuthFailed("HTTP 401"), 7.0, 3.0)
    assert _store_lines(caplog) == [
        "WARNING source=prom now STALE: connection refused",
        "INFO source=prom back to OK (was STALE)",
        "WARNING source=prom now DEGRADED: dead man's switch 'Watchdog' is not firing",
        "WARNING source=prom now AUTH FAILED: HTTP 401",
    ]


def test_a_source_that_never_answered_is_unreachable_in_the_log(qtbot, caplog):
    caplog.set_level(logging.INFO)
    store = Store()
    store.register("prom", "prometheus", 15)
    store.mark_failed("prom", Unreachable("connection refused"), 1.0, 3.0)
    assert _store_lines(caplog) == ["WARNING source=prom now UNREACHABLE: connection refused"]


@pytest.fixture
def restore_library_levels():
    saved = {name: logging.getLogger(name).level for name in CHATTY_LIBRARIES}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def _one_request() -> None:
    with httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200))) as client:
        client.get("http://prometheus.invalid/api/v1/query")


def test_info_logging_has_no_request_lines(caplog, restore_library_levels):
    caplog.set_level(logging.INFO)
    configure_logging("INFO")
    _one_request()
    assert not [r for r in caplog.records if r.name.startswith(("httpx", "httpcore"))]


def test_without_the_setting_httpx_would_log_every_request(caplog, restore_library_levels):
    """Negative control: the check above can fail, httpx really logs requests at INFO."""
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.NOTSET)
    caplog.set_level(logging.INFO)
    _one_request()
    assert any(r.name == "httpx" and "HTTP Request" in r.getMessage() for r in caplog.records)


def test_debug_logging_lets_the_libraries_speak(restore_library_levels):
    configure_logging("DEBUG")
    assert logging.getLogger("httpx").level == logging.NOTSET  # inherits DEBUG from the root


def test_qt_noise_is_dropped_and_other_qt_messages_are_logged(caplog):
    from PySide6.QtCore import QtMsgType

    caplog.set_level(logging.DEBUG, logger="qt")
    handle_qt_message(QtMsgType.QtWarningMsg, None, "This plugin does not support propagateSizeHints()")
    handle_qt_message(QtMsgType.QtWarningMsg, None, "QPainter::begin: Paint device returned engine == 0")
    handle_qt_message(QtMsgType.QtCriticalMsg, None, "something critical")
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "qt"] == [
        ("WARNING", "QPainter::begin: Paint device returned engine == 0"),
        ("ERROR", "something critical"),
    ]


def test_the_installed_handler_receives_real_qt_warnings(qapp, caplog):
    from PySide6.QtCore import qInstallMessageHandler, qWarning

    caplog.set_level(logging.WARNING, logger="qt")
    install_qt_message_handler()
    try:
        qWarning("a real Qt warning")
        qWarning("This plugin does not support propagateSizeHints()")
    finally:
        qInstallMessageHandler(None)
    assert [r.getMessage() for r in caplog.records if r.name == "qt"] == ["a real Qt warning"]


def test_log_lines_show_control_and_bidi_characters_escaped():
    from noc_app.logging_setup import VisibleTextFormatter

    record = logging.LogRecord("noc_app.store", logging.WARNING, __file__, 1,
                               "source=%s now STALE: %s", ("prom", "\x1b[2J\u202eevil"), None)
    line = VisibleTextFormatter("%(levelname)s %(message)s").format(record)
    assert "\x1b" not in line and "\u202e" not in line
    assert line.startswith("WARNING source=prom now STALE: ") and "U+202E" in line
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "plain text", None, None)
    assert VisibleTextFormatter("%(message)s").format(plain) == "plain text"  # the control


def test_the_gui_process_switches_the_gil_often(qapp):
    """Poll workers build thousands of Python objects: with Python's default 5 ms switch interval the
    GUI thread queued behind them at every re-entry into Python during a paint (ingest bench: worst
    stall 130 ms, 55 ms with 1 ms)."""
    import sys

    from noc_app.app import GUI_SWITCH_INTERVAL_S, make_application

    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        make_application()
        assert sys.getswitchinterval() == GUI_SWITCH_INTERVAL_S
    finally:
        sys.setswitchinterval(before)
