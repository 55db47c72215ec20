"""`noc-app report sla|handover|incident`: files written, numbers in them, clear errors and exit codes."""

from __future__ import annotations

import pytest
from pdf_check import pdf_text
from synthetic_month import OUTAGE

from noc_app.cli import main
from noc_app.state.records import IncidentMark
from noc_app.state.sqlite import SqliteJournal


@pytest.fixture
def config_file(config_text, tmp_path):
    db = tmp_path / "state.db"
    journal = SqliteJournal(db)
    journal.mark_incidents([IncidentMark(source_id="am", fingerprint="f1", name="HighErrorRate",
                                         first_seen_at=OUTAGE[0], shown_at=OUTAGE[0] + 5, severity="high",
                                         service="api")], now=OUTAGE[0] + 5)
    journal.close()
    path = tmp_path / "shop.yaml"
    path.write_text(config_text + f"state: {{url: 'sqlite://{db}'}}\n")
    return path


def test_report_sla_writes_pdf_html_and_csv(config_file, tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["report", "sla", "--config", str(config_file), "--out", str(out), "--month", "2026-04"]) == 0
    written = capsys.readouterr().out.split()
    assert written[0] == str(out / "sla-2026-04.pdf")
    assert {p.rsplit("/", 1)[1] for p in written} >= {"sla-2026-04.html", "sla-2026-04-summary.csv",
                                                       "sla-2026-04-incidents.csv", "sla-2026-04-daily-api.csv"}
    text = pdf_text(out / "sla-2026-04.pdf")
    assert "99.884 %" in text and "HighErrorRate" not in text and "P1" in text


def test_report_handover_and_incident(config_file, tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["report", "handover", "--config", str(config_file), "--out", str(out), "--hours", "8"]) == 0
    assert capsys.readouterr().out.split()[0].endswith(".pdf")
    assert main(["report", "incident", "am/f1", "--config", str(config_file), "--out", str(out),
                 "--panel", "lat"]) == 0
    pdf = capsys.readouterr().out.split()[0]
    assert pdf.endswith("incident-am-f1.pdf") and "HighErrorRate" in pdf_text(tmp_path / "reports" / pdf)


def test_errors_are_one_clear_line_with_an_exit_code(config_file, tmp_path, capsys):
    out = str(tmp_path / "reports")
    assert main(["report", "incident", "am/nope", "--config", str(config_file), "--out", out]) == 1
    assert "no incident am/nope in the state database" in capsys.readouterr().err
    assert main(["report", "sla", "--config", str(config_file), "--out", out, "--service", "web"]) == 2
    assert "no sla service web" in capsys.readouterr().err
    assert main(["report", "sla", "--config", str(config_file), "--out", out, "--time-zone", "Mars/X"]) == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "sla", "--config", str(config_file), "--out", out, "--month", "2026-13"])
    assert exit_info.value.code == 2
    assert "expected a month as YYYY-MM" in capsys.readouterr().err


def test_an_unreachable_prometheus_still_writes_the_report_and_exits_1(tmp_path, capsys):
    from synthetic_month import CONFIG

    config = tmp_path / "down.yaml"
    config.write_text(CONFIG.format(url="http://127.0.0.1:9"))
    out = tmp_path / "reports"
    assert main(["report", "sla", "--config", str(config), "--out", str(out), "--month", "2026-04",
                 "--no-incidents"]) == 1
    captured = capsys.readouterr()
    assert "noc-app report: api: Unreachable" in captured.err
    assert "Figures unavailable: Unreachable" in pdf_text(out / "sla-2026-04.pdf")
