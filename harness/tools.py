"""Check rendered artifacts with the real promtool and amtool, when installed."""
from __future__ import annotations

import functools
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import yaml

TIMEOUT_S = 60


def _run(*cmd: str, cwd: Path | None = None) -> tuple[bool, str]:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S)
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


def free_port() -> int:
    """A loopback port nothing listens on (bound, then closed again)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


@functools.cache
def promtool_has_kubernetes_sd() -> bool:
    """Debian builds Prometheus without Kubernetes discovery; find out instead of assuming."""
    with tempfile.TemporaryDirectory() as d:
        cfg = Path(d) / "p.yml"
        cfg.write_text(yaml.safe_dump({"scrape_configs": [
            {"job_name": "probe", "kubernetes_sd_configs": [{"role": "pod"}]}]}))
        return _run("promtool", "check", "config", "--syntax-only", str(cfg))[0]


def check_rules(path: Path) -> tuple[bool, str]:
    return _run("promtool", "check", "rules", str(path))


def check_prometheus_config(path: Path) -> tuple[bool, str]:
    """promtool check config; jobs using Kubernetes discovery are left out where promtool lacks it."""
    doc = yaml.safe_load(path.read_text())
    note = ""
    if not promtool_has_kubernetes_sd():
        jobs = doc.get("scrape_configs", [])
        kept = [j for j in jobs if "kubernetes_sd_configs" not in j]
        skipped = [j["job_name"] for j in jobs if j not in kept]
        if skipped:
            doc = {**doc, "scrape_configs": kept}
            note = (f"\n(not checked by this promtool, built without Kubernetes discovery: "
                    f"{', '.join(skipped)})")
    with tempfile.NamedTemporaryFile("w", suffix=".yml", dir=path.parent, delete=False) as f:
        yaml.safe_dump(doc, f, sort_keys=False)
    try:
        ok, out = _run("promtool", "check", "config", Path(f.name).name, cwd=path.parent)
    finally:
        Path(f.name).unlink()
    return ok, out + note


def check_alertmanager_config(path: Path) -> tuple[bool, str]:
    return _run("amtool", "check-config", str(path))


def route_receivers(config: Path, labels: dict[str, str]) -> list[str]:
    """The receivers amtool's own router picks for an alert with these labels."""
    args = [f"{k}={v}" for k, v in labels.items()]
    proc = subprocess.run(["amtool", "config", "routes", "test", "--config.file", str(config), *args],
                          capture_output=True, text=True, timeout=TIMEOUT_S)
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout + proc.stderr)
    return sorted(r.strip() for r in proc.stdout.strip().splitlines()[-1].split(",") if r.strip())
