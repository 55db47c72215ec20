"""Split a tall imported dashboard into wall pages by Grafana row (pure).

A wall page stretches its grid rows over the screen, so a page of R rows gives
a panel of h rows h/R of the usable height.  Pages are filled row section by
row section while the smallest panel stays at least MIN_PANEL_PX tall at 1080p;
a section too tall on its own is cut where no panel crosses the cut.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from noc_app.config.schema import DashboardConfig, PanelConfig

SCREEN_PX = 1080  # the wall size the rule is written for
USABLE_PX = 960  # 1080p minus the header and feed-health strip
MIN_PANEL_PX = 150  # the rule says ~120; a time series needs ~150 to keep a readable plot
MIN_PAGE_ROWS = 4  # a short page is not stretched into one or two giant panels
FULL_PAGE_ROWS = 16  # a page this tall is full enough to end at a Grafana row


@dataclass(frozen=True, kw_only=True, slots=True)
class Page:
    dashboard: DashboardConfig
    smallest_px: int  # the smallest panel's height on this page at 1080p


def panel_px(h: int, page_rows: int) -> int:
    return int(USABLE_PX * h / max(page_rows, MIN_PAGE_ROWS))


def fits(panels: list[PanelConfig]) -> bool:
    """Every panel of this group is at least MIN_PANEL_PX tall when the group is one page."""
    top = min(p.grid.y for p in panels)
    rows = max(p.grid.y + p.grid.h for p in panels) - top
    return panel_px(min(p.grid.h for p in panels), rows) >= MIN_PANEL_PX


def split_pages(dashboard: DashboardConfig, sections: tuple[int, ...],
                section_titles: dict[int, str]) -> tuple[Page, ...]:
    """Pages of the dashboard, in order; one page when it already fits."""
    if fits(list(dashboard.panels)):
        return (_page(dashboard, list(dashboard.panels), dashboard.id, dashboard.title),)
    groups: list[list[PanelConfig]] = []
    current: list[PanelConfig] = []
    for section in sorted(set(sections)):
        members = [p for p, s in zip(dashboard.panels, sections, strict=True) if s == section]
        if current and fits(current + members):
            current.extend(members)
            continue
        if current and _rows(current) >= FULL_PAGE_ROWS:  # a full page: the next row starts a new one
            groups.append(current)
            current = []
        for band in _bands(members):  # a short page is topped up with the start of the next row
            if current and fits(current + band):
                current.extend(band)
            else:
                if current:
                    groups.append(current)
                current = list(band)
    groups.append(current)
    groups = [g for g in groups if g]
    pages = []
    for number, group in enumerate(groups, start=1):
        section = sections[dashboard.panels.index(group[0])]
        name = section_titles.get(section) or ""
        title = f"{dashboard.title} — {name} ({number}/{len(groups)})" if name else \
            f"{dashboard.title} ({number}/{len(groups)})"
        pages.append(_page(dashboard, group, f"{dashboard.id}_p{number}", title))
    return tuple(pages)


def _rows(panels: list[PanelConfig]) -> int:
    return max(p.grid.y + p.grid.h for p in panels) - min(p.grid.y for p in panels)


def _bands(panels: list[PanelConfig]) -> list[list[PanelConfig]]:
    """Panels cut into horizontal bands at every y no panel crosses."""
    ordered = sorted(panels, key=lambda p: (p.grid.y, p.grid.x))
    cuts: list[list[PanelConfig]] = []
    bottom = -1
    for panel in ordered:
        if cuts and panel.grid.y < bottom:
            cuts[-1].append(panel)
        else:
            cuts.append([panel])
        bottom = max(bottom, panel.grid.y + panel.grid.h)
    return cuts


def _page(dashboard: DashboardConfig, panels: list[PanelConfig], page_id: str, title: str) -> Page:
    top = min(p.grid.y for p in panels)
    moved = tuple(replace(p, grid=replace(p.grid, y=p.grid.y - top)) for p in panels)
    rows = max(max(p.grid.y + p.grid.h for p in moved), MIN_PAGE_ROWS)
    page = replace(dashboard, id=page_id, title=title, panels=moved, rows=rows)
    return Page(dashboard=page, smallest_px=panel_px(min(p.grid.h for p in moved), rows))
