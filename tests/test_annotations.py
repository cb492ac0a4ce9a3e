"""alb.ingress.kubernetes.io/* annotations: albctl.manifests.annotations."""

from __future__ import annotations

import pytest

from albctl.manifests import annotations as ann
from albctl.manifests.annotations import AnnotationValueError, lookup, parse_raw, schema_errors, suggest


def errors(suffix: str, raw: str) -> list[tuple[str, str]]:
    spec = lookup(suffix)
    assert spec is not None
    return schema_errors(spec, parse_raw(spec.type, raw))


# --- parse_raw ------------------------------------------------------------------------------


def test_string_is_kept_verbatim() -> None:
    assert parse_raw("string", "  a b  ") == "  a b  "


@pytest.mark.parametrize("raw", ["1", "t", "T", "TRUE", "true", "True"])
def test_boolean_true_spellings_of_go_parsebool(raw: str) -> None:
    assert parse_raw("boolean", raw) is True


@pytest.mark.parametrize("raw", ["0", "f", "F", "FALSE", "false", "False"])
def test_boolean_false_spellings_of_go_parsebool(raw: str) -> None:
    assert parse_raw("boolean", raw) is False


@pytest.mark.parametrize("raw", ["yes", "no", "on", "tRUE", " true", "true ", "", "2"])
def test_boolean_rejects_other_spellings(raw: str) -> None:
    with pytest.raises(AnnotationValueError, match="expected a boolean"):
        parse_raw("boolean", raw)


@pytest.mark.parametrize(("raw", "value"), [("0", 0), ("443", 443), ("+5", 5), ("-5", -5),
                                             ("2147483647", 2**31 - 1), ("-2147483648", -(2**31))])
def test_integer(raw: str, value: int) -> None:
    assert parse_raw("integer", raw) == value


@pytest.mark.parametrize("raw", ["2147483648", "-2147483649", "99999999999999999999"])
def test_integer_outside_int32_is_refused(raw: str) -> None:
    with pytest.raises(AnnotationValueError, match=r"from -2147483648 to 2147483647 \(int32\)"):
        parse_raw("integer", raw)


@pytest.mark.parametrize("raw", ["", " 5", "5 ", "5\n", "1.5", "0x10", "1_000", "+", "٣", "²", "five"])
def test_integer_rejects_what_go_parseint_rejects(raw: str) -> None:
    with pytest.raises(AnnotationValueError, match="expected an integer"):
        parse_raw("integer", raw)


@pytest.mark.parametrize(("raw", "value"), [("a,b", ["a", "b"]), (" a , b ", ["a", "b"]), ("a,,b,", ["a", "b"]),
                                             ("", []), (" , ", []), ("single", ["single"])])
def test_string_list_trims_and_drops_empty_items(raw: str, value: list[str]) -> None:
    assert parse_raw("stringList", raw) == value


@pytest.mark.parametrize(("raw", "value"), [
    ("a=b,c=d", {"a": "b", "c": "d"}),
    (" a = b , c = d ", {"a": "b", "c": "d"}),
    ("k=v=w", {"k": "v=w"}),
    ("k=", {"k": ""}),
    ("", {}),
    ("a=b,", {"a": "b"}),  # a trailing comma is not part of the value
    ("a=b, ,c=d", {"a": "b", "c": "d"}),  # empty parts are dropped, as by the controller
    (r"Team=a\,b,Env=dev", {"Team": "a,b", "Env": "dev"}),  # \, is a comma inside a value
    (r"path=C:\\dir", {"path": "C:\\dir"}),
    ("a=1,a=2", {"a": "2"}),
])
def test_string_map(raw: str, value: dict[str, str]) -> None:
    assert parse_raw("stringMap", raw) == value


@pytest.mark.parametrize(("raw", "bad"), [("a=b,c", "'c'"), ("a=b,c,d=e", "'c'"), ("=b", "'=b'"),
                                          ("novalue", "'novalue'")])
def test_string_map_part_without_key_value(raw: str, bad: str) -> None:
    with pytest.raises(AnnotationValueError, match=f"expected key=value pairs separated by commas.*{bad} is not"):
        parse_raw("stringMap", raw)


def test_json() -> None:
    assert parse_raw("json", '[{"HTTP": 80}]') == [{"HTTP": 80}]
    assert parse_raw("json", "null") is None


@pytest.mark.parametrize("raw", ["HTTP:80", "[{'HTTP': 80}]", "", "[1,", "{a: 1}"])
def test_json_errors(raw: str) -> None:
    with pytest.raises(AnnotationValueError, match=r"^expected JSON, got .+ \(.+\)$"):
        parse_raw("json", raw)


def test_json_keys_are_matched_case_insensitively_like_go() -> None:
    value = parse_raw("json", '{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "StatusCode": "HTTP_301"}}')
    spec = lookup("actions.redirect")
    assert spec is not None
    assert schema_errors(spec, value) == []


# --- registry -------------------------------------------------------------------------------


def test_lookup_plain_key() -> None:
    spec = lookup("scheme")
    assert spec is not None
    assert (spec.suffix, spec.type, spec.default, spec.locations) == ("scheme", "string", "internal", ("Ingress",))
    assert spec.pointer == "/annotations/scheme"


def test_lookup_typed_keys() -> None:
    assert lookup("healthcheck-interval-seconds").type == "integer"  # type: ignore[union-attr]
    assert lookup("subnets").type == "stringList"  # type: ignore[union-attr]
    assert lookup("tags").type == "stringMap"  # type: ignore[union-attr]
    assert lookup("listen-ports").type == "json"  # type: ignore[union-attr]
    assert set(lookup("tags").locations) == {"Ingress", "Service"}  # type: ignore[union-attr]


@pytest.mark.parametrize(("suffix", "family"), [("actions.foo", "actions."), ("conditions.foo", "conditions."),
                                                ("actions.a.b", "actions.")])
def test_lookup_wildcards(suffix: str, family: str) -> None:
    spec = lookup(suffix)
    assert spec is not None
    assert spec.suffix == family
    assert spec.type == "json"
    assert spec.pointer == f"/wildcards/{family}"


@pytest.mark.parametrize("suffix", ["actions.", "conditions.", "nope", "", "Scheme"])
def test_lookup_unknown(suffix: str) -> None:
    assert lookup(suffix) is None


def test_unsupported_reasons() -> None:
    assert "frontend NLB" in (ann.unsupported_reason("frontend-nlb-scheme") or "")
    assert "frontend NLB" in (ann.unsupported_reason("enable-frontend-nlb") or "")
    assert ann.unsupported_reason("scheme") is None
    assert ann.unsupported_reason("frontend-nlb") is None


def test_suggestions() -> None:
    assert suggest("schema") == "scheme"
    assert suggest("subnet") == "subnets"
    assert suggest("healthcheck-interval") == "healthcheck-interval-seconds"
    assert suggest("zzzzzzzzzz") is None


# --- schema errors ----------------------------------------------------------------------------


def test_valid_values_have_no_errors() -> None:
    assert errors("scheme", "internet-facing") == []
    assert errors("subnets", "subnet-05e1c98ed0f5b109e, subnet-07f5bb81, my-subnet-name") == []
    assert errors("listen-ports", '[{"HTTP": 80}, {"HTTPS": 443}]') == []
    assert errors("healthcheck-interval-seconds", "5") == []
    assert errors("tags", "Environment=dev,Team=test") == []


def test_scheme_public() -> None:
    assert errors("scheme", "public") == [("", "expected one of \"internal\", \"internet-facing\", got 'public'")]


def test_subnets_with_stray_text() -> None:
    (where, message), = errors("subnets", "subnet-05e1c98ed0f5b109e,subnet-07f5bb81f661df61b 두 개 이상")
    assert where == "[1]"
    assert "got 'subnet-07f5bb81f661df61b 두 개 이상'" in message
    assert message.startswith("expected ")


def test_listen_ports_port_zero() -> None:
    (where, message), = errors("listen-ports", '[{"HTTP": 0}]')
    assert where == "[0].HTTP"
    assert message == "expected a number >= 1, got 0"


def test_listen_ports_unknown_protocol() -> None:
    assert errors("listen-ports", '[{"TCP": 80}]')


def test_healthcheck_interval_too_small() -> None:
    assert errors("healthcheck-interval-seconds", "1") == [("", "expected a number >= 5, got 1")]


def test_long_values_are_shortened_in_messages() -> None:
    (_, message), = errors("scheme", "x" * 500)
    assert len(message) < 200 and message.endswith("...")


@pytest.mark.parametrize(("suffix", "value", "want"), [
    ("attributes", "access_logs.s3.enabled=true,access_logs.s3.bucket=logs", "load-balancer-attributes"),
    ("attributes", "deregistration_delay.timeout_seconds=30", "target-group-attributes"),
    ("lb-attributes", "idle_timeout.timeout_seconds=600", "load-balancer-attributes"),
    ("target-group-attribute", "stickiness.enabled=true", "target-group-attributes"),
])
def test_unknown_attributes_annotation_hint_looks_at_the_value(suffix, value, want):
    """Issue 8: 'attributes' holding access_logs.* keys means load-balancer-attributes."""
    from albctl.manifests.annotations import suggest

    assert suggest(suffix, value) == want
