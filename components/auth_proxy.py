"""The objects the proxies of Prometheus and Alertmanager read (content.auth_proxy): their nginx
configurations (ConfigMaps, no secret in them) and the Secret with the htpasswd file and the
credentials Prometheus sends to Alertmanager. The password stays a Pulumi secret end to end."""
from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from content import auth_proxy


def deploy(name: str, password: pulumi.Input[str], namespace: str, release: str, labels: dict,
           opts: pulumi.ResourceOptions) -> tuple[list[pulumi.Resource], dict[str, str]]:
    """The resources (for the chart to wait on) and the rendered configurations (for the preview)."""
    configs = {kind: auth_proxy.config(kind) for kind in auth_proxy.PROXY_PORTS}
    created: list[pulumi.Resource] = [k8s.core.v1.ConfigMap(
        f"{name}-{kind}-auth-proxy", metadata={"name": auth_proxy.config_name(release, kind), "namespace": namespace,
                                                 "labels": labels},
        data={auth_proxy.CONFIG_KEY: text}, opts=opts) for kind, text in configs.items()]
    created.append(k8s.core.v1.Secret(
        f"{name}-auth-proxy", metadata={"name": auth_proxy.secret_name(release), "namespace": namespace,
                                        "labels": labels},
        string_data=pulumi.Output.secret(password).apply(auth_proxy.secret_data), opts=opts))
    return created, {f"auth-proxy/{kind}.nginx.conf": text for kind, text in configs.items()}
