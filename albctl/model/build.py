"""Build the desired stack of an IngressGroup, the way aws-load-balancer-controller's model
builder does (``pkg/ingress/model_build_*.go``). Pure: inputs, settings and facts in, a
:class:`Stack` out, or a :class:`ModelError` naming the Ingress and annotation at fault.

One module per resource kind (``build_load_balancer``, ``build_listeners``, ``build_rules``,
``build_target_groups``, ``build_security_groups``, with ``build_listen_ports`` and ``build_tags``);
this one orders them and passes each what it needs from the ones before."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from albctl.errors import Diagnostic
from albctl.manifests.objects import Inputs
from albctl.model import addons
from albctl.model.build_context import BuildContext, ModelError
from albctl.model.build_listen_ports import build_listen_ports
from albctl.model.build_listeners import build_listener, has_rules, ssl_redirect_port
from albctl.model.build_load_balancer import build_load_balancer, ip_address_type, scheme
from albctl.model.build_rules import MISSING_ACTION_BODY, MISSING_SERVICE_BODY, Actions, build_rules
from albctl.model.build_security_groups import SecurityGroups, build_security_groups
from albctl.model.build_target_groups import TargetGroups
from albctl.model.facts import Facts
from albctl.model.groups import IngressGroup
from albctl.model.stack import (
    ADDON_TYPES,
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    LOAD_BALANCER_ID,
    SECURITY_GROUP,
    TARGET_GROUP,
    TARGET_GROUP_BINDING,
    Ref,
    Resource,
    Stack,
)
from albctl.settings import Settings

__all__ = ["MISSING_ACTION_BODY", "MISSING_SERVICE_BODY", "Built", "ModelError", "build_group", "build_stack"]

_ORDER = {LOAD_BALANCER: 0, SECURITY_GROUP: 1, LISTENER: 2, LISTENER_RULE: 3, TARGET_GROUP: 4,
          TARGET_GROUP_BINDING: 5, **{t: 6 + i for i, t in enumerate(ADDON_TYPES)}}


def _build(ctx: BuildContext) -> Stack:
    """The group's stack; every problem found on the way is in ``ctx.problems`` (each step that fails is
    left out of the stack and the build goes on, so one run reports them all)."""
    listen_ports = build_listen_ports(ctx)
    ports = listen_ports.ports
    lb_scheme = scheme(ctx)
    ip_type = ip_address_type(ctx)
    lb_ref = Ref(LOAD_BALANCER, LOAD_BALANCER_ID, "loadBalancerARN")
    resources: list[Resource] = []

    # the security groups first: the target groups' bindings need the backend security group
    sgs = ctx.attempt(partial(build_security_groups, ctx, ports, ip_type), SecurityGroups())
    resources += sgs.resources
    target_groups = TargetGroups(ctx, sgs.backend)
    actions = Actions(ctx, target_groups)
    lb = ctx.attempt(partial(build_load_balancer, ctx, lb_scheme, ip_type, sgs.tokens), None)
    if lb is not None:
        resources.insert(0, lb)
    redirect_port = ctx.attempt(partial(ssl_redirect_port, ctx, ports), None)
    for port, cfg in ports.items():
        members = listen_ports.members_on(port)
        listener = ctx.attempt(partial(build_listener, ctx, actions, port, cfg, members, redirect_port, lb_ref),
                               None)
        if listener is None:
            continue
        resources.append(listener)
        if has_rules(cfg, redirect_port):
            listener_ref = Ref(LISTENER, str(port), "listenerARN")
            no_rules: list[Resource] = []
            resources += ctx.attempt(partial(build_rules, ctx, actions, port, cfg.protocol, members, listener_ref),
                                     no_rules)
    no_addons: list[Resource] = []
    resources += ctx.attempt(
        lambda: addons.addon_resources(ctx.group.members, lb_ref, ctx.facts, ctx.fail), no_addons)
    resources += target_groups.resources  # built by the actions, in the order first forwarded to
    return Stack(ctx.group.id, tuple(m.ingress.meta.key for m in ctx.group.members),
                 tuple(sorted(resources, key=lambda r: _ORDER[r.type])))


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
    stack = _build(ctx)
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
