"""kafka-monitoring: load the validated settings, build the platform, export the contract."""
import pulumi

from stacks import outputs, settings
from stacks.platform import MonitoringPlatform

config = settings.load()
platform = MonitoringPlatform("kafka-monitoring", config)
for name, value in outputs.of(platform, config).items():
    pulumi.export(name, value)
