"""The `dashboards:` section: panel grids written in YAML or imported from Grafana JSON."""

from __future__ import annotations

from dataclasses import replace

from yaml.nodes import Node

from noc_app.config.grafana_file import GrafanaFileError, read_grafana_json
from noc_app.config.grafana_import import GrafanaImportError, import_grafana
from noc_app.config.grafana_pages import split_pages
from noc_app.config.limits import MAX_DASHBOARD_AREA, MAX_GRID_CELLS, MAX_PANEL_CELLS
from noc_app.config.panel_section import GridRequest, check_overlaps, place_panels, read_panel
from noc_app.config.schema import DashboardConfig, PanelConfig, PlaylistConfig, ScreenConfig, VariableConfig
from noc_app.config.variables_section import merge_variables, read_variables
from noc_app.config.yaml_nodes import MapReader, Walk

_DASHBOARD_KEYS = ("id", "title", "columns", "rows", "variables", "panels")
_IMPORT_KEYS = ("id", "title", "import_grafana", "source", "log_source", "variables", "fit")
PAGE_INTERVAL_S = 30.0


def read_dashboard_sources(
    walk: Walk, top: MapReader,
) -> tuple[tuple[DashboardConfig, tuple[VariableConfig, ...]], ...]:
    """All dashboards in config order, as written (variables not substituted), each with its variables.

    Shared (top-level) variables are merged in.
    Playlist items with other variable values build their variants from these (config.playlist_section).
    """
    shared = read_variables(walk, top)  # top-level variables: every dashboard has them, its own win
    found: list[DashboardConfig] = []
    for index, (node, path) in enumerate(top.items("dashboards", required=True, noun="dashboard")):
        read = read_dashboard(walk, node, path, index)
        found.extend(read if isinstance(read, tuple) else [read] if read is not None else [])
    return tuple((dash, merge_variables(shared, dash.variable_defs)) for dash in found)


def page_playlists(dashboards: tuple[DashboardConfig, ...]) -> tuple[PlaylistConfig, ...]:
    """One playlist per import with `fit: screen`, named like the entry, rotating its pages."""
    entries = dict.fromkeys(d.page_of for d in dashboards if d.page_of is not None)
    return tuple(PlaylistConfig(id=entry, dashboards=tuple(d.id for d in dashboards if d.page_of == entry),
                                interval_s=PAGE_INTERVAL_S) for entry in entries)


def default_screen(dashboards: tuple[DashboardConfig, ...]) -> ScreenConfig:
    """With no screens configured: the first dashboard, or the playlist of its pages."""
    first = dashboards[0]
    if first.page_of is not None:
        return ScreenConfig(id="main", screen=0, playlist=first.page_of)
    return ScreenConfig(id="main", screen=0, dashboard=first.id)


def read_dashboard(walk: Walk, node: Node, path: str,
                   index: int) -> DashboardConfig | tuple[DashboardConfig, ...] | None:
    """One dashboards item: panels written in YAML, or an import_grafana reference."""
    mapping = walk.mapping(node, path)
    if mapping is None:
        return None
    is_import = any(key.value == "import_grafana" for key, _ in mapping.value)
    dash = MapReader(walk, mapping, path, _IMPORT_KEYS if is_import else _DASHBOARD_KEYS)
    dashboard_id = dash.text("id", required=True)
    paged = is_import and any(key.value == "fit" and getattr(value, "value", None) == "screen"
                              for key, value in mapping.value)
    if dashboard_id is not None and not paged:  # a paged import's id names its playlist instead
        walk.declare("dashboard", "dashboard", dashboard_id, dash.nodes["id"], dash.sub("id"))
    if is_import:
        return _read_import(walk, dash, dashboard_id)
    columns = dash.integer("columns", 24, minimum=1, maximum=MAX_PANEL_CELLS)
    rows = dash.integer("rows", 12, minimum=1, maximum=MAX_GRID_CELLS)
    variables = read_variables(walk, dash)
    title = dash.text("title")
    panels: list[PanelConfig] = []
    requests: list[GridRequest] = []
    for panel_node, panel_path in dash.items("panels", required=True, noun="panel"):
        result = read_panel(walk, panel_node, panel_path, f"panel in dashboards[{index}]")
        if result is not None:
            panels.append(result[0])
            requests.append(result[1])
    if columns is not None:
        _check_widths(walk, requests, columns)
    area = sum(req.w * req.h for req in requests)
    if area > MAX_DASHBOARD_AREA:  # auto-placement marks every cell: bound the memory it takes
        walk.error(dash.nodes["panels"], dash.sub("panels"),
                   f"panels cover {area} grid cells; expected at most {MAX_DASHBOARD_AREA} (smaller or fewer panels)")
        return None
    check_overlaps(walk, requests, [panel.id for panel in panels])
    if dashboard_id is None:
        return None
    positions = place_panels(requests, columns or 24)
    return DashboardConfig(
        id=dashboard_id,
        title=title or dashboard_id,
        panels=tuple(replace(panel, grid=grid) for panel, grid in zip(panels, positions, strict=True)),
        columns=columns or 24,
        rows=rows or 12,
        variable_defs=variables,
    )


def _check_widths(walk: Walk, requests: list[GridRequest], columns: int) -> None:
    for req in requests:
        if req.x is not None and req.x + req.w > columns:
            walk.error(req.node, req.path,
                       f"x + w = {req.x + req.w} is wider than the dashboard's {columns} columns")
        elif req.x is None and req.w > columns:
            walk.error(req.node, req.path, f"w = {req.w} is wider than the dashboard's {columns} columns")


def _read_import(walk: Walk, dash: MapReader,
                 dashboard_id: str | None) -> DashboardConfig | tuple[DashboardConfig, ...] | None:
    """A dashboards item `{id, import_grafana: file.json, source: id}`."""
    file_text = dash.text("import_grafana")
    title = dash.text("title")
    source = dash.text("source", required=True)
    log_source = dash.text("log_source")
    fit = dash.choice("fit", ("one", "screen"), "one")
    overrides = read_variables(walk, dash)
    for key, value in (("source", source), ("log_source", log_source)):
        if value is not None:
            walk.refer("source", value, dash.nodes[key], dash.sub(key))
    if file_text is None:
        return None
    file_node, file_path = dash.nodes["import_grafana"], dash.sub("import_grafana")
    resolved = walk.resolve_path(file_text)
    if not resolved.exists() and not resolved.is_symlink():
        walk.error(file_node, file_path, f"Grafana dashboard not found: {resolved}")
        return None
    try:
        data = read_grafana_json(resolved)
    except GrafanaFileError as exc:
        walk.error(file_node, file_path, f"{resolved} {exc}")
        return None
    if dashboard_id is None or source is None:
        return None
    try:
        result = import_grafana(
            data, dashboard_id=dashboard_id, source_id=source, log_source_id=log_source,
            origin=f"{walk.origin(dash.node)} ({resolved.name})",
        )
    except GrafanaImportError as exc:
        walk.error(file_node, file_path, f"{resolved.name}: {exc}")
        return None
    dropped = tuple(line for line in result.report if not line.startswith("converted "))
    dashboard = replace(result.dashboard, variable_defs=merge_variables(result.dashboard.variable_defs, overrides),
                        import_report=dropped)
    dashboard = dashboard if title is None else replace(dashboard, title=title)
    if fit != "screen":
        return dashboard
    # Pages <id>_p1, <id>_p2, ... and a playlist <id> that rotates them (see page_playlists).
    walk.declare("playlist", "playlist", dashboard_id, dash.nodes["id"], dash.sub("id"))
    pages = split_pages(dashboard, result.sections, dict(result.section_titles))
    for page in pages:
        walk.declare("dashboard", "dashboard", page.dashboard.id, dash.nodes["id"], dash.sub("id"))
    return tuple(replace(page.dashboard, page_of=dashboard_id) for page in pages)
