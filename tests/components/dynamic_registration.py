"""A dynamic resource registered as the engine sees it: through the SDK under the harness's mocks."""
from __future__ import annotations

import base64
from typing import Any, Callable


def registered(make: Callable[[], Any]) -> tuple[dict, Any]:
    """Run `make` (which creates one pulumi.dynamic.Resource) in a program under the mocks: the inputs
    the engine receives (without `__provider`), and the provider they carry, unpickled as the dynamic
    host does (pulumi.dynamic.Resource serialises it with dill)."""
    import dill
    import pulumi
    from pulumi.runtime.sync_await import _sync_await

    from harness.runtime import Mocks, RecordingMonitor, start_engine

    providers: list = []

    class Recording(Mocks):
        def new_resource(self, args):
            providers.append(args.inputs.get("__provider"))
            return super().new_resource(args)

    mocks = Recording()
    monitor = RecordingMonitor(mocks)
    start_engine("dev", {}, set(), mocks, monitor)
    _sync_await(pulumi.runtime.stack.run_pulumi_func(make))
    (registration,) = monitor.registrations
    inputs = {k: v for k, v in registration.inputs.items() if k != "__provider"}
    return inputs, dill.loads(base64.b64decode(providers[0]))
