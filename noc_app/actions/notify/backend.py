"""The ActionBackend for NOTIFY requests: picks the channel named in the request and sends its text.

It is registered under NOTIFY_SOURCE_ID, so execute() and replay_outbox() deliver notifications
like any action: journalled first, retried with backoff while the channel is down, audited.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from noc_app.actions.errors import BackendRejected, InvalidRequest
from noc_app.actions.model import ActionKind, ActionOutcome, ActionRequest, OutcomeStatus
from noc_app.actions.notify.channels import Sender, sender_for
from noc_app.config.schema import NotificationChannel, NotificationsConfig


class NotificationBackend:
    def __init__(
        self, config: NotificationsConfig, *, sender_factory: Callable[[NotificationChannel], Sender] = sender_for
    ) -> None:
        self._channels: Mapping[str, NotificationChannel] = {c.id: c for c in config.channels}
        self._senders: dict[str, Sender] = {}
        self._factory = sender_factory

    def perform(self, request: ActionRequest) -> ActionOutcome:
        if request.kind is not ActionKind.NOTIFY:
            raise InvalidRequest(f"the notification backend cannot {request.kind.value}")
        channel_id = request.params.get("channel", "")
        channel = self._channels.get(channel_id)
        if channel is None:
            raise BackendRejected(f"no notification channel {channel_id!r} in this configuration")
        sender = self._senders.get(channel_id)
        if sender is None:
            sender = self._senders[channel_id] = self._factory(channel)
        receipt = sender.send(request.params.get("subject", ""), request.comment)
        return ActionOutcome(request_id=request.request_id, status=OutcomeStatus.DONE,
                             message=f"{request.params.get('event', '')} sent to {channel_id}: {receipt}")

    def close(self) -> None:
        for sender in self._senders.values():
            sender.close()
