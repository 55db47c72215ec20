"""The reports rendered to PDF, read back with pdftotext and pdftoppm: the numbers are there, nothing ran off."""

from __future__ import annotations

import csv

import pytest
from pdf_check import ink_in_margin, pdf_pages, pdf_text, words_off_the_body
from synthetic_month import APRIL, OUTAGE

from noc_app.actions.execute import execute
from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, IncidentKey, Operator, OutcomeStatus, Role
from noc_app.reports.data import RangeReader
from noc_app.reports.incident_report import incident_document
from noc_app.reports.sla_render import render_sla
from noc_app.reports.sla_report import build_sla_report
from noc_app.state.records import IncidentMark
from noc_app.state.sqlite import SqliteJournal

T = OUTAGE[0]  # the incident starts with the outage
KEY = IncidentKey(source_id="am", fingerprint="0f3a9c1d2e4b5a6f")


class DoneBackend:
    kind = "alertmanager"

    def perform(self, request):
        return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE)


def request(kind, at, comment="", **kw):
    return ActionRequest(kind=kind, incident=KEY, operator=Operator(name="alice", role=Role.LEAD, os_user="alice",
                                                                    host="noc-ws-1"),
                         comment=comment, requested_at=at, **kw)


@pytest.fixture
def journal(tmp_path):
    j = SqliteJournal(tmp_path / "state.db")
    j.mark_incidents([IncidentMark(source_id="am", fingerprint=KEY.fingerprint, name="HighErrorRate",
                                   first_seen_at=T, shown_at=T + 20, severity="critical", service="api")], now=T + 20)
    execute(request(ActionKind.ACK, T + 200), DoneBackend(), j, clock=lambda: T + 200)
    j.mark_incidents([IncidentMark(source_id="am", fingerprint=KEY.fingerprint, acked_at=T + 200, acked_by="alice")],
                     now=T + 200)
    execute(request(ActionKind.NOTE, T + 600, "<b>rolled back</b> deploy 1234"), DoneBackend(), j,
            clock=lambda: T + 600)
    j.mark_incidents([IncidentMark(source_id="am", fingerprint=KEY.fingerprint, resolved_at=T + 3000)], now=T + 3000)
    yield j
    j.close()


def readers(config):
    opened = {}

    def reader_for(source_id):
        opened.setdefault(source_id, RangeReader(config.source(source_id)))
        return opened[source_id]

    return reader_for


def test_the_monthly_sla_report_shows_its_numbers_on_pages_that_keep_their_margins(config, journal, tmp_path):
    report = build_sla_report(config, APRIL, reader_for=readers(config), journal=journal, now=APRIL.end + 60)
    paths = render_sla(report).write(tmp_path / "out", "sla-2026-04")
    pdf = paths[0]
    text = pdf_text(pdf)
    for expected in ("Monthly SLA report — Shop", "99.884 %", "50 / 43.20", "missed", "Service credit: 10 %",
                     "99.00 % of requests under 2 s", "2026-04-10", "96.528 %", "P0", "3 min 20 s", "50 min 00 s",
                     "ack 5 min 00 s,"):
        assert expected in text, expected
    assert words_off_the_body(pdf) == []
    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) >= 2
    assert {str(p.name): ink_in_margin(p) for p in pages} == {str(p.name): [] for p in pages}
    with open(tmp_path / "out" / "sla-2026-04-summary.csv", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["service"], float(row["downtime_min"]), float(row["credit_pct"])) == ("api", 50.0, 10.0)
    html = (tmp_path / "out" / "sla-2026-04.html").read_text()
    assert 'src="sla-2026-04-uptime-0.png"' in html and (tmp_path / "out" / "sla-2026-04-uptime-0.png").exists()


def test_the_post_incident_report_has_the_timeline_and_the_panels_around_it(config, journal, tmp_path):
    doc = incident_document(config, journal, KEY, reader_for=readers(config), now=APRIL.end)
    paths = doc.write(tmp_path / "out", "incident")
    text = pdf_text(paths[0])
    for expected in ("Post-incident report — HighErrorRate", "P0", "acknowledged by alice", "3 min 20 s",
                     "within target", "note by alice: done", "<b>rolled back</b> deploy 1234", "Latency P95"):
        assert expected in text, expected
    assert (tmp_path / "out" / "incident-panel-0.png").exists()
    assert words_off_the_body(paths[0]) == []
    pages = pdf_pages(paths[0], tmp_path)
    assert all(ink_in_margin(p) == [] for p in pages)
    assert "<b>" in (tmp_path / "out" / "incident.html").read_text().replace("&lt;b&gt;", "<b>")
    assert "<b>rolled" not in (tmp_path / "out" / "incident.html").read_text()  # escaped, never markup


def test_long_words_wrap_inside_the_body_and_the_check_catches_text_that_runs_off(tmp_path):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPainter, QPdfWriter

    from noc_app.reports.document import Document

    doc = Document("Long words")
    doc.table(("fingerprint", "note"), [("f" * 300, "short")])
    doc.para("x" * 400)
    (pdf, *_) = doc.write(tmp_path, "long")
    assert words_off_the_body(pdf) == []  # QTextDocument wraps a word longer than the line anywhere
    # the negative control: text drawn past the right margin is reported
    writer = QPdfWriter(str(tmp_path / "off.pdf"))
    writer.setResolution(72)
    painter = QPainter(writer)
    painter.drawText(QPointF(writer.width() - 30, 100), "runs-off-the-page")
    painter.end()
    (word,) = words_off_the_body(tmp_path / "off.pdf")
    assert word.startswith("runs")
