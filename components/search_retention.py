"""Retention on the search clusters: Elasticsearch ILM/SLM for application logs, OpenSearch ISM
for security events, each with its template and S3 snapshot repository."""
from __future__ import annotations

import pulumi

from components.archive import Archive
from components.search_provider import RetentionObject
from content import retention as r
from content.fluent_bit import APP_PREFIX
from config import fields
from config.sections import RetentionArgs


class SearchRetention(pulumi.ComponentResource):
    application_index_pattern: pulumi.Output[str]
    security_index_pattern: pulumi.Output[str]

    def __init__(self, name: str, settings: RetentionArgs, archive: Archive | None,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("kafka-monitoring:search:SearchRetention", name, None, opts)
        s = settings
        self._name, self._s = name, s
        self.artifacts: dict = {}
        snapshots = archive is not None
        es, os_ = "elasticsearch", "opensearch"

        # Order is the servers' own rule: repository, then SLM (ILM's wait_for_snapshot names it, and
        # Elasticsearch refuses an ILM policy naming a missing SLM policy), then ILM/ISM, then templates.
        es_first: list[pulumi.Resource] = []
        os_first: list[pulumi.Resource] = []
        if snapshots:
            es_repo = self._object(es, "snapshot_repository", r.ES_REPOSITORY,
                                   archive.snapshot_bucket.apply(r.es_repository))
            es_first = [self._object(es, "slm_policy", r.SLM_POLICY, r.slm_policy(s), depends_on=[es_repo])]
            os_repo = self._object(os_, "snapshot_repository", r.OS_REPOSITORY, pulumi.Output.all(
                archive.snapshot_bucket, archive.snapshot_role_arn, archive.snapshot_bucket_region).apply(
                lambda a: r.os_repository(a[0], a[1], a[2] if self._sigv4_region(os_) else None)))
            os_first = [self._object(os_, "sm_policy", r.SM_POLICY, r.sm_policy(s), depends_on=[os_repo])]
        ilm = self._object(es, "ilm_policy", r.APP_POLICY, r.ilm_policy(s, snapshots), depends_on=es_first)
        self._object(es, "index_template", r.APP_POLICY,
                     r.es_index_template(s, [f"{APP_PREFIX}-*"], s.application_log_shards), depends_on=[ilm])
        ism = self._object(os_, "ism_policy", r.SECURITY_POLICY, r.security_ism_policy(s),
                           depends_on=os_first)
        self._object(os_, "index_template", r.SECURITY_POLICY, r.os_index_template(s), depends_on=[ism])
        # Traces have their own retention and a policy that can complete: the nightly snapshot never
        # covers jaeger-* indices, so waiting for it would keep them forever.
        if s.trace_storage == es:
            traces = self._object(es, "ilm_policy", r.TRACE_POLICY,
                                  r.ilm_policy(s, snapshots=False, retention_days=s.trace_retention_days))
            for template_id, body in r.jaeger_templates(s).items():
                self._object(es, "index_template", template_id, body, depends_on=[traces])
        else:
            self._object(os_, "ism_policy", r.TRACE_POLICY, r.ism_policy(
                s, r.TRACE_POLICY, r.trace_patterns(s), s.trace_retention_days, snapshot=False))

        self.application_index_pattern = pulumi.Output.from_input(f"{APP_PREFIX}-*")
        self.security_index_pattern = pulumi.Output.from_input(f"{r.SECURITY_POLICY}-*")
        self.register_outputs({"application_index_pattern": self.application_index_pattern,
                               "security_index_pattern": self.security_index_pattern})

    def _sigv4_region(self, engine: str) -> str:
        """Amazon OpenSearch Service signs requests with AWS credentials (SigV4), in its region."""
        if engine == "opensearch" and self._s.opensearch_deployment == "amazon-opensearch-service":
            return fields.opensearch_service_region(self._s.opensearch_url) or ""
        return ""

    def _object(self, engine: str, kind: str, object_id: str, body: pulumi.Input[dict],
                depends_on: list[pulumi.Resource] | None = None) -> RetentionObject:
        s = self._s
        endpoint, username = s.search_cluster(engine)
        self.artifacts[f"search/{engine}/{kind.replace('_', '-')}-{object_id}.json"] = body
        return RetentionObject(
            f"{self._name}-{engine}-{kind.replace('_', '-')}-{object_id}", engine=engine, kind=kind,
            object_id=object_id, body=body, endpoint=endpoint, username=username, prod=s.is_prod,
            sigv4_region=self._sigv4_region(engine),
            allow_delete=s.allow_retention_delete, ca_bundle=s.search_ca_bundle, adopt=s.adopt_existing_retention,
            opts=pulumi.ResourceOptions(parent=self, protect=s.is_prod and not s.allow_retention_delete,
                                        depends_on=depends_on or []))
