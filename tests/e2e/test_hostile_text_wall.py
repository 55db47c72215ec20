"""The real wall fed hostile text from its config, a Grafana import and its backends.

Every text the app shows from a config or a backend must be plain: the walk
below goes over every QLabel and every widget's tooltip of built windows (and
the texts the panels paint) and fails on a label that could interpret markup,
a tooltip Qt would render as unescaped rich text, and a raw bidi override or
control character anywhere.  The checker is shown to catch unsafe widgets (the
negative controls at the end), so a pass means something.
"""

from __future__ import annotations

import functools
import html
import re
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QTextEdit, QWidget

from noc_app.app import LaunchOptions, build_windows
from noc_app.config.grafana_import import grafana_to_dashboard
from noc_app.config.schema import (
    AppConfig,
    DashboardConfig,
    GridPos,
    Mode,
    PanelConfig,
    PlaylistConfig,
    QueryConfig,
    ScreenConfig,
    SourceConfig,
    Threshold,
)
from noc_app.display_text import visible
from noc_app.model import Alert, AlertState, LogLevel, LogLine, QueryResult, Series, Severity, Snapshot, Target
from noc_app.runtime import Runtime
from noc_app.sources.base import PollPlan, Unreachable

RLO = "\u202e"
HOSTILE = (
    "<h1>BIG</h1>",
    '<img src="file:///etc/passwd">',
    "<a href=x>link</a>",
    "<font size=100>huge</font>",
    f"evil{RLO}txt.exe",
    "<b>multi</b>\n<i>line</i>\tand a tab",
    "&lt;pre-escaped&gt; &amp; <table><tr><td>cell",
    "\x1b[31mansi\x1b[0m \u2066isolate\u2069 zero\u200bwidth \u200fRLM",
)
# Characters that must never reach the screen raw (they reorder or hide what is shown).
RAW_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_TAGS_WE_WRAP = re.compile(r"^<qt>(.*)</qt>$", re.DOTALL)
_SAFE_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#x27|#39);")


def hostile(base: str, field: str) -> str:
    """A field's hostile value: starts with the markup (what Qt sniffs) and carries an RTL override."""
    return f"{base} {field} {RLO}end"


# -- the checker ---------------------------------------------------------------------------------
def label_problems(label: QLabel) -> list[str]:
    problems = []
    if label.textFormat() is not Qt.TextFormat.PlainText:
        problems.append(f"label {label.text()!r} has text format {label.textFormat().name}, not PlainText")
    if RAW_FORBIDDEN.search(label.text()):
        problems.append(f"label {label.text()!r} shows a raw control/bidi character")
    return problems


def tooltip_problems(tip: str) -> list[str]:
    """Why a tooltip is unsafe: raw bidi/controls, or rich text that is not fully escaped."""
    if not tip:
        return []
    problems = []
    if RAW_FORBIDDEN.search(tip):
        problems.append(f"tooltip {tip!r} shows a raw control/bidi character")
    if not GuiQt.mightBeRichText(tip):
        return problems  # Qt shows it as plain text
    wrapped = _TAGS_WE_WRAP.match(tip)
    body = wrapped.group(1).replace("<br>", "") if wrapped else tip
    if "<" in body or ">" in body or _SAFE_ENTITY.sub("", body).count("&"):
        problems.append(f"tooltip {tip!r} is rich text with unescaped markup")
    if renders_image_or_link(tip):
        problems.append(f"tooltip {tip!r} renders an image or a link")
    return problems


def renders_image_or_link(rich: str) -> bool:
    """Whether Qt's rich-text engine turns this text into an image or an anchor."""
    document = QTextDocument()
    document.setHtml(rich)
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat() or fmt.isAnchor():
                return True
            it += 1
        block = block.next()
    return False


def widget_problems(root: QWidget) -> tuple[list[str], int, int]:
    """(problems, labels checked, tooltips checked) over root and all its children."""
    problems: list[str] = []
    labels = tips = 0
    for widget in (root, *root.findChildren(QWidget)):
        if isinstance(widget, QLabel):
            labels += 1
            problems.extend(label_problems(widget))
        if isinstance(widget, QTextEdit) and widget.acceptRichText():
            problems.append(f"{type(widget).__name__} accepts rich text")
        if widget.toolTip():
            tips += 1
            problems.extend(tooltip_problems(widget.toolTip()))
    if RAW_FORBIDDEN.search(root.windowTitle()):
        problems.append(f"window title {root.windowTitle()!r} shows a raw control/bidi character")
    return problems, labels, tips


def painted_texts(window) -> list[str]:
    """The texts the panels and chips paint themselves (QPainter.drawText never interprets markup)."""
    texts: list[str] = []
    for frame in window.panel_frames():
        texts += [frame.title_text, frame.message_text, frame.badge_text]
        body = frame.body
        texts += [t for row in getattr(body, "visible_rows", ()) for t in (row.name, row.detail, row.lineage)]
        texts += [t for tile in getattr(body, "visible_tiles", ()) for t in (tile.instance, tile.job)]
        texts += [e.name for e in getattr(body, "legend", ())]
        texts += [e.value_text for e in getattr(body, "legend", ())]
        texts += [getattr(body, "value_text", ""), getattr(body, "severity_text", "")]
        if hasattr(body, "line_texts"):
            texts += body.line_texts()
    for chip in window.feed_strip.chips():
        texts += list(chip.text_parts)
    return texts


# -- a wall fed hostile text -------------------------------------------------------------------
NOW = time.time()


class HostileSource:
    """A backend whose every answer carries `base` in every text field."""

    def __init__(self, config: SourceConfig, plan: PollPlan, base: str) -> None:
        self.id, self.kind, self._plan, self._base = config.id, config.kind, plan, base

    def poll(self) -> Snapshot:
        h = functools.partial(hostile, self._base)
        if self.id == "down":
            raise Unreachable(h("transport error"))
        x = NOW - np.arange(30)[::-1] * 10.0
        metrics = {}
        for i, query in enumerate(self._plan.metrics):
            if query.key.endswith("/broken/0"):
                metrics[query.key] = QueryResult.build(error=h("query error"))
                continue
            series = Series(key=f"s{i}", name=h("series name"), labels={"instance": h("label value")},
                            x=x, y=np.linspace(1.0, 3.0, x.size))
            metrics[query.key] = QueryResult.build([series], warnings=[h("warning")])
        alerts = [
            Alert(fingerprint=f"a{i}", source_id=self.id, name=h(f"alert name {i}"), severity=sev, state=state,
                  summary=h("summary"), labels={"service": h("service"), "instance": h("instance")},
                  starts_at=NOW - 300, silenced_by=(h("silence"),), mute_reason=h("mute reason") if i == 2 else "")
            for i, (sev, state) in enumerate(
                [(Severity.CRITICAL, AlertState.FIRING), (Severity.WARNING, AlertState.FIRING),
                 (Severity.HIGH, AlertState.SILENCED)]
            )
        ] if self._plan.alerts else None
        logs = [
            LogLine(ts=NOW - 5 + i, level=LogLevel.ERROR, text=h(f"log line {i}"), cursor=f"c{i}", service=h("svc"))
            for i in range(5)
        ] if self._plan.logs else None
        targets = [Target(job=h("job"), instance=h("instance"), health="down", last_error=h("scrape error"))]
        return Snapshot.build(
            self.id, NOW, metrics=metrics, alerts=alerts, logs=logs,
            targets=targets if self._plan.targets else None, degraded=(h("degraded reason"),),
            notes={"alerts": (h("note"),)}, info={"badge": f"{RLO}{self._base}"},
        )

    def close(self) -> None:
        pass


def _grafana_dashboard(base: str) -> DashboardConfig:
    board = {
        "title": hostile(base, "grafana title"),
        "panels": [
            {"type": "text", "title": hostile(base, "grafana text title"), "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
             "options": {"mode": "html", "content": f'<img src="file:///etc/passwd"><h1>BIG</h1>{base}{RLO}'}},
            {"type": "stat", "title": hostile(base, "grafana stat"), "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
             "targets": [{"expr": "up"}]},
        ],
    }
    return grafana_to_dashboard(board, dashboard_id="graf", source_id="prom", origin="hostile.json")


def _config(base: str, mode: Mode) -> AppConfig:
    h = functools.partial(hostile, base)
    q = (QueryConfig(expr="rate(x[5m])"),)
    panels = (
        PanelConfig(id="ts", kind="timeseries", title=h("timeseries title"), source="prom", queries=q,
                    unit=h("unit"), grid=GridPos(x=0, y=0, w=8, h=4)),
        PanelConfig(id="stat", kind="stat", title=h("stat title"), source="prom", queries=q,
                    thresholds=(Threshold(value=1, severity=Severity.WARNING),), grid=GridPos(x=8, y=0, w=4, h=4)),
        PanelConfig(id="gauge", kind="gauge", title=h("gauge title"), source="prom", queries=q, unit="%",
                    grid=GridPos(x=12, y=0, w=4, h=4)),
        PanelConfig(id="broken", kind="stat", title=h("broken title"), source="prom", queries=q,
                    grid=GridPos(x=16, y=0, w=4, h=4)),
        PanelConfig(id="gone", kind="stat", title=h("unreachable title"), source="down", queries=q,
                    grid=GridPos(x=20, y=0, w=4, h=4)),
        PanelConfig(id="inc", kind="incidents", title=h("incidents title"), sources=("am",),
                    grid=GridPos(x=0, y=4, w=12, h=4)),
        PanelConfig(id="logs", kind="logs", title=h("logs title"), source="logs",
                    queries=(QueryConfig(expr='{a="b"}'),), grid=GridPos(x=12, y=4, w=12, h=4)),
        PanelConfig(id="targets", kind="targets", title=h("targets title"), source="prom",
                    grid=GridPos(x=0, y=8, w=12, h=4)),
        PanelConfig(id="note", kind="text", title=h("text title"), text=h("text body") + "\n" + base,
                    grid=GridPos(x=12, y=8, w=12, h=4)),
    )
    main = DashboardConfig(id="main", title=h("dashboard title"), panels=panels)
    return AppConfig(
        path="<hostile>", title=h("wall title"), mode=mode, theme="dark",
        sources=(SourceConfig(id="prom", kind="prometheus", url="http://prom.invalid:9090"),
                 SourceConfig(id="am", kind="alertmanager", url="http://am.invalid:9093"),
                 SourceConfig(id="logs", kind="loki", url="http://loki.invalid:3100"),
                 SourceConfig(id="down", kind="prometheus", url="http://down.invalid:9090")),
        dashboards=(main, _grafana_dashboard(base)),
        playlists=(PlaylistConfig(id="all", dashboards=("main", "graf"), interval_s=3600.0),),
        screens=(ScreenConfig(id="wall", screen=0, playlist="all"),),
    )


@pytest.fixture
def hostile_wall(qtbot):
    runtimes = []

    def build(base: str, mode: Mode = Mode.WALL):
        config = _config(base, mode)
        runtime = Runtime(config, source_factory=lambda sc, plan: HostileSource(sc, plan, base))
        runtimes.append(runtime)
        window = build_windows(config, runtime, LaunchOptions(), size=(1920, 1080))[0]
        qtbot.addWidget(window)
        window.show()
        runtime.start()
        def polled() -> bool:
            states = [f.state.value for f in window.panel_frames("main") if f.panel.kind != "text"]
            return "LOADING" not in states and len(window.feed_strip.chips()) == 4

        qtbot.waitUntil(polled, timeout=15000)
        log_body = next(f.body for f in window.panel_frames("main") if f.panel.id == "logs")
        qtbot.waitUntil(lambda: bool(log_body.line_texts()), timeout=15000)  # the log lines arrived
        return window

    yield build
    for runtime in runtimes:
        runtime.stop()


def _walk_every_page(window) -> tuple[list[str], int, int, list[str]]:
    """Check every dashboard of the playlist in turn (a hidden page only catches up when shown)."""
    problems, labels, tips, painted = [], 0, 0, []
    for index in range(len(window.views)):
        window.show_dashboard(index)
        window.current_view().tick()
        window.feed_strip.tick()
        found, n_labels, n_tips = widget_problems(window)
        problems += found
        labels += n_labels
        tips += n_tips
        painted += painted_texts(window)
    return problems, labels, tips, painted


@pytest.mark.parametrize("base", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_text_is_shown_plainly_everywhere(hostile_wall, base):
    window = hostile_wall(base)
    problems, labels, tips, painted = _walk_every_page(window)
    assert problems == []
    # The walk really looked (20 labels, 28 tooltips, 164 painted texts today): the header's
    # labels and the text panel on both pages, the tooltips of the panels (warning, query
    # error, unreachable, degraded) and of the four feed chips.
    assert labels >= 2 * (9 + 1)
    assert tips >= 2 * (8 + 4)
    assert len(painted) >= 150
    raw = [t for t in painted if RAW_FORBIDDEN.search(t)]
    assert raw == []
    assert RLO not in window.windowTitle() and "⟨U+202E⟩" in window.windowTitle()
    # The hostile text did arrive, and is shown as the characters it is (escapes for the invisible ones).
    assert window.header.title.full_text == visible(hostile(base, "wall title"))
    assert window.width() == 1920  # long hostile titles are elided, never widen the window
    assert any(visible(hostile(base, "summary")) in t for t in painted)  # an incident row
    assert any(visible(hostile(base, "log line 4")) in t for t in painted)  # the log panel


def test_tooltips_render_to_exactly_the_message(hostile_wall):
    window = hostile_wall(HOSTILE[1])  # the file:// image
    window.show_dashboard(0)
    frame = next(f for f in window.panel_frames("main") if f.panel.id == "broken")
    document = QTextDocument()
    document.setHtml(frame.toolTip())
    assert document.toPlainText() == frame.message_text
    assert frame.message_text.startswith('<img src="file:///etc/passwd"> query error ⟨U+202E⟩end')


def test_text_panels_from_config_and_grafana_show_their_markup_as_text(hostile_wall):
    window = hostile_wall(HOSTILE[0])
    texts = [f.body for f in window.panel_frames() if f.panel.kind == "text"]
    assert len(texts) == 2
    for body in texts:
        assert body.textFormat() is Qt.TextFormat.PlainText
        assert "<h1>BIG</h1>" in body.text()


def test_kiosk_wall_with_the_same_input_has_no_tooltips_and_plain_labels(hostile_wall):
    window = hostile_wall(" ".join(HOSTILE[:5]), Mode.KIOSK)
    problems, labels, tips, _ = _walk_every_page(window)
    assert problems == [] and labels >= 2 * (9 + 1)
    assert tips == 0


# -- negative controls: the checker does catch unsafe widgets ---------------------------------------
def test_checker_flags_a_label_that_would_render_html(qtbot):
    root = QWidget()
    qtbot.addWidget(root)
    QLabel("<h1>BIG</h1>", root)  # AutoText: Qt would render the heading
    safe = QLabel(root)
    safe.setTextFormat(Qt.TextFormat.PlainText)
    safe.setText("<h1>BIG</h1>")
    problems, labels, _ = widget_problems(root)
    assert labels == 2
    assert len(problems) == 1 and "AutoText" in problems[0]


def test_checker_flags_raw_bidi_and_unescaped_tooltips(qtbot):
    root = QWidget()
    qtbot.addWidget(root)
    plain = QLabel(root)
    plain.setTextFormat(Qt.TextFormat.PlainText)
    plain.setText(f"evil{RLO}txt.exe")
    root.setToolTip('<img src="file:///etc/passwd">')
    child = QWidget(root)
    child.setToolTip("<qt>" + html.escape("<h1>BIG</h1>") + "</qt>")  # escaped: fine
    other = QWidget(root)
    other.setToolTip("<qt><a href=x>link</a></qt>")  # wrapped but not escaped
    problems, _, tips = widget_problems(root)
    assert tips == 3
    assert any("raw control/bidi" in p for p in problems)
    assert sum("unescaped markup" in p for p in problems) == 2
    assert not any("&lt;h1&gt;" in p for p in problems)
    assert sum("renders an image or a link" in p for p in problems) == 2  # the raw <img>, the raw <a>
