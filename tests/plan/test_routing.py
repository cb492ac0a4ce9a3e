"""Rules in evaluation order, and the ones an earlier rule keeps from ever matching."""

from __future__ import annotations

from pathlib import Path

from albctl import pipeline
from albctl.model.facts import OFFLINE
from albctl.model.serialize import stack_data
from albctl.plan.routing import covers, listeners, rule_source, shadow_warnings
from albctl.settings import Settings

LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"


def rule(priority: int, *conds: tuple[str, list[str]]) -> dict[str, object]:
    return {"spec": {"priority": priority, "conditions": [{"field": f, "values": v} for f, v in conds],
                     "actions": [{"type": "fixed-response", "fixedResponseConfig": {"statusCode": "200"}}]}}


def test_prefix_wildcard_before_a_longer_path_hides_it() -> None:
    assert covers(rule(1, ("path-pattern", ["/*"]))["spec"], rule(2, ("path-pattern", ["/api/*"]))["spec"])
    assert not covers(rule(1, ("path-pattern", ["/api/*"]))["spec"], rule(2, ("path-pattern", ["/*"]))["spec"])
    # a host condition on the earlier rule narrows it: it no longer covers a rule for any host
    assert not covers(rule(1, ("host-header", ["a.example.com"]), ("path-pattern", ["/*"]))["spec"],
                      rule(2, ("path-pattern", ["/api/*"]))["spec"])
    assert covers(rule(1, ("host-header", ["*.example.com"]))["spec"],
                  rule(2, ("host-header", ["A.example.com"]), ("path-pattern", ["/x"]))["spec"])
    assert not covers(rule(1, ("path-pattern", ["/a*b"]))["spec"], rule(2, ("path-pattern", ["/a/c"]))["spec"])


def test_warning_names_both_rules_and_the_listener() -> None:
    resources = {LISTENER: {"80": {"spec": {"port": 80, "protocol": "HTTP"}}},
                 RULE: {"80:2": rule(2, ("path-pattern", ["/api/*"])), "80:1": rule(1, ("path-pattern", ["/*"])),
                        "80:3": rule(3, ("path-pattern", ["/other"]))}}
    assert [r.id for r in listeners(resources)[0][2]] == ["80:1", "80:2", "80:3"]
    (warning, *more) = shadow_warnings("ns/web", resources)
    assert "listener 80: rule 2 (path /api/*, Ingress ns/web) can never match: rule 1 (path /*" in warning
    assert len(more) == 1 and "rule 3 (path /other" in more[0]


def test_same_host_and_path_from_two_ingresses_of_a_group(tmp_path: Path) -> None:
    docs = []
    for name in ("first", "second"):
        docs.append(f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/group.name: shop
spec:
  ingressClassName: alb
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /cart
            pathType: Exact
            backend:
              service:
                name: svc-{name}
                port:
                  number: 80
---
apiVersion: v1
kind: Service
metadata:
  name: svc-{name}
  namespace: shop
spec:
  type: NodePort
  ports:
    - port: 80
      nodePort: 3010{len(docs)}
""")
    ingress_class = ("apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: alb\nspec:\n"
                     "  controller: ingress.k8s.aws/alb\n")
    (tmp_path / "shop.yaml").write_text("---\n".join([*docs, ingress_class]))
    settings = Settings(cluster_name="c")
    result = pipeline.build(pipeline.read([str(tmp_path)], settings), settings, OFFLINE)
    assert not result.errors, [str(d) for d in result.errors]
    (stack,) = result.stacks
    resources = stack_data(stack)["resources"]
    (port, rules_, ), = [(p, r) for p, _, r in listeners(resources)]
    assert [rule_source("shop", resources, r.spec) for r in rules_] == ["shop/first", "shop/second"]
    (warning,) = shadow_warnings("shop", resources)
    assert "rule 2 (host shop.example.com, path /cart, Ingress shop/second) can never match" in warning
    assert "Ingress shop/first" in warning
