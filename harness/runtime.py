"""Run __main__.py for one stack under `pulumi.runtime.set_mocks` and record every registration."""
from __future__ import annotations

import asyncio
import json
import runpy
from dataclasses import dataclass, field
from typing import Any

import pulumi
import yaml
from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.resource import register_resource_outputs
from pulumi.runtime.stack import massage
from pulumi.runtime.sync_await import _sync_await

from config import schema
from harness import stack_file
from config.settings import SettingsError

ROOT = schema.PROJECT_FILE.parent
STACKS_DIR = ROOT  # where Pulumi.<stack>.yaml files are read from
MASK = "[secret]"


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    dependencies: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)   # earlier names of this resource (same type)
    provider: str = ""   # URN of the explicit provider, "" for the default one


@dataclass
class Run:
    stack: str
    resources: list[Registration] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)
    artifacts: dict[str, Any] = field(default_factory=dict)
    # The project's settings as the program received them, secrets left out: what a diff names as
    # the cause of a change ("`bucketPrefix` change replaces 5 buckets").
    settings: dict[str, str] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> Registration:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def release(self, chart: str) -> Registration:
        """The one Helm release of `chart` (a stack with further Kubernetes clusters has one
        kube-prometheus-stack per cluster: then this refuses)."""
        matches = [r for r in self.of_type("kubernetes:helm.sh/v3:Release") if r.inputs["chart"] == chart]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} Helm releases of chart {chart!r}")
        return matches[0]


def mask_secrets(value: Any) -> Any:
    """Replace every secret (as the SDK serialises it) with MASK."""
    if rpc.is_rpc_secret(value):
        return MASK
    if isinstance(value, dict):
        return {k: mask_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


class RecordingMonitor(MockMonitor):
    """A MockMonitor that also keeps what the engine would see: parent, inputs and options."""

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.stack_outputs: dict[str, Any] = {}   # as the engine stores them

    def RegisterResourceOutputs(self, request):
        if request.urn.split("::")[2] == "pulumi:pulumi:Stack":
            self.stack_outputs = rpc.deserialize_properties(request.outputs, keep_internal=True)
        return super().RegisterResourceOutputs(request)

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = mask_secrets(rpc.deserialize_properties(request.object))
            if "__provider" in inputs:  # a dynamic provider's pickled code: unreadable, and noise in diffs
                inputs["__provider"] = "[dynamic provider]"
            self.registrations.append(Registration(
                type=request.type, name=request.name, urn=response.urn, parent=request.parent,
                custom=request.custom, inputs=inputs, protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete), dependencies=sorted(request.dependencies),
                aliases=sorted(a.spec.name for a in request.aliases if a.spec.name),
                provider=request.provider.rsplit("::", 1)[0]))  # "<urn>::<id>"; the id is the mock's
        return response


class Mocks(pulumi.runtime.Mocks):
    """Echo inputs back as state and add the few computed attributes the program reads."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        state = dict(args.inputs)
        if args.typ.startswith("aws:"):
            state.setdefault("arn", f"arn:aws:{args.typ.split(':')[1].split('/')[0]}:::{args.name}")
        if args.typ == "aws:s3/bucket:Bucket":  # AWS uses the bucket name as its id
            state.setdefault("bucket", args.name)
            state.setdefault("region", "eu-west-1")  # computed from the provider's region
            state["arn"] = f"arn:aws:s3:::{state['bucket']}"
            return state["bucket"], state
        if args.typ == "aws:kms/key:Key":
            state["keyId"] = f"{args.name}-key-id"
            state["arn"] = f"arn:aws:kms:{args.inputs.get('region') or 'eu-west-1'}:123456789012:key/{state['keyId']}"
        if args.typ == "aws:iam/role:Role":
            state["arn"] = f"arn:aws:iam::123456789012:role/{args.name}"
        if args.typ.startswith("kubernetes:"):
            state.setdefault("metadata", {}).setdefault("name", args.name)
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs):
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": "123456789012", "arn": "arn:aws:iam::123456789012:user/mock", "userId": "mock"}
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": "eu-west-1", "region": "eu-west-1", "id": "eu-west-1"}
        if args.token == "grafana:oss/getTeam:getTeam":
            return {"id": "7", "teamId": 7, "name": args.args.get("name"), "orgId": "1"}
        return {}


def stack_config(stack: str) -> tuple[dict[str, Any], set[str]]:
    """The stack file's config as the CLI passes it to the program (harness/stack_file.py: the CLI's
    YAML decoder, its namespacing and its value strings); `secure:` values become MASK and secret.
    A malformed file is refused as `Pulumi.<stack>.yaml:<line>: <problem>`, the way editors jump to it."""
    path = STACKS_DIR / f"Pulumi.{stack}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"no stack file {path.name}; stacks: {', '.join(list_stacks())}")
    try:
        decoded = stack_file.decode(path.read_text(encoding="utf-8"), path.name, schema.project_name())
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{path.name}:{mark.line + 1}" if mark else path.name
        raise SettingsError([f"{where}: {stack_file.visible(err.problem or err.context)}"]) from None
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise SettingsError([f"{path.name}: not valid YAML ({type(err).__name__})"]) from None
    if decoded.problems:
        raise SettingsError(decoded.problems)
    values = {key: MASK if key in decoded.secure else value for key, value in decoded.config.items()}
    return values, set(decoded.secure)


def list_stacks() -> list[str]:
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in STACKS_DIR.glob("Pulumi.*.yaml"))


def _cli_value(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def start_engine(stack: str, config: dict[str, Any], secret_keys: set[str], mocks: pulumi.runtime.Mocks,
                 monitor: Any = None) -> None:
    """What `pulumi up` gives a program before it starts: a fresh event loop, the CLI's config with
    its secrets marked, and the SDK's mocks in the engine's place. A program then runs through
    pulumi.runtime.stack.run_pulumi_func, which waits for every request it made."""
    asyncio.set_event_loop(asyncio.new_event_loop())
    runtime_settings.ROOT.set(None)
    set_all_config({k: _cli_value(v) for k, v in config.items()}, sorted(secret_keys))
    pulumi.runtime.set_mocks(mocks, project=schema.project_name(), stack=stack, preview=False, monitor=monitor)
    # The engine tells a program its project's root, where Pulumi.yaml and the stack files are
    # (pulumi.runtime.get_root_directory); here, the folder the stack files are read from.
    runtime_settings.SETTINGS.root_directory = str(STACKS_DIR)


def run(stack: str, config: dict[str, Any], secret_keys: set[str] | None = None,
        placeholder_secrets: bool = False) -> Run:
    """Run the program once. With placeholder_secrets, unset declared secrets get MASK, as in review previews."""
    project = schema.project_name()
    secret_keys = set(secret_keys or ())
    config = dict(config)
    if placeholder_secrets:
        for key in schema.keys().values():
            full = f"{project}:{key.name}"
            if key.secret and full not in config:
                config[full] = MASK
                secret_keys.add(full)
    # The CLI applies Pulumi.yaml defaults before the program starts; so do we.
    for key in schema.keys().values():
        if key.default is not None:
            config.setdefault(f"{project}:{key.name}", key.default)

    mocks = Mocks()
    monitor = RecordingMonitor(mocks)
    start_engine(stack, config, secret_keys, mocks, monitor)

    result = Run(stack)
    declared = schema.keys()
    result.settings = {full[len(project) + 1:]: _cli_value(value) for full, value in sorted(config.items())
                       if full.startswith(project + ":") and full not in secret_keys
                       and not (full[len(project) + 1:] in declared and declared[full[len(project) + 1:]].secret)}
    program: dict[str, Any] = {}

    def main():
        program.update(runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"))
        # What the SDK's entrypoint does last (Stack._finish in stack.run_in_stack; set_mocks has
        # already finished its root, before the program ran): register the stack's outputs through
        # the serialisation the engine receives, which drops None values.
        root = runtime_settings.get_root_resource()
        register_resource_outputs(root, massage(root.outputs, []))

    try:
        _sync_await(pulumi.runtime.stack.run_pulumi_func(main))
    except Exception as err:
        err.registrations = monitor.registrations  # lets tests prove a refused config registered nothing
        raise
    result.resources = monitor.registrations
    for name, value in monitor.stack_outputs.items():
        result.outputs[name] = MASK if rpc.is_rpc_secret(value) else mask_secrets(value)
        if rpc.is_rpc_secret(value):
            result.secret_outputs.add(name)
    platform = program.get("platform")
    for path, value in (getattr(platform, "artifacts", None) or {}).items():
        out = pulumi.Output.from_input(value)
        result.artifacts[path] = MASK if _sync_await(out.is_secret()) else _sync_await(out.future())
    return result


def run_stack(stack: str, placeholder_secrets: bool = True) -> Run:
    config, secret_keys = stack_config(stack)
    return run(stack, config, secret_keys, placeholder_secrets=placeholder_secrets)
