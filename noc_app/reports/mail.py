"""Sending a written report by e-mail (optional; off unless `--mail-to` is given).

    message = build_message(subject=..., sender=..., to=(...), body=..., attachments=paths)
    send(message, Smtp(host="smtp.example", port=587, user="noc"), password=resolve_secret(...))

STARTTLS is used whenever the server offers it; a user name and password are sent only over
TLS (or to a loopback relay).  The password comes from the environment or the keyring through
noc_app.config.secrets, which registers it for redaction: it never reaches a message or log.
Scheduling is the system's job: a cron line or a systemd timer runs `noc-app report ... --mail-to`.
"""

from __future__ import annotations

import ipaddress
import mimetypes
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


class MailError(RuntimeError):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class Smtp:
    host: str
    port: int = 25
    user: str = ""
    timeout_s: float = 30.0


def parse_server(text: str) -> Smtp:
    """HOST or HOST:PORT (default port 25; 587 is the usual submission port)."""
    host, _, port = text.strip().rpartition(":") if ":" in text.strip() else (text.strip(), "", "25")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST or HOST:PORT, got {text!r}")
    return Smtp(host=host, port=int(port))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_message(*, subject: str, sender: str, to: Sequence[str], body: str,
                  attachments: Sequence[Path]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message.set_content(body)
    for path in attachments:
        data = path.read_bytes()
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise MailError(f"{path.name} is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        main, sub = kind.split("/", 1)
        message.add_attachment(data, maintype=main, subtype=sub, filename=path.name)
    return message


def send(message: EmailMessage, server: Smtp, *, password: str | None = None) -> None:
    """Deliver through the SMTP server; MailError says why not (never with the password)."""
    try:
        with smtplib.SMTP(server.host, server.port, timeout=server.timeout_s) as smtp:
            smtp.ehlo()
            secure = False
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
                secure = True
            if server.user:
                if not secure and not _is_loopback(server.host):
                    raise MailError(f"{server.host} offers no STARTTLS: the SMTP password is not sent in clear text")
                smtp.login(server.user, password or "")
            smtp.send_message(message)
    except MailError:
        raise
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"sending to {server.host}:{server.port} failed: {type(exc).__name__}: {exc}") from exc
