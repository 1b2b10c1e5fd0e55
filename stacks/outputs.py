"""Stack outputs: the contract other teams read with `pulumi stack output` or a StackReference.

Renaming or retyping an output breaks consumers: bump CONTRACT_VERSION and say so in the README.
"""
from __future__ import annotations

from typing import Any

import pulumi

from stacks.settings import Settings

CONTRACT_VERSION = "1"

# name -> (type, meaning). The README table and tests/stacks/test_outputs.py follow this.
OUTPUTS: dict[str, tuple[str, str]] = {
    "contract_version": ("string", "Version of this output contract."),
    "environment": ("string", "dev, staging or prod."),
    "kafka_clusters": ("list[string]", "Names of the monitored Kafka clusters."),
    "prometheus_url": ("string", "Prometheus URL (null when alerting is disabled)."),
    "alertmanager_url": ("string", "Alertmanager URL (null when alerting is disabled)."),
    "monitoring_namespace": ("string", "Kubernetes namespace of Prometheus and Alertmanager."),
}


def of(platform: Any, s: Settings) -> dict[str, Any]:
    alerting = platform.alerting
    return {
        "contract_version": CONTRACT_VERSION,
        "environment": s.environment,
        "kafka_clusters": [c.name for c in s.clusters],
        "prometheus_url": alerting.prometheus_url if alerting else None,
        "alertmanager_url": alerting.alertmanager_url if alerting else None,
        "monitoring_namespace": alerting.namespace if alerting else s.monitoring_namespace,
    }
