"""node_exporter < 0.16 metric names in old dashboards -> today's names (pure).

node_exporter 0.16 renamed its metrics to base units with `_total`/`_bytes`/`_seconds`
suffixes (its V0_16_UPGRADE_GUIDE); dashboards of that era (Node Exporter Full
schemaVersion 14) query the old names and find nothing on a current exporter.
The import renames them in queries and variable queries, and says so in its report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_FIXED = {
    "node_boot_time": "node_boot_time_seconds",
    "node_context_switches": "node_context_switches_total",
    "node_cpu": "node_cpu_seconds_total",
    "node_disk_bytes_read": "node_disk_read_bytes_total",
    "node_disk_bytes_written": "node_disk_written_bytes_total",
    "node_disk_io_time_ms": "node_disk_io_time_seconds_total",
    "node_disk_io_time_weighted": "node_disk_io_time_weighted_seconds_total",
    "node_disk_read_time_ms": "node_disk_read_time_seconds_total",
    "node_disk_write_time_ms": "node_disk_write_time_seconds_total",
    "node_disk_reads_completed": "node_disk_reads_completed_total",
    "node_disk_reads_merged": "node_disk_reads_merged_total",
    "node_disk_writes_completed": "node_disk_writes_completed_total",
    "node_disk_writes_merged": "node_disk_writes_merged_total",
    "node_disk_sectors_read": "node_disk_read_bytes_total",
    "node_disk_sectors_written": "node_disk_written_bytes_total",
    "node_filesystem_avail": "node_filesystem_avail_bytes",
    "node_filesystem_free": "node_filesystem_free_bytes",
    "node_filesystem_size": "node_filesystem_size_bytes",
    "node_forks": "node_forks_total",
    "node_intr": "node_intr_total",
    "node_time": "node_time_seconds",
}
# Names whose unit changed too (ms -> s, sectors -> bytes): the panel's numbers change scale.
RESCALED = ("node_disk_io_time_ms", "node_disk_io_time_weighted", "node_disk_read_time_ms",
            "node_disk_write_time_ms", "node_disk_sectors_read", "node_disk_sectors_written")
_NOT_BYTES = ("HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp")
_NAME = re.compile(r"(?<![\w:])(node_[A-Za-z0-9_]+)(?![\w:])")


def modern_name(name: str) -> str | None:
    """Today's name for an old one; None when the name is not an old one."""
    if name in _FIXED:
        return _FIXED[name]
    if name.startswith("node_memory_") and not name.endswith("_bytes"):
        field = name.removeprefix("node_memory_")
        return None if field in _NOT_BYTES else f"{name}_bytes"
    for prefix in ("node_network_receive_", "node_network_transmit_"):
        if name.startswith(prefix) and not name.endswith("_total") and name.count("_") == 3:
            return f"{name}_total"
    return None


def is_legacy(board: Mapping[str, Any]) -> bool:
    """The dashboard queries node_cpu / node_boot_time / node_memory_MemTotal by their old names."""
    text = str(board)
    return any(re.search(rf"(?<![\w:]){old}(?![\w:])", text)
               for old in ("node_cpu", "node_boot_time", "node_memory_MemTotal"))


def rename_in(text: str, renamed: set[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        new = modern_name(match.group(1))
        if new is None:
            return match.group(0)
        renamed.add(match.group(1))
        return new

    return _NAME.sub(replace, text)


def modernised(board: Mapping[str, Any], renamed: set[str]) -> Any:
    """A copy of the dashboard with old names renamed in every `expr` and variable `query`."""
    def walk(value: Any, key: str = "") -> Any:
        if isinstance(value, Mapping):
            return {k: walk(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, str) and key in ("expr", "query", "definition"):
            return rename_in(value, renamed)
        return value

    return walk(board)
