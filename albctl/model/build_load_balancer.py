"""The load balancer, as the controller's ``pkg/ingress/model_build_load_balancer.go`` builds it: its
scheme and IP address type (Exclusive annotations), name, subnets, security groups (built before, and
given), attributes, capacity, IPAM pool and tags."""

from __future__ import annotations

from albctl.model import addons, names
from albctl.model.build_context import BuildContext, merge_first_wins
from albctl.model.build_tags import group_tags, merged_tags
from albctl.model.groups import Member
from albctl.model.stack import (
    LOAD_BALANCER,
    LOAD_BALANCER_ID,
    Attribute,
    LoadBalancerSpec,
    Resource,
    SubnetMapping,
    Token,
)


def scheme(ctx: BuildContext) -> str:
    """The load balancer's scheme: the group's ``scheme``, else the controller's default."""
    chosen = ctx.attempt(lambda: ctx.exclusive("scheme", "scheme")[0], None)
    return chosen or ctx.settings.default_load_balancer_scheme


def ip_address_type(ctx: BuildContext) -> str:
    """The load balancer's IP address type: the group's ``ip-address-type``, else ipv4."""
    return ctx.attempt(lambda: ctx.exclusive("ip-address-type", "ipAddressType")[0], None) or "ipv4"


def build_load_balancer(ctx: BuildContext, scheme: str, ip_type: str, security_groups: tuple[Token, ...]) -> Resource:
    """The load balancer resource of the group."""
    return Resource(LOAD_BALANCER, LOAD_BALANCER_ID, LoadBalancerSpec(
        name=_name(ctx, scheme),
        type="application",
        scheme=scheme,
        ip_address_type=ip_type,
        subnet_mapping=tuple(SubnetMapping(s) for s in _subnets(ctx, scheme)),
        security_groups=security_groups,
        customer_owned_ipv4_pool=ctx.exclusive("customer-owned-ipv4-pool")[0],
        load_balancer_attributes=_attributes(ctx),
        minimum_load_balancer_capacity=addons.minimum_capacity(ctx.group.members, ctx.settings, ctx.fail),
        tags=merged_tags(ctx, group_tags(ctx, ctx.group.members)),
        ipv4_ipam_pool=addons.ipv4_ipam_pool(ctx.group.members, ctx.fail),
    ))


def _name(ctx: BuildContext, scheme: str) -> str:
    explicit, member = ctx.exclusive("load-balancer-name", "loadBalancerName")
    if explicit:
        if len(explicit) > 32:
            raise ctx.fail("load balancer name cannot be longer than 32 characters", member,
                           "load-balancer-name")
        return str(explicit)
    g = ctx.group
    return names.load_balancer_name(ctx.settings.cluster_name, g.id, g.explicit, g.namespace, g.name, scheme)


def _subnets(ctx: BuildContext, scheme: str) -> tuple[Token, ...]:
    # a member whose IngressClassParams has subnets ignores its own subnets annotation
    selectors = [m.params.spec["subnets"] for m in ctx.group.members
                 if m.params is not None and m.params.spec.get("subnets")]
    annotated = [(m, m.ingress.alb["subnets"]) for m in ctx.group.members if "subnets" in m.ingress.alb
                 and not (m.params is not None and m.params.spec.get("subnets"))]
    if selectors:
        if annotated:
            raise ctx.fail("conflicting subnet specifications: IngressClassParams versus annotation (an "
                           "Ingress of the group without IngressClassParams subnets sets the annotation)",
                           annotated[0][0], "subnets")
        selector = selectors[0]
        if any(s != selector for s in selectors[1:]):
            raise ctx.fail("conflicting IngressClassParams subnet specifications")
        if selector.get("ids"):
            return tuple(ctx.facts.subnet(i) for i in selector["ids"])
        return ctx.facts.subnets_matching(selector.get("tags") or {})
    if annotated:
        first_member, first = annotated[0]
        for member, other in annotated[1:]:
            if sorted(other) != sorted(first):
                raise ctx.fail(f"conflicting subnets: Ingress {first_member.ingress.meta.key} sets "
                               f"{','.join(first)}, Ingress {member.ingress.meta.key} sets {','.join(other)}",
                               member, "subnets")
        return tuple(ctx.facts.subnet(s) for s in first)
    return ctx.facts.subnets_for(scheme, ctx.group.id)


def _attributes(ctx: BuildContext) -> tuple[Attribute, ...]:
    first_params = ctx.group.members[0].params
    class_attrs = {str(a.get("key")): str(a.get("value")) for a in
                   (first_params.spec.get("loadBalancerAttributes") or [] if first_params else [])}
    attrs: dict[str, tuple[str, Member]] = {}
    for member in ctx.group.members:
        for k, v in (member.ingress.alb.get("load-balancer-attributes") or {}).items():
            if k in attrs and attrs[k][0] != v and k not in class_attrs:
                raise ctx.fail(f"conflicting load balancer attributes {k}: Ingress "
                               f"{attrs[k][1].ingress.meta.key} sets {attrs[k][0]!r}, Ingress "
                               f"{member.ingress.meta.key} sets {v!r}", member, "load-balancer-attributes")
            attrs[k] = (v, member)
    merged = merge_first_wins(class_attrs, {k: v for k, (v, _) in attrs.items()})
    return tuple(Attribute(k, v) for k, v in sorted(merged.items()))
