"""Notifications: plain-text messages about incidents to Slack, Teams and e-mail, sent once each.

messages.py (pure: words and request ids), channels.py (the senders), backend.py (the ActionBackend
that delivers NOTIFY requests from the outbox).
"""
