"""The load balancer's security groups, as the controller's ``pkg/ingress/model_build_security_groups.go``
builds them: the ``security-groups`` annotation's (with the shared backend security group when backend
rules are managed), or a managed security group opening the listen ports to their inbound CIDRs and
prefix lists, plus the shared backend security group. Built before the target groups: the backend
security group is what their TargetGroupBindings' networking allows traffic from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from albctl.model import names
from albctl.model.build_context import BuildContext
from albctl.model.build_listen_ports import PortConfig
from albctl.model.build_tags import group_tags, merged_tags
from albctl.model.stack import MANAGED_SG_ID, SECURITY_GROUP, IPPermission, Ref, Resource, SecurityGroupSpec, Token


@dataclass(frozen=True)
class SecurityGroups:
    """The security groups of the load balancer, the backend security group (None: the bindings manage no
    rules) and the resources built (the managed security group, if any)."""

    tokens: tuple[Token, ...] = ()
    backend: Token | None = None
    resources: tuple[Resource, ...] = ()


def build_security_groups(ctx: BuildContext, ports: Mapping[int, PortConfig], ip_type: str) -> SecurityGroups:
    """The load balancer's security groups (explicit, or a managed one opening the listen ports) and the
    backend security group the TargetGroupBindings allow traffic from."""
    explicit, member = ctx.exclusive("security-groups")
    if explicit:
        # read only with explicit security groups, as the controller does (a conflict elsewhere is moot)
        manage_rules, _ = ctx.exclusive("manage-backend-security-group-rules")
        if manage_rules is None:  # the annotation beats the controller flag
            manage_rules = ctx.settings.enable_manage_backend_security_group_rules
        tokens: list[Token] = [ctx.facts.security_group(s) for s in explicit]
        if manage_rules:
            if not ctx.settings.enable_backend_security_group:
                raise ctx.fail("backendSG feature is required to manage worker node SG rules when "
                               "frontendSG manually specified", member, "manage-backend-security-group-rules")
            backend_sg = ctx.facts.backend_security_group()
            tokens.append(backend_sg)
            return SecurityGroups(tuple(tokens), backend_sg)
        return SecurityGroups(tuple(tokens), None)
    g = ctx.group
    permissions: list[IPPermission] = []
    dualstack = ip_type in ("dualstack", "dualstack-without-public-ipv4")
    for port, cfg in ports.items():
        permissions += [IPPermission("tcp", port, port, cidr_ip=c) for c in cfg.cidrs_v4]
        if dualstack:
            permissions += [IPPermission("tcp", port, port, cidr_ipv6=c) for c in cfg.cidrs_v6]
        permissions += [IPPermission("tcp", port, port, prefix_list_id=p) for p in cfg.prefix_lists]
    sg = SecurityGroupSpec(
        group_name=names.security_group_name(ctx.settings.cluster_name, g.id, g.explicit, g.namespace, g.name),
        description="[k8s] Managed SecurityGroup for LoadBalancer",
        ingress=tuple(permissions),
        tags=merged_tags(ctx, group_tags(ctx, g.members)),
    )
    resources = (Resource(SECURITY_GROUP, MANAGED_SG_ID, sg),)
    managed: Token = Ref(SECURITY_GROUP, MANAGED_SG_ID, "groupID")
    if not ctx.settings.enable_backend_security_group:
        return SecurityGroups((managed,), managed, resources)
    backend_sg = ctx.facts.backend_security_group()
    return SecurityGroups((managed, backend_sg), backend_sg, resources)
