"""Service level objectives: maths, PromQL, rules and burn-rate alerts (Qt-free)."""
