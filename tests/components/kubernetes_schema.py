"""Object schemas as the pinned Pulumi SDKs generate them (the Kubernetes API's, from its OpenAPI
spec; any other provider's `*Args` types read the same way): each `*Args` input type names its fields in the API's own spelling
(`@pulumi.getter(name="readinessProbe")`) and the types of their values.

An unknown field is refused by an API server that validates fields strictly (kubectl and
server-side apply's `fieldValidation=Strict`) and dropped without a word otherwise: either way the
object is not what was meant. A map typed `Mapping[str, ...]` (labels, annotations, data) takes any
key.
"""
from __future__ import annotations

import functools
import inspect
import re
import sys

import pulumi_kubernetes.apps.v1 as apps_v1
import pulumi_kubernetes.core.v1 as core_v1
import pulumi_kubernetes.meta.v1 as meta_v1
import pulumi_kubernetes.networking.v1 as networking_v1

# Names (k8s.io/apimachinery pkg/util/validation/validation.go).
LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
SUBDOMAIN = re.compile(rf"{LABEL}(\.{LABEL})*")
DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
NAME_PART = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")


def dns_label(value: str) -> bool:
    return len(value) <= 63 and re.fullmatch(LABEL, value) is not None


def subdomain(value: str, limit: int = 253) -> bool:
    return len(value) <= limit and SUBDOMAIN.fullmatch(value) is not None


def qualified(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    return (not prefix or subdomain(prefix)) and len(name) <= 63 and NAME_PART.fullmatch(name) is not None


def port_name(value: str) -> bool:
    return (len(value) <= 15 and re.fullmatch(r"[-a-z0-9]+", value) is not None and re.search("[a-z]", value)
            is not None and not value.startswith("-") and not value.endswith("-") and "--" not in value)


# The spec type of each kind the program registers with a spec.
SPEC = {"apps/v1:Deployment": apps_v1.DeploymentSpecArgs, "core/v1:Service": core_v1.ServiceSpecArgs,
        "networking.k8s.io/v1:NetworkPolicy": networking_v1.NetworkPolicySpecArgs}
METADATA = meta_v1.ObjectMetaArgs
_REF = re.compile(r"ForwardRef\('((?:_\w+\.v\d\w*\.)?\w+Args)'\)")


@functools.cache
def fields(cls: type) -> dict[str, tuple[str, type | None]]:
    """API field name -> (the annotation's text, the Args type of its value or its items, or None)."""
    out = {}
    for _, prop in inspect.getmembers(cls, lambda p: isinstance(p, property)):
        name = getattr(prop.fget, "_pulumi_name", None)
        if name is None:
            continue
        text = str(prop.fget.__annotations__.get("return", ""))
        ref = _REF.search(text)
        out[name] = (text, eval(ref.group(1), vars(sys.modules[cls.__module__])) if ref else None)  # noqa: S307
    return out


def problems(value: object, cls: type, path: str = "") -> list[str]:
    """Fields of `value` the schema of `cls` does not have, at any depth."""
    if not isinstance(value, dict):
        return [f"{path or '.'}: an object is expected, not {type(value).__name__}"]
    found = []
    known = fields(cls)
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        if key not in known:
            found.append(f"{where}: unknown field")
            continue
        text, ref = known[key]
        if ref is None or text.startswith("typing.Union[typing.Mapping[str") or not isinstance(item, (dict, list)):
            continue  # free-form maps, and scalars (a field may take a string or a typed object)
        items = item if isinstance(item, list) and "Sequence[" in text.split(ref.__name__)[0] else [item]
        for i, element in enumerate(items):
            found += problems(element, ref, f"{where}[{i}]" if items is item else where)
    return found


def restricted(context: dict) -> list[str]:
    """What the Pod Security Standards' restricted profile refuses in a container's securityContext
    (kubernetes.io/docs/concepts/security/pod-security-standards, "Restricted"; the pod-security
    admission's checks): privilege escalation, running as root, a capability kept beyond
    NET_BIND_SERVICE, no seccomp profile."""
    found = []
    if context.get("allowPrivilegeEscalation") is not False:
        found.append("allowPrivilegeEscalation must be false")
    if context.get("runAsNonRoot") is not True:
        found.append("runAsNonRoot must be true")
    if "ALL" not in context.get("capabilities", {}).get("drop", []):
        found.append("capabilities must drop ALL")
    if set(context.get("capabilities", {}).get("add", [])) - {"NET_BIND_SERVICE"}:
        found.append("only NET_BIND_SERVICE may be added")
    if context.get("seccompProfile", {}).get("type") not in ("RuntimeDefault", "Localhost"):
        found.append("seccompProfile must be RuntimeDefault or Localhost")
    return found
