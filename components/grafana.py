"""Grafana: folders (Security visible to the security team only), datasources and dashboards.

Provisions into an existing Grafana through pulumiverse-grafana; the token is a secret.
Prometheus owns the Kafka alerts: no Grafana-managed alert rules are created here.
"""
from __future__ import annotations

import json

import pulumi
import pulumiverse_grafana as grafana

from content import dashboards
from components.grafana_plugin import GrafanaPlugin
from config.sections import GrafanaArgs
from content.grafana import DATASOURCES, FOLDER_SECURITY, FOLDERS, datasource_settings, required_plugins
from content.global_metrics import AMP_PLUGIN, datasource as global_datasource



class GrafanaDashboards(pulumi.ComponentResource):
    folder_uids: pulumi.Output[dict]
    dashboard_urls: pulumi.Output[dict]
    datasource_uids: pulumi.Output[dict]

    def __init__(self, name: str, settings: GrafanaArgs, opts: pulumi.ResourceOptions | None = None,
                 global_metrics=None):
        super().__init__("kafka-monitoring:grafana:GrafanaDashboards", name, None, opts)
        s = settings
        provider = grafana.Provider(f"{name}-provider", url=s.grafana_url,
                                    auth=pulumi.Output.secret(s.secrets.grafana_token),
                                    opts=pulumi.ResourceOptions(parent=self))
        child = pulumi.ResourceOptions(parent=self, provider=provider)

        folders = {uid: grafana.oss.Folder(f"{name}-folder-{uid}", uid=uid, title=title,
                                           prevent_destroy_if_not_empty=True, opts=child)
                   for uid, title in FOLDERS.items()}
        team = grafana.oss.get_team_output(name=s.security_team,
                                           opts=pulumi.InvokeOutputOptions(parent=self, provider=provider))
        # Setting the permissions replaces Grafana's defaults: only the team (and admins) can view.
        grafana.oss.FolderPermission(
            f"{name}-folder-{FOLDER_SECURITY}-permissions", folder_uid=folders[FOLDER_SECURITY].uid,
            permissions=[{"team_id": team.team_id.apply(str), "permission": "View"}], opts=child)

        # External plugins are checked before the datasources that need them (components.grafana_plugin).
        plugins = {key: GrafanaPlugin(f"{name}-plugin-{plugin}", url=s.grafana_url, plugin_id=plugin,
                                      used_by=DATASOURCES[key]["name"], opts=pulumi.ResourceOptions(parent=self))
                   for key, plugin in required_plugins().items()}
        rendered = {}
        for key, extra in datasource_settings(s).items():
            ds = DATASOURCES[key]
            secure = None
            if "user" in extra:  # the search clusters, and Prometheus and Alertmanager behind their proxies
                password = (s.secrets.search_password(key) if key in ("elasticsearch", "opensearch")
                            else s.secrets.auth_proxy_password)
                secure = pulumi.Output.secret(password).apply(
                    lambda pw: json.dumps({"basicAuthPassword": pw}))
            grafana.oss.DataSource(
                f"{name}-datasource-{key}", name=ds["name"], type=ds["type"], uid=ds["uid"], url=extra["url"],
                json_data_encoded=json.dumps(extra["json_data"], sort_keys=True),
                basic_auth_enabled="user" in extra, basic_auth_username=extra.get("user"),
                secure_json_data_encoded=secure,
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(
                    depends_on=[plugins[key]] if key in plugins else [])))
            rendered[key] = {**ds, **extra}

        uids = {k: v["uid"] for k, v in DATASOURCES.items()}
        if global_metrics is not None:
            rendered["global"] = self._global(name, s, global_metrics, child)
            uids["global"] = rendered["global"]["uid"]

        urls, boards = {}, dashboards.dashboards(s)
        for uid, (spec, board) in boards.items():
            grafana.oss.Dashboard(f"{name}-dashboard-{uid}", config_json=json.dumps(board, sort_keys=True),
                                  folder=folders[spec.folder].uid, overwrite=True, opts=child)
            urls[uid] = f"{s.grafana_url.rstrip('/')}/d/{uid}"

        self.artifacts = {f"grafana/dashboards/{uid}.json": board for uid, (_, board) in boards.items()}
        self.artifacts["grafana/datasources.json"] = rendered
        self.folder_uids = pulumi.Output.from_input({title: uid for uid, title in FOLDERS.items()})
        self.dashboard_urls = pulumi.Output.from_input(urls)
        self.datasource_uids = pulumi.Output.from_input(uids)
        self.register_outputs({"folder_uids": self.folder_uids, "dashboard_urls": self.dashboard_urls,
                               "datasource_uids": self.datasource_uids})

    def _global(self, name: str, s: GrafanaArgs, global_metrics, child: pulumi.ResourceOptions) -> dict:
        """The global store's datasource beside the local one; AMP's plugin is checked first."""
        ds = global_datasource(s, global_metrics.query_url, global_metrics.query_role_arn)
        needs = []
        if ds["type"] == AMP_PLUGIN:
            needs.append(GrafanaPlugin(f"{name}-plugin-{AMP_PLUGIN}", url=s.grafana_url, plugin_id=AMP_PLUGIN,
                                       used_by=ds["name"], opts=pulumi.ResourceOptions(parent=self)))
        secure = None
        if ds["secure_json_data"]:
            secure = pulumi.Output.secret(json.dumps(ds["secure_json_data"], sort_keys=True))
        json_data = pulumi.Output.from_input(ds["json_data"]).apply(lambda d: json.dumps(d, sort_keys=True))
        grafana.oss.DataSource(
            f"{name}-datasource-global", name=ds["name"], type=ds["type"], uid=ds["uid"], url=ds["url"],
            json_data_encoded=json_data, secure_json_data_encoded=secure,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=needs)))
        # The preview's copy: the tenant header's value is not shown.
        return {k: v for k, v in ds.items() if k != "secure_json_data"}
