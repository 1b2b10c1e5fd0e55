"""A detection's alert, posted as the Notifications webhook channel posts it, reaches a real
prometheus-alertmanager on 127.0.0.1 running our rendered config: the security team's Slack
channel and the pager of its severity, with its key, runbook and events link.

The channel posts the action's rendered message as the body (POST, the channel's header_params,
common-utils 2.17.0.0 Webhook) to the URL it holds: Alertmanager's `/api/v2/alerts` at
alertmanagerUrl. The message is rendered here for a NEW alert (a one-element ctx.newAlerts, as
BucketLevelMonitorRunner gives a per_alert action) by tests/content/monitor_model.py's mustache.
Everything is bounded by DEADLINE_S and torn down at the end.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.request
from http.server import ThreadingHTTPServer

import pytest
import yaml

from config.sections import AlertingArgs, RetentionArgs
from content import alertmanager, detections
from harness.tools import free_port
from tests.conftest import make_settings
from tests.content import monitor_model
from tests.live.test_live_alerting import HOST, KEYS, Recorder, _pd, _slack, _wait_ready, stop

pytestmark = [pytest.mark.live, pytest.mark.skipif(
    not shutil.which("prometheus-alertmanager"), reason="prometheus-alertmanager is not installed")]
DEADLINE_S = 60
ATTACKER = "10.66.6.6"


def test_a_detection_posted_by_the_channel_reaches_the_security_team_and_the_pager(tmp_path):
    deadline = time.monotonic() + DEADLINE_S
    server = ThreadingHTTPServer((HOST, 0), Recorder)
    hook = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Recorder.received = []
    am_port = free_port()
    settings = make_settings("dev", alertGroupWait="1s", alertGroupInterval="1s",
                             alertmanagerUrl=f"http://{HOST}:{am_port}", pagerdutyEventsUrl=f"http://{HOST}:{hook}/pagerduty")
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for key, file in alertmanager.SECRET_FILES.items():
        (secrets / file).write_text(KEYS.get(key, f"http://{HOST}:{hook}/slack"))
    (tmp_path / "alertmanager.yml").write_text(yaml.safe_dump(
        alertmanager.config(AlertingArgs.of(settings), str(secrets), f"http://{HOST}:{hook}/heartbeat")))
    s = RetentionArgs.of(settings)
    webhook = detections.channel(s)["config"]["webhook"]
    (trigger,) = detections.monitors(s)["kafka-sasl-brute-force"]["triggers"]
    (action,) = trigger["bucket_level_trigger"]["actions"]
    ctx = {"ctx": {"newAlerts": [{"bucket_keys": ATTACKER}], "dedupedAlerts": []}}
    message = monitor_model.mustache(action["message_template"]["source"], ctx)

    proc = subprocess.Popen(
        ["prometheus-alertmanager", f"--config.file={tmp_path / 'alertmanager.yml'}",
         f"--storage.path={tmp_path / 'am-data'}", f"--web.listen-address={HOST}:{am_port}",
         "--cluster.listen-address="], stdout=subprocess.DEVNULL, stderr=open(tmp_path / "am.log", "w"))
    try:
        _wait_ready(am_port, proc, deadline)
        request = urllib.request.Request(webhook["url"], data=message.encode(), method=webhook["method"],
                                         headers=webhook["header_params"])
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
        while time.monotonic() < deadline:
            got = list(Recorder.received)
            if _pd(got, KEYS["pagerduty_critical_key"]) and _slack(got, settings.security_slack_channel):
                break
            time.sleep(0.3)
        with urllib.request.urlopen(f"http://{HOST}:{am_port}/api/v2/alerts", timeout=5) as response:
            held = json.loads(response.read())
    finally:
        stop([proc])
        server.shutdown()

    got = list(Recorder.received)
    (page,) = _pd(got, KEYS["pagerduty_critical_key"])
    labels = dict(pair.split("=", 1) for pair in page["payload"]["custom_details"]["labels"].split())
    assert labels == {"alertname": "KafkaSaslBruteForce", "severity": "critical", "category": "security",
                      "source": "opensearch-alerting", "client_ip": ATTACKER}
    assert page["payload"]["custom_details"]["runbook_url"].endswith("/security-detections.md#sasl-brute-force")
    (slack,) = _slack(got, settings.security_slack_channel)
    assert ATTACKER in slack["attachments"][0]["text"] and "security-detections.md" in slack["attachments"][0]["text"]
    assert not _slack(got, settings.slack_channel) and not _pd(got, KEYS["pagerduty_high_key"])
    (alert,) = held
    assert sorted(r["name"] for r in alert["receivers"]) == ["pagerduty-critical", "security-team"]
    assert alert["annotations"]["events_url"] == alert["generatorURL"] and ATTACKER in alert["generatorURL"]
