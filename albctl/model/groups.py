"""Which Ingresses albctl takes (IngressClass matching), how they form IngressGroups, and the
cross-object checks on them (backends exist, ports exist, actions are defined)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from albctl.errors import Diagnostic
from albctl.manifests.objects import Ingress, IngressClassParams, Inputs, ServiceBackend
from albctl.settings import Settings

CONTROLLER = "ingress.k8s.aws/alb"
LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
PARAMS_API_GROUP = "elbv2.k8s.aws"
MIN_ORDER, MAX_ORDER = -1000, 1000


@dataclass(frozen=True)
class Member:
    """An Ingress taken into a group, with the IngressClassParams that apply to it (if any)."""

    ingress: Ingress
    params: IngressClassParams | None
    order: int


@dataclass(frozen=True)
class IngressGroup:
    name: str
    namespace: str  # "" for explicit groups
    members: tuple[Member, ...]

    @property
    def explicit(self) -> bool:
        return self.namespace == ""

    @property
    def id(self) -> str:
        return self.name if self.explicit else f"{self.namespace}/{self.name}"


@dataclass
class Selection:
    groups: list[IngressGroup] = field(default_factory=list)
    skipped: list[tuple[Ingress, str]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    not_ours: set[Diagnostic] = field(default_factory=set)  # problems of Ingresses for other controllers


def _class_of(ing: Ingress, inputs: Inputs, settings: Settings) -> tuple[bool, str, IngressClassParams | None,
                                                                         Diagnostic | None]:
    """(taken?, reason if not, params, problem)."""
    return _class_of_meta(ing.meta.annotations, ing.ingress_class_name, inputs, settings)


def _class_of_meta(annotations: dict[str, str], ingress_class_name: Any, inputs: Inputs, settings: Settings
                   ) -> tuple[bool, str, IngressClassParams | None, Diagnostic | None]:
    legacy = annotations.get(LEGACY_CLASS_ANNOTATION)
    if legacy is not None:
        if legacy == settings.ingress_class:
            return True, "", None, None
        return False, f"ingress.class annotation is {legacy!r}, not {settings.ingress_class!r}", None, None
    class_name = ingress_class_name if isinstance(ingress_class_name, str) else None
    if class_name is None:
        defaults = [c for c in inputs.ingress_classes.values() if c.is_default]
        if len(defaults) == 1:
            class_name = defaults[0].meta.name
        else:
            return False, "no ingressClassName and no kubernetes.io/ingress.class annotation", None, None
    ing_class = inputs.ingress_classes.get(class_name)
    if ing_class is None:
        if class_name == settings.ingress_class:
            return True, "", None, None
        return False, f"IngressClass {class_name!r} is not in the inputs and is not {settings.ingress_class!r}", \
            None, None
    if ing_class.controller != CONTROLLER:
        return False, f"IngressClass {class_name!r} belongs to controller {ing_class.controller!r}", None, None
    params_ref = ing_class.parameters
    if not params_ref:
        return True, "", None, None
    if params_ref.get("apiGroup") != PARAMS_API_GROUP or params_ref.get("kind") != "IngressClassParams":
        return True, "", None, None
    params = inputs.ingress_class_params.get(params_ref.get("name", ""))
    if params is None:
        problem = ing_class.meta.diagnostic(
            f"IngressClassParams {params_ref.get('name')!r} is not in the inputs", "spec", "parameters", "name")
        return True, "", None, problem
    return True, "", params, None


def _namespace_allowed(params: IngressClassParams, namespace: str) -> bool:
    selector = params.spec.get("namespaceSelector")
    if not selector:
        return True
    # Namespace labels are not in the manifests albctl reads; only the well-known name label is known.
    labels = {"kubernetes.io/metadata.name": namespace}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        present = expr.get("key") in labels
        value = labels.get(expr.get("key"))
        op, values = expr.get("operator"), expr.get("values") or []
        if (op == "In" and value not in values) or (op == "NotIn" and value in values) or \
                (op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True


def select(inputs: Inputs, settings: Settings) -> Selection:
    """Take the Ingresses of our class, check their references, and form IngressGroups."""
    sel = Selection()
    for meta, class_name, problems in inputs.unclaimed_problems:
        taken, reason, _, _ = _class_of_meta(meta.annotations, class_name, inputs, settings)
        if not taken:
            sel.not_ours.update(problems)
            inputs.skipped.append((meta.location, meta.ref, f"{reason} (not validated: not for albctl)"))
    by_group: dict[tuple[str, str], list[Member]] = {}
    for ing in inputs.ingresses:
        taken, reason, params, problem = _class_of(ing, inputs, settings)
        if problem is not None:
            sel.diagnostics.append(problem)
            continue
        if not taken:
            sel.skipped.append((ing, reason))
            continue
        if params is not None and not _namespace_allowed(params, ing.namespace):
            sel.diagnostics.append(ing.meta.diagnostic(
                f"namespace {ing.namespace!r} is not allowed by IngressClassParams {params.meta.name!r} "
                "namespaceSelector", "spec", "ingressClassName"))
            continue
        problems = check_references(ing, inputs)
        sel.diagnostics.extend(problems)
        group_name = ((params.spec.get("group") or {}).get("name") if params else None) or ing.alb.get("group.name")
        order = ing.alb.get("group.order", 0)
        if not MIN_ORDER <= order <= MAX_ORDER:
            sel.diagnostics.append(ing.meta.diagnostic(
                f"expected a group order within [{MIN_ORDER}, {MAX_ORDER}], got {order}",
                "metadata", "annotations", "alb.ingress.kubernetes.io/group.order",
                field_name="metadata.annotations[alb.ingress.kubernetes.io/group.order]"))
            continue
        key = ("", group_name) if group_name else (ing.namespace, ing.name)
        by_group.setdefault(key, []).append(Member(ing, params, order))
    for (namespace, name), members in sorted(by_group.items()):
        members.sort(key=lambda m: (m.order, f"{m.ingress.namespace}/{m.ingress.name}"))
        sel.groups.append(IngressGroup(name=name, namespace=namespace, members=tuple(members)))
    return sel


def _backends(ing: Ingress) -> list[ServiceBackend]:
    out = [p.backend for rule in ing.rules for p in rule.paths]
    if ing.default_backend is not None:
        out.append(ing.default_backend)
    return out


def check_references(ing: Ingress, inputs: Inputs) -> list[Diagnostic]:
    """Every backend that names a Service in the inputs names one of its ports. A Service or an
    ``actions.*`` annotation that is missing is the model builder's to judge: the cluster may have the
    Service, and the controller answers a missing one with a 503 rule when told to tolerate it."""
    problems: list[Diagnostic] = []
    for backend in _backends(ing):
        if backend.uses_annotation:
            action = ing.alb.get(f"actions.{backend.service_name}")
            if action is None:
                continue
            for tg in ((action.get("forwardConfig") or {}).get("targetGroups") or []):
                if tg.get("serviceName"):
                    problems.extend(_check_service(ing, backend, tg["serviceName"], tg.get("servicePort"), inputs))
            continue
        if not backend.service_name:
            continue  # a resource backend: nothing albctl can check
        problems.extend(_check_service(ing, backend, backend.service_name, backend.port, inputs))
    return problems


def _check_service(ing: Ingress, backend: ServiceBackend, name: str, port: int | str | None,
                   inputs: Inputs) -> list[Diagnostic]:
    svc = inputs.services.get((ing.namespace, name))
    if svc is None and ("Service", ing.namespace, name) in inputs.invalid:
        return []  # its own problems are reported already
    if svc is None:
        return []  # not in the inputs: see the model builder (_missing_service)
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    if port is None or svc.find_port(port) is None:
        known = ", ".join(f"{p.port}" + (f" ({p.name})" if p.name else "") for p in svc.ports) or "none"
        return [ing.meta.diagnostic(
            f"expected a port of Service {ing.namespace}/{name} ({known}), got {port!r}",
            *backend.path, "service", "port")]
    return []
