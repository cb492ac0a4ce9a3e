"""Issue 8: manifests the controller accepts are accepted, and modelled as the controller models them.

Each test retypes an example of the controller's documentation (the annotation guide, the
blue/green guide, the echoserver walkthrough) as an albctl manifest."""

from __future__ import annotations

import textwrap

from albctl.model.cluster import target_group_name_collisions
from albctl.model.facts import Facts
from albctl.model.stack import LISTENER, LISTENER_RULE, TARGET_GROUP, Placeholder
from albctl.settings import Settings, settings_from_mapping
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


# -- class 4: a use-annotation backend whose actions.<name> annotation is absent (Argo Rollouts) ----------

ROLLOUT = textwrap.dedent("""\
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: rollouts-demo
      namespace: default
      annotations:
        alb.ingress.kubernetes.io/scheme: internet-facing
    spec:
      ingressClassName: alb
      rules:
        - http:
            paths:
              - path: /*
                pathType: ImplementationSpecific
                backend:
                  service:
                    name: rollouts-demo-root
                    port:
                      name: use-annotation
    """)


def test_missing_action_annotation_is_the_controllers_503_rule_with_a_warning():
    result = build(ROLLOUT)
    assert not result.errors
    (rule,) = result.stacks[0].of_type(LISTENER_RULE)
    (action,) = rule.spec.actions
    cfg = action.fixed_response_config
    assert (action.type, cfg.status_code, cfg.content_type, cfg.message_body) == (
        "fixed-response", "503", "text/plain", "Backend action does not exist")
    (warning,) = result.warnings
    assert "alb.ingress.kubernetes.io/actions.rollouts-demo-root" in warning.message


def test_missing_action_annotation_is_an_error_when_not_tolerated():
    settings = Settings(cluster_name="c", tolerate_non_existent_backend_action=False)
    (error,) = build(ROLLOUT, settings=settings).errors
    assert "actions.rollouts-demo-root" in error.message and error.field.startswith("spec.rules[0]")


# -- class 6: the backend Service is not in the inputs ------------------------------------------------

HELM_INGRESS = LISTEN_PORTS.replace("name: web, port", "name: from-chart, port")


def test_missing_service_offline_is_a_warning_and_a_placeholder_target_group():
    result = build(HELM_INGRESS)
    assert not result.errors
    (warning,) = result.warnings
    assert "Service default/from-chart is not in the inputs" in warning.message
    assert warning.field == "spec.rules[0].http.paths[0].backend.service.name"
    stack = result.stacks[0]
    assert not stack.of_type(TARGET_GROUP)
    (rule,) = stack.of_type(LISTENER_RULE)[:1]
    target = rule.spec.actions[-1].forward_config.target_groups[0].target_group_arn
    assert isinstance(target, Placeholder) and "from-chart" in str(target)


def test_missing_service_in_a_plan_is_an_error_naming_it():
    (error,) = build(HELM_INGRESS, facts=Facts(offline=False)).errors
    assert "expected Service default/from-chart in the inputs or in the cluster" in error.message
    assert "tolerate-non-existent-backend-service" in error.message


def test_tolerated_missing_service_is_the_controllers_503_rule_online_and_offline():
    settings = Settings(cluster_name="c", tolerate_non_existent_backend_service=True)
    for facts in (Facts(), Facts(offline=False)):
        result = build(HELM_INGRESS, settings=settings, facts=facts)
        assert not result.errors
        rules = result.stacks[0].of_type(LISTENER_RULE)
        assert rules and all(r.spec.actions[-1].fixed_response_config.message_body ==
                             "Backend service does not exist" for r in rules)


def test_tolerance_applies_only_to_a_forward_to_one_service():
    settings = Settings(cluster_name="c", tolerate_non_existent_backend_service=True)
    (error,) = build(BLUE_GREEN, _svc("hello-kubernetes-v1", "hello-kubernetes"), settings=settings,
                     facts=Facts(offline=False)).errors
    assert "hello-kubernetes/hello-kubernetes-v2" in error.message


def test_tolerate_keys_are_read_from_the_config_file():
    s = settings_from_mapping({"tolerate-non-existent-backend-service": True,
                               "tolerate-non-existent-backend-action": "false"})
    assert s.tolerate_non_existent_backend_service is True and s.tolerate_non_existent_backend_action is False
    assert Settings().tolerate_non_existent_backend_service is False
    assert Settings().tolerate_non_existent_backend_action is True


# -- class 10: two Services whose target group names collide offline -----------------------------------

def test_services_sharing_their_first_8_characters_collide_offline_with_a_warning_naming_both():
    doc = textwrap.dedent("""\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: shop
          namespace: default
          annotations: {alb.ingress.kubernetes.io/target-type: ip}
        spec:
          ingressClassName: alb
          rules:
            - http:
                paths:
                  - {path: /a, pathType: Prefix, backend: {service: {name: checkout-api, port: {number: 80}}}}
                  - {path: /b, pathType: Prefix, backend: {service: {name: checkout-web, port: {number: 80}}}}
        """)
    svcs = [_svc(n, "default") for n in ("checkout-api", "checkout-web")]  # both target port 8080
    result = build(doc, *svcs)
    (warning,) = result.warnings
    assert "default/checkout-api:80" in warning.message and "default/checkout-web:80" in warning.message
    (collision,) = target_group_name_collisions(result.stacks)
    assert collision.stack_id == "default/shop"
    with_uids = [s.replace("namespace: default", f"namespace: default\n  uid: uid-{i}") for i, s in enumerate(svcs)]
    assert not build(doc, *with_uids).warnings


# -- class 7: Ingresses for other controllers are skipped, not validated ----------------------------

NGINX = textwrap.dedent("""\
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: chart-ingress
      namespace: default
      annotations:
        kubernetes.io/ingress.class: nginx
    spec:
      rules:
        - host: <your-domain.example>
          http:
            paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
    """)


def test_ingress_for_another_controller_with_placeholder_host_does_not_fail_the_run():
    result = build(NGINX, LISTEN_PORTS, _svc("web", "default"))
    assert not result.errors, [str(d) for d in result.errors]
    assert len(result.stacks) == 1
    assert any("chart-ingress" in what and "not validated" in why for _, what, why in result.inputs.skipped)


def test_the_same_ingress_for_alb_is_still_validated():
    (error,) = build(NGINX.replace("ingress.class: nginx", "ingress.class: alb")).errors
    assert error.field == "spec.rules[0].host"
