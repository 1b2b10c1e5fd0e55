"""What the engine hands the policy pack: the program's plan for a first preview or an update, as the
`AnalyzeStackRequest` of pulumi_policy's real analyzer (its gRPC servicer, `AnalyzeStack`).

Sources: pulumi/pulumi at tag v3.259.0 (commit 0ac56e876614aedf12771d73ef7e80959b8a6fd4), the newest
tag of the snapshot that could be fetched here; the pinned 3.272.0 is later, and the lines cited are
the same at the snapshot's newest commit (1b5949891b, 2026-08-21). The venv's SDK 3.272.0 has the
same sentinel (`pulumi/runtime/rpc.py`, `UNKNOWN`).
- `pkg/resource/deploy/step_generator.go`, `AnalyzeResources`: AnalyzeStack gets every resource's
  *outputs* ("called on the final outputs of each resource"), its `Protect` option, parent,
  dependencies and property dependencies.
- `pkg/resource/plugin/analyzer_plugin.go`, `AnalyzeStack`: the outputs are marshalled with
  `MarshalProperties(..., MarshalOptions{KeepUnknowns: true, KeepSecrets: true, ...})`, and each
  property's dependencies are sent as `AnalyzerPropertyDependencies{Urns}`.
- `sdk/go/common/resource/plugin/rpc.go`: `marshalUnknownProperty` sends an unknown as a sentinel
  string, `UnknownStringValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"` for strings (and one per
  kind: bool, number, array, object...), which pulumi_policy 1.21.0's `proxy.py` lists again.
- During a preview the engine does not create anything: a resource to be created has no id, and
  the provider's preview of the create returns its inputs with every computed attribute (an ARN, a
  KMS key id) unknown. An input built from such an output is unknown too; a plain input is known.

Which values are unknown is not guessed here: the real program runs under the SDK's mocks with
`preview=True`, the mocked engine answers each registration as the engine answers a create during
a preview (no id; the inputs, nothing computed), and the SDK itself turns every input that depends
on an unknown output into the sentinel, exactly as it does against the real engine. An update is the
same program with `preview=False` and the mocks of `harness.runtime` (every output known).
"""
from __future__ import annotations

import contextlib
from typing import Iterator
from unittest import mock

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import analyzer_pb2

from harness import runtime
from tests.conftest import full_config


class CreatePreviewMocks(runtime.Mocks):
    """The engine's answer to a registration during the preview of a create: no id (the SDK reads ""
    as unknown), and the inputs as the outputs, so that every computed attribute is unknown."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        return "", dict(args.inputs)


class EngineMonitor(runtime.RecordingMonitor):
    """Records the inputs with their unknowns kept (as sentinels) and each input's dependencies."""

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            recorded = self.registrations[-1]
            inputs = _sentinels(runtime.mask_secrets(rpc.deserialize_properties(request.object, keep_unknowns=True)))
            if "__provider" in inputs:
                inputs["__provider"] = "[dynamic provider]"
            recorded.inputs = inputs
            recorded.property_dependencies = {k: list(v.urns) for k, v in request.propertyDependencies.items()
                                              if v.urns}
        return response


def _sentinels(value):
    """The SDK reads an unknown back as `pulumi.output.Unknown`; the engine forwards it as the sentinel."""
    if isinstance(value, dict):
        return {k: _sentinels(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_sentinels(v) for v in value]
    return rpc.UNKNOWN if isinstance(value, pulumi.output.Unknown) else value


@contextlib.contextmanager
def _engine(preview: bool) -> Iterator[None]:
    set_mocks = pulumi.runtime.set_mocks

    def set_mocks_as_engine(mocks, *args, **kwargs):
        return set_mocks(mocks, *args, **{**kwargs, "preview": preview})

    with mock.patch.object(runtime, "RecordingMonitor", EngineMonitor), \
            mock.patch.object(runtime, "Mocks", CreatePreviewMocks if preview else runtime.Mocks), \
            mock.patch.object(pulumi.runtime, "set_mocks", set_mocks_as_engine):
        yield


def plan(stack: str, first_preview: bool) -> runtime.Run:
    """The program's registrations for `stack`: on a first preview (nothing exists yet) or on an
    update of a stack whose resources all exist."""
    config, secret_keys = full_config(stack)
    with _engine(first_preview):
        return runtime.run(stack, config, secret_keys)


def request(resources: list[runtime.Registration]) -> analyzer_pb2.AnalyzeStackRequest:
    """The AnalyzeStackRequest the engine sends for these resources (properties as a protobuf Struct:
    numbers arrive as doubles, unknowns as their sentinels)."""
    out = []
    for r in resources:
        props = struct_pb2.Struct()
        props.update(r.inputs)
        deps = getattr(r, "property_dependencies", {})
        out.append(analyzer_pb2.AnalyzerResource(
            urn=r.urn, type=r.type, name=r.name, properties=props, parent=r.parent,
            options=analyzer_pb2.AnalyzerResourceOptions(protect=r.protect, parent=r.parent),
            dependencies=r.dependencies,
            propertyDependencies={k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v) for k, v in deps.items()}))
    return analyzer_pb2.AnalyzeStackRequest(resources=out)


def unknown_paths(value, path: str = "") -> list[str]:
    """Where the engine's unknown sentinels sit in a recorded value."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in unknown_paths(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in unknown_paths(v, f"{path}[{i}]")]
    return [path] if value == rpc.UNKNOWN else []
