"""The top-level component: one per stack, wiring every enabled capability.

A stack's further Kubernetes clusters (kubernetesClusters) each get their own explicit provider and
namespace, and in them what the stack's own cluster runs: a Prometheus pair, Alertmanager and
exporters for the Kafka clusters they scrape, Fluent Bit and Jaeger, and the NetworkPolicies of all
of it. The AWS, search and Grafana parts stay once: every cluster's Fluent Bit writes the same
indices and archive, every Jaeger the same trace storage, which the one Jaeger query reads."""
from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.alerting import PART_OF, MetricsAlerting, release_name
from components.archive import Archive
from components.collection import Collection
from components.global_metrics import GlobalMetrics
from components.grafana import GrafanaDashboards
from components.network import NetworkPolicies
from components.search_retention import SearchRetention
from config.sections import (AlertingArgs, ArchiveArgs, CapacityArgs, CollectionArgs, GlobalMetricsArgs, GrafanaArgs,
                             NetworkArgs, RetentionArgs, scoped)
from content.capacity import queue_rates
from content.prometheus_stack import service_account
from config.settings import Settings
from content.network import Releases


class MonitoringPlatform(pulumi.ComponentResource):
    alerting: MetricsAlerting | None
    archive: Archive | None
    collection: Collection | None
    retention: SearchRetention | None
    grafana: GrafanaDashboards | None
    network: NetworkPolicies | None
    global_metrics: GlobalMetrics | None
    other_clusters: dict[str, MetricsAlerting]
    other_collections: dict[str, Collection]
    other_networks: dict[str, NetworkPolicies]

    def __init__(self, name: str, s: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("kafka-monitoring:stack:MonitoringPlatform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespace = None
        if s.enable_alerting or s.enable_collection:  # the in-cluster components
            # An explicit provider on the stack's pinned context: `pulumi up -s prod` never deploys to
            # whatever kubeconfig context happens to be current.
            kubernetes = k8s.Provider(f"{name}-kubernetes", context=s.kubernetes_context, opts=child)
            child = pulumi.ResourceOptions(parent=self, providers={"kubernetes": kubernetes})
            namespace = _namespace(f"{name}-namespace", s, child)
        # Each component gets its own section of the settings (config.sections), not the whole.
        # The global store trusts the Prometheus service account that each alerting chart creates.
        alerting_names = {s.kubernetes_cluster: f"{name}-alerting",
                          **{k.name: f"{name}-alerting-{k.name}" for k in s.kubernetes_clusters}}
        self.global_metrics = (GlobalMetrics(f"{name}-global-metrics", GlobalMetricsArgs.of(s), {
            cluster: service_account(release_name(n)) for cluster, n in alerting_names.items()}, child)
                               if s.global_metrics != "none" else None)
        # Each Prometheus's remote-write queue is sized for the samples the capacity plan gives it.
        self._rates = queue_rates(CapacityArgs.of(s)) if self.global_metrics else {}
        home = alerting_names[s.kubernetes_cluster]
        self.alerting = (MetricsAlerting(home, scoped(AlertingArgs.of(s), s.kubernetes_cluster),
                                         namespace, child, global_metrics=self.global_metrics,
                                         remote_write_rate=self._rates.get(s.kubernetes_cluster))
                         if s.enable_alerting else None)
        # Each further cluster's provider and namespace, wherever something runs in the clusters.
        self._placement: dict[str, tuple[pulumi.ResourceOptions, k8s.core.v1.Namespace | None]] = {
            k.name: self._place(name, s, k) for k in s.kubernetes_clusters if s.enable_alerting or s.enable_collection}
        self.other_clusters = {
            cluster: MetricsAlerting(alerting_names[cluster], scoped(AlertingArgs.of(s), cluster), ns, opts,
                                     global_metrics=self.global_metrics, remote_write_rate=self._rates.get(cluster))
            for cluster, (opts, ns) in self._placement.items() if s.enable_alerting}
        self.archive = Archive(f"{name}-archive", ArchiveArgs.of(s), child) if s.enable_archive else None
        self.retention = (SearchRetention(f"{name}-retention", RetentionArgs.of(s), self.archive, child,
                                          detections=s.enable_alerting)
                          if s.enable_search_retention else None)
        # The writers start once the indices they create have their templates and lifecycle. Each cluster's
        # Fluent Bit collects the platform's namespace and those of the Kafka clusters it runs, and archives
        # through the writer role where that role trusts its cluster's OIDC provider.
        after = [self.retention] if self.retention else []
        writers = self.archive.writer_role_arns if self.archive else {}
        self.collection = (Collection(f"{name}-collection", scoped(CollectionArgs.of(s), s.kubernetes_cluster),
                                      namespace, after, writers.get(s.kubernetes_cluster), child)
                           if s.enable_collection else None)
        # A further cluster's Fluent Bit release is named after the cluster (a release name is at most 53
        # characters: `<name>-collection-<cluster>-fluent-bit` could pass it); its Jaeger Service is
        # `jaeger` as at home, so `jaeger.<namespace>.svc` is the OTLP endpoint in every cluster.
        self.other_collections = {
            cluster: Collection(f"{name}-collection-{cluster}", scoped(CollectionArgs.of(s), cluster), ns, after,
                                writers.get(cluster), opts, fluent_bit_release=f"{name}-fluent-bit-{cluster}")
            for cluster, (opts, ns) in self._placement.items() if s.enable_collection}
        self.grafana = (GrafanaDashboards(f"{name}-grafana", GrafanaArgs.of(s), child,
                                          global_metrics=self.global_metrics) if s.enable_grafana else None)
        self.network = (NetworkPolicies(f"{name}-network", NetworkArgs.of(s),
                                        _releases(home if self.alerting else None, self.collection), namespace, child)
                        if s.enable_network_policies and (self.alerting or self.collection) else None)
        # Every further cluster's monitoring plane gets the same policies, through its own provider, for
        # what it runs there: its Prometheus pair, Alertmanager and exporters, Fluent Bit and Jaeger.
        self.other_networks = {
            cluster: NetworkPolicies(f"{name}-network-{cluster}", scoped(NetworkArgs.of(s), cluster),
                                     _releases(alerting_names[cluster] if cluster in self.other_clusters else None,
                                               self.other_collections.get(cluster)), ns, opts)
            for cluster, (opts, ns) in self._placement.items() if s.enable_network_policies}
        # Rendered content by file path, for the offline preview; plain data or Outputs.
        self.artifacts: dict = {}
        for part in (self.alerting, self.archive, self.collection, self.retention, self.grafana, self.global_metrics,
                     self.network):
            if part is not None:
                self.artifacts.update(part.artifacts)
        for cluster, other in [*self.other_clusters.items(), *self.other_collections.items(),
                               *self.other_networks.items()]:
            self.artifacts.update({f"clusters/{cluster}/{path}": doc for path, doc in other.artifacts.items()})
        self.register_outputs({})

    def _place(self, name: str, s: Settings, k) -> tuple[pulumi.ResourceOptions, k8s.core.v1.Namespace | None]:
        """A further Kubernetes cluster (kubernetesClusters): its own explicit provider on its context, and
        the monitoring namespace there (kept and protected as the stack's own is)."""
        provider = k8s.Provider(f"{name}-kubernetes-{k.name}", context=k.context,
                                opts=pulumi.ResourceOptions(parent=self))
        child = pulumi.ResourceOptions(parent=self, providers={"kubernetes": provider})
        return child, _namespace(f"{name}-namespace-{k.name}", s, child)


def _namespace(resource_name: str, s: Settings, opts: pulumi.ResourceOptions) -> k8s.core.v1.Namespace | None:
    """The monitoring namespace in one Kubernetes cluster, where the stack creates it. Deleting a namespace
    deletes everything in it (Prometheus's volumes included), so the stack never deletes it, and prod
    protects it."""
    if not s.create_monitoring_namespace:
        return None
    return k8s.core.v1.Namespace(resource_name, metadata={"name": s.monitoring_namespace, "labels": PART_OF},
                                 opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                                     retain_on_delete=True, protect=s.is_prod)))


def _releases(alerting_name: str | None, collection: Collection | None) -> Releases:
    """The names MetricsAlerting and Collection give their releases and Jaeger's pods, for the
    NetworkPolicies of one cluster (None where that part does not run there)."""
    return Releases(prometheus=release_name(alerting_name) if alerting_name else None,
                    collection=collection.instance if collection else None,
                    fluent_bit=collection.fluent_bit_release if collection else None)
