"""Read manifests from files, directories and stdin; validate them; build typed objects.

Every problem in every file is collected as a :class:`Diagnostic`; nothing is raised for bad input.
"""

from __future__ import annotations

import fnmatch
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from albctl.errors import Diagnostic, Location
from albctl.manifests import annotations as ann
from albctl.manifests.objects import (
    ALB_PREFIX,
    HTTPPath,
    Ingress,
    IngressClass,
    IngressClassParams,
    IngressRule,
    IngressTLS,
    Inputs,
    ObjectMeta,
    Secret,
    Service,
    ServiceBackend,
    ServicePort,
    render_path,
)
from albctl.manifests.schemas import validator
from albctl.manifests.yamlpos import PosDict, YamlSyntaxError, load_documents

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
IGNORE_FILE = ".albctlignore"

# (apiVersion, kind) → schema file
SCHEMAS: dict[tuple[str, str], str] = {
    ("networking.k8s.io/v1", "Ingress"): "ingress-v1.json",
    ("networking.k8s.io/v1beta1", "Ingress"): "ingress-v1beta1.json",
    ("extensions/v1beta1", "Ingress"): "ingress-v1beta1.json",
    ("v1", "Service"): "service.json",
    ("networking.k8s.io/v1", "IngressClass"): "ingressclass.json",
    ("elbv2.k8s.aws/v1beta1", "IngressClassParams"): "ingressclassparams.json",
    ("v1", "Secret"): "secret.json",
}
KINDS = {kind for _, kind in SCHEMAS}


def collect_files(paths: Iterable[str]) -> tuple[list[str], list[Diagnostic]]:
    """Expand the command-line paths into manifest files (``-`` stays ``-``), in a stable order."""
    files: list[str] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        if raw == "-":
            files.append("-")
            continue
        path = Path(raw)
        if path.is_dir():
            ignored = _ignore_patterns(path)
            for candidate in sorted(path.rglob("*")):
                rel = candidate.relative_to(path).as_posix()
                if candidate.suffix in MANIFEST_SUFFIXES and candidate.is_file() and not _ignored(rel, ignored):
                    files.append(str(candidate))
        elif path.is_file():
            files.append(str(path))
        else:
            problems.append(Diagnostic("no such file or directory", location=Location(raw)))
    seen: set[str] = set()
    unique = [f for f in files if not (f in seen or seen.add(f))]  # type: ignore[func-returns-value]
    return unique, problems


def _ignore_patterns(directory: Path) -> list[str]:
    ignore = directory / IGNORE_FILE
    if not ignore.is_file():
        return []
    lines = ignore.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def _ignored(rel: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if pattern.endswith("/") and (rel + "/").startswith(pattern):
            return True
        if fnmatch.fnmatch(rel, pattern):
            return True
    return False


def load(paths: Iterable[str], stdin_text: str | None = None) -> Inputs:
    """Read and validate every manifest under ``paths``."""
    inputs = Inputs()
    files, problems = collect_files(paths)
    inputs.diagnostics.extend(problems)
    inputs.files = files
    for name in files:
        try:
            if name == "-":
                text = stdin_text if stdin_text is not None else sys.stdin.read()
            else:
                with open(name, encoding="utf-8") as fh:
                    text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            inputs.diagnostics.append(Diagnostic(f"cannot read file: {reason}", location=Location(name)))
            continue
        load_text(text, name, inputs)
    return inputs


def load_text(text: str, file: str, inputs: Inputs) -> None:
    """Parse one YAML/JSON stream and add its objects (or problems) to ``inputs``."""
    try:
        documents = load_documents(text)
    except YamlSyntaxError as exc:
        inputs.diagnostics.append(Diagnostic(exc.problem, location=Location(file, exc.line, exc.column)))
        return
    for doc in documents:
        if doc.data is None:
            continue
        _load_object(doc.data, Location(file, doc.line, 1), inputs)


def _load_object(data: Any, where: Location, inputs: Inputs) -> None:
    if not isinstance(data, dict):
        got = "a list" if isinstance(data, list) else f"{type(data).__name__} {data!r}"[:60]
        inputs.diagnostics.append(
            Diagnostic(f"expected a Kubernetes object (a mapping with apiVersion and kind), got {got}",
                       location=where))
        return
    if isinstance(data, PosDict):
        where = Location(where.file, *data.pos)
    kind, api_version = data.get("kind"), data.get("apiVersion")
    if kind == "List" or (isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list)):
        items = data.get("items") or []
        if not isinstance(items, list):
            pos = data.position_of("items") if isinstance(data, PosDict) else (where.line, where.column)
            inputs.diagnostics.append(Diagnostic(f"expected a list of objects, got {_type_name(items)}",
                                                 location=Location(where.file, *pos), obj=str(kind), field="items"))
            return
        for index, item in enumerate(items):
            pos = items.position_of(index) if hasattr(items, "position_of") else (where.line, where.column)
            _load_object(item, Location(where.file, *pos), inputs)
        return
    if not isinstance(kind, str) or not isinstance(api_version, str):
        missing = [k for k, v in (("apiVersion", api_version), ("kind", kind)) if not isinstance(v, str)]
        got = "nothing" if all(data.get(m) is None for m in missing) else "another type"
        inputs.diagnostics.append(
            Diagnostic(f"expected {' and '.join(missing)} (a string), got {got}", location=where))
        return
    metadata: dict[str, Any] = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
    name: str = metadata["name"] if isinstance(metadata.get("name"), str) else "<unnamed>"
    if kind not in KINDS:
        inputs.skipped.append((where, f"{kind} {name}", "not a kind albctl reads"))
        return
    schema = SCHEMAS.get((api_version, kind))
    namespaced = kind not in ("IngressClass", "IngressClassParams")
    namespace = (metadata.get("namespace") or "default") if namespaced else ""
    meta = ObjectMeta(
        kind=kind,
        api_version=api_version,
        name=name,
        namespace=namespace if isinstance(namespace, str) else "default",
        location=where,
        annotations=_annotations(metadata.get("annotations")) if kind != "Secret" else {},
        uid=str(metadata.get("uid") or ""),
        raw=data,
    )
    if schema is None:
        known = sorted(v for (v, k) in SCHEMAS if k == kind)
        inputs.diagnostics.append(meta.diagnostic(
            f"expected apiVersion {' or '.join(known)}, got {api_version!r}", "apiVersion"))
        return
    problems = _unique([_schema_diagnostic(meta, err) for err in validator(schema).iter_errors(data)])
    if problems:
        if kind == "Ingress":  # they count only if the Ingress is for albctl's class (see groups.select)
            spec: dict[str, Any] = data["spec"] if isinstance(data.get("spec"), dict) else {}
            inputs.unclaimed_problems.append((meta, spec.get("ingressClassName"), problems))
        inputs.diagnostics.extend(problems)
        inputs.invalid.add((kind, meta.namespace, meta.name))
        return
    if kind in ("Ingress", "Service"):
        parsed, ann_problems = _parse_alb_annotations(meta)
        inputs.diagnostics.extend(ann_problems)
        if any(p.severity == "error" for p in ann_problems):
            inputs.invalid.add((kind, meta.namespace, meta.name))
            return
    else:
        parsed = {}
    _store(_build(meta, data, parsed), inputs)


def service_from_cluster(data: dict[str, Any], where: Location) -> tuple[Service | None, list[Diagnostic]]:
    """A Service as the API server returned it (``kubectl get service -o json``). It needs no schema
    check (the API server validated it; its status and defaulted fields are not in albctl's schema),
    but its alb annotations are parsed like a manifest's."""
    metadata: dict[str, Any] = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
    meta = ObjectMeta(kind="Service", api_version=str(data.get("apiVersion") or "v1"),
                      name=str(metadata.get("name") or "<unnamed>"), namespace=str(metadata.get("namespace") or
                                                                                 "default"),
                      location=where, annotations=_annotations(metadata.get("annotations")),
                      uid=str(metadata.get("uid") or ""), raw=data)
    parsed, problems = _parse_alb_annotations(meta)
    if any(p.severity == "error" for p in problems):
        return None, problems
    service: Service = _build(meta, data, parsed)
    return service, problems


def _annotations(raw: Any) -> dict[str, Any]:
    """Annotations with string keys: like kubectl, a YAML key such as ``5`` or ``true`` becomes ``"5"``."""
    if not isinstance(raw, dict):
        return {}
    return {key if isinstance(key, str) else json.dumps(key, default=str): value for key, value in raw.items()}


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Drop repeats (a field checked by two sub-schemas gives the same problem twice)."""
    return list(dict.fromkeys(diagnostics))


def _type_name(value: Any) -> str:
    return "nothing" if value is None else ann.type_name(value)


def _schema_diagnostic(meta: ObjectMeta, err: Any) -> Diagnostic:
    path = list(err.absolute_path)
    hide = meta.kind == "Secret" and len(path) > 1 and path[0] in ("data", "stringData")  # never echo secrets
    if err.validator == "required":
        # point at the object missing the field, but name the field
        missing = err.message.split("'")[1] if "'" in err.message else ""
        field_path = render_path([*path, missing]) if missing else render_path(path)
        return Diagnostic(f"field is required (expected {missing!r} here)" if missing else err.message,
                          location=meta.location_of(*path), obj=meta.ref, field=field_path)
    if err.validator == "additionalProperties":
        extras = sorted(set(err.instance) - set(err.schema.get("properties", {})), key=str)
        extra = extras[0] if extras else ""
        allowed = ", ".join(sorted(err.schema.get("properties", {})))
        return Diagnostic(
            f"unknown field {extra!r} (expected one of: {allowed}); is it indented at the right level?",
            location=meta.location_of(*path, extra), obj=meta.ref, field=render_path([*path, extra]))
    return Diagnostic(ann.describe_schema_error(err, hide_value=hide), location=meta.location_of(*path), obj=meta.ref,
                      field=render_path(path))


def _parse_alb_annotations(meta: ObjectMeta) -> tuple[dict[str, Any], list[Diagnostic]]:
    parsed: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for key, raw in meta.annotations.items():
        if not key.startswith(ALB_PREFIX):
            continue
        suffix = key[len(ALB_PREFIX):]
        field = f"metadata.annotations[{key}]"
        where = ("metadata", "annotations", key)
        reason = ann.unsupported_reason(suffix)
        if reason:
            problems.append(meta.diagnostic(f"not supported yet: {reason}", *where, field_name=field))
            continue
        spec = ann.lookup(suffix)
        if spec is None:
            hint = ann.suggest(suffix, raw if isinstance(raw, str) else None)
            tail = f"; did you mean {ALB_PREFIX}{hint}?" if hint else ""
            problems.append(meta.diagnostic(f"unknown annotation, ignored{tail}", *where, field_name=field,
                                            severity="warning"))
            continue
        if meta.kind not in spec.locations:
            problems.append(meta.diagnostic(
                f"this annotation is read from {' or '.join(spec.locations)} objects, not {meta.kind}; ignored",
                *where, field_name=field, severity="warning"))
            continue
        try:
            value = ann.parse_raw(spec.type, raw)
        except ann.AnnotationValueError as exc:
            example = f"; e.g. {spec.default}" if spec.type == "json" and spec.default else ""
            problems.append(meta.diagnostic(f"{exc}{example}", *where, field_name=field))
            continue
        errors = ann.schema_errors(spec, value)
        for inner, message in errors:
            suffix_path = inner if inner.startswith("[") or not inner else f".{inner}"
            problems.append(meta.diagnostic(message, *where, field_name=field + suffix_path))
        if not errors:
            parsed[suffix] = ann.normalize(spec, value)
    return parsed, problems


def _backend(raw: dict[str, Any], path: tuple[str | int, ...]) -> ServiceBackend:
    if "serviceName" in raw:  # extensions/v1beta1 and networking.k8s.io/v1beta1
        port = raw.get("servicePort")
        number = port if isinstance(port, int) else None
        name = None if isinstance(port, int) else str(port)
        if isinstance(port, str) and port.isdigit():
            number, name = int(port), None
        return ServiceBackend(str(raw["serviceName"]), number, name, path)
    service = raw.get("service") or {}
    port = service.get("port") or {}
    return ServiceBackend(str(service.get("name", "")), port.get("number"), port.get("name"), path)


def _build(meta: ObjectMeta, data: dict[str, Any], parsed: dict[str, Any]) -> Any:
    spec = data.get("spec") or {}
    if meta.kind == "Ingress":
        rules = []
        for ri, rule in enumerate(spec.get("rules") or []):
            http = rule.get("http")
            paths = []
            for pi, p in enumerate((http or {}).get("paths") or []):
                backend = _backend(p.get("backend") or {}, ("spec", "rules", ri, "http", "paths", pi, "backend"))
                paths.append(HTTPPath(p.get("path") or "", p.get("pathType"), backend))
            rules.append(IngressRule(rule.get("host") or "", tuple(paths), http is not None))
        default = spec.get("defaultBackend") or spec.get("backend")
        default_key = "defaultBackend" if "defaultBackend" in spec else "backend"
        return Ingress(
            meta=meta,
            ingress_class_name=spec.get("ingressClassName"),
            default_backend=_backend(default, ("spec", default_key)) if default else None,
            rules=tuple(rules),
            tls=tuple(IngressTLS(tuple(t.get("hosts") or ()), t.get("secretName") or "")
                      for t in spec.get("tls") or []),
            alb=parsed,
        )
    if meta.kind == "Service":
        ports = tuple(
            ServicePort(
                port=int(p["port"]),
                name=p.get("name") or "",
                protocol=p.get("protocol") or "TCP",
                target_port=p.get("targetPort", p["port"]),
                node_port=p.get("nodePort"),
            )
            for p in spec.get("ports") or []
        )
        return Service(meta, spec.get("type") or "ClusterIP", ports, tuple(spec.get("ipFamilies") or ()), parsed)
    if meta.kind == "IngressClass":
        annotations = meta.annotations
        return IngressClass(meta, spec.get("controller") or "", spec.get("parameters"),
                            annotations.get("ingressclass.kubernetes.io/is-default-class") == "true")
    if meta.kind == "IngressClassParams":
        return IngressClassParams(meta, dict(spec))
    return Secret(meta, dict(data.get("data") or {}), dict(data.get("stringData") or {}))


def _store(obj: Any, inputs: Inputs) -> None:
    meta: ObjectMeta = obj.meta
    if isinstance(obj, Ingress):
        registry: Any = inputs.ingress_index
        key: Any = (meta.namespace, meta.name)
    elif isinstance(obj, Service):
        registry, key = inputs.services, (meta.namespace, meta.name)
    elif isinstance(obj, IngressClass):
        registry, key = inputs.ingress_classes, meta.name
    elif isinstance(obj, IngressClassParams):
        registry, key = inputs.ingress_class_params, meta.name
    else:
        registry, key = inputs.secrets, (meta.namespace, meta.name)
    if key in registry:
        if registry[key].meta.raw == meta.raw:
            return  # the same object twice (e.g. one IngressClass per sample directory): harmless
        first = registry[key].meta.location
        inputs.diagnostics.append(Diagnostic(f"duplicate object: {meta.ref} is also defined at {first}",
                                             location=meta.location, obj=meta.ref))
        return
    registry[key] = obj
    if isinstance(obj, Ingress):
        inputs.ingresses.append(obj)
