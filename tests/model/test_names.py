"""Names must be byte-for-byte the controller's: they are how the two hand a load balancer over."""

import hashlib

from albctl.model import names


def test_load_balancer_name_implicit_group_matches_controller_formula():
    uuid = hashlib.sha256(b"prod" + b"echoserver/echoserver" + b"internet-facing").hexdigest()
    name = names.load_balancer_name("prod", "echoserver/echoserver", False, "echoserver", "echoserver",
                                    "internet-facing")
    assert name == f"k8s-echoserv-echoserv-{uuid[:10]}"


def test_load_balancer_name_explicit_group_uses_17_chars_of_sanitised_group_name():
    uuid = hashlib.sha256(b"prod" + b"my.shared-alb.group.name" + b"internal").hexdigest()
    name = names.load_balancer_name("prod", "my.shared-alb.group.name", True, "", "my.shared-alb.group.name",
                                    "internal")
    assert name == f"k8s-mysharedalbgroupn-{uuid[:10]}"
    assert len(name) <= 32


def test_scheme_changes_the_load_balancer_name_but_not_the_security_group_name():
    a = names.load_balancer_name("c", "ns/n", False, "ns", "n", "internal")
    b = names.load_balancer_name("c", "ns/n", False, "ns", "n", "internet-facing")
    assert a != b
    sg = names.security_group_name("c", "ns/n", False, "ns", "n")
    assert sg == f"k8s-ns-n-{hashlib.sha256(b'cns/n').hexdigest()[:10]}"


def test_target_group_name_hash_covers_every_identifying_field():
    base = dict(cluster="c", group_id="ns/ing", ing_namespace="ns", ing_name="ing", svc_namespace="ns",
                svc_name="my-service-name", svc_uid="", port="80", tg_port=30080, target_type="instance",
                protocol="HTTP", protocol_version="HTTP1")
    name = names.target_group_name(**base)
    expected = hashlib.sha256("".join(["c", "ns/ing", "ns", "ing", "", "80", "30080", "instance", "HTTP",
                                       "HTTP1"]).encode()).hexdigest()[:10]
    assert name == f"k8s-ns-myservic-{expected}"
    for field, other in [("port", "http"), ("tg_port", 1), ("target_type", "ip"), ("svc_uid", "u-1"),
                         ("protocol_version", "GRPC")]:
        assert names.target_group_name(**{**base, field: other}) != name, field
