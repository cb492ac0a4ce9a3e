"""Typed Kubernetes objects: the subset of Ingress, Service, IngressClass, IngressClassParams and
Secret that albctl reads. Every object remembers where it came from, so later layers can point a
user at the exact file, line and column of a problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from albctl.errors import Diagnostic, Location
from albctl.manifests.yamlpos import PosDict, PosList

ALB_PREFIX = "alb.ingress.kubernetes.io/"


@dataclass(frozen=True)
class ObjectMeta:
    """What every object shares: identity, annotations, and where it was read from."""

    kind: str
    api_version: str
    name: str
    namespace: str
    location: Location
    annotations: dict[str, str] = field(default_factory=dict)
    uid: str = ""
    raw: Any = field(default=None, repr=False, compare=False)

    @property
    def ref(self) -> str:
        """``Kind namespace/name`` (or ``Kind name`` for cluster-scoped objects)."""
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    def location_of(self, *path: str | int) -> Location:
        """The location of a field of the raw document, or of the nearest parent that exists."""
        return locate(self.raw, path, self.location)

    def annotation_location(self, key: str) -> Location:
        return self.location_of("metadata", "annotations", key)

    def diagnostic(
        self, message: str, *path: str | int, field_name: str | None = None, severity: str = "error"
    ) -> Diagnostic:
        """A diagnostic about this object, located at ``path`` in its document."""
        return Diagnostic(
            message,
            location=self.location_of(*path),
            obj=self.ref,
            field=field_name if field_name is not None else render_path(path),
            severity=severity,  # type: ignore[arg-type]
        )


def locate(raw: Any, path: tuple[str | int, ...] | list[str | int], fallback: Location) -> Location:
    """Walk ``path`` in a positioned YAML document and return the deepest position found."""
    node = raw
    pos: tuple[int, int] | None = getattr(raw, "pos", None)
    for part in path:
        in_dict = isinstance(node, PosDict) and part in node
        in_list = isinstance(node, PosList) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            pos = node.position_of(part)
            node = node[part]
        else:
            break
    if not pos or not pos[0]:
        return fallback
    return Location(fallback.file, pos[0], pos[1])


def render_path(path: tuple[str | int, ...] | list[str | int]) -> str:
    """``("spec", "rules", 0, "host")`` → ``spec.rules[0].host``; annotation keys in brackets."""
    out = ""
    for part in path:
        if not isinstance(part, str) or out.endswith("annotations") or "/" in part:  # YAML keys may be 1.5
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


@dataclass(frozen=True)
class ServiceBackend:
    """An Ingress backend that points at a Service port (by number or by name)."""

    service_name: str
    port_number: int | None
    port_name: str | None
    path: tuple[str | int, ...]  # where it sits in the raw document

    @property
    def port(self) -> int | str:
        return self.port_number if self.port_number is not None else (self.port_name or "")

    @property
    def uses_annotation(self) -> bool:
        return self.port_name == "use-annotation"


@dataclass(frozen=True)
class HTTPPath:
    path: str
    path_type: str | None  # Exact | Prefix | ImplementationSpecific | None (legacy, unset)
    backend: ServiceBackend


@dataclass(frozen=True)
class IngressRule:
    host: str
    paths: tuple[HTTPPath, ...]
    has_http: bool = True


@dataclass(frozen=True)
class IngressTLS:
    hosts: tuple[str, ...]
    secret_name: str


@dataclass(frozen=True)
class Ingress:
    """An Ingress in networking.k8s.io/v1 form (legacy versions are converted on load)."""

    meta: ObjectMeta
    ingress_class_name: str | None
    default_backend: ServiceBackend | None
    rules: tuple[IngressRule, ...]
    tls: tuple[IngressTLS, ...]
    alb: dict[str, Any] = field(default_factory=dict)  # parsed alb.ingress.kubernetes.io/* values

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def namespace(self) -> str:
        return self.meta.namespace

    @property
    def annotations(self) -> dict[str, str]:
        return self.meta.annotations


@dataclass(frozen=True)
class ServicePort:
    port: int
    name: str
    protocol: str
    target_port: int | str
    node_port: int | None


@dataclass(frozen=True)
class Service:
    meta: ObjectMeta
    type: str
    ports: tuple[ServicePort, ...]
    ip_families: tuple[str, ...]
    alb: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def namespace(self) -> str:
        return self.meta.namespace

    def find_port(self, port: int | str) -> ServicePort | None:
        """The Service port an Ingress backend refers to, by number or by name."""
        for sp in self.ports:
            if (isinstance(port, int) and sp.port == port) or (isinstance(port, str) and sp.name == port):
                return sp
        return None


@dataclass(frozen=True)
class IngressClass:
    meta: ObjectMeta
    controller: str
    parameters: dict[str, str] | None
    is_default: bool


@dataclass(frozen=True)
class IngressClassParams:
    meta: ObjectMeta
    spec: dict[str, Any]


@dataclass(frozen=True)
class Secret:
    """A Secret; its values are kept only to be used (auth), never printed."""

    meta: ObjectMeta
    data: dict[str, str] = field(repr=False, default_factory=dict)
    string_data: dict[str, str] = field(repr=False, default_factory=dict)


@dataclass
class Inputs:
    """Everything read from the given paths."""

    ingresses: list[Ingress] = field(default_factory=list)
    ingress_index: dict[tuple[str, str], Ingress] = field(default_factory=dict)
    services: dict[tuple[str, str], Service] = field(default_factory=dict)
    ingress_classes: dict[str, IngressClass] = field(default_factory=dict)
    ingress_class_params: dict[str, IngressClassParams] = field(default_factory=dict)
    secrets: dict[tuple[str, str], Secret] = field(default_factory=dict)
    skipped: list[tuple[Location, str, str]] = field(default_factory=list)  # (where, what, why)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    invalid: set[tuple[str, str, str]] = field(default_factory=set)  # (kind, namespace, name) not loaded
    # Ingresses whose schema problems (also in diagnostics) count only if albctl takes them (an nginx
    # Ingress with placeholder hosts is not ours to judge): (metadata, ingressClassName, problems)
    unclaimed_problems: list[tuple[ObjectMeta, Any, list[Diagnostic]]] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]
