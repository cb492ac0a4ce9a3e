"""What only the cluster knows, and how the model uses it: a Service's node ports and uid (read
from the cluster, or taken from the live target group of the same backend), and the check that
two backends do not get one target group name.

Pure: the cluster is read by :mod:`albctl.kube`, the live state by the aws layer; these functions
only combine what those read with the manifests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from albctl.errors import Diagnostic
from albctl.manifests.objects import Service, ServicePort
from albctl.model.stack import TARGET_GROUP, TARGET_GROUP_BINDING, Stack, TargetGroupBindingSpec, TargetGroupSpec


@dataclass(frozen=True)
class LiveTargetGroup:
    """The fields of a live target group that pin its name, read from AWS: for a target group whose
    Service uid is unknown, they say whether the live name is still the one the controller would give."""

    name: str
    port: int
    target_type: str
    protocol: str
    protocol_version: str


def live_target_groups(stacks: Mapping[str, Any]) -> dict[tuple[str, str], LiveTargetGroup]:
    """``(stack id, target group resource id) → LiveTargetGroup`` from live stacks.

    ``stacks`` maps a stack id to an object with ``resources``, each with ``type``, ``id`` (its
    ``ingress.k8s.aws/resource`` tag) and ``spec`` (``albctl.aws.live.LiveResource``'s shape: ``name``,
    ``port``, ``targetType``, ``protocol``, ``protocolVersion``)."""
    out: dict[tuple[str, str], LiveTargetGroup] = {}
    for stack_id, stack in stacks.items():
        for res in getattr(stack, "resources", ()):
            if res.type != TARGET_GROUP:
                continue
            spec = res.spec or {}
            port = spec.get("port")
            if not isinstance(port, int) or not spec.get("name"):
                continue
            out[(stack_id, res.id)] = LiveTargetGroup(
                name=str(spec["name"]), port=port, target_type=str(spec.get("targetType") or ""),
                protocol=str(spec.get("protocol") or ""), protocol_version=str(spec.get("protocolVersion") or ""))
    return out


def _same_port(a: ServicePort, b: ServicePort) -> bool:
    return a.port == b.port and (not a.name or not b.name or a.name == b.name)


def merge_service(manifest: Service | None, cluster: Service | None) -> Service | None:
    """The Service the model uses: the manifest (what is about to be applied) with what only the
    cluster assigns filled in from the cluster's Service: ``metadata.uid`` and each port's ``nodePort``
    (a port the manifest gives a nodePort keeps it). Without a manifest, the cluster's Service."""
    if manifest is None:
        return cluster
    if cluster is None:
        return manifest
    ports = []
    for port in manifest.ports:
        if port.node_port is None:
            live = next((p for p in cluster.ports if _same_port(port, p)), None)
            if live is not None and live.node_port is not None:
                port = replace(port, node_port=live.node_port)
        ports.append(port)
    meta = manifest.meta if manifest.meta.uid else replace(manifest.meta, uid=cluster.meta.uid)
    return replace(manifest, meta=meta, ports=tuple(ports))


@dataclass(frozen=True)
class NameCollision:
    """Two backends of one stack that would get the same target group name."""

    stack_id: str
    name: str
    first: str  # "namespace/service:port" of each backend
    second: str

    @property
    def message(self) -> str:
        return (f"Services {self.first} and {self.second} would get the same target group name {self.name} "
                "(the controller's names differ by Service uid, which only the cluster knows)")


def target_group_name_collisions(stacks: Iterable[Stack]) -> list[NameCollision]:
    """Backends (Service and port) that would share one target group name: names hash the Service uid,
    so offline two Services whose names share their first 8 characters can collide, and one target
    group would then serve both. A plan must refuse these; offline they are a warning."""
    found: list[NameCollision] = []
    for stack in stacks:
        owners: dict[str, str] = {}
        for res in stack.of_type(TARGET_GROUP_BINDING):
            tgb = res.spec
            tg = stack.get(TARGET_GROUP, res.id)
            if not isinstance(tgb, TargetGroupBindingSpec) or tg is None or not isinstance(tg.spec, TargetGroupSpec):
                continue
            if not isinstance(tg.spec.name, str):
                continue  # a placeholder: the name is not known yet
            backend = f"{tgb.namespace}/{tgb.service_name}:{tgb.service_port}"
            first = owners.setdefault(tg.spec.name, backend)
            if first != backend:
                found.append(NameCollision(stack.id, tg.spec.name, first, backend))
    return found


def collision_diagnostics(stacks: Iterable[Stack], severity: str = "warning") -> list[Diagnostic]:
    """:func:`target_group_name_collisions` as diagnostics (``warning`` offline, ``error`` in a plan)."""
    return [Diagnostic(c.message, obj=f"IngressGroup {c.stack_id}", severity=severity)  # type: ignore[arg-type]
            for c in target_group_name_collisions(stacks)]
