"""The prod stack deploys the design document's numbers: read from what the program hands the
chart, Alertmanager, Jaeger, the search clusters and S3, not from the settings that feed them.

Design document (../shared/seed/production-monitoring-setup.md): 15 s scrapes and 90 days in
Prometheus; group wait and interval 10 s, repeat 1 h; critical to PagerDuty, high to PagerDuty at a
lower priority, warnings to Slack; 90 days of application logs; 7 years of security events, locked
in COMPLIANCE mode; 10 % of traces. Field names are the consumers' own: kube-prometheus-stack
values (prometheus.prometheusSpec), Alertmanager's route and pagerduty_configs, Jaeger's sampling
strategies file, the ILM and ISM policy bodies, and S3 PutObjectLockConfiguration.
"""
from __future__ import annotations

from policy import invariants


def test_prometheus_scrapes_every_15s_and_keeps_90_days(stack_runs):
    spec = stack_runs["prod"].artifacts["helm/kube-prometheus-stack.values.yaml"]["prometheus"]["prometheusSpec"]
    assert (spec["scrapeInterval"], spec["retention"]) == ("15s", "90d")


def test_alerts_page_and_post_by_severity_with_the_documents_timers(stack_runs):
    config = stack_runs["prod"].artifacts["alertmanager/alertmanager.yml"]
    route = config["route"]
    assert (route["group_wait"], route["group_interval"], route["repeat_interval"]) == ("10s", "10s", "1h")
    by_severity = {m.split('"')[1]: r["receiver"] for r in route["routes"] for m in r.get("matchers", [])
                   if m.startswith("severity=")}
    receivers = {r["name"]: r for r in config["receivers"]}
    critical, high = (receivers[by_severity[s]]["pagerduty_configs"][0] for s in ("critical", "high"))
    # PagerDuty Events API v2 severities, highest first: critical, error, warning, info
    assert (critical["severity"], high["severity"]) == ("critical", "error")
    assert "slack_configs" in receivers[by_severity["warning"]]


def test_application_logs_are_deleted_after_90_days(stack_runs):
    policy = stack_runs["prod"].artifacts["search/elasticsearch/ilm-policy-kafka-application.json"]["policy"]
    assert policy["phases"]["delete"]["min_age"] == "90d"


def test_security_events_are_kept_seven_years_and_locked_in_compliance(stack_runs):
    run = stack_runs["prod"]
    ism = run.artifacts["search/opensearch/ism-policy-kafka-security.json"]["policy"]
    to_delete = [t for s in ism["states"] for t in s["transitions"] if t["state_name"] == "delete"]
    assert [t["conditions"]["min_index_age"] for t in to_delete] == ["2557d"]
    locks = [r.inputs["rule"]["defaultRetention"] for r in run.of_type(invariants.LOCK)]
    assert locks and all(lock == {"mode": "COMPLIANCE", "days": 2557} for lock in locks)


def test_one_trace_in_ten_is_kept(stack_runs):
    strategy = stack_runs["prod"].artifacts["jaeger/sampling-strategies.json"]["default_strategy"]
    assert (strategy["type"], strategy["param"]) == ("probabilistic", 0.1)
