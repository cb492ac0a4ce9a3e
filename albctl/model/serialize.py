"""Stacks as JSON-ready data, with the controller's field names (``pkg/model`` JSON tags)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from albctl.model.stack import SECRET_MASK, Placeholder, Ref, Resource, Stack

# snake_case field → the controller's JSON name, where plain camelCase is not it
_NAMES = {
    "load_balancer_arn": "loadBalancerARN",
    "listener_arn": "listenerARN",
    "target_group_arn": "targetGroupARN",
    "certificate_arn": "certificateARN",
    "subnet_id": "subnetID",
    "customer_owned_ipv4_pool": "customerOwnedIPv4Pool",
    "vpc_id": "vpcID",
    "cidr_ip": "cidrIP",
    "cidr_ipv6": "cidrIPv6",
    "prefix_list_id": "prefixListID",
    "ip_address_type": "ipAddressType",
    "group_id": "groupID",
    "client_id": "clientID",
    "user_pool_arn": "userPoolARN",
    "user_pool_client_id": "userPoolClientID",
    "authenticate_oidc_config": "authenticateOIDCConfig",
    "web_acl_arn": "webACLARN",
    "web_acl_id": "webACLID",
    "resource_arn": "resourceARN",
    "ipv4_ipam_pool": "ipv4IPAMPool",
}


def json_name(name: str) -> str:
    if name in _NAMES:
        return _NAMES[name]
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# per dataclass: a generated function that turns one object into its dict, written once per class (as
# dataclasses writes __init__), instead of dataclasses.fields() and json_name() for every object
_SERIALIZERS: dict[type, Callable[[Any], dict[str, Any]]] = {}
_PLAIN = frozenset({str, int, float, bool, type(None)})
_CONTAINERS = (tuple, list, dict)


def _serializer(cls: type) -> Callable[[Any], dict[str, Any]]:
    lines = ["def serialize(value):", "    out = {}"]
    for f in dataclasses.fields(cls):
        key = json_name(f.name)
        lines += [f"    item = value.{f.name}", "    if item is not None:"]
        if f.metadata.get("secret"):
            lines += ["        if not (isinstance(item, CONTAINERS) and not item):", f"            out[{key!r}] = MASK"]
        else:
            lines += ["        if item.__class__ in PLAIN:", f"            out[{key!r}] = item",
                      "        elif not (isinstance(item, CONTAINERS) and not item):",
                      f"            out[{key!r}] = to_data(item)"]
    lines.append("    return out")
    namespace: dict[str, Any] = {"PLAIN": _PLAIN, "CONTAINERS": _CONTAINERS, "MASK": SECRET_MASK, "to_data": to_data}
    exec("\n".join(lines), namespace)  # noqa: S102 - field names of our own dataclasses only
    serialize: Callable[[Any], dict[str, Any]] = namespace["serialize"]
    _SERIALIZERS[cls] = serialize
    return serialize


def to_data(value: Any) -> Any:
    """Dataclasses → dicts (None and empty values omitted, like Go's omitempty), refs → ``$ref``.
    Fields marked secret (``albctl.model.stack.SECRET``) become ``SECRET_MASK``: secrets never leave."""
    cls = value.__class__
    serialize = _SERIALIZERS.get(cls)
    if serialize is not None:
        return serialize(value)
    if cls in _PLAIN:
        return value
    if cls is tuple or cls is list:
        return [v if v.__class__ in _PLAIN else to_data(v) for v in value]
    if isinstance(value, Ref):
        return {"$ref": str(value)}
    if isinstance(value, Placeholder):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _serializer(cls)(value)
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def resource_data(resource: Resource) -> dict[str, Any]:
    return {"spec": to_data(resource.spec)}


def stack_data(stack: Stack) -> dict[str, Any]:
    """``{"id", "members", "resources": {type: {id: {"spec": ...}}}}``."""
    resources: dict[str, dict[str, Any]] = {}
    for res in stack.resources:
        resources.setdefault(res.type, {})[res.id] = resource_data(res)
    return {"id": stack.id, "members": list(stack.members), "resources": resources}
