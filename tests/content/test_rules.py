"""The rule files each Kubernetes cluster's Prometheus gets (content/rules.py)."""
from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from config.sections import AlertingArgs, scoped
from content import alerts
from content.catalogue import JOB_BROKER, JOB_EVENTS
from content.rules import EVENT_CORE_MISSING, rule_files
from tests.conftest import make_settings
from tests.content.promtool_tests import expected_alert

_OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/"  # required with the archive
SETTINGS = make_settings("prod", clusters=["a ns=a preset=strimzi", "b ns=b preset=strimzi k8s=eks-b",
                                           "c ns=c preset=strimzi k8s=eks-c"],
                         kubernetesClusters=[f"eks-b context=eks-b events=no oidc={_OIDC}B", f"eks-c context=eks-c oidc={_OIDC}C"])


def _alerts_file(cluster: str) -> dict:
    return rule_files(scoped(AlertingArgs.of(SETTINGS), cluster))["kafka-alerts.rules.yml"]


def test_the_event_core_warning_is_an_alert_of_the_alert_file():
    """The name the filter leaves out is one content.alerts defines (a rename would leave it in)."""
    names = {r.get("alert") for g in alerts.alert_groups(AlertingArgs.of(SETTINGS)) for r in g["rules"]}
    assert EVENT_CORE_MISSING in names


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed")
@pytest.mark.parametrize("cluster, fires", [("necpgame-prod", True), ("eks-b", False), ("eks-c", True)])
def test_a_cluster_without_event_processing_pods_does_not_warn_that_it_finds_none(tmp_path, cluster, fires):
    """promtool runs each cluster's rendered alert file over 20 minutes in which its brokers are up and
    no event-core target exists: the stack's own cluster and eks-c (events=yes by default) warn after
    the alert's 10 minutes; eks-b (events=no) never does, and keeps every other alert."""
    doc = _alerts_file(cluster)
    (rule,) = [r for g in _alerts_file("necpgame-prod")["groups"] for r in g["rules"]
               if r.get("alert") == EVENT_CORE_MISSING]
    others = {r.get("alert") for g in doc["groups"] for r in g["rules"]} - {EVENT_CORE_MISSING}
    assert others == {r.get("alert") for g in _alerts_file("necpgame-prod")["groups"] for r in g["rules"]} - {
        EVENT_CORE_MISSING}
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(doc))
    test = {"rule_files": ["alerts.yml"], "evaluation_interval": "15s", "tests": [{
        "interval": "15s",
        "input_series": [{"series": f'up{{job="{JOB_BROKER}",kafka_cluster="a",instance="a0:7071"}}',
                          "values": "1x80"}],
        "alert_rule_test": [{"eval_time": "15m", "alertname": EVENT_CORE_MISSING,
                             "exp_alerts": [expected_alert(rule, {"job": JOB_EVENTS})] if fires else []}]}]}
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test, sort_keys=False))
    proc = subprocess.run(["promtool", "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
