"""The monitoring plane's NetworkPolicies: only the flows of content.network's table are allowed."""
from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.alerting import PART_OF
from config.sections import NetworkArgs
from content import network


class NetworkPolicies(pulumi.ComponentResource):
    def __init__(self, name: str, settings: NetworkArgs, releases: network.Releases,
                 namespace: k8s.core.v1.Namespace | None, opts: pulumi.ResourceOptions | None = None):
        """`releases`: the names the platform gave what it deploys (None where a component is off)."""
        super().__init__("kafka-monitoring:network:NetworkPolicies", name, None, opts)
        in_namespace = [namespace] if namespace else []  # an existing namespace is used by name
        docs = network.policies(settings, releases)
        names = []
        for doc in docs:
            meta = doc["metadata"]
            # The resource name carries the namespace: a cluster's own exporter gets its policy there.
            policy = k8s.networking.v1.NetworkPolicy(
                f"{name}-{meta['namespace']}-{meta['name']}",
                metadata={**meta, "labels": PART_OF}, spec=doc["spec"],
                opts=pulumi.ResourceOptions(parent=self, depends_on=in_namespace))
            names.append(policy.metadata["name"])
        self.artifacts = {
            "network/policies.yaml": [{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                                       "metadata": {**doc["metadata"], "labels": PART_OF}, "spec": doc["spec"]}
                                      for doc in docs],
            "network/flows.yaml": network.table_rows(settings, releases),
        }
        self.register_outputs({"policies": names})
