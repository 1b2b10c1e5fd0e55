"""The top-level component: one per stack, wiring every enabled capability."""
from __future__ import annotations

import pulumi

from components.alerting import MetricsAlerting
from components.archive import Archive
from stacks.settings import Settings


class MonitoringPlatform(pulumi.ComponentResource):
    alerting: MetricsAlerting | None
    archive: Archive | None

    def __init__(self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("kafka-monitoring:stack:MonitoringPlatform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.settings = settings
        self.alerting = MetricsAlerting(f"{name}-alerting", settings, child) if settings.enable_alerting else None
        self.archive = Archive(f"{name}-archive", settings, child) if settings.enable_archive else None
        # Rendered content by file path, for the offline preview; plain data or Outputs.
        self.artifacts: dict = {}
        for part in (self.alerting, self.archive):
            if part is not None:
                self.artifacts.update(part.artifacts)
        self.register_outputs({})
