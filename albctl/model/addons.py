"""Load balancer add-ons and capacity settings, as the controller builds them
(``pkg/ingress/model_build_load_balancer_addons.go``, ``..._capacity_reservation.go``,
``model_build_ipam.go``).

Add-ons are resources of their own, with the load balancer's ARN as ``resourceARN`` and the id
``LoadBalancer``: ``AWS::WAFv2::WebACLAssociation`` (``wafv2-acl-name`` / ``wafv2-acl-arn``, or
IngressClassParams ``wafv2AclName`` / ``wafv2AclArn``), ``AWS::WAFRegional::WebACLAssociation``
(``waf-acl-id``, legacy ``web-acl-id``) and ``AWS::Shield::Protection``
(``shield-advanced-protection``). Each exists only when some member sets it; ``none`` (WAF) and
``false`` (Shield) make a resource that removes the association / protection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from albctl.model.facts import Facts
from albctl.model.groups import Member
from albctl.model.stack import (
    LOAD_BALANCER_ID,
    SHIELD_PROTECTION,
    WAF_REGIONAL_WEB_ACL_ASSOCIATION,
    WAFV2_WEB_ACL_ASSOCIATION,
    MinimumLoadBalancerCapacity,
    Resource,
    ShieldProtectionSpec,
    Token,
    WAFRegionalWebACLAssociationSpec,
    WebACLAssociationSpec,
)
from albctl.settings import Settings

NONE = "none"
CAPACITY_UNITS = "CapacityUnits"
CAPACITY_GATE = "LBCapacityReservation"

Fail = Callable[[str, Member, str], Exception]  # (message, member, annotation suffix) → error to raise
Setting = tuple[Any, Member, str]  # (value, the member that sets it, where: annotation or params field)


def _params(member: Member, key: str) -> Any:
    return member.params.spec.get(key) if member.params is not None else None


def _where(member: Member, source: str) -> str:
    if source.startswith("spec."):
        assert member.params is not None
        return f"IngressClassParams {member.params.meta.name} {source} (Ingress {member.ingress.meta.key})"
    return f"Ingress {member.ingress.meta.key}"


def _single(settings: Sequence[Setting], what: str, annotation: str, fail: Fail) -> Setting | None:
    """The one value every setting agrees on; two different values are an error naming both."""
    if not settings:
        return None
    first = settings[0]
    for other in settings[1:]:
        if other[0] != first[0]:
            raise fail(f"conflicting {what}: {_where(first[1], first[2])} sets {first[0]!r}, "
                       f"{_where(other[1], other[2])} sets {other[0]!r}", other[1], annotation)
    return first


def addon_resources(members: Sequence[Member], lb_arn: Token, facts: Facts, fail: Fail) -> list[Resource]:
    """The add-on resources of a group's load balancer, in the controller's order."""
    found = [_wafv2(members, lb_arn, facts, fail), _waf_regional(members, lb_arn, fail), _shield(members, lb_arn, fail)]
    return [r for r in found if r is not None]


def _wafv2(members: Sequence[Member], lb_arn: Token, facts: Facts, fail: Fail) -> Resource | None:
    names: list[Setting] = []
    for m in members:
        if _params(m, "wafv2AclName"):
            names.append((_params(m, "wafv2AclName"), m, "spec.wafv2AclName"))
        elif m.ingress.alb.get("wafv2-acl-name"):
            names.append((m.ingress.alb["wafv2-acl-name"], m, "wafv2-acl-name"))
    arn: Token
    if names:
        name = _single(names, "WAFv2 web ACL names", "wafv2-acl-name", fail)
        assert name is not None
        arn = "" if name[0] == NONE else facts.web_acl(str(name[0]))
    else:
        arns: list[Setting] = []
        for m in members:
            if _params(m, "wafv2AclArn"):
                arns.append((_params(m, "wafv2AclArn"), m, "spec.wafv2AclArn"))
            elif "wafv2-acl-arn" in m.ingress.alb:
                arns.append((m.ingress.alb["wafv2-acl-arn"], m, "wafv2-acl-arn"))
        chosen = _single(arns, "WAFv2 web ACL ARNs", "wafv2-acl-arn", fail)
        if chosen is None:
            return None
        arn = "" if chosen[0] == NONE else str(chosen[0])
    return Resource(WAFV2_WEB_ACL_ASSOCIATION, LOAD_BALANCER_ID, WebACLAssociationSpec(arn, lb_arn))


def _waf_regional(members: Sequence[Member], lb_arn: Token, fail: Fail) -> Resource | None:
    ids: list[Setting] = []
    for m in members:
        key = "waf-acl-id" if "waf-acl-id" in m.ingress.alb else "web-acl-id"
        if m.ingress.alb.get(key):
            ids.append((m.ingress.alb[key], m, key))
    chosen = _single(ids, "WAF Classic web ACL IDs", "waf-acl-id", fail)
    if chosen is None:
        return None
    web_acl_id = "" if chosen[0] == NONE else str(chosen[0])
    return Resource(WAF_REGIONAL_WEB_ACL_ASSOCIATION, LOAD_BALANCER_ID,
                    WAFRegionalWebACLAssociationSpec(web_acl_id, lb_arn))


def _shield(members: Sequence[Member], lb_arn: Token, fail: Fail) -> Resource | None:
    found = [(m.ingress.alb["shield-advanced-protection"], m, "shield-advanced-protection") for m in members
             if "shield-advanced-protection" in m.ingress.alb]
    chosen = _single(found, "shield-advanced-protection", "shield-advanced-protection", fail)
    if chosen is None:
        return None
    return Resource(SHIELD_PROTECTION, LOAD_BALANCER_ID, ShieldProtectionSpec(bool(chosen[0]), lb_arn))


def minimum_capacity(members: Sequence[Member], settings: Settings, fail: Fail) -> MinimumLoadBalancerCapacity | None:
    """``minimum-load-balancer-capacity`` (the first member's IngressClassParams first); the
    LBCapacityReservation feature gate (on by default) turns it off."""
    if not settings.gate(CAPACITY_GATE, True) or not members:
        return None
    params = _params(members[0], "minimumLoadBalancerCapacity")
    if params is not None:
        return MinimumLoadBalancerCapacity(int(params["capacityUnits"]))
    merged: dict[str, Setting] = {}
    for m in members:
        for key, value in (m.ingress.alb.get("minimum-load-balancer-capacity") or {}).items():
            setting = (value, m, "minimum-load-balancer-capacity")
            if key in merged:
                _single([merged[key], setting], f"capacity reservation {key}", "minimum-load-balancer-capacity", fail)
            merged[key] = setting
    capacity = None
    for key, (value, member, _) in merged.items():
        if key != CAPACITY_UNITS:
            raise fail(f"invalid key to set the capacity: {key}, expected key: {CAPACITY_UNITS}", member,
                       "minimum-load-balancer-capacity")
        if not _is_int32(value):
            raise fail(f"invalid value to set the capacity: {value!r} (expected an integer)", member,
                       "minimum-load-balancer-capacity")
        capacity = MinimumLoadBalancerCapacity(int(value))
    return capacity


def _is_int32(value: str) -> bool:
    text = str(value)
    return text.lstrip("+-").isascii() and text.lstrip("+-").isdigit() and -(2**31) <= int(text) < 2**31


def ipv4_ipam_pool(members: Sequence[Member], fail: Fail) -> str | None:
    """``ipam-ipv4-pool-id``; the first member's IngressClassParams ``ipamConfiguration`` wins."""
    if not members:
        return None
    ipam = _params(members[0], "ipamConfiguration") or {}
    if ipam.get("ipv4IPAMPoolId") is not None:
        return str(ipam["ipv4IPAMPoolId"])
    found = [(m.ingress.alb["ipam-ipv4-pool-id"], m, "ipam-ipv4-pool-id") for m in members
             if m.ingress.alb.get("ipam-ipv4-pool-id")]
    chosen = _single(found, "IPv4 IPAM pools", "ipam-ipv4-pool-id", fail)
    return str(chosen[0]) if chosen else None
