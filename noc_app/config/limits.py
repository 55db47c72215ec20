"""Hard limits on what a config may ask for: a hostile or careless file gets a clear
message instead of a hang, a traceback or gigabytes of memory."""

from __future__ import annotations

MAX_FILE_BYTES = 4 * 1024 * 1024  # configs and Grafana exports are kilobytes; 4 MiB is generous
MAX_DEPTH = 64  # nesting levels of mappings/lists; real configs use under 10
MAX_NODES = 200_000  # YAML nodes in one document (a 3,000-panel wall is ~45k); parsing more takes seconds
MAX_ALIAS_NODES = 100_000  # nodes that aliases (*a, <<: *a) may expand to, in total

ONE_DAY_S = 86_400.0
MAX_PERIOD_S = 400 * ONE_DAY_S  # query windows, ack durations, resolution targets

MAX_GRID_CELLS = 1_000  # grid x and y, dashboard rows
MAX_PANEL_CELLS = 100  # a panel's w and h, dashboard columns (Grafana's grid is 24 wide)
MAX_DASHBOARD_AREA = 1_000_000  # grid cells all panels of one dashboard cover (auto-placement marks them)
MAX_DECIMALS = 10
MAX_ROW_LIMIT = 100_000  # rows an incidents/logs panel keeps
MAX_SCREEN_INDEX = 63
MAX_RESPONSE_MB = 1_024.0
MAX_STALE_INTERVALS = 1_000.0
