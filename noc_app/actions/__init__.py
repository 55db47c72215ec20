"""Operator actions: requests, the pure policy, journalled execution and one backend per incident system.

Widgets may import only `noc_app.actions.model` and `noc_app.actions.policy`;
execution and backends run in workers and are wired up by the composition root.
"""
