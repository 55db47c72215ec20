"""The senders: Slack and Teams incoming webhooks (HTTP POST of JSON) and e-mail (smtplib).

Each raises Retryable when trying again may help (unreachable, rate limited, 5xx, SMTP 4xx) and
BackendRejected when it will not (a 4xx from the webhook, SMTP 5xx, refused login).  Messages name
the channel, never the webhook URL or a password (both are secrets).
"""

from __future__ import annotations

import json
import re
import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

from noc_app.actions.errors import BackendRejected, Retryable
from noc_app.config.schema import NotificationChannel, SourceConfig
from noc_app.config.secrets import SecretUnavailable, resolve_secret
from noc_app.sources.base import AuthFailed, BadResponse, RateLimited, Redirected, SourceError, Unreachable
from noc_app.sources.http import make_client, request_bytes

MAX_ANSWER_BYTES = 64 * 1024
SMTP_TIMEOUT_S = 15.0
_STATUS = re.compile(r"HTTP (\d{3})")


class Sender(Protocol):
    def send(self, subject: str, text: str) -> str:
        """Deliver one message (blocking); returns a short receipt; raises Retryable or BackendRejected."""
        ...

    def close(self) -> None: ...


def sender_for(channel: NotificationChannel) -> Sender:
    if channel.kind == "email":
        return EmailSender(channel)
    return WebhookSender(channel)


def webhook_body(kind: str, subject: str, text: str) -> dict[str, object]:
    """Slack: {"text"}; Teams (incoming webhook / workflow): a MessageCard with the same words."""
    if kind == "teams":
        return {"@type": "MessageCard", "@context": "https://schema.org/extensions", "summary": subject,
                "title": subject, "text": text.replace("\n", "  \n")}
    return {"text": text}


class WebhookSender:
    def __init__(self, channel: NotificationChannel, *, timeout_s: float = 10.0) -> None:
        self._channel = channel
        self._timeout_s = timeout_s

    def send(self, subject: str, text: str) -> str:
        cid = self._channel.id
        if self._channel.webhook_url is None:
            raise BackendRejected(f"channel {cid}: no webhook URL configured")
        try:
            url = resolve_secret(self._channel.webhook_url, where=f"notifications.channels[{cid}].webhook_url")
        except SecretUnavailable as exc:
            raise Retryable(str(exc)) from exc  # set the variable and the outbox sends it
        config = SourceConfig(id=f"notify-{cid}", kind="webhook", url=url, timeout_s=self._timeout_s)
        body = json.dumps(webhook_body(self._channel.kind, subject, text)).encode()
        try:
            with make_client(config, base_url="") as client:
                status, _, _ = request_bytes(client, "POST", url, max_bytes=MAX_ANSWER_BYTES, content=body,
                                             headers={"Content-Type": "application/json"})
        except RateLimited as exc:
            raise Retryable(f"channel {cid}: the webhook is rate limiting", exc.retry_after) from None
        except Unreachable:
            raise Retryable(f"channel {cid}: the webhook is unreachable") from None
        except AuthFailed:
            raise BackendRejected(f"channel {cid}: the webhook refused the message (401/403)") from None
        except Redirected:
            raise BackendRejected(f"channel {cid}: the webhook answered with a redirect (not followed)") from None
        except BadResponse as exc:
            found = _STATUS.search(str(exc))
            code = int(found[1]) if found else 0
            if code >= 500 or code == 408:
                raise Retryable(f"channel {cid}: the webhook answered HTTP {code}") from None
            raise BackendRejected(f"channel {cid}: the webhook answered HTTP {code or '?'}") from None
        except SourceError:
            raise Retryable(f"channel {cid}: the webhook failed") from None
        return f"{self._channel.kind} HTTP {status}"

    def close(self) -> None:
        pass


class EmailSender:
    def __init__(self, channel: NotificationChannel, *, timeout_s: float = SMTP_TIMEOUT_S) -> None:
        self._channel = channel
        self._timeout_s = timeout_s

    def send(self, subject: str, text: str) -> str:
        ch = self._channel
        message = EmailMessage()
        message["Subject"] = subject.replace("\n", " ")[:200]
        message["From"] = ch.mail_from
        message["To"] = ", ".join(ch.mail_to)
        message.set_content(text)
        try:
            password = None
            if ch.smtp_password is not None:
                password = resolve_secret(ch.smtp_password, where=f"notifications.channels[{ch.id}].password",
                                          spaces_allowed=True)
        except SecretUnavailable as exc:
            raise Retryable(str(exc)) from exc
        try:
            with self._connect() as smtp:
                if ch.smtp_user and password is not None:
                    smtp.login(ch.smtp_user, password)
                refused = smtp.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise BackendRejected(f"channel {ch.id}: SMTP login refused ({exc.smtp_code})") from None
        except smtplib.SMTPRecipientsRefused:
            raise BackendRejected(f"channel {ch.id}: every recipient was refused") from None
        except smtplib.SMTPResponseException as exc:
            what = f"channel {ch.id}: SMTP {exc.smtp_code}"
            if 400 <= exc.smtp_code < 500:
                raise Retryable(what) from None
            raise BackendRejected(what) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise Retryable(f"channel {ch.id}: SMTP server unreachable ({type(exc).__name__})") from None
        if refused:
            return f"e-mail sent; refused by {len(refused)} of {len(ch.mail_to)} recipients"
        return f"e-mail sent to {len(ch.mail_to)} recipient(s)"

    def _connect(self) -> smtplib.SMTP:
        ch = self._channel
        context = ssl.create_default_context()
        if ch.smtp_security == "ssl":
            return smtplib.SMTP_SSL(ch.smtp_host, ch.smtp_port, timeout=self._timeout_s, context=context)
        smtp = smtplib.SMTP(ch.smtp_host, ch.smtp_port, timeout=self._timeout_s)
        if ch.smtp_security == "starttls":
            try:
                smtp.starttls(context=context)
            except BaseException:
                smtp.close()
                raise
        return smtp

    def close(self) -> None:
        pass
