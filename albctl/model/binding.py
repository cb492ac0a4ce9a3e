"""TargetGroupBinding details, as the controller builds them (``pkg/ingress/model_build_target_group.go``):
the node selector of instance targets, the multi-cluster flag, and the networking rules the in-cluster
controller opens from the backend security group to the targets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albctl.model.stack import (
    NetworkingIngressRule,
    NetworkingPeer,
    NetworkingPort,
    NodeSelector,
    Placeholder,
    SecurityGroupPeer,
    TargetGroupBindingNetworking,
    Token,
)

TRAFFIC_PORT = "traffic-port"


def node_selector(values: Mapping[str, Any], target_type: str) -> NodeSelector | None:
    """``target-node-labels`` (Service over Ingress), for instance targets only."""
    labels = values.get("target-node-labels") or {}
    if target_type != "instance" or not labels:
        return None
    return NodeSelector(dict(labels))


def multi_cluster(ingress: Mapping[str, Any], service: Mapping[str, Any]) -> bool | None:
    """``multi-cluster-target-group``: true on the Ingress, else the Service's value; ``None`` when false."""
    return True if ingress.get("multi-cluster-target-group") or service.get("multi-cluster-target-group") else None


def target_control_port(values: Mapping[str, Any], service_name: str, port: int | str) -> int | None:
    """``target-control-port.<service>.<port>`` (the backend's port number or name)."""
    value = values.get(f"target-control-port.{service_name}.{port}")
    return int(value) if value is not None else None


def networking(backend_sg: Token | None, target_port: int | str | Placeholder,
               health_check_port: int | str | Placeholder,
               control_port: int | None, disable_restricted: bool) -> TargetGroupBindingNetworking | None:
    """One TCP rule from the backend SG per port the load balancer reaches the targets on: the traffic
    port, the health check port (unless traffic-port) and the target control port; with
    ``--disable-restricted-sg-rules``, one TCP rule for every port. No backend SG, no rules."""
    if backend_sg is None:
        return None
    peers = (NetworkingPeer(SecurityGroupPeer(backend_sg)),)
    if disable_restricted:
        return TargetGroupBindingNetworking((NetworkingIngressRule(peers, (NetworkingPort("TCP", None),)),))
    ports: list[int | str | Placeholder] = [target_port]
    if health_check_port != TRAFFIC_PORT:
        ports.append(health_check_port)
    if control_port is not None:
        ports.append(control_port)
    return TargetGroupBindingNetworking(tuple(NetworkingIngressRule(peers, (NetworkingPort("TCP", p),)) for p in ports))
