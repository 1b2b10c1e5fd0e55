"""kafka-monitoring: load the validated settings, build the platform, export the contract."""
import pulumi

from config import settings
from config.sections import CapacityArgs
from content import capacity
from stacks import outputs
from stacks.platform import MonitoringPlatform

stack_settings = settings.load()
capacity.check(CapacityArgs.of(stack_settings))  # a store too small for its plan: refused before anything registers
platform = MonitoringPlatform("kafka-monitoring", stack_settings)
for name, value in outputs.of(platform, stack_settings).items():
    pulumi.export(name, value)
