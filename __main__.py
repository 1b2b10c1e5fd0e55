"""kafka-monitoring: load the validated settings, build the platform, export the contract."""
import pulumi

from config import settings
from stacks import outputs
from stacks.platform import MonitoringPlatform

stack_settings = settings.load()
platform = MonitoringPlatform("kafka-monitoring", stack_settings)
for name, value in outputs.of(platform, stack_settings).items():
    pulumi.export(name, value)
