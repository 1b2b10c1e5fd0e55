"""The top-level component: one per stack, wiring every enabled capability."""
from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.alerting import PART_OF, MetricsAlerting, release_name
from components.archive import Archive
from components.collection import Collection
from components.global_metrics import GlobalMetrics
from components.grafana import GrafanaDashboards
from components.search_retention import SearchRetention
from config.sections import AlertingArgs, ArchiveArgs, CollectionArgs, GlobalMetricsArgs, GrafanaArgs, RetentionArgs
from content.prometheus_stack import service_account
from config.settings import Settings


class MonitoringPlatform(pulumi.ComponentResource):
    alerting: MetricsAlerting | None
    archive: Archive | None
    collection: Collection | None
    retention: SearchRetention | None
    grafana: GrafanaDashboards | None
    global_metrics: GlobalMetrics | None

    def __init__(self, name: str, s: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("kafka-monitoring:stack:MonitoringPlatform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespace = None
        if s.enable_alerting or s.enable_collection:  # the in-cluster components
            # An explicit provider on the stack's pinned context: `pulumi up -s prod` never deploys to
            # whatever kubeconfig context happens to be current.
            kubernetes = k8s.Provider(f"{name}-kubernetes", context=s.kubernetes_context, opts=child)
            child = pulumi.ResourceOptions(parent=self, providers={"kubernetes": kubernetes})
            if s.create_monitoring_namespace:
                # Deleting a namespace deletes everything in it (Prometheus's volumes included), so the
                # stack never deletes it, and prod protects it.
                namespace = k8s.core.v1.Namespace(
                    f"{name}-namespace", metadata={"name": s.monitoring_namespace, "labels": PART_OF},
                    opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(
                        retain_on_delete=True, protect=s.is_prod)))
        # Each component gets its own section of the settings (config.sections), not the whole.
        # The global store trusts the Prometheus service account that the alerting chart creates.
        self.global_metrics = (GlobalMetrics(f"{name}-global-metrics", GlobalMetricsArgs.of(s),
                                             service_account(release_name(f"{name}-alerting")), child)
                               if s.global_metrics != "none" else None)
        self.alerting = (MetricsAlerting(f"{name}-alerting", AlertingArgs.of(s), namespace, child,
                                         global_metrics=self.global_metrics) if s.enable_alerting else None)
        self.archive = Archive(f"{name}-archive", ArchiveArgs.of(s), child) if s.enable_archive else None
        self.retention = (SearchRetention(f"{name}-retention", RetentionArgs.of(s), self.archive, child)
                          if s.enable_search_retention else None)
        # The writers start once the indices they create have their templates and lifecycle.
        writer = self.archive.writer_role_arn if self.archive else None
        self.collection = (Collection(f"{name}-collection", CollectionArgs.of(s), namespace,
                                      [self.retention] if self.retention else [], writer, child)
                           if s.enable_collection else None)
        self.grafana = (GrafanaDashboards(f"{name}-grafana", GrafanaArgs.of(s), child,
                                          global_metrics=self.global_metrics) if s.enable_grafana else None)
        # Rendered content by file path, for the offline preview; plain data or Outputs.
        self.artifacts: dict = {}
        for part in (self.alerting, self.archive, self.collection, self.retention, self.grafana, self.global_metrics):
            if part is not None:
                self.artifacts.update(part.artifacts)
        self.register_outputs({})
