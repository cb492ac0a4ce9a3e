"""Listener rules and their actions, as the controller's ``pkg/ingress/model_build_listener_rules.go``
and ``model_build_actions.go`` build them: one rule per path (conditions from host, path and
``conditions.*``; ``transforms.*``), its actions (authenticate / jwt-validation on HTTPS, then forward,
fixed-response or redirect, from the backend or its ``actions.*`` annotation), and a listener's default
actions. A forward builds its target group through :class:`TargetGroups`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from albctl.manifests.objects import ALB_PREFIX, Ingress, Service, ServiceBackend
from albctl.model import auth
from albctl.model.build_context import BuildContext, ModelError
from albctl.model.build_tags import ingress_tags, merged_tags
from albctl.model.build_target_groups import TargetGroups
from albctl.model.cluster import merge_service
from albctl.model.groups import Member
from albctl.model.rules import build_transforms, optimize_rules, path_conditions, sort_paths
from albctl.model.stack import (
    LISTENER_RULE,
    Action,
    FixedResponseConfig,
    ForwardConfig,
    ListenerRuleSpec,
    Placeholder,
    RedirectConfig,
    Ref,
    Resource,
    RuleCondition,
    StickinessConfig,
    TargetGroupTuple,
    Token,
    Transform,
)

# the controller's fixed responses for a backend that does not exist (enhanced_backend_builder.go)
MISSING_SERVICE_BODY = "Backend service does not exist"
MISSING_ACTION_BODY = "Backend action does not exist"


class Actions:
    """Builds the actions of one group's rules and listeners, forwarding to ``target_groups``."""

    def __init__(self, ctx: BuildContext, target_groups: TargetGroups) -> None:
        self._ctx = ctx
        self._target_groups = target_groups

    def default_actions(self, protocol: str, members: Sequence[Member]) -> tuple[Action, ...]:
        """A listener's default actions: its members' one default backend, else the controller's 404."""
        with_default = [m for m in members if m.ingress.default_backend is not None]
        if not with_default:
            return (Action("fixed-response", fixed_response_config=FixedResponseConfig("404", "text/plain")),)
        if len(with_default) > 1:
            keys = ", ".join(m.ingress.meta.key for m in with_default)
            raise self._ctx.fail(f"multiple Ingresses define a default backend: {keys}", with_default[1])
        member = with_default[0]
        assert member.ingress.default_backend is not None
        return self.actions(protocol, member, member.ingress.default_backend)

    def actions(self, protocol: str, member: Member, backend: ServiceBackend) -> tuple[Action, ...]:
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
        tg = self._target_groups.target_group(member, svc, backend.port)
        return (*first, Action("forward", forward_config=ForwardConfig((TargetGroupTuple(tg),))))

    def _missing_action(self, member: Member, backend: ServiceBackend) -> Action:
        """``use-annotation`` without its ``actions.<name>`` annotation (Argo Rollouts adds it at run time):
        the controller's 503 rule, unless --tolerate-non-existent-backend-action is false."""
        key = f"{ALB_PREFIX}actions.{backend.service_name}"
        if not self._ctx.settings.tolerate_non_existent_backend_action:
            raise ModelError(member.ingress.meta.diagnostic(
                f"servicePort is use-annotation but there is no annotation {key} (missing {key[len(ALB_PREFIX):]} "
                "configuration; tolerate-non-existent-backend-action is false)", *backend.path))
        self._ctx.warn(member.ingress.meta.diagnostic(
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
        if self._ctx.settings.tolerate_non_existent_backend_service and single:
            self._ctx.warn(ing.meta.diagnostic(
                f"Service {ref} is not in the inputs: the rule answers 503 {MISSING_SERVICE_BODY!r}, as the "
                "controller does (tolerate-non-existent-backend-service)", *path, severity="warning"))
            return _fixed_503(MISSING_SERVICE_BODY)
        if self._ctx.facts.offline:
            self._ctx.warn(ing.meta.diagnostic(
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
            auth_action = auth.auth_action(values, ing.namespace, self._ctx.inputs.secrets, self._ctx.settings.auth_env)
            jwt_action = auth.jwt_action(ing.alb)
        except auth.AuthProblem as exc:
            raise self._ctx.fail(str(exc), member, exc.annotation) from None
        if auth_action is not None and jwt_action is not None:
            raise self._ctx.fail(f"authentication (auth-type {values['auth-type']}) and jwt-validation can't both be "
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
                    arn = self._target_groups.target_group(member, svc, tgt["servicePort"])
            tuples.append(TargetGroupTuple(arn, tgt.get("weight")))
        sticky = fc.get("targetGroupStickinessConfig")
        return Action("forward", forward_config=ForwardConfig(
            tuple(tuples),
            StickinessConfig(sticky.get("enabled"), sticky.get("durationSeconds")) if sticky else None))

    def _service(self, ing: Ingress, name: str) -> Service | None:
        """The backend Service: its manifest, with the node ports and uid the cluster assigned when it
        was read from the cluster; the cluster's Service when there is no manifest; else None."""
        key = (ing.namespace, name)
        return merge_service(self._ctx.inputs.services.get(key), self._ctx.facts.cluster_services.get(key))


def build_rules(ctx: BuildContext, actions: Actions, port: int, protocol: str, members: Sequence[Member],
                listener_ref: Ref) -> list[Resource]:
    """The rules of the listener on ``port``: one per path of its members, optimised and prioritised as the
    controller does; a path in error is left out (its problem recorded in ``ctx``)."""
    rules: list[tuple[tuple[RuleCondition, ...], tuple[Action, ...], tuple[Transform, ...], dict[str, str]]] = []
    for member in members:
        ing = member.ingress
        for rule in ing.rules:
            if not rule.has_http:
                continue
            for path in sort_paths(rule.paths):
                def one(member: Member = member, host: str = rule.host, path: Any = path) -> None:
                    conditions = _conditions(ctx, member, host, path.path, path.path_type, path.backend)
                    rule_actions = actions.actions(protocol, member, path.backend)
                    transforms = build_transforms(member.ingress.alb.get(
                        f"transforms.{path.backend.service_name}"))
                    tags = merged_tags(ctx, ingress_tags(ctx, member))
                    rules.append((conditions, rule_actions, transforms, tags))
                ctx.attempt(one, None)
    optimized = optimize_rules(port, protocol, rules)
    return [Resource(LISTENER_RULE, f"{port}:{priority}", ListenerRuleSpec(
        listener_arn=listener_ref, priority=priority, conditions=conditions, actions=rule_actions,
        transforms=transforms, tags=tags)) for priority, (conditions, rule_actions, transforms, tags)
        in enumerate(optimized, start=1)]


def _conditions(ctx: BuildContext, member: Member, host: str, path: str, path_type: str | None,
                backend: ServiceBackend) -> tuple[RuleCondition, ...]:
    use_regex = bool(member.ingress.alb.get("use-regex-path-match"))
    extra = member.ingress.alb.get(f"conditions.{backend.service_name}") or []
    try:
        return path_conditions(host, path, path_type, use_regex, extra)
    except ValueError as exc:
        raise ctx.fail(str(exc), member) from None


def _fixed_503(body: str) -> Action:
    return Action("fixed-response", fixed_response_config=FixedResponseConfig("503", "text/plain", body))


def _single_service(cfg: dict[str, Any]) -> str | None:
    """The Service an ``actions.*`` forward sends everything to, if exactly one (the controller then
    merges that Service's auth annotations in)."""
    if cfg.get("type") != "forward" or cfg.get("targetGroupARN") or cfg.get("targetGroupName"):
        return None
    groups = (cfg.get("forwardConfig") or {}).get("targetGroups") or []
    if len(groups) == 1 and groups[0].get("serviceName"):
        return str(groups[0]["serviceName"])
    return None
