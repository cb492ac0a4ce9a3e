"""Property tests: no input, however odd, makes the loader or the offline pipeline crash.

The loader only adds diagnostics; the pipeline raises nothing but :class:`AlbctlError` subclasses.
Plain regression tests for crashes these properties found are at the end of the file.
"""

from __future__ import annotations

import contextlib
import json
import os
import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from albctl import pipeline
from albctl.errors import AlbctlError
from albctl.manifests.annotations import _registry
from albctl.manifests.loader import load_text
from albctl.manifests.objects import ALB_PREFIX, Inputs
from albctl.settings import Settings

SETTINGS = Settings(cluster_name="prop")
# ALBCTL_PROPERTY_EXAMPLES=5000 for a deeper search than the default run (60, to keep the suite fast)
PROFILE = settings(max_examples=int(os.environ.get("ALBCTL_PROPERTY_EXAMPLES", "60")), deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])

KNOWN_SUFFIXES = (sorted(_registry()["annotations"]) + [w + "x" for w in _registry()["wildcards"]]
                  + sorted(_registry()["unsupported"]))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["", "/", "svc", "http", "80", "Prefix", "Exact", "ImplementationSpecific", "use-annotation",
                     "alb", "true", "internet-facing", "a.example.com", "*.example.com"]),
)
keys = st.one_of(
    st.text(alphabet=string.ascii_letters + "-_./", min_size=1, max_size=12),
    st.sampled_from(["host", "http", "paths", "path", "pathType", "backend", "service", "name", "port", "number",
                     "serviceName", "servicePort", "defaultBackend", "rules", "tls", "hosts", "secretName",
                     "ingressClassName", "resource"]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=20,
)


def _backend() -> st.SearchStrategy:
    port = st.one_of(st.fixed_dictionaries({"number": st.integers(-5, 70000)}),
                     st.fixed_dictionaries({"name": st.sampled_from(["http", "use-annotation", "x", ""])}), values)
    v1 = st.fixed_dictionaries({"service": st.fixed_dictionaries({"name": st.sampled_from(["svc", "other", ""]),
                                                                   "port": port})})
    legacy = st.fixed_dictionaries({"serviceName": st.sampled_from(["svc", "other"]),
                                    "servicePort": st.one_of(st.integers(0, 70000), st.sampled_from(["http", "80"]))})
    return st.one_of(v1, legacy, values)


paths = st.lists(st.fixed_dictionaries(
    {"backend": _backend()},
    optional={"path": st.sampled_from(["/", "/a", "/a/*", "", "x"]),
              "pathType": st.sampled_from(["Prefix", "Exact", "ImplementationSpecific", "Bogus"])}), max_size=3)
rules = st.lists(st.one_of(
    st.fixed_dictionaries({}, optional={"host": st.sampled_from(["a.example.com", "*.example.com", "BAD", ""]),
                                        "http": st.one_of(st.fixed_dictionaries({"paths": paths}), values)}),
    values), max_size=3)
specs = st.one_of(
    st.fixed_dictionaries({}, optional={"ingressClassName": st.sampled_from(["alb", "other", ""]),
                                        "rules": rules, "defaultBackend": _backend(), "backend": _backend(),
                                        "tls": values}),
    values,
)
annotation_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["true", "false", "1", "443", "internet-facing", "internal", "ip", "instance",
                     '[{"HTTP": 80}]', '[{"HTTPS": 443}]', "a=b,c=d", "subnet-0123456789abcdef0,subnet-01234567",
                     '{"type": "fixed-response", "fixedResponseConfig": {"statusCode": "404"}}',
                     '{"type": "forward", "forwardConfig": {"targetGroups": [{"serviceName": "svc", '
                     '"servicePort": 80}]}}', "[]", "{}", "null", "-1", "2147483648"]),
    values.map(lambda v: json.dumps(v)),
)
annotation_keys = st.one_of(st.sampled_from(KNOWN_SUFFIXES),
                            st.text(alphabet=string.ascii_lowercase + "-.", max_size=15))
annotations = st.dictionaries(annotation_keys.map(lambda s: ALB_PREFIX + s), annotation_values, max_size=5)


@st.composite
def ingress_docs(draw: st.DrawFn) -> dict:
    metadata = {"name": draw(st.sampled_from(["web", "api", "x" * 70, "Bad_Name"])),
                "namespace": draw(st.sampled_from(["default", "team-a"])),
                "annotations": draw(annotations)}
    if draw(st.booleans()):
        metadata["annotations"]["kubernetes.io/ingress.class"] = draw(st.sampled_from(["alb", "nginx"]))
    doc = {"apiVersion": draw(st.sampled_from(["networking.k8s.io/v1", "networking.k8s.io/v1beta1",
                                               "extensions/v1beta1", "v1"])),
           "kind": "Ingress", "metadata": metadata, "spec": draw(specs)}
    return doc


@st.composite
def service_docs(draw: st.DrawFn) -> dict:
    port = st.fixed_dictionaries({"port": st.integers(-1, 70000)},
                                 optional={"name": st.sampled_from(["http", "web", ""]),
                                           "targetPort": st.one_of(st.integers(0, 70000), st.sampled_from(["web", ""])),
                                           "nodePort": st.integers(0, 70000),
                                           "protocol": st.sampled_from(["TCP", "UDP"])})
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": draw(st.sampled_from(["svc", "other"])),
                         "namespace": draw(st.sampled_from(["default", "team-a"])),
                         "annotations": draw(annotations)},
            "spec": draw(st.one_of(st.fixed_dictionaries({"ports": st.lists(port, max_size=2)},
                                                         optional={"type": st.sampled_from(["NodePort", "ClusterIP"])}),
                                   values))}


@st.composite
def plausible_stacks(draw: st.DrawFn) -> list:
    """A valid Ingress, its Service and IngressClass, with random ALB annotations: reaches the model builder."""
    path = st.fixed_dictionaries({
        "path": st.sampled_from(["/", "/api", "/api/*", "/a/b"]),
        "pathType": st.sampled_from(["Prefix", "Exact", "ImplementationSpecific"]),
        "backend": st.one_of(
            st.just({"service": {"name": "svc", "port": {"number": 80}}}),
            st.just({"service": {"name": "svc", "port": {"name": "http"}}}),
            st.just({"service": {"name": "missing", "port": {"number": 80}}}),
            st.just({"service": {"name": "x", "port": {"name": "use-annotation"}}})),
    })
    rule = st.fixed_dictionaries({"http": st.fixed_dictionaries({"paths": st.lists(path, min_size=1, max_size=3)})},
                                 optional={"host": st.sampled_from(["a.example.com", "*.example.com"])})
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": draw(st.sampled_from(["web", "api"])), "namespace": "default",
                            "annotations": draw(st.dictionaries(st.sampled_from(KNOWN_SUFFIXES).map(
                                lambda s: ALB_PREFIX + s), annotation_values, max_size=4))},
               "spec": {"ingressClassName": "alb", "rules": draw(st.lists(rule, min_size=1, max_size=2))}}
    if draw(st.booleans()):
        ingress["spec"]["defaultBackend"] = {"service": {"name": "svc", "port": {"number": 80}}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc", "namespace": "default",
                                                                 "annotations": draw(annotations)},
               "spec": {"type": draw(st.sampled_from(["NodePort", "ClusterIP"])),
                        "ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080}]}}
    return [INGRESS_CLASS, service, ingress]


INGRESS_CLASS = {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "alb"},
                 "spec": {"controller": "ingress.k8s.aws/alb"}}
streams = st.one_of(
    st.lists(st.one_of(ingress_docs(), service_docs(), st.just(INGRESS_CLASS), values), min_size=1, max_size=4),
    plausible_stacks(),
)


def _dump(docs: list) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True)


def _load(text: str) -> Inputs:
    inputs = Inputs()
    load_text(text, "prop.yaml", inputs)
    return inputs


def _pipeline(text: str) -> pipeline.Result:
    return pipeline.build(pipeline.read(["-"], SETTINGS, stdin_text=text), SETTINGS)


@PROFILE
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    inputs = _load(text)
    for diag in inputs.diagnostics:
        assert str(diag).startswith("prop.yaml")


@PROFILE
@given(st.lists(st.sampled_from(["apiVersion: v1", "kind: Ingress", "kind: List", "items:", "- a", "  - b",
                                 "metadata:", "  name: x", "  annotations:", "    k: v", "---", "spec:", "\t",
                                 "&a", "*a", "<<: *a", "{", "}", "[", "]", ":", "!!int", "'", '"', "#", "? ",
                                 "\x00", "\udcff", "é"]), max_size=25).map("\n".join))
def test_yaml_fragments_never_raise(text: str) -> None:
    _load(text)


@PROFILE
@given(streams)
def test_ingress_shaped_documents_never_raise(docs: list) -> None:
    inputs = _load(_dump(docs))
    assert all(d.location is not None for d in inputs.diagnostics)


@PROFILE
@given(streams)
def test_pipeline_raises_only_albctl_errors(docs: list) -> None:
    result = _pipeline(_dump(docs))
    for diag in result.diagnostics:
        assert str(diag)
    with contextlib.suppress(AlbctlError):
        result.raise_for_errors()


@PROFILE
@given(st.lists(values, min_size=1, max_size=3))
def test_arbitrary_structures_through_pipeline(docs: list) -> None:
    with contextlib.suppress(AlbctlError):
        _pipeline(_dump(docs)).raise_for_errors()


# --- regressions found by the properties above (and by exploring around them) ---

REGRESSIONS = {
    "non-string annotation key": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: x\n"
                                 "  annotations:\n    5: x\n    1.5: y\nspec: {}\n",
    "List whose items is not a list": "apiVersion: v1\nkind: List\nitems: 5\n",
    "!!int on a non-number": "- !!int x\n",
    "!!float on a non-number": "- !!float x\n",
    "!!bool on a non-boolean": "- !!bool maybe\n",
    "!!int on an empty value": "!!int\n",
    "!!omap on a sequence": "!!omap [a, b]\n",
    "lone surrogate (stdin read with surrogateescape)": "a: \udcff\n",
    "recursive alias": "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: &s {ports: [{port: 80}], x: *s}\n",
    "recursive merge": "a: &a {<<: *a}\n",
    "non-string keys in a strict mapping": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\n"
                                          "spec: {1.5: a, foo: b}\n",
    "binary value in an error message": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\n"
                                        "spec: {rules: !!binary aGVsbG8=}\n",
}


@pytest.mark.parametrize("text", REGRESSIONS.values(), ids=REGRESSIONS.keys())
def test_regressions_do_not_raise(text: str) -> None:
    inputs = _load(text)
    with contextlib.suppress(AlbctlError):
        _pipeline(text).raise_for_errors()
    # every one of these is either an object we read or a located problem
    assert inputs.diagnostics or inputs.ingresses or inputs.services


def test_non_string_annotation_key_becomes_a_string_like_kubectl() -> None:
    inputs = _load(REGRESSIONS["non-string annotation key"])
    assert inputs.ingresses[0].annotations == {"5": "x", "1.5": "y"}
