"""Secret redaction: every configured secret value becomes `***` before text leaves the process.

A backend may echo our request headers in an error body, httpx may quote a header
value in an exception, a proxy may put the token in a redirect URL: all of that
text ends up on panels, in tooltips, in the snapshot JSON and in log lines.  So the
values of every resolved secret are registered here (in the forms they travel in:
as is, stripped, URL-encoded, base64, JSON-escaped) and `redact()` replaces them in
any text.  The registry is process-wide, like logging's configuration: secrets are
resolved in worker threads and redacted on every thread.

    register_secret(token)                 # where a secret value is resolved
    redact("HTTP 500: Bearer abc123 ...")  # -> "HTTP 500: Bearer *** ..."

Log records are masked as they are made (a log-record factory installed with the
first secret), so every logger and handler — httpx's included — is covered.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import urllib.parse

MASK = "***"
MIN_FORM_LEN = 4

_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None


def secret_forms(value: str) -> set[str]:
    """The spellings a secret value can take on its way into a message."""
    forms = {value, value.strip()}
    for text in tuple(forms):
        raw = text.encode("utf-8")
        forms.add(urllib.parse.quote(text, safe=""))
        forms.add(urllib.parse.quote_plus(text))
        forms.add(json.dumps(text)[1:-1])
        forms.add(repr(text)[1:-1])
        for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            ascii_form = encoded.decode("ascii")
            forms.add(ascii_form)
            forms.add(ascii_form.rstrip("="))
    # A form this short would mask ordinary text everywhere; no real secret is that short.
    return {form for form in forms if len(form) >= MIN_FORM_LEN}


def register_secret(value: str) -> None:
    """Remember a secret value (all its forms) so redact() masks it from now on."""
    global _pattern
    if not value or not value.strip():
        return
    with _lock:
        before = len(_values)
        _values.update(secret_forms(value))
        if len(_values) != before:
            # Longest first, so a secret that contains another is masked whole.
            ordered = sorted(_values, key=len, reverse=True)
            _pattern = re.compile("|".join(map(re.escape, ordered)))
    _install_record_redaction()


def register_basic_auth(username: str, password: str) -> None:
    """A basic-auth password travels alone and inside base64("user:password")."""
    register_secret(password)
    register_secret(f"{username}:{password}")


def has_secrets() -> bool:
    return _pattern is not None


def redact(text: str) -> str:
    """The text with every registered secret form replaced by ***; fast when nothing matches."""
    pattern = _pattern
    if pattern is None or not text:
        return text
    if pattern.search(text) is None:
        return text
    return pattern.sub(MASK, text)


def contains_secret(text: str) -> bool:
    pattern = _pattern
    return pattern is not None and bool(text) and pattern.search(text) is not None


def forget_secrets() -> None:
    """Empty the registry (tests, and a process that loads a new config)."""
    global _pattern
    with _lock:
        _values.clear()
        _pattern = None


def _redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask secrets in a record as it is made, whatever handler or formatter later prints it."""
    if _pattern is None:
        return record
    message = record.getMessage()
    masked = redact(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    return record


def _install_record_redaction() -> None:
    """From the first registered secret on, every log record of every logger is masked at birth.

    Done here rather than by the CLI so no entry point (CLI, tests, an embedding
    program) can forget it; idempotent.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "noc_redacting", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        return _redact_record(current(*args, **kwargs))

    factory.noc_redacting = True  # type: ignore[attr-defined]  # marker: installed once
    logging.setLogRecordFactory(factory)
