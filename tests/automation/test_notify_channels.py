"""The senders against real local servers: a threaded HTTP webhook receiver and a minimal SMTP server."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from noc_app.actions.automation_lease import FileLease
from noc_app.actions.errors import BackendRejected, Retryable
from noc_app.actions.notify.channels import EmailSender, WebhookSender, webhook_body
from noc_app.config.loader import ConfigError, load_config_text
from noc_app.config.schema import NotificationChannel, SecretRef


class Receiver:
    def __init__(self) -> None:
        self.bodies: list[dict[str, object]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/s3cr3tT0ken"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    r = Receiver()
    monkeypatch.setenv("NOC_TEST_HOOK", r.url)
    yield r
    r.server.shutdown()
    r.server.server_close()


HOOK = SecretRef(env="NOC_TEST_HOOK")


def test_slack_gets_the_text(receiver: Receiver) -> None:
    sender = WebhookSender(NotificationChannel(id="slack", kind="slack", webhook_url=HOOK))
    assert sender.send("[P1 NEW] X", "[P1 NEW] X\nline two") == "slack HTTP 200"
    assert receiver.bodies == [{"text": "[P1 NEW] X\nline two"}]


def test_teams_gets_a_message_card(receiver: Receiver) -> None:
    WebhookSender(NotificationChannel(id="teams", kind="teams", webhook_url=HOOK)).send("S", "a\nb")
    assert receiver.bodies == [webhook_body("teams", "S", "a\nb")]
    assert receiver.bodies[0]["title"] == "S"


@pytest.mark.parametrize(("status", "error"), [(500, Retryable), (503, Retryable), (404, BackendRejected),
                                               (403, BackendRejected), (429, Retryable)])
def test_failures_name_the_channel_never_the_url(receiver: Receiver, status: int, error: type[Exception]) -> None:
    receiver.status = status
    with pytest.raises(error) as err:
        WebhookSender(NotificationChannel(id="slack", kind="slack", webhook_url=HOOK)).send("S", "t")
    assert "channel slack" in str(err.value)
    assert "s3cr3t" not in str(err.value) and "services" not in str(err.value)


def test_an_unreachable_webhook_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOC_TEST_HOOK", "http://127.0.0.1:9/hook")
    with pytest.raises(Retryable, match="unreachable"):
        WebhookSender(NotificationChannel(id="slack", kind="slack", webhook_url=HOOK), timeout_s=2).send("S", "t")


class SmtpServer:
    """Just enough SMTP (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT) to see what the sender sends."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []
        self.auth: list[str] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                def say(line: str) -> None:
                    self.wfile.write((line + "\r\n").encode())

                say("220 fake ESMTP")
                sender, rcpts = "", []
                while True:
                    line = self.rfile.readline().decode().rstrip("\r\n")
                    verb = line.split(" ")[0].upper()
                    if verb in ("EHLO", "HELO"):
                        say("250-fake")
                        say("250 AUTH PLAIN")
                    elif verb == "AUTH":
                        outer.auth.append(line)
                        say("235 ok")
                    elif verb == "MAIL":
                        sender = line
                        say("250 ok")
                    elif verb == "RCPT":
                        rcpts.append(line)
                        say("250 ok")
                    elif verb == "DATA":
                        say("354 go")
                        data = []
                        while (chunk := self.rfile.readline().decode()) not in (".\r\n", ""):
                            data.append(chunk)
                        outer.messages.append((sender, rcpts, "".join(data)))
                        say("250 queued")
                    elif verb == "QUIT" or not line:
                        say("221 bye")
                        return
                    else:
                        say("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_email_is_sent_as_plain_text_with_login(monkeypatch: pytest.MonkeyPatch) -> None:
    smtp = SmtpServer()
    monkeypatch.setenv("NOC_TEST_SMTP_PASSWORD", "hunter2")
    try:
        channel = NotificationChannel(
            id="mail", kind="email", smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none",
            mail_from="noc@example.org", mail_to=("oncall@example.org", "lead@example.org"), smtp_user="noc",
            smtp_password=SecretRef(env="NOC_TEST_SMTP_PASSWORD"),
        )
        assert EmailSender(channel).send("[P3 NEW] Disk", "body line") == "e-mail sent to 2 recipient(s)"
    finally:
        smtp.server.shutdown()
        smtp.server.server_close()
    (sender, rcpts, data), = smtp.messages
    assert "noc@example.org" in sender and len(rcpts) == 2
    assert "Subject: [P3 NEW] Disk" in data and "body line" in data and "text/plain" in data
    assert len(smtp.auth) == 1


def test_an_smtp_server_that_is_down_is_retried() -> None:
    channel = NotificationChannel(id="mail", kind="email", smtp_host="127.0.0.1", smtp_port=9, smtp_security="none",
                                  mail_from="noc@example.org", mail_to=("a@example.org",))
    with pytest.raises(Retryable, match="channel mail: SMTP server unreachable"):
        EmailSender(channel, timeout_s=2).send("S", "t")


def test_the_file_lease_is_exclusive_and_names_its_holder(tmp_path: Path) -> None:
    first, second = FileLease(tmp_path / "state.db", name="ws-1:100"), FileLease(tmp_path / "state.db", name="ws-2:7")
    assert first.try_acquire() and not second.try_acquire()
    assert second.holder().startswith("ws-1:100 since ")
    first.release()
    assert second.holder() == ""
    assert second.try_acquire() and not first.try_acquire()
    second.release()


VALID = ("sources:\n  - {id: demo, kind: demo}\ndashboards:\n  - id: main\n    panels:\n"
         "      - {id: note, kind: text, title: Note, text: hi}\n")


def test_notifications_config_reads_channels_by_reference() -> None:
    config = load_config_text(VALID + (
        "notifications:\n  channels:\n"
        "    - {id: slack, kind: slack, webhook_url_env: NOC_SLACK_HOOK}\n"
        "    - {id: mail, kind: email, smtp_host: smtp.example.org, security: ssl, from: noc@example.org,"
        " to: [a@example.org], user: noc, password_env: NOC_SMTP}\n"
        "severity_policy:\n  - {id: P1, severity: high, channels: [slack, mail]}\n"
        "automation:\n  enabled: true\n  business_hours: {days: [mon, tue], start: '08:30', end: '17:00',"
        " timezone: Asia/Seoul}\n"
    ), filename="room.yaml")
    slack, mail = config.notifications.channels
    assert slack.webhook_url == SecretRef(env="NOC_SLACK_HOOK")
    assert (mail.smtp_port, mail.smtp_security, mail.mail_to) == (465, "ssl", ("a@example.org",))
    hours = config.automation.business_hours
    assert config.automation.enabled and (hours.days, hours.start_min, hours.end_min) == ((0, 1), 510, 1020)


@pytest.mark.parametrize(("extra", "message"), [
    ("notifications:\n  channels:\n    - {id: s, kind: slack, webhook_url: 'https://hooks.slack.com/x'}\n",
     "notifications.channels[0].webhook_url: a webhook URL is a secret and must not be written"),
    ("notifications:\n  channels:\n    - {id: s, kind: slack}\n",
     "missing required key 'webhook_url_env' (or 'webhook_url_keyring')"),
    (("notifications:\n  channels:\n    - {id: s, kind: slack, webhook_url_env: X}\n"
      "severity_policy:\n  - {id: P0, severity: critical, channels: [slak]}\n"),
     "severity_policy[0].channels[0]: unknown notification channel 'slak'"),
    ("automation:\n  business_hours: {timezone: Mars/Olympus}\n", "unknown time zone 'Mars/Olympus'"),
    ("automation:\n  business_hours: {start: '25:00'}\n", "expected a time like 09:00"),
])
def test_notification_config_errors(extra: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config_text(VALID + extra, filename="room.yaml")
    assert message in str(err.value)
