"""Operator mode's incident-board actions for one wall window: a BoardActions controller per board,
with the settings the config gives, and who acts when the composition root does not say."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject

from noc_app.actions.model import Operator, Role
from noc_app.config.schema import AppConfig, Mode
from noc_app.modes import capabilities
from noc_app.widgets.incident_actions import ActionSettings, BoardActions
from noc_app.widgets.incident_board import IncidentBoardBody
from noc_app.widgets.incident_history import HistoryReader
from noc_app.widgets.panel_frame import PanelFrame
from noc_app.widgets.report_entry import ReportRunner


def attach_board_actions(
    frames: Iterable[PanelFrame], config: AppConfig, mode: Mode, operator: Operator, *, parent: QObject,
    history_reader: HistoryReader | None, reports: ReportRunner | None,
    on_request: Callable[[object], None], on_report: Callable[[str], None],
) -> tuple[BoardActions, ...]:
    caps = capabilities(mode)
    settings = ActionSettings(
        mode=mode,
        operator=operator,
        read_only_sources=frozenset(s.id for s in config.sources if s.read_only),
        ack_duration_s=config.actions.ack_duration_s,
        context_menus=caps.context_menus,
        history_reader=history_reader,
        source_kinds={s.id: s.kind for s in config.sources},
        runbooks=config.actions.runbooks,
    )
    controllers = []
    for frame in frames:
        if isinstance(frame.body, IncidentBoardBody):
            controller = BoardActions(frame.body, settings, parent=parent, reports=reports)
            controller.requested.connect(on_request)
            controller.report_finished.connect(on_report)
            controllers.append(controller)
    return tuple(controllers)


def default_operator(config: AppConfig) -> Operator:
    """Config's operator name, else the login (the composition root normally passes the real identity)."""
    try:
        login = getpass.getuser()
    except (OSError, KeyError):
        login = "unknown"
    name = " ".join(config.operator.name.split()) or login or "unknown"
    return Operator(name=name, os_user=login, role=Role(config.operator.role))
