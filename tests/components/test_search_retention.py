"""SearchRetention under mocks: the stack declares these retention objects with these bodies."""
from __future__ import annotations

import fnmatch
import json

import pytest
import yaml

from tests.conftest import SECRET_VALUES

DYNAMIC = "pulumi-python:dynamic/search:RetentionObject"


def objects(run) -> dict[tuple[str, str, str], dict]:
    return {(r.inputs["engine"], r.inputs["kind"], r.inputs["object_id"]): r for r in run.of_type(DYNAMIC)}


def test_application_logs_warm_after_a_day_and_go_after_90_days_once_snapshotted(stack_runs):
    objs = objects(stack_runs["prod"])
    phases = objs[("elasticsearch", "ilm_policy", "kafka-application")].inputs["body"]["policy"]["phases"]
    assert phases["warm"] == {"min_age": "2d", "actions": {
        "forcemerge": {"max_num_segments": 1, "index_codec": "best_compression"}, "readonly": {}}}
    assert phases["delete"] == {"min_age": "90d", "actions": {
        "wait_for_snapshot": {"policy": "nightly-kafka-application"}, "delete": {}}}
    assert "rollover" not in json.dumps(phases)


def test_daily_indices_attach_the_policy_through_the_template(stack_runs):
    template = objects(stack_runs["prod"])[("elasticsearch", "index_template", "kafka-application")].inputs["body"]
    assert template["index_patterns"] == ["kafka-application-*"]
    settings = template["template"]["settings"]
    assert settings["index.lifecycle.name"] == "kafka-application"
    assert settings["index.lifecycle.parse_origination_date"] is True
    assert "index.lifecycle.rollover_alias" not in settings
    assert (settings["index.number_of_shards"], settings["index.number_of_replicas"]) == (3, 1)


def test_nightly_snapshots_go_to_the_archive_bucket(stack_runs):
    run = stack_runs["prod"]
    objs = objects(run)
    repo = objs[("elasticsearch", "snapshot_repository", "kafka-application-archive")].inputs["body"]
    slm = objs[("elasticsearch", "slm_policy", "nightly-kafka-application")].inputs["body"]
    assert slm["repository"] == "kafka-application-archive" and slm["schedule"] == "0 30 1 * * ?"
    assert slm["retention"]["expire_after"] == "365d"
    os_repo = objs[("opensearch", "snapshot_repository", "kafka-security-archive")].inputs["body"]
    # the open-source repository-s3 plugin has no role_arn: self-managed nodes use IRSA credentials
    for body in (repo, os_repo):
        assert body["type"] == "s3" and set(body["settings"]) == {"bucket", "base_path"}
        assert body["settings"]["bucket"] == run.outputs["snapshot_bucket"]
    # One bucket, two clusters: each writes under a base path of its own, as a repository written by two
    # clusters is corrupted (Elasticsearch docs, "Register a snapshot repository": one writer per repository).
    paths = {repo["settings"]["base_path"], os_repo["settings"]["base_path"]}
    assert len(paths) == 2 and all(paths)


def test_amazon_opensearch_service_gets_the_role_region_and_signed_requests(program):
    """Amazon OpenSearch Service Developer Guide, "Registering a manual snapshot repository": settings
    bucket, region, role_arn; the request is signed (SigV4) by an identity with iam:PassRole."""
    run = program("prod", opensearchDeployment="amazon-opensearch-service",
                  opensearchUrl="https://search-security.eu-west-1.es.amazonaws.com")
    objs = objects(run)
    os_repo = objs[("opensearch", "snapshot_repository", "kafka-security-archive")].inputs
    settings = os_repo["body"]["settings"]
    assert settings["base_path"] and {k: v for k, v in settings.items() if k != "base_path"} == {
        "bucket": run.outputs["snapshot_bucket"], "region": "eu-west-1", "role_arn": run.outputs["snapshot_role_arn"]}
    assert {k[0]: o.inputs.get("sigv4_region") for k, o in objs.items()} == {"opensearch": "eu-west-1",
                                                                           "elasticsearch": None}


def test_security_events_are_kept_seven_years_read_only_and_snapshotted_by_a_policy_that_deletes_them(stack_runs):
    """The ISM `snapshot` action takes one snapshot per index under a fixed name and nothing deletes
    it; OpenSearch snapshot management snapshots nightly as <policy>-<date>-<random> and deletes by age.
    Security events roll over (index-management 2.17.0.0 RolloverAction: min_primary_shard_size,
    min_index_age; any one met rolls over), and their ages count from the rollover (`min_rollover_age`,
    AttemptTransitionStep's oldest rollover time), so an event written the day before a rollover is
    kept 2557 days too."""
    objs = objects(stack_runs["prod"])
    policy = objs[("opensearch", "ism_policy", "kafka-security-rollover")].inputs["body"]["policy"]
    states = {st["name"]: st for st in policy["states"]}
    assert states["hot"]["actions"] == [{"rollover": {"min_primary_shard_size": "30gb", "min_index_age": "30d"}}]
    assert states["hot"]["transitions"] == [{"state_name": "cold", "conditions": {"min_rollover_age": "2d"}}]
    # Read-only, then each shard merged into one segment (as the application logs' warm phase does): an
    # index nobody writes again is stored and searched as one segment for the rest of its 7 years.
    assert states["cold"]["actions"] == [{"read_only": {}}, {"force_merge": {"max_num_segments": 1}}]
    assert states["cold"]["transitions"] == [{"state_name": "delete", "conditions": {"min_rollover_age": "2557d"}}]
    assert not any("snapshot" in a for st in states.values() for a in st["actions"])
    assert policy["ism_template"] == [{"index_patterns": ["kafka-security-0*"], "priority": 101}]
    sm = objs[("opensearch", "sm_policy", "nightly-kafka-security")]
    assert sm.inputs["body"]["snapshot_config"]["indices"] == "kafka-security-*"  # both layouts
    assert sm.inputs["body"]["snapshot_config"]["repository"] == "kafka-security-archive"
    assert sm.inputs["body"]["deletion"]["condition"]["max_age"] == "2557d"
    repo = objs[("opensearch", "snapshot_repository", "kafka-security-archive")]
    ism = objs[("opensearch", "ism_policy", "kafka-security-rollover")]
    assert repo.urn in sm.dependencies and sm.urn in ism.dependencies  # repository -> SM -> ISM
    settings = objs[("opensearch", "index_template", "kafka-security-rollover")].inputs["body"]["template"]["settings"]
    assert settings["index.append_only.enabled"] is True and settings["index.codec"] == "best_compression"
    assert settings["index.plugins.index_state_management.rollover_alias"] == "kafka-security"
    assert objs[("opensearch", "write_alias", "kafka-security")].inputs["body"] == {
        "aliases": {"kafka-security": {"is_write_index": True}}}


def test_the_daily_security_layout_keeps_its_policy_for_its_own_indices(stack_runs):
    """The same resources as before the rollover layout (a delete would be refused: they are protected
    in prod), with the same daily rules, now attached only to daily names (kafka-security-2*, disjoint
    from the rollover names kafka-security-0*)."""
    objs = objects(stack_runs["prod"])
    legacy = objs[("opensearch", "ism_policy", "kafka-security")]
    assert legacy.name == "kafka-monitoring-retention-opensearch-ism-policy-kafka-security"
    policy = legacy.inputs["body"]["policy"]
    states = {st["name"]: st for st in policy["states"]}
    assert states["hot"]["transitions"] == [{"state_name": "cold", "conditions": {"min_index_age": "2d"}}]
    assert states["cold"]["actions"] == [{"read_only": {}}, {"force_merge": {"max_num_segments": 1}}]
    assert states["cold"]["transitions"] == [{"state_name": "delete", "conditions": {"min_index_age": "2557d"}}]
    assert policy["ism_template"] == [{"index_patterns": ["kafka-security-2*"], "priority": 100}]
    template = objs[("opensearch", "index_template", "kafka-security")].inputs["body"]
    assert template["index_patterns"] == ["kafka-security-2*"] and "index.codec" not in template["template"]["settings"]
    for daily in ("kafka-security-2026.11.30", "kafka-security-2999.01.01"):
        assert fnmatch.fnmatch(daily, "kafka-security-2*") and not fnmatch.fnmatch(daily, "kafka-security-0*")
    assert not fnmatch.fnmatch("kafka-security-000001", "kafka-security-2*")


DETECTION_KINDS = ("notification_channel", "monitor")  # hold no data: never protected, deleted with the stack


def test_objects_target_https_endpoints_carry_no_password_and_are_protected_in_prod(stack_runs):
    run = stack_runs["prod"]
    for r in run.of_type(DYNAMIC):
        assert r.inputs["endpoint"].startswith("https://") and r.inputs["username"] == "kafka-monitoring"
        retention = r.inputs["kind"] not in DETECTION_KINDS
        assert r.protect is retention and r.inputs["prod"] is True and r.inputs["allow_delete"] is not retention
        assert not any(v in json.dumps(r.inputs) for v in SECRET_VALUES.values())
        assert r.inputs["__provider"] == "[dynamic provider]"
    assert not any(r.protect for r in stack_runs["dev"].of_type(DYNAMIC))


def test_traces_have_their_own_retention_with_a_policy_that_can_complete(stack_runs, program):
    """The nightly SLM snapshot covers kafka-application-* only: a trace policy that waited for it
    would never delete. Jaeger looks back as far as traces are kept (its default is 72 h)."""
    objs = objects(stack_runs["prod"])
    template = objs[("elasticsearch", "index_template", "kafka-traces-span")].inputs["body"]
    assert template["index_patterns"] == ["jaeger-jaeger-span-*"]
    assert template["template"]["settings"]["index.lifecycle.name"] == "kafka-traces"
    delete = objs[("elasticsearch", "ilm_policy", "kafka-traces")].inputs["body"]["policy"]["phases"]["delete"]
    assert delete == {"min_age": "7d", "actions": {"delete": {}}}
    slm = objs[("elasticsearch", "slm_policy", "nightly-kafka-application")].inputs["body"]
    assert not any(fnmatch.fnmatch("jaeger-jaeger-span-2026.11.30", p) for p in slm["config"]["indices"])
    run = program("dev", traceStorage="opensearch", traceRetentionDays=3)
    ism = objects(run)[("opensearch", "ism_policy", "kafka-traces")].inputs["body"]["policy"]
    assert ism["states"][1]["transitions"][0]["conditions"] == {"min_index_age": "3d"}
    (config_map,) = [r for r in run.of_type("kubernetes:core/v1:ConfigMap") if "jaeger" in r.name]
    backend = yaml.safe_load(config_map.inputs["data"]["config.yaml"])["extensions"]["jaeger_storage"]["backends"]
    assert backend["primary_store"]["opensearch"]["max_span_age"] == "72h"


JAEGER_SPAN_FIELDS = {  # jaeger v2.5.0 internal/storage/v1/elasticsearch/mappings/jaeger-span-8.json
    "traceID": "keyword", "parentSpanID": "keyword", "spanID": "keyword", "operationName": "keyword",
    "startTime": "long", "startTimeMillis": "date", "duration": "long", "flags": "integer", "logs": "nested",
    "references": "nested", "tag": "object", "tags": "nested"}


def test_jaegers_indices_keep_jaegers_mappings_with_our_lifecycle(stack_runs, program):
    """Elasticsearch applies one composable template to a new index, the matching one of highest
    priority, so ours must carry Jaeger's mappings; Jaeger is told not to create its own
    (`create_mappings`, internal/storage/elasticsearch/config/config.go at v2.5.0). In OpenSearch
    ISM attaches through ism_template and Jaeger's own templates stay."""
    run = stack_runs["prod"]
    templates = [o.inputs["body"] for k, o in objects(run).items() if k[:2] == ("elasticsearch", "index_template")]
    for kind in ("span", "service", "dependencies", "sampling"):
        index = f"jaeger-jaeger-{kind}-2026.11.30"   # IndexPrefix "jaeger" + "-" + jaeger-<kind>-<date_layout>
        (match,) = [t for t in templates if any(fnmatch.fnmatch(index, p) for p in t["index_patterns"])]
        assert match["template"]["settings"]["index.lifecycle.name"] == "kafka-traces"
    (span,) = [t for t in templates if t["index_patterns"] == ["jaeger-jaeger-span-*"]]
    props = span["template"]["mappings"]["properties"]
    assert {k: v["type"] for k, v in props.items() if "type" in v} == JAEGER_SPAN_FIELDS
    assert props["process"]["properties"]["serviceName"] == {"type": "keyword", "ignore_above": 256}
    (config_map,) = [r for r in run.of_type("kubernetes:core/v1:ConfigMap") if "jaeger" in r.name]
    backend = yaml.safe_load(config_map.inputs["data"]["config.yaml"])["extensions"]["jaeger_storage"]["backends"]
    assert backend["primary_store"]["elasticsearch"]["create_mappings"] is False
    run = program("dev", traceStorage="opensearch")
    assert not [k for k in objects(run) if k[2].startswith("kafka-traces-")]
    (config_map,) = [r for r in run.of_type("kubernetes:core/v1:ConfigMap") if "jaeger" in r.name]
    backend = yaml.safe_load(config_map.inputs["data"]["config.yaml"])["extensions"]["jaeger_storage"]["backends"]
    assert backend["primary_store"]["opensearch"]["create_mappings"] is True


def test_without_the_archive_nothing_waits_for_a_snapshot(program):
    objs = objects(program("dev", enableArchive=False))
    delete = objs[("elasticsearch", "ilm_policy", "kafka-application")].inputs["body"]["policy"]["phases"]["delete"]
    assert delete["actions"] == {"delete": {}}
    assert not [k for k in objs if k[1] in ("snapshot_repository", "slm_policy")]


def _closure(run) -> dict[str, set[str]]:
    """Every resource's transitive dependencies (URNs), from what the program registered."""
    direct = {r.urn: set(r.dependencies) for r in run.resources}

    def reach(urn: str, seen: set[str]) -> set[str]:
        for dep in direct.get(urn, ()):
            if dep not in seen:
                seen.add(dep)
                reach(dep, seen)
        return seen
    return {urn: reach(urn, set()) for urn in direct}


def test_each_put_waits_for_what_the_server_requires_and_the_writers_wait_for_all(stack_runs):
    """Elasticsearch refuses an ILM policy whose wait_for_snapshot names a missing SLM policy, SLM
    needs its repository, and a template must exist before the first daily index is written."""
    run = stack_runs["prod"]
    objs = objects(run)
    after = _closure(run)
    order = [
        (("elasticsearch", "snapshot_repository", "kafka-application-archive"),
         ("elasticsearch", "slm_policy", "nightly-kafka-application")),
        (("elasticsearch", "slm_policy", "nightly-kafka-application"), ("elasticsearch", "ilm_policy", "kafka-application")),
        (("elasticsearch", "ilm_policy", "kafka-application"), ("elasticsearch", "index_template", "kafka-application")),
        (("elasticsearch", "ilm_policy", "kafka-traces"), ("elasticsearch", "index_template", "kafka-traces-span")),
        (("opensearch", "snapshot_repository", "kafka-security-archive"), ("opensearch", "sm_policy", "nightly-kafka-security")),
        (("opensearch", "snapshot_repository", "kafka-security-archive"), ("opensearch", "ism_policy", "kafka-security")),
        (("opensearch", "ism_policy", "kafka-security"), ("opensearch", "index_template", "kafka-security")),
        # the rollover layout: its policy and template before the bootstrap index (ISM attaches only at
        # creation, ManagedIndexCoordinator.findMatchingPolicy; settings apply at creation), and after
        # the daily layout's are narrowed
        (("opensearch", "sm_policy", "nightly-kafka-security"), ("opensearch", "ism_policy", "kafka-security-rollover")),
        (("opensearch", "ism_policy", "kafka-security"), ("opensearch", "ism_policy", "kafka-security-rollover")),
        (("opensearch", "index_template", "kafka-security"), ("opensearch", "index_template", "kafka-security-rollover")),
        (("opensearch", "ism_policy", "kafka-security-rollover"), ("opensearch", "index_template", "kafka-security-rollover")),
        (("opensearch", "index_template", "kafka-security-rollover"), ("opensearch", "write_alias", "kafka-security")),
    ]
    for first, then in order:
        assert objs[first].urn in after[objs[then].urn], (first, then)
    # the workloads that write indices (a NetworkPolicy named after one of them writes nothing)
    writers = [r for r in run.resources if r.name.endswith(("-fluent-bit", "-collection-jaeger"))
               and r.type in ("kubernetes:helm.sh/v3:Release", "kubernetes:apps/v1:Deployment")]
    assert len(writers) == 2
    for writer in writers:
        assert {o.urn for o in objs.values()} <= after[writer.urn], writer.name


ORDER = ("snapshot_repository", "slm_policy", "sm_policy", "index_template", "ilm_policy", "ism_policy", "write_alias",
         "notification_channel", "monitor")


def _apply(program, httpserver, monkeypatch, servers: dict | None = None, **config) -> tuple[dict, list, list]:
    """Every object the program registers, with the inputs exactly as the engine hands them over,
    created in registration order on model servers that parse as the real ones do
    (tests/components/search_parsers.py). Returns (servers, [(inputs, created)], provider)."""
    from pytest_httpserver import HTTPServer

    from components import search_provider as sp
    from tests.components.search_server import SearchServer
    from tests.components.test_search_convergence import through_engine

    monkeypatch.setattr(sp, "sleep", lambda s: None)
    monkeypatch.setenv("ELASTICSEARCH_PASSWORD", "es-pass")
    monkeypatch.setenv("OPENSEARCH_PASSWORD", "os-pass")
    servers = servers or {"elasticsearch": SearchServer("elasticsearch"), "opensearch": SearchServer("opensearch")}
    httpserver.expect_request("").respond_with_handler(servers["elasticsearch"].handler)
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    applied, provider = [], sp.RetentionObjectProvider()
    try:
        other.expect_request("").respond_with_handler(servers["opensearch"].handler)
        run = program("dev", elasticsearchUrl=httpserver.url_for("/").rstrip("/"),
                      opensearchUrl=other.url_for("/").rstrip("/"), **config)
        for r in sorted(run.of_type(DYNAMIC), key=lambda r: ORDER.index(r.inputs["kind"])):
            inputs = through_engine({k: v for k, v in r.inputs.items() if not k.startswith("__")})
            applied.append((inputs, provider.create(inputs)))
        # Read back while the servers still answer: a field a lenient parser dropped is a diff.
        changed = [i["object_id"] for i, created in applied if provider.diff(created.id, created.outs, i).changes]
    finally:
        other.clear()
        other.stop()
    return servers, applied, changed


TRACE_STORAGE = [{}, {"traceStorage": "opensearch", "traceIndexPrefix": "traces"}]


@pytest.mark.parametrize("config", TRACE_STORAGE, ids=["es-traces", "os-traces"])
def test_what_the_program_registers_the_provider_applies_and_it_stays_applied(program, httpserver, monkeypatch,
                                                                              config):
    """The contract between the component and its provider: every registered object is accepted by
    servers that parse as the real ones do (the ILM policy after the SLM policy it waits for, that
    after its repository, as the registered dependencies order it), and reading each back shows no
    change: nothing we send is dropped by a lenient parser."""
    servers, applied, changed = _apply(program, httpserver, monkeypatch, **config)
    for inputs, created in applied:
        assert (inputs["adopt"], inputs.get("sigv4_region", ""), inputs["ca_bundle"], inputs["prod"]) == (
            False, "", "", False), inputs["object_id"]
        assert created.id == f"{inputs['engine']}/{inputs['kind']}/{inputs['object_id']}"
    stored = {(engine, path) for engine, server in servers.items() for path in server.objects}
    aliases = [i for i, _ in applied if i["kind"] == "write_alias"]  # an index on the server, not an object
    assert len(stored) + len(aliases) == len(applied) >= 8 and len(aliases) == 1
    assert changed == []


@pytest.mark.parametrize("config", TRACE_STORAGE, ids=["es-traces", "os-traces"])
def test_each_nightly_snapshot_holds_its_classs_indices_and_nothing_else(program, httpserver, monkeypatch, config):
    """What a snapshot of each stored policy covers, as the servers build it: Elasticsearch SLM and
    OpenSearch SM both hand their config to CreateSnapshotRequest.source, which ignores keys it
    does not read, snapshots every index when `indices` is missing, and includes the cluster's global
    state unless told not to (search_parsers.snapshot_request). SM also reads `date_format` and
    `date_format_timezone` for the snapshot's name (SMUtils.generateSnapshotName)."""
    from content.data_classes import CLASSES
    from tests.components import search_parsers as parse
    from tests.conftest import make_settings

    servers, applied, _ = _apply(program, httpserver, monkeypatch, **config)
    s = make_settings("dev", **config)
    policies = {c.snapshot_policy: c for c in CLASSES if c.snapshot_policy}
    seen = set()
    for engine, server in servers.items():
        for path, body in server.objects.items():
            if path.startswith(("/_slm/policy/", "/_plugins/_sm/policies/")):
                c = policies[path.rsplit("/", 1)[1]]
                config_ = body["config"] if engine == "elasticsearch" else body["snapshot_config"]
                assert parse.snapshot_request(config_) == {"indices": c.index_patterns(s),
                                                           "include_global_state": False, "partial": False,
                                                           "ignore_unavailable": engine == "opensearch"}, path
                assert set(config_) <= parse.SNAPSHOT_CONFIG_READ[engine], path
                repository = body["repository"] if engine == "elasticsearch" else config_["repository"]
                assert f"/_snapshot/{repository}" in server.objects, path
                seen.add(c.key)
    assert seen == {"application", "security"}


def test_detections_post_to_the_stacks_alertmanager_and_exist_only_with_it(stack_runs, program):
    """The channel posts to Alertmanager's API v2 (`/api/v2/alerts`, postableAlerts) at the URL the stack
    gives Alertmanager; every monitor names the channel and is registered after it; without Alertmanager
    (enableAlerting false) nothing would receive them, so there are none."""
    objs = objects(stack_runs["prod"])
    channel = objs[("opensearch", "notification_channel", "kafka-security-alertmanager")]
    assert channel.inputs["body"]["config"]["webhook"]["url"] == "https://alertmanager.necpgame.internal/api/v2/alerts"
    monitors = {k[2]: r for k, r in objs.items() if k[1] == "monitor"}
    assert sorted(monitors) == ["kafka-auth-success-after-failures", "kafka-protocol-failures", "kafka-sasl-brute-force"]
    after = _closure(stack_runs["prod"])
    for name, r in monitors.items():
        (trigger,) = r.inputs["body"]["triggers"]
        assert [a["destination_id"] for a in trigger["bucket_level_trigger"]["actions"]] == [
            "kafka-security-alertmanager"], name
        assert channel.urn in after[r.urn], name
    with_topics = objects(program("prod", sensitiveTopics=["economy.payments"]))
    assert ("opensearch", "monitor", "kafka-sensitive-topic-denied") in with_topics
    without = objects(program("prod", enableAlerting=False))
    assert not [k for k in without if k[1] in DETECTION_KINDS]


def test_every_monitor_waits_for_the_templates_that_map_its_fields_and_the_write_index(stack_runs):
    """A monitor queries kafka_* fields (content/security_parsers.py FIELDS) of the security indices:
    it is created after both security templates that map them (the daily names' and the rollover
    layout's) and after the write alias's bootstrap index, as well as after its channel; nothing of
    the application logs' class holds it back."""
    run = stack_runs["prod"]
    objs = objects(run)
    after = _closure(run)
    monitors = [r for k, r in objs.items() if k[1] == "monitor"]
    assert len(monitors) == 3
    needed = [("opensearch", "index_template", "kafka-security"), ("opensearch", "index_template", "kafka-security-rollover"),
              ("opensearch", "write_alias", "kafka-security"),
              ("opensearch", "notification_channel", "kafka-security-alertmanager")]
    for monitor in monitors:
        for first in needed:
            assert objs[first].urn in after[monitor.urn], (first, monitor.inputs["object_id"])
        assert objs[("elasticsearch", "index_template", "kafka-application")].urn not in after[monitor.urn]
    for template in ("kafka-security", "kafka-security-rollover"):
        assert "kafka_client_ip" in json.dumps(objs[("opensearch", "index_template", template)].inputs["body"])


def test_views_exist_only_where_the_stack_names_kibana_and_dashboards(stack_runs, program):
    """Kibana logs in as the Elasticsearch user, Dashboards as the OpenSearch one; each saved search is
    registered after the data view or index pattern it references."""
    views_type = "pulumi-python:dynamic/search:SavedView"
    assert stack_runs["prod"].of_type(views_type) == []
    run = program("prod", kibanaUrl="https://kibana.necpgame.internal",
                  opensearchDashboardsUrl="https://security-dashboards.necpgame.internal",
                  elasticsearchUsername="es-user", opensearchUsername="os-user")
    found = {(r.inputs["engine"], r.inputs["kind"], r.inputs["object_id"]): r for r in run.of_type(views_type)}
    data_view = found.pop(("kibana", "data_view", "kafka-application-logs"))
    assert (data_view.inputs["endpoint"], data_view.inputs["username"]) == ("https://kibana.necpgame.internal", "es-user")
    pattern = found.pop(("opensearch-dashboards", "index-pattern", "kafka-security-events"))
    assert (pattern.inputs["endpoint"], pattern.inputs["username"]) == (
        "https://security-dashboards.necpgame.internal", "os-user")
    after = _closure(run)
    kibana = {k[2]: found.pop(k) for k in list(found) if k[0] == "kibana"}
    assert sorted(kibana) == ["kafka-application-errors", "kafka-application-warnings"]
    for r in kibana.values():  # the runbooks' searches, on the data view they reference
        assert r.inputs["kind"] == "search" and data_view.urn in after[r.urn]
        assert (r.inputs["endpoint"], r.inputs["username"]) == ("https://kibana.necpgame.internal", "es-user")
    assert sorted(k[2] for k in found) == ["kafka-auth-success-after-failures-events", "kafka-protocol-failures-events",
                                           "kafka-sasl-brute-force-events"]
    for r in found.values():
        assert r.inputs["kind"] == "search" and pattern.urn in after[r.urn]


def _bulk(*targets: str, op: str = "create") -> str:
    """A _bulk body as Fluent Bit's out_opensearch v3.1.9 writes it with Logstash_Format Off and
    Suppress_Type_Name On: `{"<op>":{"_index":"<Index>"}}` then the record, one per line."""
    return "".join(json.dumps({op: {"_index": t}}) + "\n" + json.dumps({"log": "denied"}) + "\n" for t in targets)


def test_security_events_land_in_the_write_index_and_roll_over_at_the_primary_shard_size(program, httpserver,
                                                                                       monkeypatch):
    """On a model OpenSearch (indices, aliases, ISM attach and rollover: tests/components/search_server.py):
    the bootstrap index holds the alias as write index, with the rollover template's settings and the
    rollover policy attached; Fluent Bit's bulk `create` on the alias lands there; ISM rolls over at
    30gb of a primary shard (not at 29.9), or at 30 days whatever the size (the conditions are OR-ed,
    ManagedIndexUtils.evaluateConditions); the next writes go to kafka-security-000002; and the provider
    still sees no drift (the alias has a write index, whichever)."""
    from pytest_httpserver import HTTPServer

    from components import search_provider as sp
    from tests.components.test_search_convergence import through_engine

    servers, applied, changed = _apply(program, httpserver, monkeypatch)
    assert changed == []
    os_ = servers["opensearch"]
    first = os_.indices["kafka-security-000001"]
    assert first["aliases"] == {"kafka-security": {"is_write_index": True}}
    assert first["policy_id"] == "kafka-security-rollover"
    assert first["settings"]["index.codec"] == "best_compression"
    assert first["settings"]["index.plugins.index_state_management.rollover_alias"] == "kafka-security"
    result = os_.bulk(_bulk("kafka-security", "kafka-security"))
    assert not result["errors"] and {i["create"]["_index"] for i in result["items"]} == {"kafka-security-000001"}

    assert os_.ism_rollover("kafka-security-000001", age_days=29.9, primary_shard_gb=29.9) is None  # near miss
    assert os_.ism_rollover("kafka-security-000001", age_days=1, primary_shard_gb=30.0) == "kafka-security-000002"
    assert os_.write_index("kafka-security") == "kafka-security-000002"
    assert os_.indices["kafka-security-000002"]["policy_id"] == "kafka-security-rollover"
    result = os_.bulk(_bulk("kafka-security"))
    assert result["items"][0]["create"]["_index"] == "kafka-security-000002"
    # a quiet index still closes at its age
    assert os_.ism_rollover("kafka-security-000002", age_days=30, primary_shard_gb=0.1) == "kafka-security-000003"
    (alias_inputs, created), = [(i, c) for i, c in applied if i["kind"] == "write_alias"]
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:  # the provider reads the alias back from the same model
        other.expect_request("").respond_with_handler(os_.handler)
        moved = through_engine({**alias_inputs, "endpoint": other.url_for("/").rstrip("/")})
        assert not sp.RetentionObjectProvider().diff(created.id, {**created.outs, "endpoint": moved["endpoint"]},
                                                     moved).changes
    finally:
        other.clear()
        other.stop()


def test_the_daily_indices_written_before_the_change_keep_their_policy_until_they_age_out(program, httpserver,
                                                                                        monkeypatch):
    """A daily index created under the old layout (policy kafka-security attached by its old
    `kafka-security-*` template) keeps the copy of the policy ISM stored for it when the program then
    narrows that policy and adds the rollover layout (index-management 2.17.0.0 ManagedIndexRunner runs
    `managedIndexConfig.policy`; only the change_policy API replaces it). A daily index an old Fluent
    Bit pod still creates after the change gets the daily policy and template, not the rollover ones."""
    from tests.components.search_server import SearchServer

    os_ = SearchServer("opensearch")
    old_policy = {"policy": {"description": "kafka-security: old", "default_state": "hot", "states": [
        {"name": "hot", "actions": [], "transitions": [{"state_name": "delete", "conditions": {"min_index_age": "2557d"}}]},
        {"name": "delete", "actions": [{"delete": {}}], "transitions": []}],
        "ism_template": [{"index_patterns": ["kafka-security-*"], "priority": 100}]}}
    os_._store("/_plugins/_ism/policies/kafka-security", old_policy, {})
    os_.create_index("kafka-security-2026.11.30", {})
    before = os_.indices["kafka-security-2026.11.30"]
    assert before["policy_id"] == "kafka-security"
    servers = {"elasticsearch": SearchServer("elasticsearch"), "opensearch": os_}
    _apply(program, httpserver, monkeypatch, servers=servers, adoptExistingRetention=True)
    assert os_.objects["/_plugins/_ism/policies/kafka-security"]["ism_template"][0]["index_patterns"] == [
        "kafka-security-2*"]
    kept = os_.indices["kafka-security-2026.11.30"]["policy"]
    assert kept["ism_template"][0]["index_patterns"] == ["kafka-security-*"]   # its own copy, unchanged
    assert os_.ism_rollover("kafka-security-2026.11.30", age_days=400, primary_shard_gb=99) is None  # never rolls
    os_.bulk(_bulk("kafka-security-2026.12.01", op="index"))  # an old pod's Logstash name, auto-created
    late = os_.indices["kafka-security-2026.12.01"]
    assert late["policy_id"] == "kafka-security" and "index.codec" not in late["settings"]
    assert "index.plugins.index_state_management.rollover_alias" not in late["settings"]


def test_destroying_a_dev_stack_removes_the_write_alias_and_keeps_the_indices(program, httpserver, monkeypatch):
    """`DELETE /<index>/_alias/<name>` with `*` for every index (OpenSearch RestIndexDeleteAliasesAction);
    the events themselves stay (ISM or an operator deletes indices, never the program). A second delete
    finds nothing and is not an error."""
    from pytest_httpserver import HTTPServer

    from components import search_provider as sp

    servers, applied, _ = _apply(program, httpserver, monkeypatch)
    os_ = servers["opensearch"]
    (_, created), = [(i, c) for i, c in applied if i["kind"] == "write_alias"]
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        other.expect_request("").respond_with_handler(os_.handler)
        props = {**created.outs, "endpoint": other.url_for("/").rstrip("/")}
        sp.RetentionObjectProvider().delete(created.id, props)
        sp.RetentionObjectProvider().delete(created.id, props)
    finally:
        other.clear()
        other.stop()
    assert [w.path for w in os_.writes() if w.method == "DELETE"] == ["/*/_alias/kafka-security"] * 2
    assert os_.indices["kafka-security-000001"]["aliases"] == {} and os_.write_index("kafka-security") is None
