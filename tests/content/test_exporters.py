"""content/exporters.py: the kafka_exporter container as kafka_exporter v1.9.0 parses it.

kafka_exporter.go (vendored in tests/upstream) declares its flags with kingpin (`--name=value`,
booleans as `--name`) and refuses any SASL mechanism its switch does not name; Kubernetes expands
`$(VAR)` in args only for a variable the container defines (Container.args docs)."""
from __future__ import annotations

import re

import pytest

from config.clusters import Discovery, KafkaCluster, parse_cluster
from config.fields import duration_seconds
from config.sections import AlertingArgs
from content import exporters, scrape
from pulumi_kubernetes.apps.v1 import DeploymentSpecArgs
from tests.components import kubernetes_schema as schema
from tests.components.kubernetes_schema import dns_label, port_name, qualified, restricted
from tests.conftest import make_settings
from tests.upstream import HERE as UPSTREAM, go_config_problems, go_structs, kafka_exporter

FLAGS, MECHANISMS, PATHS = kafka_exporter()


def cluster(extra: str) -> KafkaCluster:
    c, errors = parse_cluster(f"orders ns=kafka brokerPods=app=kafka;role=broker controllerPods=app=kafka;role=ctl "
                              f"jmxPort=7071 {extra}", "c")
    assert errors == []
    return c


def parsed(args: list[str]) -> dict[str, str | bool]:
    """kingpin's reading of the args: an unknown flag, or a value on the wrong kind, is an error."""
    out: dict[str, str | bool] = {}
    for arg in args:
        name, has_value, value = arg.removeprefix("--").partition("=")
        assert arg.startswith("--") and name in FLAGS, f"unknown long flag '{arg}'"
        assert has_value != (FLAGS[name] == "Bool"), f"{arg}: {FLAGS[name]} flag"
        out[name] = value if has_value else True
    return out


def test_the_vendored_source_declares_the_flags_we_use():
    assert {"kafka.server", "web.listen-address", "sasl.enabled", "sasl.mechanism", "tls.enabled"} <= set(FLAGS)
    assert FLAGS["sasl.enabled"] == "Bool" and FLAGS["kafka.server"] == "Strings"
    assert MECHANISMS == {"plain", "scram-sha256", "scram-sha512", "gssapi", "awsiam"}


@pytest.mark.parametrize("sasl", ["plain", "scram-sha256", "scram-sha512"])
def test_each_sasl_mechanism_we_accept_is_one_kafka_exporter_accepts(sasl):
    c = cluster(f"bootstrap=kafka.kafka.svc:9092 sasl={sasl}:exporter-creds kafkaTls=true")
    container = exporters.kafka_exporter_container(c, "danielqsj/kafka-exporter:v1.9.0")
    flags = parsed(container["args"])
    assert flags["sasl.mechanism"].lower() in MECHANISMS
    assert (flags["sasl.enabled"], flags["tls.enabled"], flags["kafka.server"]) == (True, True, "kafka.kafka.svc:9092")
    assert flags["web.listen-address"] == f":{container['ports'][0]['containerPort']}"
    defined = {e["name"] for e in container["env"]}
    expanded = {v for a in container["args"] for v in re.findall(r"\$\((\w+)\)", a)}
    assert expanded == {"SASL_USERNAME", "SASL_PASSWORD"} <= defined
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"]}
    assert refs == {"SASL_USERNAME": {"name": "exporter-creds", "key": "username"},
                    "SASL_PASSWORD": {"name": "exporter-creds", "key": "password"}}


def test_without_sasl_or_tls_no_such_flag_is_given():
    c = cluster("bootstrap=kafka.kafka.svc:9092")
    container = exporters.kafka_exporter_container(c, "img")
    assert set(parsed(container["args"])) == {"kafka.server", "web.listen-address"} and "env" not in container


def test_the_exporter_deployment_is_one_the_api_server_accepts_and_kubelet_can_probe():
    """The API server's checks (apimachinery validation; apps/v1 ValidateDeploymentSpec: the
    selector must match the template's labels), a namespace enforcing the restricted Pod Security
    Standard admits it, and the readiness probe is on a path kafka_exporter serves (its
    http.HandleFunc paths), on the container's own port."""
    c = cluster("bootstrap=kafka.kafka.svc:9092 sasl=plain:creds")
    spec = exporters.kafka_exporter_deployment(c, "danielqsj/kafka-exporter:v1.9.0", {"app.kubernetes.io/part-of": "x"})
    assert schema.problems(spec, DeploymentSpecArgs) == []
    selector, labels = spec["selector"]["matchLabels"], spec["template"]["metadata"]["labels"]
    assert selector.items() <= labels.items() and all(qualified(k) for k in labels)
    (container,) = spec["template"]["spec"]["containers"]
    (port,) = container["ports"]
    assert dns_label(container["name"]) and port_name(port["name"])
    probe = container["readinessProbe"]["httpGet"]
    assert probe["path"] in PATHS and probe["port"] in (port["containerPort"], port["name"])
    assert restricted(container["securityContext"]) == [] and container["securityContext"]["readOnlyRootFilesystem"]
    assert exporters.lag_exporter(c, AlertingArgs.of(make_settings("prod"))) == (
        make_settings("prod").monitoring_namespace, Discovery(tuple(selector.items()), str(port["containerPort"])))


BLACKBOX = "blackbox_exporter-v0.25.0/"


def test_the_tls_module_decodes_as_blackbox_exporter_v0_25_decodes_its_config():
    """blackbox_exporter reads its config with yaml KnownFields (config/config.go SafeConfig.ReloadConfig):
    an unknown key refuses the file. Module, TCPProbe and prometheus/common's TLSConfig (v0.52.2,
    the version its go.mod requires) are vendored from the tags (tests/upstream). The probe verifies
    the certificate chain: what probe_ssl_earliest_cert_expiry reports is the chain a client trusts."""
    structs = go_structs(BLACKBOX + "config_config.go", BLACKBOX + "common-v0.52.2_config_http_config.go", tag="yaml")
    modules = exporters.blackbox_modules()
    assert {name: go_config_problems(m, "Module", structs) for name, m in modules.items()} == {
        name: [] for name in modules}
    assert go_config_problems({"tcp": {"tls_confg": {}}}, "Module", structs) == ["tcp.tls_confg: invalid key"]
    module = modules[exporters.TLS_MODULE]
    assert module["prober"] == "tcp" and module["tcp"]["tls"] is True
    assert module["tcp"]["tls_config"].get("insecure_skip_verify", False) is False
    assert re.fullmatch(r"(\d+(ms|s|m|h))+", module["timeout"])  # time.Duration in yaml: Go's ParseDuration


def test_one_exporter_per_cluster_runs_the_image_given():
    """Two kafka_exporter pods would both be scrape targets and report every lag twice."""
    c = cluster("bootstrap=kafka.kafka.svc:9092")
    spec = exporters.kafka_exporter_deployment(c, "danielqsj/kafka-exporter:v1.9.0", {})
    assert spec["replicas"] == 1
    assert spec["template"]["spec"]["containers"][0]["image"] == "danielqsj/kafka-exporter:v1.9.0"


def test_a_kafka_ca_is_mounted_from_its_secret_and_passed_as_the_ca_file():
    """kafka_exporter v1.9.0 (kafka_exporter.go): `--tls.ca-file` is a string flag, read with
    os.ReadFile into the TLS config's RootCAs when `--tls.enabled` is set, and NewExporter fails
    when the file cannot be read; without it sarama's tls.Config has no RootCAs and Go trusts the
    system roots, which do not hold Strimzi's cluster CA. The file the flag names is the Secret's
    key as the pod sees it: the volume's item path under the container's mount (Kubernetes secret
    volumes), and the Secret is one of the Deployment's own namespace."""
    c = cluster("bootstrap=kafka-kafka-bootstrap.kafka.svc:9093 kafkaTls=true kafkaCa=kafka-cluster-ca-cert/ca.crt")
    spec = exporters.kafka_exporter_deployment(c, "danielqsj/kafka-exporter:v1.9.0", {})
    assert schema.problems(spec, DeploymentSpecArgs) == []
    (container,) = spec["template"]["spec"]["containers"]
    flags = parsed(container["args"])
    assert FLAGS["tls.ca-file"] == "String" and flags["tls.enabled"] is True
    files = {}
    for volume in spec["template"]["spec"]["volumes"]:
        for mount in [m for m in container["volumeMounts"] if m["name"] == volume["name"]]:
            assert mount["readOnly"] is True
            for item in volume["secret"]["items"]:
                files[f"{mount['mountPath'].rstrip('/')}/{item['path']}"] = (volume["secret"]["secretName"], item["key"])
    assert files == {flags["tls.ca-file"]: ("kafka-cluster-ca-cert", "ca.crt")}
    assert restricted(container["securityContext"]) == [] and container["securityContext"]["readOnlyRootFilesystem"]


def test_without_a_kafka_ca_nothing_is_mounted_and_no_ca_file_is_named():
    for extra in ("bootstrap=k.kafka.svc:9093 kafkaTls=true", "bootstrap=k.kafka.svc:9092"):
        spec = exporters.kafka_exporter_deployment(cluster(extra), "img", {})
        (container,) = spec["template"]["spec"]["containers"]
        assert "tls.ca-file" not in parsed(container["args"])
        assert "volumes" not in spec["template"]["spec"] and "volumeMounts" not in container


def probe_deadline(module_timeout: float, header: str | None, offset: float = 0.5) -> float:
    """prober/handler.go getTimeout at v0.25.0 (vendored): the X-Prometheus-Scrape-Timeout-Seconds
    header, 120 s without one, less --timeout-offset (main.go: default 0.5); the module's timeout
    only where it is positive and below that. The probe's context ends then (Handler:
    context.WithTimeout), and the TCP prober dials and handshakes under that deadline (tcp.go:
    dialer.Deadline, conn.SetDeadline), so a hung TLS listener fails the probe at the deadline."""
    seconds = float(header) if header else 0.0
    if seconds == 0:
        seconds = 120
    most = seconds - offset
    return module_timeout if 0 < module_timeout < most or most < 0 else most


def test_the_deadline_model_reads_the_vendored_get_timeout():
    source = (UPSTREAM / BLACKBOX / "prober_handler.go").read_text()
    body = source[source.index("func getTimeout("):]
    body = body[:body.index("\n}\n")]
    for line in ('r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds")', "timeoutSeconds = 120",
                 "var maxTimeoutSeconds = timeoutSeconds - offset",
                 "if module.Timeout.Seconds() < maxTimeoutSeconds && module.Timeout.Seconds() > 0 || maxTimeoutSeconds < 0 {",
                 "timeoutSeconds = module.Timeout.Seconds()", "timeoutSeconds = maxTimeoutSeconds"):
        assert line in body, line
    assert 'Flag("timeout-offset", "Offset to subtract from timeout in seconds.").Default("0.5")' in \
        (UPSTREAM / BLACKBOX / "main.go").read_text()
    # the cases of its branches, written out
    assert [probe_deadline(5, "10"), probe_deadline(5, "5"), probe_deadline(0, "10"), probe_deadline(5, None),
            probe_deadline(5, "0.25"), probe_deadline(200, None)] == [5, 4.5, 9.5, 5, 5, 119.5]


@pytest.mark.parametrize("stack,interval,deadline", [   # prod refuses intervals below 5s
    ("dev", "1s", 0.5), ("dev", "2s", 1.5), ("prod", "5s", 4.5), ("prod", "6s", 5.0), ("prod", "10s", 5.0),
    ("prod", "15s", 5.0), ("prod", "5m", 5.0),
])
def test_a_hung_tls_listener_is_a_failed_probe_not_a_failed_scrape(stack, interval, deadline):
    """Prometheus v2.54.1 scrapes the probe with the job's scrape_timeout as its deadline and sends it
    as X-Prometheus-Scrape-Timeout-Seconds (scrape/scrape.go targetScraper.scrape, scrapeAndReport's
    context.WithTimeout); an answer after it is a failed scrape, `up` 0, and nothing of the probe is
    kept. The exporter answers at its deadline (probe_deadline), before the scrape's: the probe of a
    listener that accepts and never completes the handshake is up 1 and probe_success 0, for every
    scrape interval a stack may set (1s to 5m). KafkaScrapeTargetDown (up == 0) is then about the
    exporter, never the listener; where the scrape leaves more room than the module's timeout, the
    module's 5 s decides how long a handshake may take."""
    s = make_settings(stack, scrapeInterval=interval, evaluationInterval=interval)   # no longer than evaluation
    (job,) = [j for j in scrape.scrape_configs(AlertingArgs.of(s)) if j.get("params", {}).get("module")]
    module = exporters.blackbox_modules()[job["params"]["module"][0]]
    # Prometheus durations (scrape_timeout) as prometheus/common reads them; the module's "5s" reads
    # the same as a Go time.Duration.
    scrape_timeout, module_timeout = duration_seconds(job["scrape_timeout"]), duration_seconds(module["timeout"])
    header = f"{scrape_timeout:g}"     # strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64)
    at = probe_deadline(module_timeout, header)
    assert at == deadline and at < scrape_timeout
    # The near miss: without the header the exporter would wait 119.5 s for a module without a
    # timeout, and this scrape would fail first (up 0) with the listener's failure unreported.
    assert probe_deadline(0, None) == 119.5 > scrape_timeout
