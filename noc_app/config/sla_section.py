"""The `sla:` section: the customer SLA per service, for the monthly SLA report.

    sla:
      time_zone: Europe/Berlin        # months start at local midnight; default UTC
      step: 1m                         # one SLI sample per minute (the downtime unit)
      gaps: exclude                    # minutes without data: exclude (shown as coverage), up or down
      tiers:                           # default: the seed's [99.5, 99.9) 10 %, [99.0, 99.5) 25 %, < 99.0 50 %
        - {from: 99.5, below: 99.9, credit: 10}
        - {below: 99.0, credit: 50}
      services:
        - id: api
          source: prom                 # a prometheus source
          uptime_target: 99.9
          down_below: 99.9             # a minute is down when its availability SLI is below this
          availability: {good: 'sum(increase(x{code!~"5.."}[1m]))', total: 'sum(increase(x[1m]))'}
          latency: {good: '...le="2"...', total: '...', threshold: 2s, share: 95}

The maths lives in noc_app.reports.sla; this module only checks the spelling.
"""

from __future__ import annotations

import zoneinfo

from yaml.nodes import Node

from noc_app.config.schema import SEED_CREDIT_TIERS, CreditTier, RatioQuery, SlaConfig, SlaServiceConfig
from noc_app.config.yaml_nodes import MapReader, Walk

_SLA_KEYS = ("time_zone", "step", "gaps", "tiers", "services")
_SERVICE_KEYS = (
    "id", "title", "source", "uptime_target", "down_below", "availability", "latency", "p95",
    "error_rate_target", "slo",
)
_TIER_KEYS = ("from", "below", "credit")
GAP_RULES = ("exclude", "up", "down")


def read_sla(walk: Walk, top: MapReader) -> SlaConfig:
    node = top.sub_mapping("sla")
    if node is None:
        return SlaConfig()
    section = MapReader(walk, node, top.sub("sla"), _SLA_KEYS)
    zone = section.text("time_zone", "UTC") or "UTC"
    if section.has("time_zone") and not _known_zone(zone):
        walk.error(section.nodes["time_zone"], section.sub("time_zone"),
                   f"unknown time zone '{zone}'; expected an IANA name like UTC or Europe/Berlin")
        zone = "UTC"
    step = section.duration("step", 60.0, minimum=1.0, maximum=3600.0) or 60.0
    gaps = section.choice("gaps", GAP_RULES, "exclude") or "exclude"
    tiers = _read_tiers(walk, section) if section.has("tiers") else SEED_CREDIT_TIERS
    services: list[SlaServiceConfig] = []
    for item, path in section.items("services", noun="service"):
        service = _read_service(walk, item, path)
        if service is not None:
            services.append(service)
    return SlaConfig(time_zone=zone, step_s=step, gaps=gaps, tiers=tiers, services=tuple(services))


def _known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _read_tiers(walk: Walk, section: MapReader) -> tuple[CreditTier, ...]:
    tiers: list[CreditTier] = []
    for item, path in section.items("tiers", required=True, noun="tier"):
        mapping = walk.mapping(item, path)
        if mapping is None:
            continue
        tier = MapReader(walk, mapping, path, _TIER_KEYS)
        below = tier.number("below", minimum=0.0, maximum=100.0)
        if not tier.has("below"):
            tier.missing("below")
        credit = tier.number("credit", minimum=0.0, maximum=100.0)
        if not tier.has("credit"):
            tier.missing("credit")
        at_least = tier.number("from", None, minimum=0.0, maximum=100.0)
        if below is None or credit is None:
            continue
        if at_least is not None and at_least >= below:
            walk.error(tier.nodes["from"], tier.sub("from"),
                       f"expected 'from' below 'below' ({below:g}), got {at_least:g}")
            continue
        tiers.append(CreditTier(at_least=at_least, below=below, credit_pct=credit))
    return tuple(tiers)


def _read_ratio(walk: Walk, service: MapReader, key: str, extra: tuple[str, ...] = ()) -> tuple[
        RatioQuery | None, MapReader | None]:
    node = service.sub_mapping(key)
    if node is None:
        return None, None
    ratio = MapReader(walk, node, service.sub(key), ("good", "total", *extra))
    good = ratio.text("good", required=True)
    total = ratio.text("total", required=True)
    if not good or not total:
        return None, ratio
    return RatioQuery(good=good, total=total), ratio


def _read_service(walk: Walk, item: Node, path: str) -> SlaServiceConfig | None:
    mapping = walk.mapping(item, path)
    if mapping is None:
        return None
    service = MapReader(walk, mapping, path, _SERVICE_KEYS)
    service_id = service.text("id", required=True)
    source = service.text("source", required=True)
    if source is not None:
        walk.refer("source", source, service.nodes["source"], service.sub("source"))
    if not service.has("availability"):
        service.missing("availability")
    availability, _ = _read_ratio(walk, service, "availability")
    latency, latency_reader = _read_ratio(walk, service, "latency", ("threshold", "share"))
    threshold, share = 2.0, 95.0
    if latency_reader is not None:
        threshold = latency_reader.duration("threshold", 2.0, minimum=0.0, exclusive=True) or 2.0
        share = latency_reader.number("share", 95.0, minimum=0.0, maximum=100.0) or 95.0
    target = service.number("uptime_target", 99.9, minimum=0.0, maximum=100.0)
    down_below = service.number("down_below", target, minimum=0.0, maximum=100.0)
    error_target = service.number("error_rate_target", None, minimum=0.0, maximum=100.0)
    if service_id is None or source is None or availability is None or target is None:
        return None
    return SlaServiceConfig(
        id=service_id, title=service.text("title", service_id) or service_id, source=source,
        uptime_target_pct=target, down_below_pct=down_below if down_below is not None else target,
        availability=availability, latency=latency, latency_threshold_s=threshold, latency_share_pct=share,
        p95_query=service.text("p95", "") or "", error_rate_target_pct=error_target,
        slo=service.text("slo", "") or "",
    )
