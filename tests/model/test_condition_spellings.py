"""Issue 8, class 8 (security): no ``conditions.*`` value may be lost, whatever the key spelling.

The controller decodes the annotation with Go's encoding/json, which matches keys to the json tags
ignoring case. Its annotation guide writes ``sourceIpConfig`` (tag: ``sourceIPConfig``) and
``"Values"`` (tag: ``values``). A condition whose config is dropped turns "admit two networks"
into "admit everyone", so every condition type is checked in the tag's spelling and in another
spelling, from the manifest to the model, the stack JSON and the CreateRule parameters."""

from __future__ import annotations

import json

import pytest

from albctl.elbv2.actions import write_conditions as to_api_conditions
from albctl.model.rules import json_field, path_conditions
from albctl.model.serialize import to_data
from albctl.model.stack import LISTENER_RULE, RuleCondition
from albctl.views.stack_json import stack_object
from tests.model.helpers import ingress, stacks

# (condition field, {config key spelling: config}, the condition the model must hold)
CASES = [
    ("source-ip", ["sourceIPConfig", "sourceIpConfig", "SourceIpConfig"],
     {"values": ["192.168.0.0/16", "172.16.0.0/16"]},
     RuleCondition("source-ip", ("192.168.0.0/16", "172.16.0.0/16"))),
    ("http-header", ["httpHeaderConfig", "HTTPHeaderConfig", "HttpHeaderConfig"],
     {"httpHeaderName": "HeaderName", "values": ["HeaderValue1", "HeaderValue2"]},
     RuleCondition("http-header", ("HeaderValue1", "HeaderValue2"), http_header_name="HeaderName")),
    ("query-string", ["queryStringConfig", "QueryStringConfig"],
     {"values": [{"key": "paramA", "value": "valueA1"}, {"key": "paramA", "value": "valueA2"}]},
     RuleCondition("query-string", query_string=(("paramA", "valueA1"), ("paramA", "valueA2")))),
    ("http-request-method", ["httpRequestMethodConfig", "HTTPRequestMethodConfig"],
     {"Values": ["GET", "HEAD"]},  # the guide's own spelling of values
     RuleCondition("http-request-method", ("GET", "HEAD"))),
]
HOST_PATH_CASES = [
    ("host-header", ["hostHeaderConfig", "HostHeaderConfig"], {"values": ["anno.example.com"]},
     RuleCondition("host-header", ("www.example.com", "anno.example.com"))),
    ("path-pattern", ["pathPatternConfig", "PathPatternConfig"], {"values": ["/anno/path2"]},
     RuleCondition("path-pattern", ("/path", "/anno/path2"))),
]


def _guide_ingress(field: str, key: str, config: dict) -> str:
    """The annotation guide's conditions example, one rule at a time: an Exact path on
    www.example.com answered by a fixed response, plus the extra condition."""
    rules = (
        "- host: www.example.com\n"
        "  http:\n"
        "    paths:\n"
        "      - path: /path\n"
        "        pathType: Exact\n"
        "        backend: {service: {name: rule-path, port: {name: use-annotation}}}"
    )
    return ingress(name="ingress", annotations={
        "scheme": "internet-facing",
        "actions.rule-path": json.dumps({"type": "fixed-response", "fixedResponseConfig": {
            "contentType": "text/plain", "statusCode": "200", "messageBody": "matched"}}),
        "conditions.rule-path": json.dumps([{"field": field, key: config}]),
    }, rules=rules)


def _rule_conditions(doc: str) -> tuple[RuleCondition, ...]:
    (stack,) = stacks(doc)
    (rule,) = stack.of_type(LISTENER_RULE)
    return rule.spec.conditions


def _spellings(cases):
    return [pytest.param(field, key, config, want, id=f"{field}-{key}")
            for field, keys, config, want in cases for key in keys]


@pytest.mark.parametrize(("field", "key", "config", "want"), _spellings(CASES))
def test_extra_condition_keeps_its_values_in_every_spelling(field, key, config, want):
    conds = _rule_conditions(_guide_ingress(field, key, config))
    assert want in conds
    assert RuleCondition("host-header", ("www.example.com",)) in conds
    assert RuleCondition("path-pattern", ("/path",)) in conds


@pytest.mark.parametrize(("field", "key", "config", "want"), _spellings(HOST_PATH_CASES))
def test_host_and_path_conditions_merge_with_the_ingress_in_every_spelling(field, key, config, want):
    assert want in _rule_conditions(_guide_ingress(field, key, config))


@pytest.mark.parametrize(("field", "key", "config", "want"), _spellings(CASES + HOST_PATH_CASES))
def test_values_reach_stack_json_and_the_create_rule_call(field, key, config, want):
    (stack,) = stacks(_guide_ingress(field, key, config))
    doc = stack_object(stack)
    rules = doc["resources"]["AWS::ElasticLoadBalancingV2::ListenerRule"]
    (rule,) = rules.values()
    text = json.dumps(rule["spec"]["conditions"])
    expected = list(want.values) + [v for pair in want.query_string for v in pair if v]
    assert expected and all(json.dumps(v) in text for v in expected)
    (rule_resource,) = stack.of_type(LISTENER_RULE)
    api = to_api_conditions(to_data(rule_resource.spec)["conditions"])
    api_text = json.dumps(api)
    assert all(json.dumps(v) in api_text for v in expected)


def test_source_ip_condition_from_the_guide_is_not_open_to_everyone():
    """The guide's rule-path6 verbatim in its key spelling: the rule must admit two networks only."""
    conds = _rule_conditions(_guide_ingress("source-ip", "sourceIpConfig",
                                            {"values": ["192.168.0.0/16", "172.16.0.0/16"]}))
    source = [c for c in conds if c.field == "source-ip"]
    assert source == [RuleCondition("source-ip", ("192.168.0.0/16", "172.16.0.0/16"))]


def test_json_field_matches_go_case_folding_last_key_wins():
    assert json_field({"sourceIpConfig": 1}, "sourceIPConfig") == 1
    assert json_field({"sourceIPConfig": 1, "SOURCEIPCONFIG": 2}, "sourceIPConfig") == 2
    assert json_field({"other": 1}, "sourceIPConfig") is None
    assert json_field(["not", "a", "mapping"], "values") is None


@pytest.mark.parametrize(("cond", "want"), [
    ({"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}}, RuleCondition("source-ip", ("10.0.0.0/8",))),
    ({"field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X", "RegexValues": ["a.*"]}},
     RuleCondition("http-header", regex_values=("a.*",), http_header_name="X")),
    ({"field": "query-string", "querystringconfig": {"VALUES": [{"Key": "k", "Value": "v"}]}},
     RuleCondition("query-string", query_string=(("k", "v"),))),
    ({"field": "http-request-method", "httprequestmethodconfig": {"values": ["PUT"]}},
     RuleCondition("http-request-method", ("PUT",))),
])
def test_path_conditions_read_uncanonicalised_keys(cond, want):
    """The rule builder does not depend on the loader having renamed the keys."""
    assert want in path_conditions("", "/x", "Exact", False, [cond])


def test_unknown_condition_field_is_an_error_not_ignored():
    with pytest.raises(ValueError, match="unknown condition field"):
        path_conditions("", "/x", "Exact", False, [{"field": "source-address", "sourceIPConfig": {"values": ["1"]}}])
