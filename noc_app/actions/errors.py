"""Why an action did not happen, as a small typed tree.

    ActionError
    ├── NotPermitted     policy refused it (mode, role, read-only source, incident state)
    ├── InvalidRequest   the request itself is unusable (no labels to match, bad payload)
    ├── BackendRejected  the backend answered and said no (4xx, bad credentials)
    └── Retryable        the backend could not be reached or asked us to come back later

Backends raise these; `execute` turns every one of them into an `ActionOutcome`
and never lets them escape.
"""

from __future__ import annotations


class ActionError(Exception):
    """Base of every action failure; the message is meant for the operator."""


class NotPermitted(ActionError):
    """The policy does not allow this action here and now."""


class InvalidRequest(ActionError):
    """The request cannot be carried out as given; retrying will not help."""


class BackendRejected(ActionError):
    """The backend refused the request; retrying the same request will not help."""


class Retryable(ActionError):
    """Not done yet, but may succeed later: the request stays in the outbox."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
