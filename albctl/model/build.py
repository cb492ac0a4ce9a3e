"""Build the desired stack of an IngressGroup, the way aws-load-balancer-controller's model
builder does (``pkg/ingress/model_build_*.go``). Pure: inputs, settings and facts in, a
:class:`Stack` out, or a :class:`ModelError` naming the Ingress and annotation at fault."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from albctl.errors import Diagnostic
from albctl.manifests.objects import ALB_PREFIX, Ingress, Inputs, Service, ServiceBackend
from albctl.model import addons, auth, listeners, names
from albctl.model.build_context import BuildContext, ModelError, merge_first_wins
from albctl.model.build_listen_ports import PortConfig, build_listen_ports
from albctl.model.build_security_groups import SecurityGroups, build_security_groups
from albctl.model.build_tags import group_tags, ingress_tags, merged_tags
from albctl.model.build_target_groups import TargetGroups
from albctl.model.cluster import merge_service
from albctl.model.facts import Facts
from albctl.model.groups import IngressGroup, Member
from albctl.model.rules import build_transforms, optimize_rules, path_conditions, sort_paths
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
    FixedResponseConfig,
    ForwardConfig,
    ListenerRuleSpec,
    ListenerSpec,
    LoadBalancerSpec,
    Placeholder,
    RedirectConfig,
    Ref,
    Resource,
    RuleCondition,
    Stack,
    StickinessConfig,
    SubnetMapping,
    TargetGroupTuple,
    Token,
    Transform,
)
from albctl.settings import Settings

# the controller's fixed responses for a backend that does not exist (enhanced_backend_builder.go)
MISSING_SERVICE_BODY = "Backend service does not exist"
MISSING_ACTION_BODY = "Backend action does not exist"


class _Builder:
    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.group = ctx.group
        self.inputs = ctx.inputs
        self.settings = ctx.settings
        self.facts = ctx.facts
        self.resources: list[Resource] = []
        self.target_groups = TargetGroups(ctx, None)

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
            default_actions = self._default_actions(cfg.protocol, members)
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
            self._rules(port, cfg.protocol, members, listener_ref)

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

    # -- listeners and rules --------------------------------------------------------------------

    def _default_actions(self, protocol: str, members: list[Member]) -> tuple[Action, ...]:
        with_default = [m for m in members if m.ingress.default_backend is not None]
        if not with_default:
            return (Action("fixed-response", fixed_response_config=FixedResponseConfig("404", "text/plain")),)
        if len(with_default) > 1:
            keys = ", ".join(m.ingress.meta.key for m in with_default)
            raise self.ctx.fail(f"multiple Ingresses define a default backend: {keys}", with_default[1])
        member = with_default[0]
        assert member.ingress.default_backend is not None
        return self._actions(protocol, member, member.ingress.default_backend)

    def _rules(self, port: int, protocol: str, members: list[Member], listener_ref: Ref) -> None:
        rules: list[tuple[tuple[RuleCondition, ...], tuple[Action, ...], tuple[Transform, ...], dict[str, str]]] = []
        for member in members:
            ing = member.ingress
            for rule in ing.rules:
                if not rule.has_http:
                    continue
                for path in sort_paths(rule.paths):
                    def one(member: Member = member, host: str = rule.host, path: Any = path) -> None:
                        conditions = self._conditions(member, host, path.path, path.path_type, path.backend)
                        actions = self._actions(protocol, member, path.backend)
                        transforms = build_transforms(member.ingress.alb.get(
                            f"transforms.{path.backend.service_name}"))
                        tags = merged_tags(self.ctx, ingress_tags(self.ctx, member))
                        rules.append((conditions, actions, transforms, tags))
                    self.ctx.attempt(one, None)
        optimized = optimize_rules(port, protocol, rules)
        for priority, (conditions, actions, transforms, tags) in enumerate(optimized, start=1):
            self.resources.append(Resource(LISTENER_RULE, f"{port}:{priority}", ListenerRuleSpec(
                listener_arn=listener_ref, priority=priority, conditions=conditions, actions=actions,
                transforms=transforms, tags=tags)))

    def _conditions(self, member: Member, host: str, path: str, path_type: str | None,
                    backend: ServiceBackend) -> tuple[RuleCondition, ...]:
        use_regex = bool(member.ingress.alb.get("use-regex-path-match"))
        extra = member.ingress.alb.get(f"conditions.{backend.service_name}") or []
        try:
            return path_conditions(host, path, path_type, use_regex, extra)
        except ValueError as exc:
            raise self.ctx.fail(str(exc), member) from None

    def _actions(self, protocol: str, member: Member, backend: ServiceBackend) -> tuple[Action, ...]:
        """The backend action, after the authenticate / jwt-validation action on HTTPS listeners."""
        ing = member.ingress
        if backend.uses_annotation:
            cfg = ing.alb.get(f"actions.{backend.service_name}")
            if cfg is None:
                action = self._missing_action(member, backend)
                auth_service = None
            else:
                action = self._annotation_action(member, backend.service_name, cfg)
                # a tolerated missing Service became the 503 rule: no Service annotations to merge
                auth_service = _single_service(cfg) if action.type == cfg.get("type") else None
            first = self._auth_actions(member, auth_service) if protocol == "HTTPS" else ()
            return (*first, action)
        svc = self._service(ing, backend.service_name)
        if svc is None:
            missing = self._missing_service(member, backend.service_name, backend.port,
                                            (*backend.path, "service", "name"), single=True)
            first = self._auth_actions(member, None) if protocol == "HTTPS" else ()
            if isinstance(missing, Action):
                return (*first, missing)
            return (*first, Action("forward", forward_config=ForwardConfig((TargetGroupTuple(missing),))))
        first = self._auth_actions(member, backend.service_name) if protocol == "HTTPS" else ()
        tg = self.target_groups.target_group(member, svc, backend.port)
        return (*first, Action("forward", forward_config=ForwardConfig((TargetGroupTuple(tg),))))

    def _missing_action(self, member: Member, backend: ServiceBackend) -> Action:
        """``use-annotation`` without its ``actions.<name>`` annotation (Argo Rollouts adds it at run time):
        the controller's 503 rule, unless --tolerate-non-existent-backend-action is false."""
        key = f"{ALB_PREFIX}actions.{backend.service_name}"
        if not self.settings.tolerate_non_existent_backend_action:
            raise ModelError(member.ingress.meta.diagnostic(
                f"servicePort is use-annotation but there is no annotation {key} (missing {key[len(ALB_PREFIX):]} "
                "configuration; tolerate-non-existent-backend-action is false)", *backend.path))
        self.ctx.warn(member.ingress.meta.diagnostic(
            f"servicePort is use-annotation but there is no annotation {key}: the rule answers 503 "
            f"{MISSING_ACTION_BODY!r}, as the controller does (tolerate-non-existent-backend-action)",
            *backend.path, severity="warning"))
        return _fixed_503(MISSING_ACTION_BODY)

    def _missing_service(self, member: Member, name: str, port: int | str | None, path: tuple[str | int, ...],
                         single: bool) -> Action | Placeholder:
        """A backend Service that is neither in the inputs nor read from the cluster. With
        tolerate-non-existent-backend-service (and a forward to that one Service), the controller's 503
        rule; offline, a placeholder target group and a warning; else (plan, apply) an error."""
        ing = member.ingress
        ref = f"{ing.namespace}/{name}"
        if self.settings.tolerate_non_existent_backend_service and single:
            self.ctx.warn(ing.meta.diagnostic(
                f"Service {ref} is not in the inputs: the rule answers 503 {MISSING_SERVICE_BODY!r}, as the "
                "controller does (tolerate-non-existent-backend-service)", *path, severity="warning"))
            return _fixed_503(MISSING_SERVICE_BODY)
        if self.facts.offline:
            self.ctx.warn(ing.meta.diagnostic(
                f"Service {ref} is not in the inputs: its target group is shown as a placeholder; plan and apply "
                "need its manifest, or --kube-context to read it from the cluster (or tolerate-non-existent-"
                "backend-service: true in --config for the controller's 503 rule)", *path, severity="warning"))
            return Placeholder(f"target group of Service {ref} port {port} (Service not in the inputs)")
        raise ModelError(ing.meta.diagnostic(
            f"expected Service {ref} in the inputs or in the cluster, found none (add its manifest, pass "
            "--kube-context to read it from the cluster, or set tolerate-non-existent-backend-service: true "
            "in --config for the controller's 503 rule)", *path))

    def _auth_actions(self, member: Member, service_name: str | None) -> tuple[Action, ...]:
        """``auth-type``'s action (Service annotations merged in when forwarding to one Service) and the
        ``jwt-validation`` action; the two together are an error, as in the controller."""
        ing = member.ingress
        svc = self._service(ing, service_name) if service_name else None
        svc_values = svc.alb if svc is not None else None
        values = auth.merged_values(ing.alb, svc_values)
        try:
            auth_action = auth.auth_action(values, ing.namespace, self.inputs.secrets, self.settings.auth_env)
            jwt_action = auth.jwt_action(ing.alb)
        except auth.AuthProblem as exc:
            raise self.ctx.fail(str(exc), member, exc.annotation) from None
        if auth_action is not None and jwt_action is not None:
            raise self.ctx.fail(f"authentication (auth-type {values['auth-type']}) and jwt-validation can't both be "
                            "configured", member, "jwt-validation")
        return tuple(a for a in (auth_action, jwt_action) if a is not None)

    def _annotation_action(self, member: Member, name: str, cfg: dict[str, Any]) -> Action:
        kind = cfg["type"]
        if kind == "fixed-response":
            fr = cfg["fixedResponseConfig"]
            return Action(kind, fixed_response_config=FixedResponseConfig(
                str(fr["statusCode"]), fr.get("contentType"), fr.get("messageBody")))
        if kind == "redirect":
            rc = cfg["redirectConfig"]
            return Action(kind, redirect_config=RedirectConfig(
                rc["statusCode"], rc.get("host"), rc.get("path"), rc.get("port"), rc.get("protocol"),
                rc.get("query")))
        fc = cfg.get("forwardConfig")
        if fc is None:  # the short form: a single target group by ARN or name
            fc = {"targetGroups": [{k: cfg[k] for k in ("targetGroupARN", "targetGroupName") if k in cfg}]}
        tuples = []
        targets = fc.get("targetGroups") or []
        single = len(targets) == 1 and bool(targets[0].get("serviceName"))
        for tgt in targets:
            arn: Token
            if tgt.get("targetGroupARN"):
                arn = tgt["targetGroupARN"]
            elif tgt.get("targetGroupName"):
                arn = Placeholder(f"ARN of target group {tgt['targetGroupName']}")
            else:
                svc = self._service(member.ingress, tgt["serviceName"])
                if svc is None:
                    where = ("metadata", "annotations", f"{ALB_PREFIX}actions.{name}")
                    missing = self._missing_service(member, tgt["serviceName"], tgt.get("servicePort"), where,
                                                    single=single)
                    if isinstance(missing, Action):
                        return missing
                    arn = missing
                else:
                    arn = self.target_groups.target_group(member, svc, tgt["servicePort"])
            tuples.append(TargetGroupTuple(arn, tgt.get("weight")))
        sticky = fc.get("targetGroupStickinessConfig")
        return Action("forward", forward_config=ForwardConfig(
            tuple(tuples),
            StickinessConfig(sticky.get("enabled"), sticky.get("durationSeconds")) if sticky else None))

    def _service(self, ing: Ingress, name: str) -> Service | None:
        """The backend Service: its manifest, with the node ports and uid the cluster assigned when it
        was read from the cluster; the cluster's Service when there is no manifest; else None."""
        key = (ing.namespace, name)
        return merge_service(self.inputs.services.get(key), self.facts.cluster_services.get(key))

def _fixed_503(body: str) -> Action:
    return Action("fixed-response", fixed_response_config=FixedResponseConfig("503", "text/plain", body))


def _ssl_redirect_action(port: int) -> Action:
    return Action("redirect", redirect_config=RedirectConfig("HTTP_301", port=str(port), protocol="HTTPS"))


def _single_service(cfg: dict[str, Any]) -> str | None:
    """The Service an ``actions.*`` forward sends everything to, if exactly one (the controller then
    merges that Service's auth annotations in)."""
    if cfg.get("type") != "forward" or cfg.get("targetGroupARN") or cfg.get("targetGroupName"):
        return None
    groups = (cfg.get("forwardConfig") or {}).get("targetGroups") or []
    if len(groups) == 1 and groups[0].get("serviceName"):
        return str(groups[0]["serviceName"])
    return None


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
