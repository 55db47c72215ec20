"""`noc-app bench`: the product's performance benchmark.

Every scenario runs in its own child process (``python -m noc_app bench --child
NAME:SIDE``) so RSS and Qt state are isolated; the parent alternates the app's
side with the in-run baseline, collects one JSON result per child and turns
them into metric rows (``report.Metric``) that are printed as a table or as JSON
lines.  Results are ratios against the baseline measured in the same run, not
absolute times.
"""
