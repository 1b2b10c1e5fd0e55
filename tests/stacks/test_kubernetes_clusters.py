"""Several Kubernetes clusters in one stack, run under mocks: each its own provider and Prometheus pair;
a stack with one cluster keeps every URN it had."""
from __future__ import annotations

import json
import shutil
import re

import pytest
import yaml

from policy import invariants
from tests.components.test_alertmanager_deployed_secret import SECRET
from tests.conftest import SECRET_VALUES, stack_raw
from tests.policy.test_invariants import resources

OIDC_B = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/B"
HOME, OTHER = "necpgame-prod", "eks-b"
EXTRA = "b ns=y brokers=b0.y.svc:7071 controllers=bc.y.svc:7071 exporterPods=app=e k8s=eks-b"
KPS = "kube-prometheus-stack"


@pytest.fixture(scope="module")
def two():
    from harness import runtime
    from tests.conftest import full_config, stack_raw
    clusters = [*stack_raw("prod")["clusters"], EXTRA]
    config, keys = full_config("prod", clusters=clusters, kubernetesClusters=[f"eks-b context=eks-b-ctx oidc={OIDC_B}"],
                               globalMetrics="amp", globalMetricsGrafanaRoleArn="arn:aws:iam::123456789012:role/g")
    return runtime.run("prod", config, keys)


def _releases(run) -> dict[str, object]:
    return {r.inputs["values"]["prometheus"]["prometheusSpec"]["externalLabels"]["cluster"]: r
            for r in run.of_type("kubernetes:helm.sh/v3:Release") if r.inputs["chart"] == KPS}


def test_each_kubernetes_cluster_has_its_own_provider_on_its_context(two):
    providers = {r.name: r for r in two.of_type("pulumi:providers:kubernetes")}
    assert providers["kafka-monitoring-kubernetes-eks-b"].inputs["context"] == "eks-b-ctx"
    assert providers["kafka-monitoring-kubernetes"].inputs["context"] == "necpgame-prod"
    other = [r for r in two.resources if r.type.startswith("kubernetes:") and "alerting-eks-b" in r.name]
    assert len(other) >= 6
    assert {r.provider.split("::")[-1] for r in other} == {"kafka-monitoring-kubernetes-eks-b"}
    home = [r for r in two.resources if r.type.startswith("kubernetes:") and r.name.startswith("kafka-monitoring-alerting-")
            and "eks-b" not in r.name]
    assert home and {r.provider.split("::")[-1] for r in home} == {"kafka-monitoring-kubernetes"}


def test_each_prometheus_scrapes_only_its_kafka_clusters_and_names_its_cluster(two):
    releases = _releases(two)
    assert set(releases) == {HOME, OTHER}

    def kafka_clusters(release) -> set[str]:
        jobs = release.inputs["values"]["prometheus"]["prometheusSpec"]["additionalScrapeConfigs"]
        found = {g["labels"]["kafka_cluster"] for j in jobs for g in j.get("static_configs", []) if "labels" in g}
        found |= {r["replacement"] for j in jobs for r in j.get("relabel_configs", [])
                  if r.get("target_label") == "kafka_cluster"}
        return found
    assert kafka_clusters(releases[HOME]) == {"kafka"} and kafka_clusters(releases[OTHER]) == {"b"}
    # The JMX exporter's ConfigMap goes to the Kafka cluster's own Kubernetes cluster.
    (jmx,) = [r for r in two.of_type("kubernetes:core/v1:ConfigMap") if r.inputs["metadata"]["name"] == "b-jmx-exporter"]
    assert jmx.provider.endswith("kafka-monitoring-kubernetes-eks-b")


def test_each_clusters_prometheus_writes_as_its_own_role_trusting_its_own_oidc_provider(two):
    releases = _releases(two)
    roles = {r.name: r for r in two.of_type("aws:iam/role:Role") if "global-metrics-writer" in r.name}
    for cluster, role, oidc in ((HOME, "kafka-monitoring-global-metrics-writer-role",
                                 "oidc.eks.eu-west-1.amazonaws.com/id/NECPGAMEPROD"),
                                (OTHER, "kafka-monitoring-global-metrics-writer-role-eks-b",
                                 "oidc.eks.eu-central-1.amazonaws.com/id/B")):
        annotations = releases[cluster].inputs["values"]["prometheus"]["serviceAccount"]["annotations"]
        assert annotations == {"eks.amazonaws.com/role-arn": f"arn:aws:iam::123456789012:role/{role}"}
        trust = json.loads(roles[role].inputs["assumeRolePolicy"])
        assert trust["Statement"][0]["Principal"]["Federated"].endswith(oidc)


def test_a_one_cluster_stack_keeps_its_urns_and_a_second_cluster_only_adds(stack_runs, program, two):
    base = stack_runs["prod"]
    assert {r.urn for r in program("prod", kubernetesClusters=[]).resources} == {r.urn for r in base.resources}
    base_urns = {r.urn: r for r in base.resources}
    added = {r.urn: r for r in two.resources}
    assert set(base_urns) <= set(added)
    # The stack's own Prometheus is deployed as before: the second cluster's Kafka cluster is not its.
    home_before = _releases(base)[HOME].inputs["values"]
    home_after = _releases(two)[HOME].inputs["values"]
    spec_before, spec_after = home_before["prometheus"]["prometheusSpec"], home_after["prometheus"]["prometheusSpec"]
    assert spec_before["additionalScrapeConfigs"] == spec_after["additionalScrapeConfigs"]
    assert yaml.safe_dump(base.artifacts["prometheus/rules/kafka-alerts.rules.yml"]) == yaml.safe_dump(
        two.artifacts["prometheus/rules/kafka-alerts.rules.yml"])


def test_a_two_cluster_stack_satisfies_every_security_invariant(two):
    found = invariants.check_all(resources(two))
    assert found == {name: [] for name in invariants.INVARIANTS}


# --- Fluent Bit and Jaeger in every Kubernetes cluster -------------------------------------------------------
OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/"
FURTHER = [f"eks-b context=eks-b-ctx oidc={OIDC}B", f"eks-c context=eks-c-ctx oidc={OIDC}C"]
# cluster -> (its provider, its context, its Fluent Bit release, its Jaeger Deployment, its credentials Secret)
COLLECTIONS = {
    HOME: ("kafka-monitoring-kubernetes", "necpgame-prod", "kafka-monitoring-collection-fluent-bit",
           "kafka-monitoring-collection-jaeger", "kafka-monitoring-collection-credentials"),
    OTHER: ("kafka-monitoring-kubernetes-eks-b", "eks-b-ctx", "kafka-monitoring-fluent-bit-eks-b",
            "kafka-monitoring-collection-eks-b-jaeger", "kafka-monitoring-collection-eks-b-credentials"),
    "eks-c": ("kafka-monitoring-kubernetes-eks-c", "eks-c-ctx", "kafka-monitoring-fluent-bit-eks-c",
              "kafka-monitoring-collection-eks-c-jaeger", "kafka-monitoring-collection-eks-c-credentials"),
}
# The stack's own collection as a one-cluster stack registers it (the mocks' URNs): a second and third
# cluster must leave every one of them as it is.
HOME_COLLECTION_URNS = {
    "urn:pulumi:prod::kafka-monitoring::kafka-monitoring:stack:MonitoringPlatform$kafka-monitoring:collection:"
    "Collection::kafka-monitoring-collection",
    *(f"urn:pulumi:prod::kafka-monitoring::kafka-monitoring:collection:Collection${kind}::kafka-monitoring-collection-"
      f"{name}" for kind, name in (("kubernetes:core/v1:ConfigMap", "jaeger-config"),
                                   ("kubernetes:core/v1:Service", "jaeger-service"),
                                   ("kubernetes:core/v1:Secret", "credentials"),
                                   ("kubernetes:apps/v1:Deployment", "jaeger"),
                                   ("kubernetes:helm.sh/v3:Release", "fluent-bit"))),
}


@pytest.fixture(scope="module")
def three():
    """prod with two further clusters, its secrets left in (wrapped as tests/components/
    test_alertmanager_deployed_secret.py reveals them, so that a secret is seen to stay one)."""
    from harness import runtime
    from tests.components.test_alertmanager_deployed_secret import _reveal
    from tests.conftest import full_config
    config, keys = full_config("prod", clusters=[*stack_raw("prod")["clusters"], EXTRA], kubernetesClusters=FURTHER)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runtime, "mask_secrets", _reveal)
        return runtime.run("prod", config, keys)


def _provider(run, registration) -> str:
    """The name of the explicit provider a resource is registered with, checked to be a Kubernetes provider."""
    (provider,) = [r for r in run.of_type("pulumi:providers:kubernetes") if r.urn == registration.provider]
    return provider.name


def test_every_cluster_runs_its_own_fluent_bit_and_jaeger_through_its_own_provider(three):
    releases = [r for r in three.of_type("kubernetes:helm.sh/v3:Release") if r.inputs["chart"] == "fluent-bit"]
    jaegers = three.of_type("kubernetes:apps/v1:Deployment")
    assert len(releases) == len(jaegers) == 3
    for cluster, (provider, context, release, jaeger, secret) in COLLECTIONS.items():
        for name in (release, jaeger, secret):
            assert _provider(three, three.named(name)) == provider, (cluster, name)
        assert three.named(provider).inputs["context"] == context
        assert three.named(release).inputs["name"] == release   # the Helm release's own name, at most 53
        # Jaeger's Service has one name in every cluster: the OTLP endpoint `jaeger.monitoring.svc` everywhere.
        (service,) = [r for r in three.of_type("kubernetes:core/v1:Service") if r.inputs["metadata"]["name"] == "jaeger"
                      and r.provider == three.named(jaeger).provider]
        assert service.inputs["metadata"]["namespace"] == "monitoring"
        # Every Jaeger writes to the one trace storage, which the home Jaeger query reads.
        assert three.artifacts[("" if cluster == HOME else f"clusters/{cluster}/") + "jaeger/config.yaml"] == \
            three.artifacts["jaeger/config.yaml"]


def test_the_home_clusters_collection_keeps_its_urns(stack_runs, three):
    base = {r.urn for r in stack_runs["prod"].resources}
    assert HOME_COLLECTION_URNS <= base and HOME_COLLECTION_URNS <= {r.urn for r in three.resources}
    assert {r.urn for r in stack_runs["prod"].resources if "collection" in r.urn} == HOME_COLLECTION_URNS


def test_each_clusters_fluent_bit_assumes_the_writer_role_and_archives(three):
    """IRSA: the service account's role annotation; the role trusts each cluster's provider
    (tests/content/test_archive_policies.py evaluates that trust). The chart names the account
    `serviceAccount.name` when it creates one, whatever the release is called (fluent/helm-charts
    charts/fluent-bit/templates/_helpers.tpl `fluent-bit.serviceAccountName`), so it is `fluent-bit` in
    every cluster: the trust tells the clusters apart by their providers alone."""
    role = "arn:aws:iam::123456789012:role/kafka-monitoring-archive-writer-role"
    for cluster, (_, _, release, _, _) in COLLECTIONS.items():
        values = three.named(release).inputs["values"]
        assert values["serviceAccount"] == {"create": True, "name": "fluent-bit",
                                            "annotations": {"eks.amazonaws.com/role-arn": role}}, cluster
        assert re.search(r"\n +bucket +necpgame-kafka-monitoring-prod-compliance-archive\n", values["config"]["outputs"]), cluster
    # The deployed role: each cluster's provider admits its Fluent Bit (the rest: tests/content/test_archive_policies.py).
    from tests.content.test_archive_policies import irsa
    from tests.policy.iam_model import allowed
    trust = json.loads(three.named("kafka-monitoring-archive-writer-role").inputs["assumeRolePolicy"])
    for oidc in ("arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/NECPGAMEPROD",
                 f"{OIDC}B", f"{OIDC}C"):
        assert allowed(trust, irsa(oidc, "monitoring:fluent-bit")) and not allowed(trust, irsa(oidc, "monitoring:x"))
    assert not allowed(trust, irsa(f"{OIDC}D", "monitoring:fluent-bit"))


def test_a_further_clusters_credentials_stay_secret_and_nothing_else_carries_them(three):
    for cluster, (_, _, release, jaeger, secret) in COLLECTIONS.items():
        data = three.named(secret).inputs["stringData"]
        assert set(data) == {SECRET}, f"{cluster}: the credentials must reach the engine as one secret"
        assert data[SECRET]["ES_PASSWORD"] == SECRET_VALUES["elasticsearchPassword"]
        assert data[SECRET]["OS_PASSWORD"] == SECRET_VALUES["opensearchPassword"]
        assert data[SECRET]["TRACE_STORAGE_PASSWORD"] == SECRET_VALUES["elasticsearchPassword"]  # traceStorage
        for name in (release, jaeger):
            assert "LEAKCHECK" not in json.dumps(three.named(name).inputs), (cluster, name)
    assert not [path for path, doc in three.artifacts.items() if "LEAKCHECK" in json.dumps(doc, default=str)]


def _reached(conf: str, namespace: str, record: dict) -> list[tuple[str, str, dict]]:
    """(output, tag, record) for every output a container log record from `namespace` reaches."""
    from tests.content.fluent_bit_model import route
    from tests.content.test_collection import APP, parse_classic
    record = {**APP, **record, "kubernetes": {**APP["kubernetes"], "namespace_name": namespace}}
    return route(parse_classic(conf), "kube.var.log.containers.x.log", record)


def _routes(conf: str, namespace: str, record: dict) -> list[str]:
    return sorted(out for out, _, _ in _reached(conf, namespace, record))


def test_each_clusters_fluent_bit_ships_its_security_events_and_the_logs_of_its_own_namespaces(three):
    """The rendered configuration of each cluster through the Fluent Bit model (tests/content/fluent_bit_model.py):
    a security event from any namespace reaches OpenSearch and the locked archive in every cluster; an
    application error reaches Elasticsearch from the platform's namespace and from the namespaces of the
    Kafka clusters that cluster runs (kafka in necpgame-infrastructure at home, b in y in eks-b), not others'."""
    conf = {cluster: three.artifacts[("" if cluster == HOME else f"clusters/{cluster}/") + "fluent-bit/fluent-bit.conf"]
            for cluster in COLLECTIONS}
    denial = {"event_category": "security", "level": "INFO", "message": "player session hijack suspected"}
    error = {"level": "ERROR", "message": "combat event rejected"}
    for cluster, text in conf.items():
        assert _routes(text, "game-servers", denial) == ["opensearch", "s3"], cluster
        assert _routes(text, "necpgame-infrastructure", error) == ["es"], cluster   # the platform's namespace
        assert _routes(text, "game-servers", error) == [], cluster
    assert (_routes(conf[HOME], "y", error), _routes(conf[OTHER], "y", error), _routes(conf["eks-c"], "y", error)) == (
        [], ["es"], [])


def test_a_security_event_says_which_kubernetes_cluster_shipped_it(three):
    """Every cluster's Fluent Bit writes the same security indices and archive, so the event names its
    cluster: what reaches OpenSearch and S3 from eks-b says k8s_cluster eks-b (the same pod name in two
    clusters is otherwise one source). The template maps it as a keyword before the first write, so a
    detection can group by it (a dynamic mapping would make it text)."""
    from content import security_parsers
    denial = {"event_category": "security", "level": "INFO", "message": "player session hijack suspected"}
    for cluster in COLLECTIONS:
        conf = three.artifacts[("" if cluster == HOME else f"clusters/{cluster}/") + "fluent-bit/fluent-bit.conf"]
        reached = _reached(conf, "game-servers", denial)
        assert sorted((out, rec.get("k8s_cluster")) for out, _, rec in reached) == [
            ("opensearch", cluster), ("s3", cluster)], cluster
    assert security_parsers.template_mappings()["properties"]["k8s_cluster"] == {"type": "keyword"}


def test_without_collection_no_cluster_runs_fluent_bit_or_jaeger(program):
    run = program("prod", clusters=[*stack_raw("prod")["clusters"], EXTRA],
                  kubernetesClusters=FURTHER, enableCollection=False)
    assert [r.name for r in run.resources if r.type == "kubernetes:apps/v1:Deployment"
            or (r.type == "kubernetes:helm.sh/v3:Release" and r.inputs["chart"] == "fluent-bit")
            or "collection" in r.name] == []
    # Each further cluster keeps its provider and Prometheus pair; its NetworkPolicies name no collection.
    assert len(_releases(run)) == 3
    assert not [r for r in run.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                if r.inputs["metadata"]["name"] in ("allow-fluent-bit", "allow-jaeger")]
    assert not [path for path in run.artifacts if "fluent-bit" in path or "jaeger/" in path]
    # And the writer role trusts the stack's own cluster only, as before: no further cluster's Fluent Bit writes.
    (role,) = [r for r in run.of_type("aws:iam/role:Role") if r.name.endswith("-writer-role")]
    assert [st["Principal"]["Federated"] for st in json.loads(role.inputs["assumeRolePolicy"])["Statement"]] == [
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/NECPGAMEPROD"]


def test_collection_without_alerting_still_reaches_every_cluster(program):
    """The further clusters' providers and namespaces exist wherever something runs in the clusters."""
    run = program("dev", kubernetesClusters=[f"eks-b context=eks-b-ctx oidc={OIDC}B"], enableAlerting=False)
    assert [r.inputs["chart"] for r in run.of_type("kubernetes:helm.sh/v3:Release")] and \
        {r.inputs["chart"] for r in run.of_type("kubernetes:helm.sh/v3:Release")} == {"fluent-bit"}
    assert _provider(run, run.named("kafka-monitoring-fluent-bit-eks-b")) == "kafka-monitoring-kubernetes-eks-b"
    assert _provider(run, run.named("kafka-monitoring-collection-eks-b-jaeger")) == "kafka-monitoring-kubernetes-eks-b"
    policies = {r.inputs["metadata"]["name"] for r in run.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                if r.provider.endswith("::kafka-monitoring-kubernetes-eks-b")}
    assert policies == {"default-deny-ingress", "allow-fluent-bit", "allow-jaeger"}


def test_a_three_cluster_stack_passes_every_check_the_preview_and_the_pack_run(three):
    """harness/preview.py policy_problems: the security invariants and the network checks (every exporter and
    Jaeger isolated by its own cluster's policies, the proxies, Jaeger's query API), over all three clusters."""
    from harness import preview
    assert preview.policy_problems(three) == []
    jaegers = [r for r in resources(three) if r.type == "kubernetes:apps/v1:Deployment"]
    assert len({r.provider for r in jaegers}) == 3   # judged: one Jaeger in each cluster


@pytest.mark.skipif(not (shutil.which("promtool") and shutil.which("amtool")), reason="promtool and amtool not installed")
def test_the_preview_checks_every_clusters_rules_and_configs_with_the_real_tools(two, tmp_path):
    """Each further cluster's rules, prometheus.yml and alertmanager.yml are its own (its Kafka clusters,
    its heartbeat): promtool and amtool check them as they check the stack's own, and a broken rule
    there fails the preview as one at home does."""
    from harness import preview
    out = tmp_path / "out"
    preview.write(two, out)
    checked = {name: ok for name, ok, _ in preview.check(out)}
    assert all(checked.values()) and len(checked) >= 6
    for rel in ("prometheus/prometheus.yml", "alertmanager/alertmanager.yml"):
        assert rel in checked and f"clusters/{OTHER}/{rel}" in checked
    assert any(n.startswith(f"clusters/{OTHER}/prometheus/rules/") for n in checked)
    broken = out / "clusters" / OTHER / "prometheus" / "rules" / "broken.rules.yml"
    broken.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [{"alert": "B", "expr": "sum(rate(x[5m]"}]}]}))
    assert [n for n, ok, _ in preview.check(out) if not ok] == [f"clusters/{OTHER}/prometheus/rules/broken.rules.yml"]
