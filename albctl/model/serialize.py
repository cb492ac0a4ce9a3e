"""Stacks as JSON-ready data, with the controller's field names (``pkg/model`` JSON tags)."""

from __future__ import annotations

import dataclasses
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


# per dataclass: (attribute, JSON name, secret?) of each field, computed once per class instead of
# dataclasses.fields() and json_name() for every object
_FIELD_TABLES: dict[type, tuple[tuple[str, str, bool], ...]] = {}
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _field_table(cls: type) -> tuple[tuple[str, str, bool], ...]:
    table = tuple((f.name, json_name(f.name), bool(f.metadata.get("secret"))) for f in dataclasses.fields(cls))
    _FIELD_TABLES[cls] = table
    return table


def to_data(value: Any) -> Any:
    """Dataclasses → dicts (None and empty values omitted, like Go's omitempty), refs → ``$ref``.
    Fields marked secret (``albctl.model.stack.SECRET``) become ``SECRET_MASK``: secrets never leave."""
    cls = value.__class__
    table = _FIELD_TABLES.get(cls)
    if table is not None:
        out = {}
        for name, key, secret in table:
            item = getattr(value, name)
            if item is None:
                continue
            if secret:
                if not (isinstance(item, tuple | list | dict) and not item):
                    out[key] = SECRET_MASK
            elif item.__class__ in _PLAIN:
                out[key] = item
            elif not (isinstance(item, tuple | list | dict) and not item):
                out[key] = to_data(item)
        return out
    if cls in _PLAIN:
        return value
    if cls is tuple or cls is list:
        return [v if v.__class__ in _PLAIN else to_data(v) for v in value]
    if isinstance(value, Ref):
        return {"$ref": str(value)}
    if isinstance(value, Placeholder):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        _field_table(cls)
        return to_data(value)
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
