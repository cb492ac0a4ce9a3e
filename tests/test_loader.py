"""Reading manifests: albctl.manifests.loader."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from albctl.manifests.loader import collect_files, load, load_text
from albctl.manifests.objects import Inputs

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# file:line:col: Kind ns/name: field: message   (Kind/field parts only when known)
DIAGNOSTIC = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?:(?P<obj>[A-Za-z]+ [^:]+): )?"
                        r"(?:(?P<field>[^ :][^:]*): )?(?P<message>.+)$")

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: svc
  namespace: ns
spec:
  type: NodePort
  ports:
    - name: http
      port: 80
      targetPort: web
      nodePort: 30080
    - port: 8443
"""

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: ns
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing
spec:
  ingressClassName: alb
  rules:
    - host: a.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: svc
                port:
                  number: 80
"""


def load_str(text: str, file: str = "m.yaml") -> Inputs:
    inputs = Inputs()
    load_text(textwrap.dedent(text), file, inputs)
    return inputs


def messages(inputs: Inputs) -> list[str]:
    return [str(d) for d in inputs.diagnostics]


def only_error(inputs: Inputs) -> str:
    errors = [str(d) for d in inputs.errors]
    assert len(errors) == 1, errors
    return errors[0]


# --- files, directories, stdin -------------------------------------------------------------


def test_load_a_file(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(SERVICE + "---\n" + INGRESS)
    inputs = load([str(tmp_path / "app.yaml")])
    assert inputs.diagnostics == []
    assert list(inputs.services) == [("ns", "svc")]
    assert [i.name for i in inputs.ingresses] == ["web"]
    assert inputs.ingresses[0].meta.location.line == 15  # the Ingress document starts on line 15
    assert inputs.files == [str(tmp_path / "app.yaml")]


def test_directory_is_read_recursively_and_only_manifest_suffixes(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SERVICE)
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "deeper" / "b.yml").write_text(INGRESS)
    (tmp_path / "sub" / "c.json").write_text(
        '{"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "alb"},'
        ' "spec": {"controller": "ingress.k8s.aws/alb"}}')
    (tmp_path / "README.md").write_text("not: [yaml")
    (tmp_path / "values.yaml.bak").write_text("not: [yaml")
    (tmp_path / "dir.yaml").mkdir()
    inputs = load([str(tmp_path)])
    assert inputs.diagnostics == []
    rel = [Path(f).relative_to(tmp_path).as_posix() for f in inputs.files]
    assert rel == ["a.yaml", "sub/c.json", "sub/deeper/b.yml"]
    assert "alb" in inputs.ingress_classes


def test_albctlignore(tmp_path: Path) -> None:
    (tmp_path / "keep.yaml").write_text(SERVICE)
    (tmp_path / "skip.yaml").write_text("broken: [")
    (tmp_path / "charts" / "x").mkdir(parents=True)
    (tmp_path / "charts" / "x" / "values.yaml").write_text("broken: [")
    (tmp_path / "tmp-1.yml").write_text("broken: [")
    (tmp_path / ".albctlignore").write_text("# comments and blank lines are fine\n\nskip.yaml\ncharts/\ntmp-*.yml\n")
    inputs = load([str(tmp_path)])
    assert inputs.diagnostics == []
    assert [Path(f).name for f in inputs.files] == ["keep.yaml"]


def test_same_file_twice_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SERVICE)
    inputs = load([str(tmp_path / "a.yaml"), str(tmp_path), str(tmp_path / "a.yaml")])
    assert len(inputs.files) == 1
    assert inputs.diagnostics == []


def test_stdin() -> None:
    inputs = load(["-"], stdin_text=SERVICE + "---\n" + INGRESS)
    assert inputs.files == ["-"]
    assert inputs.ingresses[0].meta.location.file == "-"
    assert str(inputs.ingresses[0].meta.location) == "-:15:1"


def test_stdin_error_is_located_in_dash() -> None:
    inputs = load(["-"], stdin_text="a: [\n")
    assert only_error(inputs).startswith("-:")


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.yaml")
    inputs = load([missing])
    assert messages(inputs) == [f"{missing}: no such file or directory"]


def test_undecodable_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "bin.yaml").write_bytes(b"a: \xff\xfe\n")
    assert "cannot read file" in only_error(load([str(tmp_path / "bin.yaml")]))


def test_collect_files_keeps_dash_and_order(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("")
    (tmp_path / "a.yaml").write_text("")
    files, problems = collect_files(["-", str(tmp_path)])
    assert problems == []
    assert files == ["-", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]


# --- stream shapes --------------------------------------------------------------------------


def test_kind_list_items_are_loaded_with_their_own_positions() -> None:
    items = textwrap.indent(SERVICE, "    ").replace("    apiVersion", "  - apiVersion", 1)
    inputs = load_str("apiVersion: v1\nkind: List\nitems:\n" + items)
    assert list(inputs.services) == [("ns", "svc")]
    assert inputs.services[("ns", "svc")].meta.location.line == 4


def test_kind_list_with_non_list_items_is_an_error() -> None:
    assert only_error(load_str("apiVersion: v1\nkind: List\nitems: 5\n")) == (
        "m.yaml:3:1: List: items: expected a list of objects, got integer")


def test_helm_rendered_stream() -> None:
    text = ("---\n# Source: chart/templates/service.yaml\n" + SERVICE
            + "---\n# Source: chart/templates/empty.yaml\n"
            + "---\n# Source: chart/templates/ingress.yaml\n" + INGRESS)
    inputs = load_str(text)
    assert inputs.diagnostics == []
    assert [i.name for i in inputs.ingresses] == ["web"]
    assert inputs.services[("ns", "svc")].meta.location.line == 3


def test_empty_documents_are_skipped() -> None:
    inputs = load_str("---\n---\n# nothing\n---\n" + SERVICE)
    assert inputs.diagnostics == []
    assert inputs.skipped == []


def test_non_mapping_document_is_an_error() -> None:
    assert only_error(load_str(SERVICE + "---\n- a\n- b\n")).startswith("m.yaml:15:1: expected a Kubernetes object")
    err = only_error(load_str("just a string\n"))
    assert err.startswith("m.yaml:1:1: expected a Kubernetes object") and "'just a string'" in err


def test_missing_kind_is_an_error() -> None:
    assert only_error(load_str("apiVersion: v1\nmetadata: {name: x}\n")) == (
        "m.yaml:1:1: expected kind (a string), got nothing")


def test_syntax_error_location_in_stream() -> None:
    assert only_error(load_str(SERVICE + "---\na: [\n")).startswith("m.yaml:")


# --- kinds ------------------------------------------------------------------------------------


def test_service_ports() -> None:
    service = load_str(SERVICE).services[("ns", "svc")]
    http, tls = service.ports
    assert (http.name, http.port, http.target_port, http.node_port, http.protocol) == ("http", 80, "web", 30080, "TCP")
    assert (tls.name, tls.port, tls.target_port, tls.node_port) == ("", 8443, 8443, None)
    assert service.find_port("http") is http
    assert service.find_port(8443) is tls
    assert service.find_port("nope") is None
    assert service.type == "NodePort"


def test_ingress_v1() -> None:
    ing = load_str(INGRESS).ingresses[0]
    assert ing.ingress_class_name == "alb"
    assert ing.alb == {"scheme": "internet-facing"}
    (rule,) = ing.rules
    assert rule.host == "a.example.com"
    (path,) = rule.paths
    assert (path.path, path.path_type) == ("/", "Prefix")
    assert (path.backend.service_name, path.backend.port) == ("svc", 80)
    assert ing.meta.location_of(*path.backend.path).line == 16


@pytest.mark.parametrize("api_version", ["extensions/v1beta1", "networking.k8s.io/v1beta1"])
def test_legacy_ingress_is_converted_to_v1_form(api_version: str) -> None:
    inputs = load_str(f"""\
        apiVersion: {api_version}
        kind: Ingress
        metadata:
          name: legacy
          namespace: ns
          annotations:
            kubernetes.io/ingress.class: alb
        spec:
          backend:
            serviceName: default-svc
            servicePort: http
          rules:
            - http:
                paths:
                  - path: /a
                    backend:
                      serviceName: svc
                      servicePort: 80
                  - path: /b
                    backend:
                      serviceName: svc
                      servicePort: web
        """)
    assert inputs.diagnostics == []
    ing = inputs.ingresses[0]
    assert ing.default_backend is not None
    assert (ing.default_backend.service_name, ing.default_backend.port_number, ing.default_backend.port_name) == (
        "default-svc", None, "http")
    assert ing.default_backend.path == ("spec", "backend")
    a, b = ing.rules[0].paths
    assert (a.backend.service_name, a.backend.port_number, a.backend.port_name) == ("svc", 80, None)
    assert (b.backend.port_number, b.backend.port_name) == (None, "web")
    assert a.path_type is None  # legacy Ingresses may omit pathType
    assert ing.meta.api_version == api_version


def test_sample_legacy_directory_loads() -> None:
    inputs = load([str(SAMPLES / "legacy")])
    assert inputs.errors == []
    assert inputs.ingresses[0].rules[0].paths[0].backend.port == 80


def test_ingress_class_default_annotation_and_params() -> None:
    inputs = load_str("""\
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata:
          name: alb
          annotations:
            ingressclass.kubernetes.io/is-default-class: "true"
        spec:
          controller: ingress.k8s.aws/alb
          parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: params}
        ---
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: {name: other}
        spec: {controller: k8s.io/ingress-nginx}
        ---
        apiVersion: elbv2.k8s.aws/v1beta1
        kind: IngressClassParams
        metadata: {name: params}
        spec:
          scheme: internet-facing
        """)
    assert inputs.diagnostics == []
    alb, other = inputs.ingress_classes["alb"], inputs.ingress_classes["other"]
    assert alb.is_default and not other.is_default
    assert alb.controller == "ingress.k8s.aws/alb"
    assert alb.parameters == {"apiGroup": "elbv2.k8s.aws", "kind": "IngressClassParams", "name": "params"}
    assert alb.meta.namespace == "" and alb.meta.ref == "IngressClass alb"
    assert inputs.ingress_class_params["params"].spec == {"scheme": "internet-facing"}


def test_is_default_class_must_be_a_string() -> None:
    err = only_error(load_str("""\
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata:
          name: alb
          annotations:
            ingressclass.kubernetes.io/is-default-class: true
        spec: {controller: ingress.k8s.aws/alb}
        """))
    assert err.startswith("m.yaml:6:5: IngressClass alb: metadata.annotations[ingressclass.kubernetes.io/"
                          "is-default-class]: expected a string, got boolean")


SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: oidc
  namespace: ns
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data": {"clientSecret": "czNjcjN0LXZhbHVl"}}'
data:
  clientID: bXktY2xpZW50
  clientSecret: czNjcjN0LXZhbHVl
stringData:
  other: plain-s3cr3t
"""


def test_secret_values_never_appear_in_repr() -> None:
    inputs = load_str(SECRET)
    secret = inputs.secrets[("ns", "oidc")]
    assert secret.data["clientSecret"] == "czNjcjN0LXZhbHVl"
    assert secret.string_data == {"other": "plain-s3cr3t"}
    for text in (repr(secret), repr(inputs), str(secret)):
        assert "czNjcjN0LXZhbHVl" not in text
        assert "plain-s3cr3t" not in text
        assert "bXktY2xpZW50" not in text


def test_secret_values_never_appear_in_errors() -> None:
    inputs = load_str("""\
        apiVersion: v1
        kind: Secret
        metadata: {name: oidc}
        data:
          clientSecret: "not base64 s3cr3t!"
          number: 12345
        stringData:
          other: 67890
        """)
    text = "\n".join(messages(inputs))
    assert len(inputs.errors) == 3
    for value in ("s3cr3t", "12345", "67890"):
        assert value not in text
    assert "data.clientSecret: expected Base64-encoded value, got <hidden>" in text


def test_skipped_kinds_are_listed() -> None:
    inputs = load_str("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cfg}
        """)
    assert inputs.diagnostics == []
    assert [(str(where), what) for where, what, _ in inputs.skipped] == [
        ("m.yaml:1:1", "Deployment web"), ("m.yaml:5:1", "ConfigMap cfg")]


def test_unknown_api_version_for_a_known_kind_is_an_error() -> None:
    err = only_error(load_str(INGRESS.replace("networking.k8s.io/v1", "networking.k8s.io/v2")))
    assert err.startswith("m.yaml:1:1: Ingress ns/web: apiVersion: expected apiVersion ")
    assert "got 'networking.k8s.io/v2'" in err


# --- duplicates -------------------------------------------------------------------------------


def test_identical_duplicate_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SERVICE)
    (tmp_path / "b.yaml").write_text("# the same Service again\n" + SERVICE)
    inputs = load([str(tmp_path)])
    assert inputs.diagnostics == []
    assert inputs.services[("ns", "svc")].meta.location.file.endswith("a.yaml")


def test_different_duplicate_names_both_locations(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SERVICE)
    (tmp_path / "b.yaml").write_text("# changed\n" + SERVICE.replace("port: 8443", "port: 9443"))
    err = only_error(load([str(tmp_path)]))
    assert err == (f"{tmp_path / 'b.yaml'}:2:1: Service ns/svc: duplicate object: Service ns/svc is also defined "
                   f"at {tmp_path / 'a.yaml'}:1:1")


def test_same_name_in_other_namespace_is_not_a_duplicate() -> None:
    inputs = load_str(SERVICE + "---\n" + SERVICE.replace("namespace: ns", "namespace: other"))
    assert inputs.diagnostics == []
    assert len(inputs.services) == 2


# --- field and annotation errors -----------------------------------------------------------


def test_annotation_value_that_is_not_a_string() -> None:
    text = INGRESS.replace("alb.ingress.kubernetes.io/scheme: internet-facing",
                           "alb.ingress.kubernetes.io/ssl-redirect: 443")
    err = only_error(load_str(text))
    assert err == ("m.yaml:7:5: Ingress ns/web: metadata.annotations[alb.ingress.kubernetes.io/ssl-redirect]: "
                   "expected a string, got integer 443")


def test_annotation_keys_that_are_not_strings_become_strings() -> None:
    inputs = load_str(INGRESS.replace("    alb.ingress.kubernetes.io/scheme: internet-facing",
                                      "    alb.ingress.kubernetes.io/scheme: internet-facing\n    5: five"))
    assert inputs.errors == []
    assert inputs.ingresses[0].annotations["5"] == "five"


def test_mis_nested_paths_names_the_unknown_field() -> None:
    text = INGRESS.replace("      http:\n        paths:", "      paths:")
    err = only_error(load_str(text))
    assert err.startswith("m.yaml:12:7: Ingress ns/web: spec.rules[0].paths: unknown field 'paths' ")
    assert "expected one of: host, http" in err


def test_missing_required_field() -> None:
    text = INGRESS.replace("            pathType: Prefix\n", "")
    err = only_error(load_str(text))
    assert "spec.rules[0].http.paths[0].pathType: field is required" in err


def test_bad_annotation_value_is_an_error_and_the_object_is_not_loaded() -> None:
    inputs = load_str(INGRESS.replace("internet-facing", "public"))
    assert inputs.ingresses == []
    assert ("Ingress", "ns", "web") in inputs.invalid
    assert only_error(inputs) == (
        'm.yaml:7:5: Ingress ns/web: metadata.annotations[alb.ingress.kubernetes.io/scheme]: expected one of '
        '"internal", "internet-facing", got \'public\'')


def test_listen_ports_that_is_not_json_gives_an_example() -> None:
    inputs = load_str(INGRESS.replace("alb.ingress.kubernetes.io/scheme: internet-facing",
                                      "alb.ingress.kubernetes.io/listen-ports: HTTP:80"))
    assert only_error(inputs).endswith("expected JSON, got 'HTTP:80' (Expecting value); e.g. [{\"HTTP\": 80}]")


def test_unknown_annotation_is_a_warning_with_a_suggestion() -> None:
    inputs = load_str(INGRESS.replace("/scheme:", "/schema:"))
    assert inputs.errors == []
    (warning,) = inputs.warnings
    assert str(warning) == ("m.yaml:7:5: Ingress ns/web: metadata.annotations[alb.ingress.kubernetes.io/schema]: "
                            "warning: unknown annotation, ignored; did you mean alb.ingress.kubernetes.io/scheme?")
    assert len(inputs.ingresses) == 1


def test_unsupported_annotation_is_an_error() -> None:
    inputs = load_str(INGRESS.replace("/scheme: internet-facing", "/enable-frontend-nlb: 'true'"))
    assert "not supported yet: frontend NLB" in only_error(inputs)


def test_annotation_on_the_wrong_kind_is_a_warning() -> None:
    text = SERVICE.replace("  namespace: ns\n", "  namespace: ns\n  annotations:\n"
                                                "    alb.ingress.kubernetes.io/scheme: internal\n")
    inputs = load_str(text)
    assert inputs.errors == []
    assert "read from Ingress objects, not Service" in str(inputs.warnings[0])


def test_same_schema_problem_is_reported_once() -> None:
    inputs = load_str("apiVersion: v1\nkind: Service\nmetadata:\n  name: 5\nspec:\n  ports: [{port: 80}]\n")
    assert messages(inputs) == [
        "m.yaml:4:3: Service default/<unnamed>: metadata.name: expected a string, got integer 5"]


def test_null_metadata_message() -> None:
    inputs = load_str("apiVersion: v1\nkind: Service\nmetadata:\nspec: {ports: [{port: 80}]}\n")
    assert "metadata: expected a mapping, got null" in messages(inputs)[0]
    assert "null null" not in messages(inputs)[0]


BAD_DOCS = {
    "scheme": INGRESS.replace("internet-facing", "public"),
    "ssl-redirect int": INGRESS.replace("scheme: internet-facing", "ssl-redirect: 443"),
    "mis-nested": INGRESS.replace("      http:\n        paths:", "      paths:"),
    "apiVersion": INGRESS.replace("networking.k8s.io/v1", "networking.k8s.io/v2"),
    "service port": SERVICE.replace("port: 8443", "port: 0"),
    "duplicate": SERVICE + "---\n" + SERVICE.replace("8443", "9443"),
    "host": INGRESS.replace("a.example.com", "A_B"),
}


@pytest.mark.parametrize("text", BAD_DOCS.values(), ids=BAD_DOCS.keys())
def test_every_object_error_has_the_documented_form(text: str) -> None:
    inputs = load_str(text)
    assert inputs.errors
    for diag in inputs.errors:
        match = DIAGNOSTIC.match(str(diag))
        assert match, str(diag)
        assert match["file"] == "m.yaml" and int(match["line"]) >= 1 and int(match["col"]) >= 1
        assert match["obj"], str(diag)
        assert diag.obj and diag.location
