"""Real prometheus and prometheus-alertmanager on 127.0.0.1, running the rendered rules and routes.

Faults: cluster `live` has its brokers' and controller's targets on closed ports (the cluster is
down); cluster `other` has a broker, served by a small exporter, reporting plaintext connections,
and a controller on a closed port (a warning the cluster-down alert of `live` must not inhibit).
The chart's always-firing `Watchdog` rule (kube-prometheus-stack 65.1.1,
templates/prometheus/rules-1.14/general.rules.yaml: `vector(1)`, severity none) is loaded beside
ours: it must reach the heartbeat receiver again and again, and nothing else, and stop reaching it
once Prometheus is gone. Only settings shorten the intervals (scrape and evaluation every second,
group_wait 1s, heartbeatInterval 2s); Prometheus gets `--rules.alert.resend-delay=1s`, so that an
alert it stops sending ends within 4 s. Everything is bounded by DEADLINE_S and torn down at the end.
"""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from content.rules import rule_files
from content import alertmanager
from content.grafana import stable_id
from harness.tools import free_port
from content.scrape import prometheus_config
from tests.conftest import make_settings

pytestmark = [pytest.mark.live, pytest.mark.skipif(
    not (shutil.which("prometheus") and shutil.which("prometheus-alertmanager")),
    reason="prometheus and prometheus-alertmanager are not installed")]
DEADLINE_S = 200
HOST = "127.0.0.1"
KEYS = {"pagerduty_critical_key": "live-critical-key", "pagerduty_high_key": "live-high-key"}
METRICS = ('kafka_server_socket_server_metrics_connection_count{listener="PLAIN-9092",networkProcessor="0"} 3\n'
           'kafka_server_socket_server_metrics_connection_count{listener="TLS-9093",networkProcessor="0"} 40\n')


class Recorder(BaseHTTPRequestHandler):
    """Exporter (GET) and webhook receiver (POST) in one loopback server."""
    received: list[tuple[str, dict]] = []

    def do_GET(self):
        body = METRICS.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Recorder.received.append((self.path, payload))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _pd(path_payloads, key):
    return [p for path, p in path_payloads if path == "/pagerduty" and p.get("routing_key") == key]


def _slack(path_payloads, channel):
    return [p for path, p in path_payloads if path == "/slack" and p.get("channel") == channel]


def _heartbeats(path_payloads):
    return [p for path, p in path_payloads if path == "/heartbeat"]


WATCHDOG = {"groups": [{"name": "general.rules", "rules": [{
    "alert": "Watchdog", "expr": "vector(1)", "labels": {"severity": "none"},
    "annotations": {"summary": "An alert that should always be firing to certify that Alertmanager is working "
                               "properly."}}]}]}


def _wait_ready(port: int, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{proc.args[0]} did not listen on {port}")


def stop(procs: list[subprocess.Popen]) -> None:
    """Every process this test started, and only those: asked to stop, then killed after 10 s each."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_alerts_fire_and_reach_their_receivers(tmp_path):
    deadline = time.monotonic() + DEADLINE_S
    server = ThreadingHTTPServer((HOST, 0), Recorder)
    hook = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Recorder.received = []
    dead = [free_port() for _ in range(3)]
    settings = make_settings(
        "dev", scrapeInterval="1s", evaluationInterval="1s", alertGroupWait="1s", alertGroupInterval="1s",
        heartbeatInterval="2s",
        clusters=[f"live ns=live brokers={','.join(f'{HOST}:{p}' for p in dead)} controllers={HOST}:{dead[0]} "
                  "exporterPods=app=kafka-exporter",
                  f"other ns=other brokers={HOST}:{hook} controllers={HOST}:{free_port()} "
                  "exporterPods=app=kafka-exporter"],
        pagerdutyEventsUrl=f"http://{HOST}:{hook}/pagerduty", blackboxExporterAddress=f"{HOST}:{hook}")

    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for key, file in alertmanager.SECRET_FILES.items():
        (secrets / file).write_text(KEYS.get(key, f"http://{HOST}:{hook}/slack"))
    am_port, prom_port = free_port(), free_port()
    (tmp_path / "alertmanager.yml").write_text(yaml.safe_dump(
        alertmanager.config(settings, str(secrets), f"http://{HOST}:{hook}/heartbeat")))
    files = {**rule_files(settings), "chart-general.rules.yml": WATCHDOG}
    for name, doc in files.items():
        (tmp_path / name).write_text(yaml.safe_dump(doc))
    config = prometheus_config(settings, sorted(files), [f"{HOST}:{am_port}"])
    # Debian's Prometheus has no Kubernetes discovery; those jobs have no targets here anyway.
    config["scrape_configs"] = [j for j in config["scrape_configs"] if "kubernetes_sd_configs" not in j]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))

    procs = []
    try:
        procs.append(subprocess.Popen(
            ["prometheus-alertmanager", f"--config.file={tmp_path / 'alertmanager.yml'}",
             f"--storage.path={tmp_path / 'am-data'}", f"--web.listen-address={HOST}:{am_port}",
             "--cluster.listen-address="], stdout=subprocess.DEVNULL, stderr=open(tmp_path / "am.log", "w")))
        procs.append(subprocess.Popen(
            ["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}", "--rules.alert.resend-delay=1s",
             f"--storage.tsdb.path={tmp_path / 'prom-data'}", f"--web.listen-address={HOST}:{prom_port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _wait_ready(am_port, procs[0], deadline)
        _wait_ready(prom_port, procs[1], deadline)

        def seen():
            got = list(Recorder.received)
            return (_pd(got, KEYS["pagerduty_critical_key"]), _slack(got, settings.slack_channel),
                    _slack(got, settings.security_slack_channel))
        while time.monotonic() < deadline:
            critical, warning, security = seen()
            names = {p["payload"]["summary"] for p in critical}
            if (any("KafkaClusterDown" in n for n in names) and any("KafkaUnencryptedConnections" in n for n in names)
                    and warning and security):
                break
            time.sleep(0.5)
        time.sleep(3)  # anything inhibition failed to stop would have been sent by now
        critical, warning, security = seen()
        high = _pd(list(Recorder.received), KEYS["pagerduty_high_key"])  # before Prometheus stops and all resolves
        beats_while_up = len(_heartbeats(Recorder.received))
        procs[1].terminate()  # Prometheus goes silent: the dead man's switch must stop hearing Watchdog
        procs[1].wait(timeout=10)
        time.sleep(8)  # the alert ends 4 s after its last resend; a heartbeat already on its way lands
        silent_from = len(_heartbeats(Recorder.received))
        time.sleep(6)  # three more heartbeat intervals
        beats_after = len(_heartbeats(Recorder.received)) - silent_from
    finally:
        stop(procs)
        server.shutdown()

    down = [p for p in critical if "KafkaClusterDown" in p["payload"]["summary"]]
    assert down, f"no KafkaClusterDown page; received: {Recorder.received}"
    page = down[0]
    assert page["event_action"] == "trigger" and page["payload"]["severity"] == "critical"
    labels = dict(pair.split("=", 1) for pair in page["payload"]["custom_details"]["labels"].split())
    assert labels == {"alertname": "KafkaClusterDown", "severity": "critical", "category": "infrastructure",
                      "kafka_cluster": "live", "environment": "dev", "cluster": "necpgame-dev"}
    assert page["payload"]["custom_details"]["runbook_url"].endswith("/KafkaClusterDown.md")
    # One click from the page to the panel: Prometheus expanded the alert's labels into the link.
    panel = stable_id("kafka-overview", "Cluster Status")
    assert page["payload"]["custom_details"]["dashboard_url"] == (
        f"{settings.grafana_url}/d/kafka-overview?viewPanel={panel}&var-cluster=live")
    assert [link["text"] for link in page["links"]] == ["Runbook", "Dashboard panel"]
    assert any("KafkaUnencryptedConnections" in p["attachments"][0]["title"] for p in security)
    targets_down = [p["attachments"][0]["text"] for p in warning
                    if "KafkaScrapeTargetDown (warning)" in p["attachments"][0]["title"]]
    assert any("kafka-controller/" in text for text in targets_down), warning
    assert not any(f"{HOST}:{dead[0]}" in text for text in targets_down), "live's controller was not inhibited"
    # The dead man's switch: Watchdog again and again while Prometheus runs, then silence; nobody else.
    beats = _heartbeats(Recorder.received)
    assert beats_while_up >= 2 and all(b["commonLabels"]["alertname"] == "Watchdog" for b in beats)
    assert beats_after == 0, "the heartbeat still arrives although Prometheus is gone"
    others = [p for path, p in Recorder.received if path != "/heartbeat"]
    assert "Watchdog" not in json.dumps(others)
    # The cluster-down alert inhibits the per-broker pages.
    assert not [p for p in high if "KafkaBrokerDown" in p["payload"]["summary"]]
