"""Attaches the incident views (noc_app.app calls this): the detail view on each operator board and the
P0 takeover on the designated window.  The log-query worker and the history reader are injected.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from noc_app.config.schema import AppConfig
from noc_app.model import Alert
from noc_app.modes import capabilities
from noc_app.selectors_noise import problem_lines
from noc_app.store_view import StoreView
from noc_app.takeover import never_suppressed
from noc_app.themes import Theme
from noc_app.widgets.incident_detail_opener import IncidentDetailOpener
from noc_app.widgets.incident_detail_view import DetailContext
from noc_app.widgets.incident_history import HistoryReader
from noc_app.widgets.takeover_controller import TakeoverController
from noc_app.widgets.takeover_view import LogRunner
from noc_app.widgets.wall_window import WallWindow

log = logging.getLogger(__name__)


def takeover_window(config: AppConfig, windows: Sequence[WallWindow]) -> WallWindow | None:
    """The window `takeover.screen` names (a screens id or an index); the first when it is not shown."""
    if not windows:
        return None
    wanted = config.takeover.screen
    if isinstance(wanted, int):
        if wanted < len(windows):
            return windows[wanted]
    else:
        for window in windows:
            if window.property("noc_screen_id") == wanted:
                return window
    log.warning("takeover screen %r is not shown in this run; the first window takes incidents over", wanted)
    return windows[0]


def _problem_lines(config: AppConfig, store: StoreView) -> Callable[[tuple[Alert, ...]], tuple[str, ...]]:
    """The detail view's probable-cause section, from the sources the incident came from (noc_app.noise)."""

    def lines(group: tuple[Alert, ...]) -> tuple[str, ...]:
        sources = {a.source_id for a in group}
        return problem_lines(group, {sid: store.snapshot(sid) for sid in sources}, config.noise)

    return lines


def attach_incident_views(
    config: AppConfig, windows: Sequence[WallWindow], store: StoreView, theme: Theme, *,
    log_runner: LogRunner | None = None, history_reader: HistoryReader | None = None,
    clock: Callable[[], float] = time.time, suppressed: Callable[[Alert], bool] = never_suppressed,
) -> TakeoverController | None:
    """Detail views on operator boards; the takeover controller when configured (returned for tests)."""
    for window in windows:
        context = DetailContext(levels=config.severity_levels, dashboards=config.dashboards, sources=config.sources,
                                log_runner=log_runner, history_reader=history_reader, clock=clock,
                                problem_lines=_problem_lines(config, store))
        for controller in window.board_actions:
            IncidentDetailOpener(controller, context, theme, parent=controller)
    if not (config.takeover.enabled and capabilities(config.mode).takeover):
        return None
    target = takeover_window(config, windows)
    if target is None:
        return None
    return TakeoverController(target, store, config, theme, log_runner=log_runner, suppressed=suppressed, clock=clock)
