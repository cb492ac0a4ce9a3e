"""The model builder against the controller's documented behaviour, one behaviour per test."""

import textwrap

from albctl.model.facts import Facts
from albctl.model.stack import (
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    SECURITY_GROUP,
    TARGET_GROUP,
    TARGET_GROUP_BINDING,
    Placeholder,
    Ref,
)
from albctl.settings import Settings
from tests.model.helpers import SETTINGS, errors, ingress, service, stacks

INGRESS_CLASS = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: alb}\n" \
                "spec: {controller: ingress.k8s.aws/alb}"


def one(*docs, **kw):
    result = stacks(*docs, **kw)
    assert len(result) == 1
    return result[0]


def spec(stack, type_, id_=None):
    found = [r for r in stack.resources if r.type == type_ and (id_ is None or r.id == id_)]
    assert found, (type_, id_)
    return found[0].spec


def test_defaults_match_the_controller():
    st = one(ingress(), service())
    lb = spec(st, LOAD_BALANCER)
    assert lb.scheme == "internal" and lb.ip_address_type == "ipv4" and lb.type == "application"
    assert [r.id for r in st.of_type(LISTENER)] == ["80"]
    listener = spec(st, LISTENER, "80")
    assert listener.protocol == "HTTP"
    assert listener.default_actions[0].fixed_response_config.status_code == "404"
    assert listener.default_actions[0].fixed_response_config.content_type == "text/plain"
    tg = spec(st, TARGET_GROUP, "default/web-svc:80")
    assert (tg.target_type, tg.port, tg.protocol, tg.protocol_version) == ("instance", 30080, "HTTP", "HTTP1")
    hc = tg.health_check_config
    assert (hc.port, hc.protocol, hc.path, hc.matcher_http_code) == ("traffic-port", "HTTP", "/", "200")
    assert (hc.interval_seconds, hc.timeout_seconds, hc.healthy_threshold_count,
            hc.unhealthy_threshold_count) == (15, 5, 2, 2)
    sg = spec(st, SECURITY_GROUP, "ManagedLBSecurityGroup")
    assert sg.description == "[k8s] Managed SecurityGroup for LoadBalancer"
    assert [(p.from_port, p.cidr_ip) for p in sg.ingress] == [(80, "0.0.0.0/0")]
    assert lb.security_groups[0] == Ref(SECURITY_GROUP, "ManagedLBSecurityGroup", "groupID")
    assert isinstance(lb.security_groups[1], Placeholder)  # the shared backend SG, discovered online


def test_prefix_path_becomes_two_patterns_and_root_becomes_star():
    rules = textwrap.dedent("""\
        - http:
            paths:
              - {path: /api/, pathType: Prefix, backend: {service: {name: svc, port: {number: 80}}}}
              - {path: /, pathType: Prefix, backend: {service: {name: svc, port: {number: 80}}}}
              - {path: /exact, pathType: Exact, backend: {service: {name: svc, port: {number: 80}}}}
              - {path: /impl*, pathType: ImplementationSpecific, backend: {service: {name: svc, port: {number: 80}}}}
        """)
    st = one(ingress(rules=rules), service())
    got = [(r.spec.priority, [c.values for c in r.spec.conditions]) for r in st.of_type(LISTENER_RULE)]
    assert got == [
        (1, [("/exact",)]),
        (2, [("/api", "/api/*")]),
        (3, [("/*",)]),
        (4, [("/impl*",)]),
    ]


def test_rule_ids_and_priorities_follow_group_order_then_name():
    a = ingress("a", "ns1", {"group.name": "shared", "group.order": "20"})
    b = ingress("b", "ns2", {"group.name": "shared", "group.order": "10"})
    c = ingress("c", "ns1", {"group.name": "shared"})
    docs = [a, b, c, service(namespace="ns1"), service(namespace="ns2")]
    st = one(*docs)
    assert st.id == "shared" and st.members == ("ns1/c", "ns2/b", "ns1/a")
    rules = st.of_type(LISTENER_RULE)
    assert [r.id for r in rules] == ["80:1", "80:2", "80:3"]
    targets = [r.spec.actions[0].forward_config.target_groups[0].target_group_arn.id for r in rules]
    assert targets == ["ns1/c-svc:80", "ns2/b-svc:80", "ns1/a-svc:80"]


def test_exclusive_annotation_conflict_names_both_ingresses_and_values():
    a = ingress("a", annotations={"group.name": "g", "scheme": "internal"})
    b = ingress("b", annotations={"group.name": "g", "scheme": "internet-facing"})
    (message,) = errors(a, b, service())
    assert "conflicting scheme" in message
    assert "default/a" in message and "default/b" in message
    assert "'internal'" in message and "'internet-facing'" in message


def test_https_with_ssl_redirect():
    ann = {"listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]', "ssl-redirect": "443",
           "certificate-arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}
    st = one(ingress(annotations=ann), service())
    http, https = spec(st, LISTENER, "80"), spec(st, LISTENER, "443")
    redirect = http.default_actions[0].redirect_config
    assert (redirect.port, redirect.protocol, redirect.status_code) == ("443", "HTTPS", "HTTP_301")
    assert https.ssl_policy == "ELBSecurityPolicy-2016-08"
    assert [c.certificate_arn for c in https.certificates] == ["arn:aws:acm:us-east-1:123456789012:certificate/abc"]
    assert [r.id for r in st.of_type(LISTENER_RULE)] == ["443:1"]  # no rules on the redirecting listener


def test_certificate_arn_alone_makes_an_https_443_listener():
    st = one(ingress(annotations={"certificate-arn": "arn:aws:acm:us-east-1:123456789012:certificate/x"}), service())
    assert [r.id for r in st.of_type(LISTENER)] == ["443"]


def test_ssl_redirect_to_a_missing_listener_is_an_error():
    (message,) = errors(ingress(annotations={"ssl-redirect": "443"}), service())
    assert "ssl-redirect" in message and "no listener on port 443" in message


def test_https_without_certificate_discovers_by_host():
    ann = {"listen-ports": '[{"HTTPS": 443}]'}
    st = one(ingress(annotations=ann), service())
    (cert,) = spec(st, LISTENER, "443").certificates
    assert isinstance(cert.certificate_arn, Placeholder) and "app.example.com" in str(cert.certificate_arn)
    facts = Facts(offline=False, certificates_by_host={"app.example.com": ("arn:cert",)})
    st = one(ingress(annotations=ann), service(), facts=facts)
    assert [c.certificate_arn for c in spec(st, LISTENER, "443").certificates] == ["arn:cert"]


def test_service_annotations_beat_ingress_annotations_for_target_groups():
    st = one(ingress(annotations={"healthcheck-path": "/ing", "success-codes": "200-299"}),
             service(annotations={"healthcheck-path": "/svc"}))
    hc = spec(st, TARGET_GROUP).health_check_config
    assert hc.path == "/svc" and hc.matcher_http_code == "200-299"


def test_ip_target_type_uses_target_port_and_grpc_defaults():
    ann = {"target-type": "ip", "backend-protocol-version": "GRPC"}
    st = one(ingress(annotations=ann), service(target_port=9090))
    tg = spec(st, TARGET_GROUP)
    assert (tg.target_type, tg.port) == ("ip", 9090)
    assert tg.health_check_config.path == "/AWS.ALB/healthcheck"
    assert tg.health_check_config.matcher_grpc_code == "12" and tg.health_check_config.matcher_http_code is None
    tgb = spec(st, TARGET_GROUP_BINDING)
    assert tgb.target_port == 9090 and tgb.target_type == "ip"


def test_named_target_port_with_ip_targets_gives_port_1():
    st = one(ingress(annotations={"target-type": "ip"}), service(target_port="web"))
    assert spec(st, TARGET_GROUP).port == 1


def test_instance_target_on_a_cluster_ip_service_is_a_clear_error():
    svc = "apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: default}\n" \
          "spec: {ports: [{port: 80, targetPort: 8080}]}"
    (message,) = errors(ingress(), svc)
    assert "must be of type NodePort or LoadBalancer, got ClusterIP" in message and "target-type: ip" in message


def test_tags_default_tags_win_unless_feature_gate():
    settings = Settings(cluster_name="c", default_tags={"team": "platform"})
    st = one(ingress(annotations={"tags": "team=web,env=dev"}), service(), settings=settings)
    assert dict(spec(st, LOAD_BALANCER).tags) == {"team": "platform", "env": "dev"}
    low = Settings(cluster_name="c", default_tags={"team": "platform"},
                   feature_gates={"EnableDefaultTagsLowPriority": True})
    st = one(ingress(annotations={"tags": "team=web"}), service(), settings=low)
    assert dict(spec(st, LOAD_BALANCER).tags) == {"team": "web"}


def test_external_managed_tag_is_refused():
    settings = Settings(cluster_name="c", external_managed_tags=("owner",))
    (message,) = errors(ingress(annotations={"tags": "owner=me"}), service(), settings=settings)
    assert "external managed tag key owner" in message


def test_explicit_subnets_and_security_groups():
    ann = {"subnets": "subnet-0123456789abcdef0, private-a", "security-groups": "sg-0123456789abcdef0"}
    st = one(ingress(annotations=ann), service())
    lb = spec(st, LOAD_BALANCER)
    assert lb.subnet_mapping[0].subnet_id == "subnet-0123456789abcdef0"
    assert isinstance(lb.subnet_mapping[1].subnet_id, Placeholder)
    assert lb.security_groups == ("sg-0123456789abcdef0",)
    assert not st.of_type(SECURITY_GROUP)  # no managed SG when security-groups is given


def test_inbound_cidrs_and_dualstack():
    ann = {"inbound-cidrs": "10.0.0.0/8, 2001:db8::/32", "ip-address-type": "dualstack"}
    st = one(ingress(annotations=ann), service())
    perms = spec(st, SECURITY_GROUP).ingress
    assert [(p.cidr_ip, p.cidr_ipv6) for p in perms] == [("10.0.0.0/8", None), (None, "2001:db8::/32")]


def test_load_balancer_name_annotation_and_length():
    st = one(ingress(annotations={"load-balancer-name": "my-alb"}), service())
    assert spec(st, LOAD_BALANCER).name == "my-alb"


def test_actions_annotation_forward_weighted_and_fixed_response():
    ann = {
        "actions.weighted": '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"svc","servicePort":80,'
                            '"weight":80},{"serviceName":"other","servicePort":80,"weight":20}],'
                            '"targetGroupStickinessConfig":{"enabled":true,"durationSeconds":60}}}',
        "actions.gone": '{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain",'
                        '"statusCode":"503","messageBody":"down"}}',
    }
    rules = textwrap.dedent("""\
        - http:
            paths:
              - {path: /w, pathType: Exact, backend: {service: {name: weighted, port: {name: use-annotation}}}}
              - {path: /g, pathType: Exact, backend: {service: {name: gone, port: {name: use-annotation}}}}
        """)
    st = one(ingress(annotations=ann, rules=rules), service(), service("other", node_port=30081))
    weighted, gone = [r.spec for r in st.of_type(LISTENER_RULE)]
    fc = weighted.actions[0].forward_config
    assert [(t.target_group_arn.id, t.weight) for t in fc.target_groups] == [
        ("default/web-svc:80", 80), ("default/web-other:80", 20)]
    assert fc.target_group_stickiness_config.duration_seconds == 60
    assert gone.actions[0].fixed_response_config.message_body == "down"


def test_ssl_redirect_action_rule_is_optimised_away_on_https_listener():
    ann = {"listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
           "certificate-arn": "arn:aws:acm:us-east-1:123456789012:certificate/x",
           "actions.ssl-redirect": '{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", '
                                   '"StatusCode": "HTTP_301"}}'}
    rules = textwrap.dedent("""\
        - http:
            paths:
              - {path: /*, pathType: ImplementationSpecific,
                 backend: {service: {name: ssl-redirect, port: {name: use-annotation}}}}
              - {path: /app, pathType: ImplementationSpecific, backend: {service: {name: svc, port: {number: 80}}}}
        """)
    st = one(ingress(annotations=ann, rules=rules), service())
    # the redirect rule would loop on 443 and is dropped there; on 80 it shadows /app, which is dropped
    assert [(r.id, r.spec.actions[0].type) for r in st.of_type(LISTENER_RULE)] == [
        ("80:1", "redirect"), ("443:1", "forward")]


def test_default_backend_becomes_the_default_action_and_two_are_an_error():
    extra = "defaultBackend: {service: {name: svc, port: {number: 80}}}"
    st = one(ingress(extra_spec=extra), service())
    action = spec(st, LISTENER, "80").default_actions[0]
    assert action.type == "forward"
    a = ingress("a", annotations={"group.name": "g"}, extra_spec=extra)
    b = ingress("b", annotations={"group.name": "g"}, extra_spec=extra)
    (message,) = errors(a, b, service())
    assert "multiple Ingresses define a default backend" in message


def test_ingress_class_selection():
    other = ingress("nginx").replace("ingressClassName: alb", "ingressClassName: nginx")
    legacy = ingress("legacy").replace("spec:\n  ingressClassName: alb\n", "spec:\n").replace(
        "metadata:\n", "metadata:\n  annotations: {kubernetes.io/ingress.class: alb}\n", 1)
    result = stacks(other, legacy, service(), INGRESS_CLASS)
    assert [s.id for s in result] == ["default/legacy"]


def test_ingress_class_params_override_annotations():
    params = textwrap.dedent("""\
        apiVersion: elbv2.k8s.aws/v1beta1
        kind: IngressClassParams
        metadata: {name: params}
        spec:
          scheme: internet-facing
          group: {name: from-params}
          tags: [{key: cost-center, value: "42"}]
        """)
    klass = textwrap.dedent("""\
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: {name: alb}
        spec:
          controller: ingress.k8s.aws/alb
          parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: params}
        """)
    st = one(ingress(annotations={"scheme": "internal"}), service(), params, klass)
    lb = spec(st, LOAD_BALANCER)
    assert st.id == "from-params" and lb.scheme == "internet-facing" and lb.tags["cost-center"] == "42"


def test_conditions_annotation_adds_http_header_condition():
    ann = {"conditions.svc": '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Canary",'
                             '"values":["on"]}}]'}
    st = one(ingress(annotations=ann), service())
    conds = st.of_type(LISTENER_RULE)[0].spec.conditions
    assert conds[0].field == "http-header" and conds[0].http_header_name == "X-Canary"
    assert [c.field for c in conds] == ["http-header", "host-header", "path-pattern"]


def test_cluster_name_changes_every_generated_name():
    a = one(ingress(), service(), settings=Settings(cluster_name="a"))
    b = one(ingress(), service(), settings=Settings(cluster_name="b"))
    assert spec(a, LOAD_BALANCER).name != spec(b, LOAD_BALANCER).name
    assert spec(a, TARGET_GROUP).name != spec(b, TARGET_GROUP).name


def test_settings_default_scheme_and_target_type():
    settings = Settings(cluster_name="c", default_load_balancer_scheme="internet-facing",
                        default_target_type="ip")
    st = one(ingress(), service(), settings=settings)
    assert spec(st, LOAD_BALANCER).scheme == "internet-facing"
    assert spec(st, TARGET_GROUP).target_type == "ip"
    assert SETTINGS.default_target_type == "instance"


def test_create_acm_cert_is_ignored_like_the_controller_unless_the_gate_is_on():
    ann = {"create-acm-cert": "true", "listen-ports": '[{"HTTP": 80}]'}
    assert one(ingress(annotations=ann), service())
    gated = Settings(cluster_name="c", feature_gates={"EnableCertificateManagement": True})
    (message,) = errors(ingress(annotations=ann), service(), settings=gated)
    assert "create-acm-cert is not supported by albctl yet" in message


def test_unknown_feature_gate_in_config_is_an_error():
    import re

    import pytest

    from albctl.errors import InputError
    from albctl.settings import settings_from_mapping

    settings = settings_from_mapping({"feature-gates": "EnableIPTargetType=false"})
    assert settings.gate("EnableIPTargetType", True) is False
    with pytest.raises(InputError) as raised:
        settings_from_mapping({"feature-gates": "EnableIPTargetTyp=false"})
    (problem,) = raised.value.diagnostics
    assert re.search("unknown feature gate 'EnableIPTargetTyp'.*did you mean", problem.message)


def test_every_config_file_problem_is_reported_at_its_line(tmp_path):
    import pytest

    from albctl.errors import InputError
    from albctl.settings import load_config_file

    path = tmp_path / "albctl.yaml"
    path.write_text("cluster-name: x\nbogus: 1\ndefault-target-type: weird\n")
    with pytest.raises(InputError) as raised:
        load_config_file(str(path))
    assert [str(d) for d in raised.value.diagnostics] == [
        f"{path}:2:1: unknown config key 'bogus'",
        f"{path}:3:1: config key 'default-target-type': expected one of instance, ip, got 'weird'"]


def test_the_rule_optimizer_index_answers_as_the_pairwise_check():
    """optimize_rules (indexed) drops exactly the rules the controller's pairwise superset check drops."""
    import itertools

    from albctl.model.rules import _is_superset, _redirect, optimize_rules
    from albctl.model.stack import Action, RedirectConfig, RuleCondition

    redirect = (Action("redirect", redirect_config=RedirectConfig("HTTP_301", host="other.example.com")),)
    forward = (Action("fixed-response"),)
    hosts = [(), ("a.example.com",), ("a.example.com", "b.example.com")]
    paths = [(), ("/*",), ("/a",), ("/a", "/b")]
    extra = [(), (RuleCondition("http-header", ("1",), http_header_name="X"),)]
    conditions = [tuple([RuleCondition("host-header", h)] if h else []) + tuple(
        [RuleCondition("path-pattern", p)] if p else []) + e for h, p, e in itertools.product(hosts, paths, extra)]
    rules = [(c, a) for c in conditions for a in (redirect, forward)]
    for window in (rules, rules[::-1], rules[5:] + rules[:5]):

        def pairwise(rs: list) -> list:
            out: list = []
            for r in rs:
                if not any(_redirect(p[1]) is not None and _is_superset(p[0], r[0]) for p in out):
                    out.append(r)
            return out

        assert optimize_rules(80, "HTTP", window) == pairwise(window)


def test_thousands_of_distinct_paths_all_survive_the_optimizer():
    from albctl.model.rules import optimize_rules
    from albctl.model.stack import Action, RedirectConfig, RuleCondition

    redirect = (Action("redirect", redirect_config=RedirectConfig("HTTP_301", host="x.example.com")),)
    rules = [((RuleCondition("host-header", ("a.example.com",)), RuleCondition("path-pattern", (f"/p{i}",))),
              redirect) for i in range(3_000)]
    assert len(optimize_rules(80, "HTTP", rules)) == 3_000  # none covers another (this was quadratic)


def test_more_rules_than_the_default_quota_is_a_warning_offline():
    from tests.model.helpers import build as build_result

    backend = "{service: {name: svc, port: {number: 80}}}"
    paths = "\n".join(f"    - {{path: /p{i}, pathType: Exact, backend: {backend}}}" for i in range(101))
    result = build_result(ingress(rules="- http:\n    paths:\n" + paths), service())
    assert not result.errors, [str(d) for d in result.errors]
    (warning,) = [str(d) for d in result.warnings if "listener rules" in str(d)]
    assert "101 listener rules on one load balancer" in warning and "IngressGroup default/web" in warning
