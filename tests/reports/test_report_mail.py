"""E-mail delivery of a report (optional): attachments, login only with a password from the environment."""

from __future__ import annotations

import base64
import email
from email import policy

import pytest
from fake_smtp import FakeSmtp

from noc_app.cli import main
from noc_app.reports import mail


@pytest.fixture
def config_file(config_text, tmp_path):
    path = tmp_path / "shop.yaml"
    path.write_text(config_text)
    return path


def test_no_mail_unless_asked(config_file, tmp_path, capsys):
    with FakeSmtp() as smtp:
        assert main(["report", "sla", "--config", str(config_file), "--out", str(tmp_path / "r"),
                     "--month", "2026-04", "--no-incidents", "--smtp", f"127.0.0.1:{smtp.port}"]) == 0
    assert smtp.messages == [] and smtp.commands == []


def test_the_report_is_mailed_with_its_pdf_and_csvs(config_file, tmp_path, capsys):
    with FakeSmtp() as smtp:
        assert main(["report", "sla", "--config", str(config_file), "--out", str(tmp_path / "r"), "--month",
                     "2026-04", "--no-incidents", "--smtp", f"127.0.0.1:{smtp.port}", "--mail-to", "noc@example.org",
                     "--mail-to", "boss@example.org", "--mail-from", "wall@example.org"]) == 0
    (raw,) = smtp.messages
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["To"] == "noc@example.org, boss@example.org" and message["From"] == "wall@example.org"
    assert message["Subject"] == "sla-2026-04 — Shop"
    names = sorted(part.get_filename() for part in message.iter_attachments())
    assert names == ["sla-2026-04-daily-api.csv", "sla-2026-04-incidents.csv", "sla-2026-04-summary.csv",
                     "sla-2026-04.pdf"]
    pdf = next(p for p in message.iter_attachments() if p.get_filename().endswith(".pdf"))
    assert pdf.get_content().startswith(b"%PDF")
    assert not any(c.upper().startswith("AUTH") for c in smtp.commands)  # no user: no login
    assert "mailed to noc@example.org, boss@example.org" in capsys.readouterr().err


def test_login_uses_the_password_from_the_environment_and_never_prints_it(config_file, tmp_path, capsys,
                                                                          monkeypatch):
    monkeypatch.setenv("NOC_SMTP_PASSWORD", "s3cret-pw")
    with FakeSmtp() as smtp:
        assert main(["report", "sla", "--config", str(config_file), "--out", str(tmp_path / "r"), "--month",
                     "2026-04", "--no-incidents", "--smtp", f"127.0.0.1:{smtp.port}", "--mail-to", "a@example.org",
                     "--smtp-user", "noc"]) == 0
    (auth,) = [c for c in smtp.commands if c.upper().startswith("AUTH")]
    assert base64.b64decode(auth.split()[-1]) == b"\0noc\0s3cret-pw"
    captured = capsys.readouterr()
    assert "s3cret-pw" not in captured.out + captured.err


def test_a_missing_password_or_a_server_without_tls_sends_nothing(config_file, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NOC_SMTP_PASSWORD", raising=False)
    args = ["report", "sla", "--config", str(config_file), "--out", str(tmp_path / "r"), "--month", "2026-04",
            "--no-incidents", "--mail-to", "a@example.org", "--smtp-user", "noc"]
    with FakeSmtp() as smtp:
        assert main([*args, "--smtp", f"127.0.0.1:{smtp.port}"]) == 1
        assert "mail not sent" in capsys.readouterr().err and smtp.messages == []
        monkeypatch.setenv("NOC_SMTP_PASSWORD", "s3cret-pw")
        monkeypatch.setattr(mail, "_is_loopback", lambda host: False)  # as if the relay were another host
        assert main([*args, "--smtp", f"127.0.0.1:{smtp.port}"]) == 1
        err = capsys.readouterr().err
        assert "offers no STARTTLS" in err and "s3cret-pw" not in err
        assert smtp.messages == [] and not any(c.upper().startswith("AUTH") for c in smtp.commands)


@pytest.mark.parametrize(("text", "host", "port"), [("mail.example", "mail.example", 25),
                                                    ("10.0.0.1:587", "10.0.0.1", 587)])
def test_smtp_server_text(text, host, port):
    assert (mail.parse_server(text).host, mail.parse_server(text).port) == (host, port)
    with pytest.raises(ValueError, match="HOST:PORT"):
        mail.parse_server("mail.example:smtp")
