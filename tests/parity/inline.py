"""Small inline manifests for the ports of the controller's unit-level tests (ssl-redirect, tag priority)."""

from __future__ import annotations

import json

CERT = "arn:aws:acm:us-east-1:999999999999:certificate/11111111"
PARAMS_CLASS = "alb-params"


def ingress(name: str, namespace: str, annotations: dict[str, str] | None = None, service: str = "svc-1",
            ingress_class: str = "alb") -> str:
    ann = "".join(f"\n    {k if '/' in k else 'alb.ingress.kubernetes.io/' + k}: {json.dumps(v)}"
                  for k, v in (annotations or {}).items())
    return (f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            + (f"  annotations:{ann}\n" if ann else "")
            + f"spec:\n  ingressClassName: {ingress_class}\n  rules:\n    - host: {name}.example.com\n      http:\n"
            f"        paths:\n          - path: /{service}\n            pathType: ImplementationSpecific\n"
            f"            backend: {{service: {{name: {service}, port: {{name: http}}}}}}\n")


def service(name: str, namespace: str, annotations: dict[str, str] | None = None) -> str:
    ann = "".join(f"\n    alb.ingress.kubernetes.io/{k}: {json.dumps(v)}" for k, v in (annotations or {}).items())
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            + (f"  annotations:{ann}\n" if ann else "")
            + "spec:\n  type: NodePort\n  ports:\n    - name: http\n      port: 80\n      targetPort: 8080\n"
            "      nodePort: 32768\n")


def params(spec: dict[str, object]) -> str:
    """An IngressClass ``alb-params`` whose IngressClassParams ``params`` has ``spec``."""
    body = "".join(f"\n  {k}: {json.dumps(v)}" for k, v in spec.items()) or " {}"
    return (f"apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: {PARAMS_CLASS}\nspec:\n"
            "  controller: ingress.k8s.aws/alb\n  parameters:\n    apiGroup: elbv2.k8s.aws\n"
            "    kind: IngressClassParams\n    name: params\n---\n"
            f"apiVersion: elbv2.k8s.aws/v1beta1\nkind: IngressClassParams\nmetadata:\n  name: params\nspec:{body}\n")


def docs(*parts: str) -> str:
    return "\n---\n".join(p.rstrip("\n") for p in parts) + "\n"
