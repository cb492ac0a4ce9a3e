"""Desired vs live, per resource: the pure heart of `albctl plan`.

Resources are matched by the controller's resource id (the ``ingress.k8s.aws/resource`` tag).
Field differences come from deepdiff; fields AWS cannot change in place turn an update into a
replace, with the fields named as reasons.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from deepdiff import DeepDiff

from albctl.model.serialize import to_data
from albctl.model.stack import (
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    SECURITY_GROUP,
    TARGET_GROUP,
    TARGET_GROUP_BINDING,
    Stack,
)
from albctl.plan.model import Action, Change, FieldChange
from albctl.tags import tracking_tags

# fields AWS cannot change on an existing resource
IMMUTABLE: dict[str, tuple[str, ...]] = {
    LOAD_BALANCER: ("name", "scheme", "type"),
    TARGET_GROUP: ("name", "targetType", "port", "protocol", "protocolVersion", "ipAddressType"),
    SECURITY_GROUP: ("groupName", "description"),
    LISTENER: ("loadBalancerARN",),  # a listener cannot move to another load balancer
    LISTENER_RULE: ("listenerARN",),
}
# attribute lists compared only on the keys albctl sets (AWS returns every attribute)
PARTIAL_LISTS = ("loadBalancerAttributes", "targetGroupAttributes", "listenerAttributes")
# the order in which changes are applied (deletions run in reverse)
ORDER = (SECURITY_GROUP, TARGET_GROUP, LOAD_BALANCER, LISTENER, LISTENER_RULE)
NAME_FIELDS = {LOAD_BALANCER: "name", TARGET_GROUP: "name", SECURITY_GROUP: "groupName"}


def resolve_refs(value: Any, arns: Mapping[tuple[str, str], str]) -> Any:
    """Replace ``{"$ref": ...}`` by the live ARN/id of the resource it names, where that exists."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and len(value) == 1:
            _, _, rest = ref.partition("#/resources/")
            type_, _, tail = rest.partition("/")
            res_id = tail.rsplit("/status/", 1)[0]
            return arns.get((type_, res_id), value)
        return {k: resolve_refs(v, arns) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_refs(v, arns) for v in value]
    return value


def _normalise(type_: str, data: dict[str, Any], desired: dict[str, Any] | None) -> dict[str, Any]:
    """Comparable form: sorted lists where order carries no meaning, partial attribute lists."""
    out = dict(data)
    for key in PARTIAL_LISTS:
        if key in out or (desired and key in desired):
            wanted = {a["key"] for a in (desired or out).get(key, [])}
            out[key] = sorted((a for a in out.get(key, []) if a["key"] in wanted), key=lambda a: a["key"])
    for key in ("defaultActions", "actions"):
        if key in out:
            out[key] = [_normalise_action(a) for a in out[key]]
    mtls = out.get("mutualAuthentication")
    if isinstance(mtls, dict) and mtls.get("mode") == "off" and not mtls.get("trustStoreArn"):
        out.pop("mutualAuthentication")  # AWS reports mTLS "off" on every HTTPS listener: same as none
    if type_ == LOAD_BALANCER:
        out["subnetMapping"] = sorted(out.get("subnetMapping", []), key=lambda s: str(s.get("subnetID")))
        out["securityGroups"] = sorted(map(str, out.get("securityGroups", [])))
    if type_ == SECURITY_GROUP:
        out["ingress"] = sorted(out.get("ingress", []), key=lambda p: sorted((k, str(v)) for k, v in p.items()))
    return {k: v for k, v in out.items() if v not in (None, [], {})}


REDIRECT_DEFAULTS = {"host": "#{host}", "path": "/#{path}", "port": "#{port}", "protocol": "#{protocol}",
                     "query": "#{query}"}


def _normalise_action(action: dict[str, Any]) -> dict[str, Any]:
    """AWS fills in what the model leaves out: weight 1, stickiness off, redirect's #{...} defaults."""
    action = dict(action)
    forward = action.get("forwardConfig")
    if isinstance(forward, dict):
        forward = dict(forward)
        forward["targetGroups"] = [{**tg, "weight": tg.get("weight", 1)} for tg in forward.get("targetGroups", [])]
        sticky = forward.get("targetGroupStickinessConfig")
        if not sticky or not sticky.get("enabled"):
            forward.pop("targetGroupStickinessConfig", None)
        action["forwardConfig"] = forward
    oidc = action.get("authenticateOIDCConfig")
    if isinstance(oidc, dict):  # AWS never returns the client secret: it cannot be compared
        action["authenticateOIDCConfig"] = {k: v for k, v in oidc.items() if k != "clientSecret"}
    redirect = action.get("redirectConfig")
    if isinstance(redirect, dict):
        action["redirectConfig"] = {**REDIRECT_DEFAULTS, **redirect}
    return action


def _path(deepdiff_path: str) -> str:
    # root['healthCheckConfig']['path'] → healthCheckConfig.path ; root['ingress'][0] → ingress[0]
    out = deepdiff_path.replace("root", "", 1)
    out = out.replace("']['", ".").replace("['", ".").replace("']", "")
    return out.lstrip(".")


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Every changed leaf as path, old, new (added and removed keys included)."""
    diff = DeepDiff(before, after, verbose_level=2)
    changes: list[FieldChange] = []
    for kind, items in diff.items():
        for path, value in items.items():
            if kind == "values_changed" or kind == "type_changes":
                changes.append(FieldChange(_path(path), value["old_value"], value["new_value"]))
            elif kind in ("dictionary_item_added", "iterable_item_added"):
                changes.append(FieldChange(_path(path), None, value))
            elif kind in ("dictionary_item_removed", "iterable_item_removed"):
                changes.append(FieldChange(_path(path), value, None))
    return tuple(sorted(changes, key=lambda c: c.path))


def _name(type_: str, res_id: str, data: dict[str, Any] | None) -> str:
    key = NAME_FIELDS.get(type_)
    if key and data and data.get(key):
        return str(data[key])
    return res_id


def diff_stack(stack: Stack, live: Iterable[Any], cluster: str,
               targets: Mapping[str, list[dict[str, Any]]] | None = None) -> list[Change]:
    """The changes that turn ``live`` (LiveResource-like: type, id, arn, spec, tags, extra) into ``stack``."""
    resources = {(r.type, r.id): to_data(r.spec) for r in stack.resources if r.type in ORDER}
    return diff_resources(stack.id, resources, live, cluster, targets)


def stack_specs(stack_json: Mapping[str, Mapping[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """``{type: {id: {"spec": ...}}}`` (stack-json, as in a saved plan) → ``{(type, id): spec}``, for the
    resource types albctl manages (see :func:`unmanaged_types`)."""
    return {(type_, res_id): body["spec"] for type_, by_id in stack_json.items() if type_ in ORDER
            for res_id, body in by_id.items()}


def unmanaged_types(stack_json: Mapping[str, Any]) -> list[str]:
    """Resource types of a desired stack that plan/apply leave alone (the in-cluster controller's
    TargetGroupBindings aside): WAF and Shield associations, for now."""
    return sorted(t for t in stack_json if t not in ORDER and t != TARGET_GROUP_BINDING)


def diff_resources(stack_id: str, resources: Mapping[tuple[str, str], dict[str, Any]], live: Iterable[Any],
                   cluster: str, targets: Mapping[str, list[dict[str, Any]]] | None = None) -> list[Change]:
    """The diff on plain data: desired specs by (type, id), with ``$ref``s, against live resources.

    ``targets`` gives, per target group id, the targets albctl registers itself (instance mode);
    they are compared with the registered ones as a ``targets`` field."""
    live_by_key = {(r.type, r.id): r for r in live}
    # a resource about to be replaced has no ARN yet as far as its dependants are concerned, and a
    # child of a replaced parent (a listener of a replaced load balancer) is replaced too
    arns = {key: r.arn for key, r in live_by_key.items()}
    rank = {t: i for i, t in enumerate(ORDER)}
    for key in sorted(resources, key=lambda k: rank.get(k[0], len(ORDER))):
        if key in live_by_key and _immutable_changed(key[0], live_by_key[key].spec, resolve_refs(resources[key], arns)):
            arns.pop(key, None)
    changes: list[Change] = []
    for (type_, res_id), raw in resources.items():
        spec = resolve_refs(raw, arns)
        spec["tags"] = {**spec.get("tags", {}), **tracking_tags(cluster, stack_id, res_id)}
        if type_ == TARGET_GROUP and targets is not None and res_id in targets:
            spec["targets"] = sorted(targets[res_id], key=lambda t: (t["id"], t["port"]))
        current = live_by_key.pop((type_, res_id), None)
        if current is None:
            changes.append(Change(type_, res_id, _name(type_, res_id, spec), Action.CREATE, None, spec))
            continue
        live_spec = {**current.spec, "tags": dict(current.tags)}
        if "targets" in spec:
            live_spec["targets"] = sorted(({"id": t["id"], "port": t["port"]}
                                           for t in (getattr(current, "extra", None) or {}).get("targets", [])),
                                          key=lambda t: (t["id"], t["port"]))
        before = _normalise(type_, live_spec, spec)
        after = _normalise(type_, spec, spec)
        fields = field_changes(before, after)
        name = _name(type_, res_id, spec)
        if not fields:
            changes.append(Change(type_, res_id, name, Action.NOOP, before, after, arn=current.arn))
            continue
        reasons = tuple(sorted({f.path.split(".")[0].split("[")[0] for f in fields} & set(IMMUTABLE.get(type_, ()))))
        action = Action.REPLACE if reasons else Action.UPDATE
        changes.append(Change(type_, res_id, name, action, before, after, fields, reasons, arn=current.arn,
                              protected=_protected(current)))
    for (type_, res_id), current in live_by_key.items():
        before = {**current.spec, "tags": dict(current.tags)}
        changes.append(Change(type_, res_id, _name(type_, res_id, before), Action.DELETE, before, None,
                              arn=current.arn, protected=_protected(current)))
    return order_changes(changes)


def _protected(live: Any) -> bool:
    return bool((getattr(live, "extra", None) or {}).get("deletion_protection"))


def _immutable_changed(type_: str, live: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
    return any(live.get(f) != desired.get(f) for f in IMMUTABLE.get(type_, ()) if f in desired)


def comparable_rule_content(spec: Mapping[str, Any]) -> tuple[str, str]:
    """A rule's conditions and actions in comparable form, to match live and desired rules by content."""
    actions = [_normalise_action(a) for a in spec.get("actions", [])]
    return (json.dumps(spec.get("conditions", []), sort_keys=True), json.dumps(actions, sort_keys=True))


def order_changes(changes: list[Change]) -> list[Change]:
    """Creates and updates in dependency order; deletions after them, in reverse dependency order."""
    rank = {t: i for i, t in enumerate(ORDER)}
    forward = [c for c in changes if c.action is not Action.DELETE]
    backward = [c for c in changes if c.action is Action.DELETE]
    forward.sort(key=lambda c: (rank.get(c.type, len(ORDER)), _id_key(c.id)))
    backward.sort(key=lambda c: (-rank.get(c.type, len(ORDER)), _id_key(c.id)))
    return forward + backward


def _id_key(res_id: str) -> tuple[Any, ...]:
    port, _, priority = res_id.partition(":")
    if port.isdigit() and (not priority or priority.isdigit()):
        return (0, int(port), int(priority or 0), "")
    return (1, 0, 0, res_id)


def unresolved_refs(change: Change) -> list[str]:
    """References still pointing inside the stack (values known only after apply)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "$ref" in value:
                found.append(str(value["$ref"]))
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(change.after)
    return found

