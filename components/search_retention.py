"""Retention on the search clusters: Elasticsearch ILM/SLM for application logs, OpenSearch ISM
for security events, each with its template and S3 snapshot repository."""
from __future__ import annotations

import pulumi

from components.archive import Archive
from components.search_provider import RetentionObject
from components.views_provider import SavedView
from content import detections, views
from content import retention as r
from content.data_classes import APPLICATION, CLASSES, SECURITY, DataClass
from config import fields
from config.sections import RetentionArgs


class SearchRetention(pulumi.ComponentResource):
    application_index_pattern: pulumi.Output[str]
    security_index_pattern: pulumi.Output[str]

    def __init__(self, name: str, settings: RetentionArgs, archive: Archive | None,
                 opts: pulumi.ResourceOptions | None = None, detections: bool = False):
        super().__init__("kafka-monitoring:search:SearchRetention", name, None, opts)
        s = settings
        self._name, self._s = name, s
        self.artifacts: dict = {}
        # Per data class, the objects that map its fields and take its writes: what a reader of them
        # (a detection) waits for.
        self._ready: dict[str, list[pulumi.Resource]] = {}
        es, os_ = "elasticsearch", "opensearch"
        # Order is the servers' own rule: repository, then SLM/SM (ILM's wait_for_snapshot names the
        # SLM policy, and Elasticsearch refuses one naming a missing policy), then ILM/ISM, then templates.
        repositories: dict[str, pulumi.Input[dict]] = {}
        if archive is not None:
            repositories[es] = archive.snapshot_bucket.apply(r.es_repository)
            repositories[os_] = pulumi.Output.all(
                archive.snapshot_bucket, archive.snapshot_role_arn, archive.snapshot_bucket_region).apply(
                lambda a: r.os_repository(a[0], a[1], a[2] if self._sigv4_region(os_) else None))
        for c in CLASSES:
            self._data_class(c, repositories)
        if detections:  # they post to Alertmanager: only where the stack runs it
            self._detections()
        self._views()

        self.application_index_pattern = pulumi.Output.from_input(APPLICATION.index_patterns(s)[0])
        self.security_index_pattern = pulumi.Output.from_input(SECURITY.index_patterns(s)[0])
        self.register_outputs({"application_index_pattern": self.application_index_pattern,
                               "security_index_pattern": self.security_index_pattern})

    def _data_class(self, c: DataClass, repositories: dict[str, pulumi.Input[dict]]) -> None:
        """One class's objects on its engine: snapshots (where the class has them and the archive
        exists), the policy that ends in deletion, and the templates that attach it."""
        s, es = self._s, "elasticsearch"
        engine = c.engine_of(s)
        first: list[pulumi.Resource] = []
        if c.snapshot_policy and engine in repositories:
            repo = self._object(engine, "snapshot_repository", c.snapshot_repository, repositories[engine])
            kind, body = ("slm_policy", r.slm_policy(s, c)) if engine == es else ("sm_policy", r.sm_policy(s, c))
            first = [self._object(engine, kind, c.snapshot_policy, body, depends_on=[repo])]
        if engine == es:
            ilm = self._object(es, "ilm_policy", c.policy, r.ilm_policy(s, c, snapshots=bool(first)), depends_on=first)
            self._ready[c.key] = [self._object(es, "index_template", template_id, body, depends_on=[ilm])
                                   for template_id, body in r.es_index_templates(s, c).items()]
        elif c.rollover:
            self._ready[c.key] = self._rollover_class(c, first)
        else:
            ism = self._object(engine, "ism_policy", c.policy, r.ism_policy(s, c), depends_on=first)
            self._ready[c.key] = [ism]
            if c.prefix:  # Jaeger keeps its own templates in OpenSearch: ISM attaches by ism_template
                self._ready[c.key].append(
                    self._object(engine, "index_template", c.policy, r.os_index_template(s, c), depends_on=[ism]))

    def _detections(self) -> None:
        """The security detections on the security events' cluster: the webhook channel to Alertmanager,
        then the monitors that name it. They hold no data, so they are never protected and are deleted
        with the stack or when a detection is renamed. A monitor also waits for the security templates
        that map the fields it queries and, in the rollover layout, for the write alias and its
        bootstrap index: its first runs, and the dry run after each write (components/search_api.py),
        then query indices whose kafka_* fields are typed (the client address an ip, the rest keywords)."""
        s, engine = self._s, SECURITY.engine_of(self._s)
        channel = self._object(engine, "notification_channel", detections.CHANNEL_ID, detections.channel(s),
                               disposable=True)
        for monitor_name, body in detections.monitors(s).items():
            self._object(engine, "monitor", monitor_name, body, depends_on=[channel, *self._ready[SECURITY.key]],
                         disposable=True)

    def _views(self) -> None:
        """Kibana's data view of the application logs with the runbooks' saved searches, and Dashboards'
        index pattern of the security events with the detections' saved searches, where the stack names
        Kibana and Dashboards. A saved search follows the view it references (an import naming a missing
        data view fails with missing_references)."""
        s = self._s
        if s.kibana_url:
            data_view = self._view("kibana", "data_view", views.DATA_VIEW_ID, views.data_view(s), s.kibana_url,
                                   "elasticsearch")
            for search_id, body in views.kibana_saved_searches(s).items():
                self._view("kibana", "search", search_id, body, s.kibana_url, "elasticsearch", depends_on=[data_view])
        if s.opensearch_dashboards_url:
            pattern = self._view("opensearch-dashboards", "index-pattern", views.INDEX_PATTERN_ID, views.index_pattern(s),
                                 s.opensearch_dashboards_url, "opensearch")
            for search_id, body in views.saved_searches(s).items():
                self._view("opensearch-dashboards", "search", search_id, body, s.opensearch_dashboards_url, "opensearch",
                           depends_on=[pattern])

    def _view(self, engine: str, kind: str, object_id: str, body: dict, endpoint: str, login: str,
              depends_on: list[pulumi.Resource] | None = None) -> SavedView:
        s = self._s
        self.artifacts[f"views/{engine}/{kind}-{object_id}.json"] = body
        return SavedView(f"{self._name}-{engine}-{kind}-{object_id}", engine=engine, kind=kind, object_id=object_id,
                         body=body, endpoint=endpoint, username=s.search_cluster(login)[1], ca_bundle=s.search_ca_bundle,
                         adopt=s.adopt_existing_retention, opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on or []))

    def _rollover_class(self, c: DataClass, first: list[pulumi.Resource]) -> list[pulumi.Resource]:
        """The daily layout's policy and template (same resources as before, narrowed to daily names),
        then the rollover layout in the order the server needs: the policy and template exist before the
        bootstrap index, which ISM attaches only to an index created after its ism_template
        (ManagedIndexCoordinator.findMatchingPolicy) and which takes its settings at creation."""
        s, os_ = self._s, "opensearch"
        legacy_ism = self._object(os_, "ism_policy", c.legacy_policy, r.daily_ism_policy(s, c), depends_on=first)
        legacy = self._object(os_, "index_template", c.legacy_policy, r.os_index_template(s, c, daily=True),
                              depends_on=[legacy_ism])
        ism = self._object(os_, "ism_policy", c.policy, r.ism_policy(s, c), depends_on=[*first, legacy_ism])
        template = self._object(os_, "index_template", c.policy, r.os_index_template(s, c), depends_on=[ism, legacy])
        alias = self._object(os_, "write_alias", c.write_alias, r.write_alias(c), depends_on=[template])
        return [legacy, template, alias]

    def _sigv4_region(self, engine: str) -> str:
        """Amazon OpenSearch Service signs requests with AWS credentials (SigV4), in its region."""
        if engine == "opensearch" and self._s.opensearch_deployment == "amazon-opensearch-service":
            return fields.opensearch_service_region(self._s.opensearch_url) or ""
        return ""

    def _object(self, engine: str, kind: str, object_id: str, body: pulumi.Input[dict],
                depends_on: list[pulumi.Resource] | None = None, disposable: bool = False) -> RetentionObject:
        """A disposable object (a detection's monitor or channel) holds no data: it may always be deleted
        and is never protected; the others as allowRetentionDelete says."""
        s = self._s
        endpoint, username = s.search_cluster(engine)
        allow_delete = disposable or s.allow_retention_delete
        self.artifacts[f"search/{engine}/{kind.replace('_', '-')}-{object_id}.json"] = body
        return RetentionObject(
            f"{self._name}-{engine}-{kind.replace('_', '-')}-{object_id}", engine=engine, kind=kind,
            object_id=object_id, body=body, endpoint=endpoint, username=username, prod=s.is_prod,
            sigv4_region=self._sigv4_region(engine),
            allow_delete=allow_delete, ca_bundle=s.search_ca_bundle, adopt=s.adopt_existing_retention,
            opts=pulumi.ResourceOptions(parent=self, protect=s.is_prod and not allow_delete,
                                        depends_on=depends_on or []))
