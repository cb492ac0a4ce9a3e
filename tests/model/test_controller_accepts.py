"""Issue 8: manifests the controller accepts are accepted, and modelled as the controller models them.

Each test retypes an example of the controller's documentation (the annotation guide, the
blue/green guide, the echoserver walkthrough) as an albctl manifest."""

from __future__ import annotations

import textwrap

from albctl.model.stack import LISTENER, LISTENER_RULE, TARGET_GROUP
from tests.model.helpers import build, load, stacks

BLUE_GREEN = textwrap.dedent("""\
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: hello-kubernetes
      namespace: hello-kubernetes
      annotations:
        kubernetes.io/ingress.class: alb
        alb.ingress.kubernetes.io/scheme: internet-facing
        alb.ingress.kubernetes.io/target-type: ip
        alb.ingress.kubernetes.io/actions.blue-green: |
          {
            "type":"forward",
            "forwardConfig":{
              "targetGroups":[
                {"serviceName":"hello-kubernetes-v1", "servicePort":"80", "weight":100},
                {"serviceName":"hello-kubernetes-v2", "servicePort":"80", "weight":0}
              ]
            }
          }
      labels:
        app: hello-kubernetes
    spec:
      rules:
        - http:
            paths:
              - path: /
                pathType: Prefix
                backend:
                  service:
                    name: blue-green
                    port:
                      name: use-annotation
    """)


def _svc(name: str, namespace: str, port: int = 80, target_port: int = 8080, node_port: int | None = None,
         svc_type: str = "ClusterIP") -> str:
    node = f"\n      nodePort: {node_port}" if node_port else ""
    return textwrap.dedent(f"""\
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: {namespace}
        spec:
          type: {svc_type}
          selector: {{app: {name}}}
          ports:
            - port: {port}
              targetPort: {target_port}
              protocol: TCP""") + node + "\n"


# -- class 2: forwardConfig servicePort as a digit string ----------------------------------------

def test_blue_green_guide_digit_string_service_port_is_the_port_number():
    (stack,) = stacks(BLUE_GREEN, _svc("hello-kubernetes-v1", "hello-kubernetes"),
                      _svc("hello-kubernetes-v2", "hello-kubernetes"))
    tgs = {r.id: r.spec for r in stack.of_type(TARGET_GROUP)}
    assert set(tgs) == {"hello-kubernetes/hello-kubernetes-hello-kubernetes-v1:80",
                        "hello-kubernetes/hello-kubernetes-hello-kubernetes-v2:80"}
    assert all(tg.port == 8080 and tg.target_type == "ip" for tg in tgs.values())
    (rule,) = stack.of_type(LISTENER_RULE)
    (action,) = rule.spec.actions
    assert [t.weight for t in action.forward_config.target_groups] == [100, 0]


def test_digit_string_service_port_that_is_not_a_port_of_the_service_is_an_error():
    doc = BLUE_GREEN.replace('"servicePort":"80", "weight":0', '"servicePort":"81", "weight":0')
    result = build(doc, _svc("hello-kubernetes-v1", "hello-kubernetes"),
                   _svc("hello-kubernetes-v2", "hello-kubernetes"))
    assert [d.message for d in result.errors] == [
        "expected a port of Service hello-kubernetes/hello-kubernetes-v2 (80), got 81"]


def test_service_port_string_out_of_range_is_still_an_error():
    doc = BLUE_GREEN.replace('"servicePort":"80", "weight":0', '"servicePort":"70000", "weight":0')
    inputs = load(doc)
    assert any("servicePort" in (d.field or "") for d in inputs.errors), [str(d) for d in inputs.errors]


# -- class 3: listen-ports objects with several keys ---------------------------------------------

LISTEN_PORTS = textwrap.dedent("""\
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: web
      namespace: default
      annotations:
        alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80, "HTTPS": 443}, {"HTTP": 8080}]'
        alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:us-west-2:123456789012:certificate/abc
        alb.ingress.kubernetes.io/target-type: ip
    spec:
      ingressClassName: alb
      rules:
        - http:
            paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
    """)


def test_listen_ports_object_with_several_keys_gives_every_listener():
    (stack,) = stacks(LISTEN_PORTS, _svc("web", "default"))
    listeners = {r.spec.port: r.spec.protocol for r in stack.of_type(LISTENER)}
    assert listeners == {80: "HTTP", 443: "HTTPS", 8080: "HTTP"}


# -- class 5: null metadata maps -------------------------------------------------------------------

def test_annotations_followed_only_by_comments_are_empty():
    doc = textwrap.dedent("""\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
          namespace: default
          labels:
            # app: web
          annotations:
            # alb.ingress.kubernetes.io/scheme: internet-facing
        spec:
          ingressClassName: alb
          rules:
            - http:
                paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
        """)
    svc = _svc("web", "default", node_port=30080, svc_type="NodePort").replace(
        "metadata:\n", "metadata:\n  annotations:\n  # none yet\n")
    (stack,) = stacks(doc, svc)
    (tg,) = stack.of_type(TARGET_GROUP)
    assert tg.spec.port == 30080
