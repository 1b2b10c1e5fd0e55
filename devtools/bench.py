"""scripts/bench: wall time of the preview, program scaling by cluster count, alert detection times.

Numbers come from this machine; nothing here asserts a time.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time

from harness import runtime

PREVIEW_RUNS = 5
SCALE_RUNS = 3
CLUSTER_COUNTS = (1, 10, 50)


def clusters(n: int) -> list[str]:
    return [f"kafka-{i} ns=kafka-{i} preset=strimzi" for i in range(n)]


def preview_wall_time() -> float:
    times = []
    for _ in range(PREVIEW_RUNS):
        start = time.perf_counter()
        subprocess.run(["scripts/preview", "prod", "--out", "build/bench-prod"], cwd=runtime.ROOT, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def program_time(n: int) -> tuple[float, int]:
    config, secret_keys = runtime.stack_config("prod")
    config["kafka-monitoring:clusters"] = clusters(n)
    times, count = [], 0
    for _ in range(SCALE_RUNS):
        start = time.perf_counter()
        run = runtime.run("prod", config, secret_keys, placeholder_secrets=True)
        times.append(time.perf_counter() - start)
        count = len(run.resources)
    return statistics.median(times), count


def main() -> int:
    print(f"scripts/preview prod, median of {PREVIEW_RUNS} (process start, checks included): "
          f"{preview_wall_time():.2f} s")
    print(f"\nprogram under mocks, median of {SCALE_RUNS}:")
    print("clusters  resources  seconds  ms/cluster")
    for n in CLUSTER_COUNTS:
        seconds, count = program_time(n)
        print(f"{n:>8}  {count:>9}  {seconds:>7.3f}  {1000 * seconds / n:>10.1f}")
    from tests.content.alert_scenarios import SCENARIOS
    from tests.content.promtool_tests import alert_meta
    from tests.conftest import make_settings
    meta = alert_meta(make_settings("prod"))
    critical = sorted((sc.worst_case_detect, sc.alert) for sc in SCENARIOS
                      if meta[sc.alert]["labels"]["severity"] == "critical")
    print(f"\nalert detection (promtool scenarios, docs/alert-detection.md): {len(critical)} critical alerts, "
          f"median {statistics.median(d for d, _ in critical):.0f} s, slowest {critical[-1][1]} {critical[-1][0]} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
