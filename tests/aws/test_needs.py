"""What discovery looks up is what the model builder leaves as placeholders (pure: no AWS here)."""

from __future__ import annotations

import textwrap

from albctl import pipeline
from albctl.aws.facts import needs_of
from albctl.model.facts import Facts
from albctl.settings import Settings
from tests.model.helpers import build, ingress, load, service

SETTINGS = Settings(cluster_name="sandbox")
HTTPS = {"listen-ports": '[{"HTTPS": 443}]'}
PARAMS = textwrap.dedent("""\
    apiVersion: elbv2.k8s.aws/v1beta1
    kind: IngressClassParams
    metadata: {name: params}
    spec: SPEC
    ---
    apiVersion: networking.k8s.io/v1
    kind: IngressClass
    metadata: {name: alb}
    spec:
      controller: ingress.k8s.aws/alb
      parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: params}
    """)


def needs(*docs: str, **kwargs: object):
    read = pipeline.from_inputs(load(*docs, service()), SETTINGS)
    assert not read.errors, [str(d) for d in read.errors]
    return needs_of(read.groups, SETTINGS, inputs=read.inputs, **kwargs)  # type: ignore[arg-type]


def test_certificates_are_needed_only_for_an_https_listener_without_one() -> None:
    found = needs(ingress("a", annotations=HTTPS), ingress("b", annotations={**HTTPS, "group.name": "g"}),
                  ingress("c", annotations={"group.name": "g"}))
    assert {h: sorted(who) for h, who in found.hosts.items()} == {"app.example.com": ["default/a", "default/b"]}
    with_params = needs(ingress(annotations=HTTPS),
                        PARAMS.replace("SPEC", '{certificateArn: ["arn:aws:acm:us-east-1:123456789012:'
                                               'certificate/11111111-2222-3333-4444-555555555555"]}'))
    assert with_params.hosts == {}


def test_subnets_of_ingress_class_params_win_over_the_annotation() -> None:
    found = needs(ingress(annotations={"subnets": "subnet-0aaaaaaa, subnet-0bbbbbbb"}),
                  PARAMS.replace("SPEC", "{subnets: {ids: [subnet-0ccccccc, subnet-0ddddddd]}}"))
    assert found.subnets == ["subnet-0ccccccc", "subnet-0ddddddd"] and found.schemes == []
    assert found.subnets_by_group == {"default/web": ["subnet-0ccccccc", "subnet-0ddddddd"]}


def test_a_live_load_balancer_of_the_same_scheme_needs_no_discovery() -> None:
    found = needs(ingress(), known_subnets={("default/web", "internal"): "vpc-0live"})
    assert found.schemes == [] and found.kept == {"default/web": "vpc-0live"}
    moved = needs(ingress(annotations={"scheme": "internet-facing"}),
                  known_subnets={("default/web", "internal"): "vpc-0live"})
    assert moved.schemes == ["internet-facing"] and moved.kept == {}


def test_backend_security_group_is_needed_only_when_the_model_uses_it() -> None:
    assert needs(ingress()).backend_security_group
    explicit = needs(ingress(annotations={"security-groups": "sg-0aaaaaaa, web"}))
    assert explicit.security_groups == ["sg-0aaaaaaa", "web"] and not explicit.backend_security_group
    managed = needs(ingress(annotations={"security-groups": "web", "manage-backend-security-group-rules": "true"}))
    assert managed.backend_security_group


def test_first_of_conflicting_members_is_what_the_model_takes() -> None:
    # the scheme the model builds with decides the discovery, IngressClassParams first
    found = needs(ingress(annotations={"scheme": "internet-facing"}), PARAMS.replace("SPEC", "{scheme: internal}"))
    assert found.schemes == ["internal"]


def test_needs_do_not_stop_at_a_problem_of_the_group() -> None:
    # a backend the model cannot build (a missing Service) does not hide the load balancer's needs
    read = pipeline.from_inputs(load(ingress(annotations=HTTPS)), SETTINGS)
    found = needs_of(read.groups, SETTINGS, inputs=read.inputs)
    assert found.schemes == ["internal"] and list(found.hosts) == ["app.example.com"]


def test_every_problem_of_a_group_is_reported() -> None:
    result = build(ingress("a", annotations={"scheme": "internet-facing", "group.name": "g",
                                             "ssl-policy": "ELBSecurityPolicy-2016-08", **HTTPS,
                                             "certificate-arn": "arn:aws:acm:us-east-1:123456789012:certificate/1"}),
                   ingress("b", annotations={"scheme": "internal", "group.name": "g", **HTTPS,
                                             "ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}),
                   service(), facts=Facts())
    messages = [d.message for d in result.errors]
    assert any("conflicting scheme" in m for m in messages), messages
    assert any("conflicting ssl-policy" in m for m in messages), messages
    assert not result.stacks
