"""Noise reduction and correlation for incident boards (pure policies, Qt-free).

config: the `noise:` and `topology:` settings; flapping: the fire/resolve history of each alert
and the `is_flapping` predicate; maintenance: when a configured window covers an alert;
reduce: what a board hides, tags and folds; correlation: `problems()` and their probable cause.
"""
