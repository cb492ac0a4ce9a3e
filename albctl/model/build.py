"""Build the desired stack of an IngressGroup, the way aws-load-balancer-controller's model
builder does (``pkg/ingress/model_build_*.go``). Pure: inputs, settings and facts in, a
:class:`Stack` out, or a :class:`ModelError` naming the Ingress and annotation at fault."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from albctl.errors import Diagnostic
from albctl.manifests.objects import Inputs
from albctl.model import addons, listeners, names
from albctl.model.build_context import BuildContext, ModelError, merge_first_wins
from albctl.model.build_listen_ports import PortConfig, build_listen_ports
from albctl.model.build_rules import MISSING_ACTION_BODY, MISSING_SERVICE_BODY, Actions, build_rules
from albctl.model.build_security_groups import SecurityGroups, build_security_groups
from albctl.model.build_tags import group_tags, merged_tags
from albctl.model.build_target_groups import TargetGroups
from albctl.model.facts import Facts
from albctl.model.groups import IngressGroup, Member
from albctl.model.stack import (
    ADDON_TYPES,
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    LOAD_BALANCER_ID,
    SECURITY_GROUP,
    TARGET_GROUP,
    TARGET_GROUP_BINDING,
    Action,
    Attribute,
    Certificate,
    ListenerSpec,
    LoadBalancerSpec,
    RedirectConfig,
    Ref,
    Resource,
    Stack,
    SubnetMapping,
    Token,
)
from albctl.settings import Settings

__all__ = ["MISSING_ACTION_BODY", "MISSING_SERVICE_BODY", "Built", "ModelError", "build_group", "build_stack"]


class _Builder:
    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.group = ctx.group
        self.inputs = ctx.inputs
        self.settings = ctx.settings
        self.facts = ctx.facts
        self.resources: list[Resource] = []
        self.target_groups = TargetGroups(ctx, None)
        self.actions = Actions(ctx, self.target_groups)

    # -- load balancer --------------------------------------------------------------------------

    def build(self) -> Stack:
        """The group's stack; every problem found on the way is in ``self.problems`` (each step that
        fails is left out of the stack and the build goes on, so one run reports them all)."""
        listen_ports = build_listen_ports(self.ctx)
        ports = listen_ports.ports
        per_member = listen_ports.per_member
        scheme = self.ctx.attempt(lambda: self.ctx.exclusive("scheme", "scheme")[0], None)
        scheme = scheme or self.settings.default_load_balancer_scheme
        ip_type = self.ctx.attempt(lambda: self.ctx.exclusive("ip-address-type", "ipAddressType")[0], None) or "ipv4"
        lb_ref = Ref(LOAD_BALANCER, LOAD_BALANCER_ID, "loadBalancerARN")

        sgs = self.ctx.attempt(partial(build_security_groups, self.ctx, ports, ip_type), SecurityGroups())
        self.resources += sgs.resources
        self.target_groups = TargetGroups(self.ctx, sgs.backend)
        self.actions = Actions(self.ctx, self.target_groups)
        lb = self.ctx.attempt(lambda: LoadBalancerSpec(
            name=self._lb_name(scheme),
            type="application",
            scheme=scheme,
            ip_address_type=ip_type,
            subnet_mapping=tuple(SubnetMapping(s) for s in self._subnets(scheme)),
            security_groups=sgs.tokens,
            customer_owned_ipv4_pool=self.ctx.exclusive("customer-owned-ipv4-pool")[0],
            load_balancer_attributes=self._lb_attributes(),
            minimum_load_balancer_capacity=addons.minimum_capacity(self.group.members, self.settings, self.ctx.fail),
            tags=merged_tags(self.ctx, group_tags(self.ctx, self.group.members)),
            ipv4_ipam_pool=addons.ipv4_ipam_pool(self.group.members, self.ctx.fail),
        ), None)
        if lb is not None:
            self.resources.insert(0, Resource(LOAD_BALANCER, LOAD_BALANCER_ID, lb))
        redirect_port = self.ctx.attempt(lambda: self._ssl_redirect(ports), None)
        for port, cfg in ports.items():
            self.ctx.attempt(partial(self._listener, port, cfg, per_member, redirect_port, lb_ref), None)
        no_addons: list[Resource] = []
        self.resources += self.ctx.attempt(
            lambda: addons.addon_resources(self.group.members, lb_ref, self.facts, self.ctx.fail), no_addons)
        self.resources += self.target_groups.resources
        order = {LOAD_BALANCER: 0, SECURITY_GROUP: 1, LISTENER: 2, LISTENER_RULE: 3, TARGET_GROUP: 4,
                 TARGET_GROUP_BINDING: 5, **{t: 6 + i for i, t in enumerate(ADDON_TYPES)}}
        resources = sorted(self.resources, key=lambda r: order[r.type])
        return Stack(self.group.id, tuple(m.ingress.meta.key for m in self.group.members), tuple(resources))

    def _listener(self, port: int, cfg: PortConfig, per_member: list[tuple[Member, dict[int, PortConfig]]],
                  redirect_port: int | None, lb_ref: Ref) -> None:
        members = [m for m, cfgs in per_member if port in cfgs]
        listener_ref = Ref(LISTENER, str(port), "listenerARN")
        if redirect_port is not None and cfg.protocol == "HTTP":
            default_actions: tuple[Action, ...] = (_ssl_redirect_action(redirect_port),)
        else:
            default_actions = self.actions.default_actions(cfg.protocol, members)
        self.resources.append(Resource(LISTENER, str(port), ListenerSpec(
            load_balancer_arn=lb_ref,
            port=port,
            protocol=cfg.protocol,
            default_actions=default_actions,
            certificates=tuple(Certificate(c) for c in cfg.certs),
            ssl_policy=cfg.ssl_policy,
            mutual_authentication=cfg.mtls,
            tags=merged_tags(self.ctx, group_tags(self.ctx, members)),
            listener_attributes=listeners.listener_attributes(members, cfg.protocol, port, self.ctx.fail),
        )))
        if redirect_port is None or cfg.protocol != "HTTP":
            self.resources += build_rules(self.ctx, self.actions, port, cfg.protocol, members, listener_ref)

    def _lb_name(self, scheme: str) -> str:
        explicit, member = self.ctx.exclusive("load-balancer-name", "loadBalancerName")
        if explicit:
            if len(explicit) > 32:
                raise self.ctx.fail("load balancer name cannot be longer than 32 characters", member,
                                "load-balancer-name")
            return str(explicit)
        g = self.group
        return names.load_balancer_name(self.settings.cluster_name, g.id, g.explicit, g.namespace, g.name, scheme)

    def _subnets(self, scheme: str) -> tuple[Token, ...]:
        # a member whose IngressClassParams has subnets ignores its own subnets annotation
        selectors = [m.params.spec["subnets"] for m in self.group.members
                     if m.params is not None and m.params.spec.get("subnets")]
        annotated = [(m, m.ingress.alb["subnets"]) for m in self.group.members if "subnets" in m.ingress.alb
                     and not (m.params is not None and m.params.spec.get("subnets"))]
        if selectors:
            if annotated:
                raise self.ctx.fail("conflicting subnet specifications: IngressClassParams versus annotation (an "
                                "Ingress of the group without IngressClassParams subnets sets the annotation)",
                                annotated[0][0], "subnets")
            selector = selectors[0]
            if any(s != selector for s in selectors[1:]):
                raise self.ctx.fail("conflicting IngressClassParams subnet specifications")
            if selector.get("ids"):
                return tuple(self.facts.subnet(i) for i in selector["ids"])
            return self.facts.subnets_matching(selector.get("tags") or {})
        if annotated:
            first_member, first = annotated[0]
            for member, other in annotated[1:]:
                if sorted(other) != sorted(first):
                    raise self.ctx.fail(f"conflicting subnets: Ingress {first_member.ingress.meta.key} sets "
                                    f"{','.join(first)}, Ingress {member.ingress.meta.key} sets {','.join(other)}",
                                    member, "subnets")
            return tuple(self.facts.subnet(s) for s in first)
        return self.facts.subnets_for(scheme, self.group.id)

    def _lb_attributes(self) -> tuple[Attribute, ...]:
        first_params = self.group.members[0].params
        class_attrs = {str(a.get("key")): str(a.get("value")) for a in
                       (first_params.spec.get("loadBalancerAttributes") or [] if first_params else [])}
        attrs: dict[str, tuple[str, Member]] = {}
        for member in self.group.members:
            for k, v in (member.ingress.alb.get("load-balancer-attributes") or {}).items():
                if k in attrs and attrs[k][0] != v and k not in class_attrs:
                    raise self.ctx.fail(f"conflicting load balancer attributes {k}: Ingress "
                                    f"{attrs[k][1].ingress.meta.key} sets {attrs[k][0]!r}, Ingress "
                                    f"{member.ingress.meta.key} sets {v!r}", member, "load-balancer-attributes")
                attrs[k] = (v, member)
        merged = merge_first_wins(class_attrs, {k: v for k, (v, _) in attrs.items()})
        return tuple(Attribute(k, v) for k, v in sorted(merged.items()))

    def _ssl_redirect(self, ports: dict[int, PortConfig]) -> int | None:
        found: dict[int, Member] = {}
        for member in self.group.members:
            if member.params is not None and member.params.spec.get("sslRedirectPort"):
                try:
                    found.setdefault(int(member.params.spec["sslRedirectPort"]), member)
                except ValueError:
                    return None
            elif "ssl-redirect" in member.ingress.alb:
                found.setdefault(int(member.ingress.alb["ssl-redirect"]), member)
        if not found:
            return None
        if len(found) > 1:
            (a, ma), (b, mb) = list(found.items())[:2]
            raise self.ctx.fail(f"conflicting ssl-redirect port: Ingress {ma.ingress.meta.key} sets {a}, Ingress "
                            f"{mb.ingress.meta.key} sets {b}", mb, "ssl-redirect")
        port, member = next(iter(found.items()))
        if port not in ports:
            raise self.ctx.fail(f"ssl-redirect to port {port}, but no listener on port {port} "
                            f"(listen-ports has {', '.join(map(str, ports))})", member, "ssl-redirect")
        if ports[port].protocol != "HTTPS":
            raise self.ctx.fail(f"ssl-redirect to port {port}, but that listener is {ports[port].protocol}, not HTTPS",
                            member, "ssl-redirect")
        return port

def _ssl_redirect_action(port: int) -> Action:
    return Action("redirect", redirect_config=RedirectConfig("HTTP_301", port=str(port), protocol="HTTPS"))


@dataclass
class Built:
    """One IngressGroup built: its stack (partial when there are problems: what could be built), every
    problem found, and the warnings (a value shown as a placeholder, a tolerated missing backend)."""

    stack: Stack
    problems: list[Diagnostic]
    warnings: list[Diagnostic]


def build_group(group: IngressGroup, inputs: Inputs, settings: Settings, facts: Facts) -> Built:
    """Build one IngressGroup, collecting every problem instead of stopping at the first."""
    ctx = BuildContext(group, inputs, settings, facts)
    stack = _Builder(ctx).build()
    return Built(stack, ctx.problems, ctx.warnings)


def build_stack(group: IngressGroup, inputs: Inputs, settings: Settings, facts: Facts,
                warnings: list[Diagnostic] | None = None) -> Stack:
    """The desired stack for one IngressGroup. Raises :class:`ModelError` for its first problem; warnings
    are appended to ``warnings``."""
    built = build_group(group, inputs, settings, facts)
    if built.problems:
        raise ModelError(built.problems[0])
    if warnings is not None:
        warnings.extend(built.warnings)
    return built.stack
