"""The exact call a runbook makes with given values: what a dry run shows and what the backend sends.

Pure: values are validated (params.check_params) before any template is filled;
secrets are not resolved here, so a dry run names each secret header's reference
and never its value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from noc_app.actions.errors import InvalidRequest
from noc_app.actions.runbooks.params import check_params
from noc_app.config.runbook_schema import RunbookConfig
from noc_app.config.runbook_template import TemplateError, fill, fill_body, fill_url
from noc_app.config.schema import AuthConfig, SecretRef


@dataclass(frozen=True, kw_only=True, slots=True)
class PreparedCall:
    """One runbook run, fully filled in: an HTTP request or an argv list."""

    runbook_id: str
    method: str = ""
    url: str = ""
    headers: tuple[tuple[str, str], ...] = ()  # plain headers (secret ones are added by the client)
    secret_headers: tuple[tuple[str, str], ...] = ()  # header name -> where its value comes from
    body: bytes | None = None
    argv: tuple[str, ...] = ()
    timeout_s: float = 30.0

    @property
    def is_http(self) -> bool:
        return bool(self.url)

    def describe(self) -> str:
        """The dry run: the exact request or command, secrets shown as their references."""
        if not self.is_http:
            return "run (no shell): " + json.dumps(list(self.argv)) + f"  [timeout {self.timeout_s:g} s]"
        lines = [f"{self.method} {self.url}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        lines += [f"{name}: <secret from {where}>" for name, where in self.secret_headers]
        if self.body is not None:
            lines += ["", self.body.decode("utf-8")]
        return "\n".join(lines)


def prepare(runbook: RunbookConfig, values: Mapping[str, str]) -> PreparedCall:
    """Validate the values, then fill the templates; raises InvalidRequest."""
    check_params(runbook, values)
    try:
        if runbook.http is None:
            return PreparedCall(runbook_id=runbook.id, timeout_s=runbook.timeout_s,
                                argv=(runbook.argv[0], *(fill(arg, values) for arg in runbook.argv[1:])))
        http = runbook.http
        headers = dict(http.headers)
        body = None
        if http.body is not None:
            body = json.dumps(fill_body(http.body, values), ensure_ascii=True, separators=(",", ":")).encode("ascii")
            headers.setdefault("Content-Type", "application/json")
        return PreparedCall(
            runbook_id=runbook.id, method=http.method, url=fill_url(http.url, values),
            headers=tuple(headers.items()), secret_headers=_secret_references(http.auth), body=body,
            timeout_s=runbook.timeout_s,
        )
    except TemplateError as exc:
        raise InvalidRequest(f"runbook {runbook.id!r}: {exc}") from exc


def _secret_references(auth: AuthConfig | None) -> tuple[tuple[str, str], ...]:
    if auth is None:
        return ()
    found = [(name, _where(ref)) for name, ref in auth.secret_headers.items()]
    if auth.bearer is not None:
        found.append(("Authorization", "Bearer " + _where(auth.bearer)))
    elif auth.basic_user is not None:
        found.append(("Authorization", f"Basic {auth.basic_user}:" + (
            _where(auth.basic_password) if auth.basic_password is not None else "")))
    return tuple(found)


def _where(ref: SecretRef) -> str:
    return f"env {ref.env}" if ref.env else f"keyring {ref.keyring_service}/{ref.keyring_user}"
