"""Correlation: linking by start window and shared labels or topology; ranking the probable cause."""

from __future__ import annotations

import pytest
from noise_kit import T0, alert

from noc_app.model import Severity
from noc_app.noise.config import Correlation
from noc_app.noise.correlation import and_list, dependencies, entity, problem_of, problems, rank_causes

TOPOLOGY = {"checkout": ("payments",), "payments": ("db",), "db": ("db-host",)}


def test_entity_is_the_service_else_node_instance_job_else_the_name():
    assert entity(alert("A", service="api", node="n1")) == "api"
    assert entity(alert("A", node="n1", instance="i")) == "n1"
    assert entity(alert("A", instance="10.0.0.1:9100")) == "10.0.0.1:9100"
    assert entity(alert("A")) == "A"


def test_dependencies_are_transitive_with_hops_and_survive_cycles():
    assert dependencies(TOPOLOGY, "checkout") == {"payments": 1, "db": 2, "db-host": 3}
    assert dependencies({"a": ("b",), "b": ("a",)}, "a") == {"b": 1}


@pytest.mark.parametrize(("names", "text"), [((), ""), (("a",), "a"), (("a", "b"), "a and b"),
                                              (("a", "b", "c"), "a, b and c")])
def test_and_list(names, text):
    assert and_list(names) == text


def test_the_deepest_failing_dependency_that_started_first_is_the_cause():
    checkout = alert("HighLatency", service="checkout", starts_at=T0 + 60)
    payments = alert("HighErrorRate", service="payments", starts_at=T0 + 30)
    db = alert("DbSlowQueries", service="db", starts_at=T0)
    found = problems([checkout, payments, db], TOPOLOGY)
    assert len(found) == 1
    problem = found[0]
    assert problem.ranking == ("db", "payments", "checkout")
    assert problem.cause_alert is db
    assert problem.hint == "probable cause: db (started first, payments and checkout depend on it)"
    assert problem_of(payments, found) is problem
    assert problem_of(alert("Other", service="x"), found) is None


def test_a_dependency_ranks_first_even_when_it_started_later():
    checkout = alert("HighLatency", service="checkout", starts_at=T0)
    db = alert("DbDown", service="db", starts_at=T0 + 90)
    (problem,) = problems([checkout, db], TOPOLOGY)
    assert problem.cause == "db"
    assert problem.hint == "probable cause: db (checkout depends on it)"


def test_without_topology_the_earliest_of_alerts_sharing_a_label_is_the_cause():
    late = alert("HighLatency", service="api", instance="10.0.0.5", starts_at=T0 + 100)
    early = alert("NodeCpuHigh", node="n1", instance="10.0.0.5", starts_at=T0)
    (problem,) = problems([late, early])
    assert problem.ranking == ("n1", "api")
    assert problem.hint == "probable cause: n1 (started first)"


@pytest.mark.parametrize(("second", "linked"), [
    (alert("B", service="api", starts_at=T0 + 299), True),  # same service, within 5 minutes
    (alert("B", service="api", starts_at=T0 + 301), False),  # too late
    (alert("B", service="web", starts_at=T0 + 10), False),  # nothing shared, no topology
    (alert("B", namespace="shop", starts_at=T0 + 10), True),  # shares the namespace
    (alert("B", service="api", starts_at=0), False),  # no start time: nothing to say
])
def test_linking_needs_a_shared_label_or_dependency_within_the_window(second, linked):
    first = alert("A", service="api", namespace="shop", starts_at=T0)
    assert bool(problems([first, second])) is linked


def test_chains_link_through_a_middle_incident_and_labels_are_configurable():
    a = alert("A", service="api", starts_at=T0)
    b = alert("B", service="api", node="n1", starts_at=T0 + 200)
    c = alert("C", node="n1", starts_at=T0 + 400)  # 400 s from A, but 200 s from B
    (problem,) = problems([a, b, c])
    assert len(problem.members) == 3
    assert problems([a, c, b], correlation=Correlation(labels=("node",))) != ()
    assert len(problems([a, b, c], correlation=Correlation(labels=("node",)))[0].members) == 2
    assert problems([a, b, c], correlation=Correlation(window_s=0)) == ()


def test_topology_links_services_that_share_no_label():
    checkout = alert("HighLatency", service="checkout", starts_at=T0 + 60)
    host = alert("NodeDiskFull", node="db-host", starts_at=T0)
    (problem,) = problems([checkout, host], TOPOLOGY)
    assert problem.cause == "db-host"
    assert problem.hint == "probable cause: db-host (started first, checkout depends on it)"


def test_an_anomaly_that_started_first_is_named():
    anomaly = alert("latency_p95 anomaly", Severity.WARNING, source="anomaly", service="checkout", starts_at=T0)
    db = alert("DbDown", service="db", starts_at=T0 + 30)
    checkout = alert("HighLatency", service="checkout", starts_at=T0 + 60)
    (problem,) = problems([db, checkout, anomaly], TOPOLOGY)
    assert problem.cause == "db"
    assert problem.members[0] is anomaly
    assert problem.hint == "probable cause: db (checkout depends on it, first sign: anomaly in latency_p95 anomaly)"


def test_separate_problems_come_earliest_first_and_rank_causes_lists_dependents_nearest_first():
    p1 = [alert("A", service="api", starts_at=T0 + 1000), alert("B", service="api", starts_at=T0 + 1001)]
    p2 = [alert("C", service="web", starts_at=T0), alert("D", service="web", starts_at=T0 + 5)]
    found = problems(p1 + p2)
    assert [p.cause for p in found] == ["web", "api"]
    group = [alert("X", service=s, starts_at=T0) for s in ("checkout", "db", "payments")]
    ranking, dependents = rank_causes(group, TOPOLOGY)
    assert ranking[0] == "db" and dependents["db"] == ["payments", "checkout"]


def test_the_detail_views_problem_lines_name_the_cause_the_links_and_the_ranking():
    from noise_kit import snapshot

    from noc_app.noise.config import NoiseConfig
    from noc_app.selectors_noise import problem_lines

    checkout = alert("HighLatency", service="checkout", starts_at=T0 + 60)
    db = alert("DbSlowQueries", service="db", starts_at=T0)
    alone = alert("CertExpiresSoon", service="web", starts_at=T0 - 86_400)
    snapshots = {"src": snapshot(checkout, db, alone)}
    lines = problem_lines((checkout,), snapshots, NoiseConfig(topology=TOPOLOGY))
    assert lines[0].startswith("probable cause: db")
    assert lines[1] == "linked: DbSlowQueries, HighLatency"
    assert lines[2] == "cause ranking: db → checkout"
    assert problem_lines((alone,), snapshots, NoiseConfig(topology=TOPOLOGY)) == ()
