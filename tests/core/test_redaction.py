"""Secret redaction: the forms a secret travels in, log records, snapshots and errors (no Qt, no network)."""

from __future__ import annotations

import base64
import json
import logging
import urllib.parse

import numpy as np
import pytest

from noc_app import redaction
from noc_app.model import Alert, AlertState, LogLine, QueryResult, Series, Severity, Snapshot, freeze_labels
from noc_app.scrub import scrub_error, scrub_snapshot
from noc_app.sources.base import BadResponse, RateLimited, Redirected

SECRET = "s3cr3t/t0ken+with=signs"


@pytest.fixture
def registered():
    redaction.register_secret(SECRET + "\n")  # as read from a secret file


@pytest.mark.parametrize(
    "form",
    [
        SECRET,
        urllib.parse.quote(SECRET, safe=""),
        urllib.parse.quote_plus(SECRET),
        base64.b64encode(SECRET.encode()).decode(),
        base64.b64encode(SECRET.encode()).decode().rstrip("="),
        json.dumps(SECRET)[1:-1],
    ],
    ids=["raw", "url-encoded", "form-encoded", "base64", "base64-unpadded", "json"],
)
def test_every_travelling_form_is_masked(registered, form):
    assert redaction.redact(f"error: got {form} back") == "error: got *** back"


def test_text_without_secrets_is_returned_untouched(registered):
    text = "HTTP 500 from http://prom:9090/api/v1/query: internal error"
    assert redaction.redact(text) is text


def test_nothing_registered_masks_nothing():
    assert not redaction.has_secrets()
    assert redaction.redact(SECRET) == SECRET


def test_too_short_values_are_not_masked_everywhere():
    redaction.register_secret("ab")
    assert redaction.redact("a table about abba") == "a table about abba"


def test_basic_auth_pair_is_masked_in_its_header_form():
    redaction.register_basic_auth("wall", "hunter22")
    header = "Basic " + base64.b64encode(b"wall:hunter22").decode()
    assert redaction.redact(f"sent {header}") == "sent Basic ***"


def test_log_records_of_any_logger_are_masked_with_their_tracebacks(registered, caplog):
    caplog.set_level(logging.INFO)
    try:
        raise ValueError(f"Illegal header value b'Bearer {SECRET}\\n'")
    except ValueError:
        logging.getLogger("httpx").exception("request with %s failed", SECRET)
    assert SECRET not in caplog.text
    assert "request with *** failed" in caplog.text and "Illegal header value b'Bearer ***" in caplog.text


def test_errors_keep_their_type_and_retry_after_but_lose_the_secret(registered):
    error = RateLimited(f"HTTP 429: echo Authorization: Bearer {SECRET}", retry_after=7.0)
    error.__cause__ = ValueError(SECRET)
    clean = scrub_error(error)
    assert type(clean) is RateLimited and clean.retry_after == 7.0
    assert SECRET not in str(clean) and clean.__cause__ is None
    redirected = scrub_error(Redirected(f"redirect to http://x/?t={SECRET}", f"http://x/?t={SECRET}"))
    assert SECRET not in redirected.target
    plain = BadResponse("no secret here")
    assert scrub_error(plain) is plain


def test_snapshot_texts_labels_and_logs_are_masked(registered):
    series = Series(key=f'{{instance="{SECRET}"}}', name=SECRET, labels=freeze_labels({"instance": SECRET}),
                    x=np.array([1.0]), y=np.array([2.0]))
    alert = Alert(fingerprint="f", source_id="am", name="A", severity=Severity.CRITICAL, state=AlertState.FIRING,
                  summary=f"token {SECRET}", description="", labels=freeze_labels({"k": SECRET}),
                  annotations=freeze_labels({"runbook": f"http://x/?t={SECRET}"}), starts_at=0.0, url="")
    line = LogLine(ts=1.0, text=f"Authorization: Bearer {SECRET}", level="info", labels=freeze_labels({}),
                   cursor="c")
    snapshot = Snapshot.build(
        "s", 1.0,
        metrics={"k": QueryResult.build([series], warnings=[SECRET]),
                 "e": QueryResult.build(error=f"echo {SECRET}")},
        alerts=[alert], logs=[line], degraded=[SECRET], info={"v": SECRET},
        errors={"targets": SECRET}, notes={"alerts": [SECRET]},
    )
    clean = scrub_snapshot(snapshot)
    assert SECRET not in repr(clean)
    assert clean.metrics["k"].series[0].y.tolist() == [2.0]
    assert clean.alerts and clean.alerts[0].summary == "token ***"
    assert clean.fingerprint != snapshot.fingerprint  # the masked content is what the wall compares


def test_clean_snapshot_is_the_same_object(registered):
    snapshot = Snapshot.build("s", 1.0, metrics={"k": QueryResult.build(error="plain")})
    assert scrub_snapshot(snapshot) is snapshot
