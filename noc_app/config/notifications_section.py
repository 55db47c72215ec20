"""The `notifications:` and `automation:` sections.

    notifications:
      events: [new, escalated, resolved]       # optional; default: all three
      channels:
        - {id: slack, kind: slack, webhook_url_env: NOC_SLACK_WEBHOOK}
        - {id: teams, kind: teams, webhook_url_keyring: {service: noc, username: teams-hook}}
        - id: email
          kind: email
          smtp_host: smtp.example.org
          smtp_port: 587                       # default 587 (starttls), 465 (ssl), 25 (none)
          security: starttls                   # starttls | ssl | none
          from: noc@example.org
          to: [oncall@example.org]
          user: noc                            # optional: SMTP login
          password_env: NOC_SMTP_PASSWORD      # or password_keyring: {service, username}

    automation:
      enabled: true                            # default false
      interval: 30s                            # timer checks
      lease_retry: 15s                         # how often a standby tries to take over
      business_hours: {days: [mon, tue, wed, thu, fri], start: "09:00", end: "18:00", timezone: Europe/Berlin}

A webhook URL carries its own credential, so it is a secret: only a reference is written here.
`severity_policy[].channels` name these ids; they are checked once every section is read.
"""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from noc_app.config.limits import ONE_DAY_S
from noc_app.config.schema import (
    AutomationConfig,
    BusinessHours,
    NotificationChannel,
    NotificationsConfig,
    SecretRef,
)
from noc_app.config.source_auth import refuse_secret_keys, secret_names_in
from noc_app.config.yaml_nodes import MapReader, Walk, item_path, mapping_pairs, sub_path

CHANNEL_KINDS = ("slack", "teams", "email")
EVENTS = ("new", "escalated", "resolved")
_SECURITY = ("starttls", "ssl", "none")
_DEFAULT_PORT = {"starttls": 587, "ssl": 465, "none": 25}
_CHANNEL_KEYS = (
    "id", "kind", "webhook_url_env", "webhook_url_keyring", "smtp_host", "smtp_port", "security", "from", "to",
    "user", "password_env", "password_keyring",
)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+")
_CLOCK = re.compile(r"([01]?\d|2[0-4]):([0-5]\d)")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def read_notifications(walk: Walk, top: MapReader) -> NotificationsConfig:
    node = top.sub_mapping("notifications")
    if node is None:
        return NotificationsConfig()
    path = top.sub("notifications")
    refuse_secret_keys(walk, node, path, "notifications")
    section = MapReader(walk, node, path, ("channels", "events"))
    channels = []
    for channel_node, channel_path in section.items("channels"):
        channel = _read_channel(walk, channel_node, channel_path)
        if channel is not None:
            channels.append(channel)
    events: tuple[str, ...] = EVENTS
    if section.has("events"):
        listed = []
        for event_node, event_path in section.items("events"):
            event = walk.choice(event_node, event_path, EVENTS)
            if event is not None:
                listed.append(event)
        events = tuple(listed)
    return NotificationsConfig(channels=tuple(channels), events=events)


def check_channel_references(walk: Walk, top: MapReader, notifications: NotificationsConfig) -> None:
    """With a notifications section, every severity_policy channel must name one of its channels."""
    if not notifications.channels:
        return  # without one, channel names are kept as words (the seed's) and nothing is sent
    for node, path in top.items("severity_policy"):
        if not isinstance(node, MappingNode):
            continue
        for key_node, value_node in mapping_pairs(node):
            if key_node.value != "channels" or not isinstance(value_node, SequenceNode):
                continue
            for index, channel_node in enumerate(value_node.value):
                if isinstance(channel_node, ScalarNode):
                    walk.refer("notification channel", str(channel_node.value), channel_node,
                               item_path(sub_path(path, "channels"), index))


def _read_channel(walk: Walk, node: Node, path: str) -> NotificationChannel | None:
    mapping = walk.mapping(node, path)
    if mapping is None:
        return None
    inline_url = next((k for k, _ in mapping_pairs(mapping) if str(k.value) == "webhook_url"), None)
    tolerated = secret_names_in(mapping) | ({"webhook_url"} if inline_url is not None else set())
    item = MapReader(walk, mapping, path, _CHANNEL_KEYS, tolerated=tolerated)
    channel_id = item.text("id", required=True)
    if inline_url is not None:  # the URL is the credential: only a reference may be written here
        hint = "NOC_" + re.sub(r"[^A-Z0-9]+", "_", f"{channel_id or 'channel'}_webhook_url".upper())
        walk.error(inline_url, sub_path(path, "webhook_url"), (
            f"a webhook URL is a secret and must not be written in the config file; write "
            f"'webhook_url_env: {hint}' (or 'webhook_url_keyring: {{service: ..., username: ...}}') and put the "
            "URL in that environment variable or keyring entry"
        ))
    if channel_id is not None:
        walk.declare("notification channel", "notification channel", channel_id, item.nodes["id"], item.sub("id"))
    kind = item.choice("kind", CHANNEL_KINDS, required=True)
    if kind is None or channel_id is None:
        return None
    if kind in ("slack", "teams"):
        for key in ("smtp_host", "smtp_port", "security", "from", "to", "user", "password_env", "password_keyring"):
            item.not_for(key, "an email channel")
        item.exclusive("webhook_url_env", "webhook_url_keyring")
        url = _secret(walk, item, "webhook_url")
        if url is None and inline_url is None and not (item.has("webhook_url_env") or item.has("webhook_url_keyring")):
            item.missing("webhook_url_env", "webhook_url_keyring")
        return NotificationChannel(id=channel_id, kind=kind, webhook_url=url)
    for key in ("webhook_url_env", "webhook_url_keyring"):
        item.not_for(key, "a slack or teams channel")
    security = item.choice("security", _SECURITY, "starttls") or "starttls"
    port = item.integer("smtp_port", _DEFAULT_PORT[security], minimum=1, maximum=65535)
    host = item.text("smtp_host", required=True) or ""
    sender = _address(walk, item, "from", required=True)
    recipients = []
    for to_node, to_path in item.items("to", required=True, noun="recipient"):
        text = walk.text(to_node, to_path)
        if text is not None and _MAIL.fullmatch(text):
            recipients.append(text)
        elif text is not None:
            walk.error(to_node, to_path, f"expected an e-mail address like oncall@example.org, got '{text[:60]}'")
    item.exclusive("password_env", "password_keyring")
    password = _secret(walk, item, "password")
    user = item.text("user", "") or ""
    if password is not None and not user:
        item.missing("user")
    return NotificationChannel(
        id=channel_id, kind=kind, smtp_host=host, smtp_port=port or _DEFAULT_PORT[security], smtp_security=security,
        mail_from=sender, mail_to=tuple(recipients), smtp_user=user, smtp_password=password,
    )


def _address(walk: Walk, item: MapReader, key: str, *, required: bool) -> str:
    text = item.text(key, required=required)
    if text is None:
        return ""
    if not _MAIL.fullmatch(text):
        walk.error(item.nodes[key], item.sub(key),
                   f"expected an e-mail address like noc@example.org, got '{text[:60]}'")
        return ""
    return text


def _secret(walk: Walk, item: MapReader, what: str) -> SecretRef | None:
    env_key, keyring_key = f"{what}_env", f"{what}_keyring"
    env_node = item.get(env_key)
    if env_node is not None:
        name = walk.text(env_node, item.sub(env_key))
        if name is None:
            return None
        if not _ENV_NAME.fullmatch(name):
            walk.error(env_node, item.sub(env_key), f"expected an environment variable name, got '{name[:60]}'")
            return None
        return SecretRef(env=name)
    keyring = item.sub_mapping(keyring_key)
    if keyring is None:
        return None
    entry = MapReader(walk, keyring, item.sub(keyring_key), ("service", "username"))
    service, username = entry.text("service", required=True), entry.text("username", required=True)
    if service is None or username is None:
        return None
    return SecretRef(keyring_service=service, keyring_user=username)


def read_automation(walk: Walk, top: MapReader) -> AutomationConfig:
    node = top.sub_mapping("automation")
    if node is None:
        return AutomationConfig()
    section = MapReader(walk, node, top.sub("automation"), ("enabled", "interval", "lease_retry", "business_hours"))
    interval = section.duration("interval", 30.0, minimum=1.0, maximum=3600.0)
    retry = section.duration("lease_retry", 15.0, minimum=1.0, maximum=300.0)
    return AutomationConfig(
        enabled=section.boolean("enabled", False), business_hours=_business_hours(walk, section),
        interval_s=interval if interval is not None else 30.0, lease_retry_s=retry if retry is not None else 15.0,
    )


def _business_hours(walk: Walk, section: MapReader) -> BusinessHours:
    node = section.sub_mapping("business_hours")
    if node is None:
        return BusinessHours()
    item = MapReader(walk, node, section.sub("business_hours"), ("days", "start", "end", "timezone"))
    days = []
    for day_node, day_path in item.items("days", noun="day"):
        day = walk.choice(day_node, day_path, _DAYS)
        if day is not None:
            days.append(_DAYS.index(day))
    start, end = _clock(walk, item, "start", 9 * 60), _clock(walk, item, "end", 18 * 60)
    if end <= start:
        walk.error(node, item.path, f"business hours end ({end // 60:02d}:{end % 60:02d}) before they start")
    zone = item.text("timezone")
    if zone is not None:
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(zone)
        except (ValueError, KeyError, OSError):
            walk.error(item.nodes["timezone"], item.sub("timezone"),
                       f"unknown time zone '{zone[:60]}'; expected an IANA name like Europe/Berlin or UTC")
            zone = None
    return BusinessHours(days=tuple(sorted(set(days))) if days else (0, 1, 2, 3, 4),
                         start_min=start, end_min=min(end, int(ONE_DAY_S // 60)), timezone=zone)


def _clock(walk: Walk, item: MapReader, key: str, default: int) -> int:
    node = item.get(key)
    if node is None:
        return default
    text = walk.text(node, item.sub(key))
    match = _CLOCK.fullmatch(text or "")
    if match is None or (int(match[1]) == 24 and match[2] != "00"):
        walk.error(node, item.sub(key), f"expected a time like 09:00 or 18:30 (quote it), got '{(text or '')[:20]}'")
        return default
    return int(match[1]) * 60 + int(match[2])
