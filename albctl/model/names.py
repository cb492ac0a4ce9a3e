"""Resource names computed exactly as aws-load-balancer-controller computes them
(sha256 over identifying fields, with a sanitised human prefix)."""

from __future__ import annotations

import hashlib
import re

_NON_ALNUM = re.compile(r"[^A-Za-z0-9]")


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
    return h.hexdigest()


def _clean(value: str) -> str:
    return _NON_ALNUM.sub("", value)


def group_resource_name(cluster: str, group_id: str, explicit: bool, namespace: str, name: str,
                        *extra: str) -> str:
    """The load balancer (``extra`` = scheme) and managed security group (no ``extra``) name."""
    uuid = _digest(cluster, group_id, *extra)
    if explicit:
        return f"k8s-{_clean(name)[:17]}-{uuid[:10]}"
    return f"k8s-{_clean(namespace)[:8]}-{_clean(name)[:8]}-{uuid[:10]}"


def load_balancer_name(cluster: str, group_id: str, explicit: bool, namespace: str, name: str,
                       scheme: str) -> str:
    return group_resource_name(cluster, group_id, explicit, namespace, name, scheme)


def security_group_name(cluster: str, group_id: str, explicit: bool, namespace: str, name: str) -> str:
    return group_resource_name(cluster, group_id, explicit, namespace, name)


def target_group_name(cluster: str, group_id: str, ing_namespace: str, ing_name: str, svc_namespace: str,
                      svc_name: str, svc_uid: str, port: str, tg_port: int, target_type: str, protocol: str,
                      protocol_version: str, target_control_port: int | None = None) -> str:
    """``k8s-<svc ns>-<svc name>-<hash>``; the hash covers the Ingress, Service (uid), ports and protocol
    (and the target control port, when set)."""
    extra = (str(target_control_port),) if target_control_port is not None else ()
    uuid = _digest(cluster, group_id, ing_namespace, ing_name, svc_uid, port, str(tg_port), target_type,
                   protocol, protocol_version, *extra)
    return f"k8s-{_clean(svc_namespace)[:8]}-{_clean(svc_name)[:8]}-{uuid[:10]}"
