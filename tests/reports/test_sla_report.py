"""The monthly SLA figures from 30 days of synthetic minutes, served by a loopback Prometheus."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from synthetic_month import APRIL, GAP, OUTAGE

from noc_app.reports.data import RangeReader, range_chunks
from noc_app.reports.sla_report import build_sla_report


def test_range_chunks_never_exceed_11000_points():
    chunks = range_chunks(60.0, 31 * 86400.0, 60.0)
    assert len(chunks) == 5
    assert [round((e - s) / 60) + 1 for s, e in chunks] == [11_000, 11_000, 11_000, 11_000, 640]
    assert all(b[0] - a[1] == 60.0 for a, b in itertools.pairwise(chunks))
    assert range_chunks(0.0, 0.0, 60.0) == [(0.0, 0.0)] and range_chunks(10.0, 0.0, 60.0) == []


def test_a_month_is_read_in_chunks_and_gaps_stay_nan(config, prometheus):
    with RangeReader(config.source("prom")) as reader:
        series = reader.series("sum(increase(http_requests_total[1m]))", APRIL.start + 60, APRIL.end, 60.0)
    assert len(series) == 43_200 and len(prometheus.requests) == 4
    assert int(series.isna().sum()) == GAP[1]
    assert series.iloc[0] == 1000.0 and series.index[-1] == APRIL.end


def test_the_monthly_figures_match_the_hand_computed_ones(config):
    readers = {}

    def reader_for(source_id):
        readers.setdefault(source_id, RangeReader(config.source(source_id)))
        return readers[source_id]

    began = time.perf_counter()
    report = build_sla_report(config, APRIL, reader_for=reader_for, journal=None, now=APRIL.end + 3600)
    elapsed = time.perf_counter() - began
    for reader in readers.values():
        reader.close()
    print(f"\nmonthly SLA report over 30 days of minutes computed in {elapsed:.2f} s")  # measured, not asserted
    (month,) = report.services
    result = month.result
    counted = 43_200 - GAP[1]
    assert result.downtime_min == OUTAGE[1] == 50
    assert result.uptime_pct == pytest.approx((counted - 50) / counted * 100)  # 99.8841 %
    assert result.met is False and result.credit.credit_pct == 10.0
    assert result.allowance_min == pytest.approx(43.2) and result.gap_min == 60
    assert result.coverage == pytest.approx(counted / 43_200)
    assert month.availability_pct == pytest.approx((counted * 1000 - 50 * 100) / (counted * 1000) * 100)
    assert month.error_rate_pct == pytest.approx(50 * 100 / (counted * 1000) * 100)
    assert (month.latency_share_pct, month.latency_met) == (pytest.approx(99.0), True)
    assert (month.p95_median_s, month.p95_worst_s) == (0.3, 1.5)
    daily = month.daily
    assert len(daily) == 30
    assert daily["downtime_min"].sum() == 50 and daily.loc[daily["downtime_min"] > 0].shape[0] == 1
    day10 = daily.iloc[9]
    assert day10["uptime_pct"] == pytest.approx((1440 - 50) / 1440 * 100)
    assert np.isnan(daily["uptime_pct"]).sum() == 0  # day 20 still has 1380 minutes


def test_a_failing_query_reports_its_error_and_no_verdict(config):
    def broken(source_id):
        raise RuntimeError("prometheus is down")

    (month,) = build_sla_report(config, APRIL, reader_for=broken, journal=None, now=APRIL.end).services
    assert month.error == "RuntimeError: prometheus is down"
    assert (month.result.uptime_pct, month.result.met, month.result.credit) == (None, None, None)


def test_a_running_month_is_clipped_to_now(config):
    def reader_for(source_id):
        return RangeReader(config.source(source_id))

    now = APRIL.start + 2 * 86400 + 30
    report = build_sla_report(config, APRIL, reader_for=reader_for, journal=None, now=now)
    assert report.period.end == APRIL.start + 2 * 86400 and "to date" in report.period.label
    assert report.services[0].result.allowance_min == pytest.approx(2 * 1.44)


def test_several_series_are_summed_per_step_and_a_step_none_answered_stays_a_gap():
    import json

    import httpx

    from noc_app.config.schema import SourceConfig

    def answer(request):
        body = {"status": "success", "data": {"resultType": "matrix", "result": [
            {"metric": {"instance": "a"}, "values": [[60, "1"], [120, "2"]]},
            {"metric": {"instance": "b"}, "values": [[60, "10"], [180.0000001, "30"]]},
        ]}}
        return httpx.Response(200, json=body)

    config = SourceConfig(id="prom", kind="prometheus", url="http://prom.invalid")
    with RangeReader(config, transport=httpx.MockTransport(answer)) as reader:
        series = reader.series("sum by (instance) (x)", 60.0, 240.0, 60.0)
    assert list(series.index) == [60.0, 120.0, 180.0, 240.0]
    assert series.tolist()[:3] == [11.0, 2.0, 30.0] and np.isnan(series.iloc[3])
    assert json.dumps(reader.requests) == "1"


def test_a_prometheus_error_names_the_query():
    import httpx

    from noc_app.config.schema import SourceConfig
    from noc_app.sources.base import BadAnswer

    def refuse(request):
        return httpx.Response(400, json={"status": "error", "errorType": "bad_data", "error": "parse error at char 3"})

    config = SourceConfig(id="prom", kind="prometheus", url="http://prom.invalid")
    with RangeReader(config, transport=httpx.MockTransport(refuse)) as reader, \
            pytest.raises(BadAnswer, match=r"bad_data: parse error at char 3 \(query: sum\(\(\)"):
        reader.series("sum(()", 60.0, 120.0, 60.0)
