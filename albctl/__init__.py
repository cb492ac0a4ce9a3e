"""albctl: turn Kubernetes Ingress manifests into an AWS Application Load Balancer."""

__version__ = "0.1.0"
