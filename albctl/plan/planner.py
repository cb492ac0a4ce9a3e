"""The pure heart of `albctl plan`: desired stacks + a live snapshot → the ordered operations apply runs.

Per stack, in the controller's order (``pkg/deploy/stack_deployer.go``): security groups, target
groups, the load balancer, listeners, then each listener's rules; then what is no longer wanted,
in reverse (listeners, load balancers, target groups, security groups). New before old: a replaced
resource's successor is created in the forward pass, dependants are repointed, and the old one is
deleted last, under its own name.

Resources are matched by the controller's resource id (the ``ingress.k8s.aws/resource`` tag); when
AWS holds several with one id (an interrupted replacement), the one with the desired name is kept
and the others are deleted. Rules are matched as ``listener_rule_synthesizer.go`` matches them: see
:func:`_plan_rules`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from albctl.elbv2 import KINDS, ORDER
from albctl.elbv2.call import Call, ResourceKey, created, created_refs, substitute
from albctl.elbv2.kind import Context
from albctl.elbv2.listener_rule import KIND as RULES
from albctl.elbv2.listener_rule import PARK_FROM, content, rule_id
from albctl.elbv2.snapshot import LiveResource, LiveState
from albctl.errors import RefusedError
from albctl.model.stack import (
    BACKEND_SG_ID,
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    SECURITY_GROUP,
    TARGET_GROUP,
    ref_target,
)
from albctl.plan.fields import field_changes, top_fields
from albctl.plan.model import SHARED_STACK, Change, ChangeAction, Operation, StackPlan, Step
from albctl.tags import tracking_tags

BACKEND_KEY: ResourceKey = (SHARED_STACK, SECURITY_GROUP, BACKEND_SG_ID)
_RANK = {t: n for n, t in enumerate(ORDER)}


@dataclass(frozen=True)
class DesiredStack:
    """One IngressGroup's desired resources (stack-json: ``{type: {id: {"spec": …}}}``) and, per
    instance-mode target group id, the targets albctl registers (``[{"id", "port"}]``)."""

    id: str
    resources: Mapping[str, Mapping[str, Any]]
    targets: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True)
class BackendSG:
    """The cluster's shared backend security group, when a desired load balancer needs one that does
    not exist yet (name, description and tags of the one to create)."""

    name: str
    description: str
    tags: Mapping[str, str]


def plan_stacks(desired: Sequence[DesiredStack], live: LiveState, cluster: str, *, vpc_id: str | None,
                backend_sg: BackendSG | None = None, ignored_tags: Iterable[str] = ()) -> list[StackPlan]:
    """The plan of every desired stack against ``live`` (stacks that are not desired are not touched)."""
    ctx = Context(vpc_id=vpc_id)
    plans: list[StackPlan] = []
    if backend_sg is not None:
        spec = {"groupName": backend_sg.name, "description": backend_sg.description, "tags": dict(backend_sg.tags)}
        op = Operation(Step.CREATE, SHARED_STACK, SECURITY_GROUP, BACKEND_SG_ID, backend_sg.name,
                       tuple(KINDS[SECURITY_GROUP].create(BACKEND_KEY, spec, ctx)))
        change = Change(SECURITY_GROUP, BACKEND_SG_ID, backend_sg.name, ChangeAction.CREATE, None, spec)
        plans.append(StackPlan(SHARED_STACK, {}, (change,), (op,)))
    ours = {r.arn for s in live.stacks.values() for r in s.resources}
    if live.backend_sg is not None:
        ours.add(live.backend_sg.arn)
    for stack in desired:
        planner = _StackPlanner(stack, live.stack(stack.id).resources, cluster, ctx, tuple(ignored_tags))
        plan = planner.plan()
        _check_names(plan, live.names, ours)
        plans.append(plan)
    check_references(plans)
    return plans


def destroy_stacks(stack_ids: Sequence[str], live: LiveState, cluster: str) -> list[StackPlan]:
    """Delete every live resource of these stacks, and the shared backend SG once nothing else uses it."""
    plans = plan_stacks([DesiredStack(sid, {}) for sid in stack_ids], live, cluster, vpc_id=None)
    deleting = {op.arn for p in plans for op in p.operations if op.type == LOAD_BALANCER and op.step is Step.DELETE}
    sg = live.backend_sg
    if sg is not None and not set(live.backend_sg_users) - deleting:
        name = KINDS[SECURITY_GROUP].name(sg.id, sg.spec)
        op = Operation(Step.DELETE, SHARED_STACK, SECURITY_GROUP, BACKEND_SG_ID, name,
                       tuple(KINDS[SECURITY_GROUP].delete(sg.arn, sg.extra)), arn=sg.arn)
        change = Change(SECURITY_GROUP, BACKEND_SG_ID, name, ChangeAction.DELETE, sg.data(), None, arn=sg.arn)
        plans.append(StackPlan(SHARED_STACK, {}, (change,), (op,)))
    return plans


def check_references(plans: Sequence[StackPlan]) -> None:
    """Every ``$created`` reference names a resource an earlier operation creates: anything else is a
    bug in albctl, caught here at plan time rather than sent to AWS."""
    made: set[ResourceKey] = set()
    for op in (op for p in plans for op in p.operations):
        for call in op.calls:
            missing = [k for k in created_refs(call.params) if k not in made and k != op.key]
            if missing:
                raise AssertionError(f"{op.step.value} {op.type} {op.id}: {call.operation} refers to {missing[0]}, "
                                     "which no earlier operation creates")
        if op.step is Step.CREATE:
            made.add(op.key)


def _check_names(plan: StackPlan, names: Mapping[str, Mapping[str, str]], ours: set[str]) -> None:
    """Refuse to create a load balancer, target group or security group (in the VPC) whose name a resource
    albctl does not track holds: apply would fail there, or worse, take it."""
    for op in plan.operations:
        if op.step is not Step.CREATE or op.type not in (LOAD_BALANCER, TARGET_GROUP, SECURITY_GROUP):
            continue
        holder = names.get(op.type, {}).get(op.name)
        if holder is not None and holder not in ours:
            raise RefusedError(
                f"{KINDS[op.type].short} name {op.name} is already taken by {holder}, which is not part of this "
                "stack (albctl never modifies what it does not own)",
                hint="delete or rename the other one" + (", or set alb.ingress.kubernetes.io/load-balancer-name"
                                                         if op.type == LOAD_BALANCER else ""))


def _natural(res_id: str) -> tuple[Any, ...]:
    port, _, priority = res_id.partition(":")
    if port.isdigit() and (not priority or priority.isdigit()):
        return (0, int(port), int(priority or 0), "")
    return (1, 0, 0, res_id)


class _StackPlanner:
    def __init__(self, stack: DesiredStack, live: Iterable[LiveResource], cluster: str, ctx: Context,
                 ignored_tags: tuple[str, ...]) -> None:
        self.stack = stack
        self.cluster = cluster
        self.ctx = ctx
        self.ignored_tags = ignored_tags
        self.specs = {(t, i): body["spec"] for t, by_id in stack.resources.items() if t in KINDS
                      for i, body in by_id.items()}
        self.live: dict[tuple[str, str], list[LiveResource]] = {}
        for res in sorted(live, key=lambda r: r.arn):
            self.live.setdefault((res.type, res.id), []).append(res)
        self.ids: dict[tuple[str, str], Any] = {}  # (type, id) → live ARN/id, or a $created marker
        self.kept: dict[tuple[str, str], LiveResource] = {}  # matched and staying (updated in place or not)
        self.changes: list[Change] = []
        self.forward: list[Operation] = []
        self.backward: dict[str, list[Operation]] = {t: [] for t in ORDER}

    # -- helpers ---------------------------------------------------------------------------------

    def key(self, type_: str, res_id: str) -> ResourceKey:
        return (self.stack.id, type_, res_id)

    def resolve(self, spec: Any) -> Any:
        """References to other resources → their live ids, or markers for ones this plan creates."""
        def replace(value: Mapping[str, Any]) -> Any | None:
            ref = ref_target(value)
            if ref is None:
                return None
            if ref == (SECURITY_GROUP, BACKEND_SG_ID):
                return created(BACKEND_KEY)
            if ref not in self.ids:
                raise AssertionError(f"{self.stack.id}: reference to {ref} before it is planned")
            return self.ids[ref]
        return substitute(spec, replace)

    def desired(self, type_: str, res_id: str) -> dict[str, Any]:
        spec: dict[str, Any] = self.resolve(self.specs[(type_, res_id)])
        spec["tags"] = {**(spec.get("tags") or {}), **tracking_tags(self.cluster, self.stack.id, res_id)}
        if type_ == TARGET_GROUP and res_id in self.stack.targets:
            spec["targets"] = self.stack.targets[res_id]
        return spec

    def comparable(self, type_: str, data: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
        """``data`` as compared with the desired ``spec``: the kind's normal form, tags without AWS's
        own and the externally managed ones."""
        out = KINDS[type_].comparable(data, spec)
        tags = {k: v for k, v in (out.get("tags") or {}).items()
                if not k.startswith("aws:") and k not in self.ignored_tags}
        if tags:
            out["tags"] = tags
        else:
            out.pop("tags", None)
        return out

    def compare(self, type_: str, live: LiveResource, spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return self.comparable(type_, live.data(), spec), self.comparable(type_, spec, spec)

    def op(self, step: Step, type_: str, res_id: str, name: str, calls: Iterable[Call], arn: str | None = None,
           detail: str = "", protected: bool = False) -> Operation:
        return Operation(step, self.stack.id, type_, res_id, name, tuple(calls), arn, detail, protected)

    def delete_op(self, res: LiveResource, detail: str = "") -> Operation:
        kind = KINDS[res.type]
        protected = bool(res.extra.get("deletion_protection"))
        return self.op(Step.DELETE, res.type, res.id, kind.name(res.id, res.spec), kind.delete(res.arn, res.extra),
                       res.arn, detail, protected)

    def delete_change(self, res: LiveResource, note: str = "") -> Change:
        name = KINDS[res.type].name(res.id, res.spec)
        return Change(res.type, res.id, name, ChangeAction.DELETE, res.data(), None, arn=res.arn,
                      protected=bool(res.extra.get("deletion_protection")), note=note)

    # -- the plan --------------------------------------------------------------------------------

    def plan(self) -> StackPlan:
        for type_ in ORDER:
            if type_ == LISTENER_RULE:
                continue
            for res_id in sorted((i for t, i in self.specs if t == type_), key=_natural):
                self.plan_resource(type_, res_id)
        self.plan_unwanted()
        for port in sorted({i for t, i in self.specs if t == LISTENER} | self.live_listener_ports(), key=_natural):
            self.plan_rules(port)
        backward = [op for t in reversed(ORDER) for op in self.backward[t]]
        return StackPlan(self.stack.id, dict(self.stack.resources), tuple(self.changes),
                         tuple(self.forward + backward), {k: list(v) for k, v in self.stack.targets.items()})

    def pick(self, type_: str, res_id: str, spec: Mapping[str, Any]) -> LiveResource | None:
        """The live resource that stays as ``(type_, res_id)``; any others with that id are leftovers."""
        found = self.live.get((type_, res_id), [])
        if type_ in (LISTENER, LISTENER_RULE):
            return None  # matched under their parent (plan_rules / live_children)
        name_field = KINDS[type_].name_field
        if name_field:
            same = [r for r in found if r.spec.get(name_field) == spec.get(name_field)]
            if same:
                return same[0]
        return found[0] if found else None

    def plan_resource(self, type_: str, res_id: str) -> None:
        kind = KINDS[type_]
        spec = self.desired(type_, res_id)
        name = kind.name(res_id, spec)
        key = self.key(type_, res_id)
        live = self.live_listener(res_id) if type_ == LISTENER else self.pick(type_, res_id, spec)
        if live is None:
            self.ids[(type_, res_id)] = created(key)
            self.forward.append(self.op(Step.CREATE, type_, res_id, name, kind.create(key, spec, self.ctx)))
            self.changes.append(Change(type_, res_id, name, ChangeAction.CREATE, None, spec))
            return
        before, after = self.compare(type_, live, spec)
        diff = field_changes(before, after)
        reasons = tuple(kind.replace_reasons[f] for f in sorted(top_fields(diff)) if f in kind.replace_reasons)
        protected = bool(live.extra.get("deletion_protection"))
        if reasons:
            self.ids[(type_, res_id)] = created(key)
            old_name = kind.name(res_id, live.spec)
            self.forward.append(self.op(Step.CREATE, type_, res_id, name, kind.create(key, spec, self.ctx),
                                        detail=f"replaces {old_name}"))
            self.backward[type_].append(self.delete_op(live, detail=f"replaced by {name}"))
            self.changes.append(Change(type_, res_id, name, ChangeAction.REPLACE, before, after, diff, reasons,
                                       live.arn, protected))
            return
        self.ids[(type_, res_id)] = live.arn
        self.kept[(type_, res_id)] = live
        if not diff:
            self.changes.append(Change(type_, res_id, name, ChangeAction.NOOP, before, after, arn=live.arn))
            return
        self.forward.append(self.op(Step.MODIFY, type_, res_id, name, kind.modify(live.arn, before, after, self.ctx),
                                    live.arn))
        self.changes.append(Change(type_, res_id, name, ChangeAction.UPDATE, before, after, diff, arn=live.arn,
                                   protected=protected))

    # -- listeners live under the kept load balancer -----------------------------------------------

    def kept_lb_arn(self) -> str | None:
        lb = next((r for (t, _), r in self.kept.items() if t == LOAD_BALANCER), None)
        return lb.arn if lb else None

    def live_listener(self, port: str) -> LiveResource | None:
        lb_arn = self.kept_lb_arn()
        return next((r for r in self.live.get((LISTENER, port), []) if r.spec.get("loadBalancerARN") == lb_arn),
                    None) if lb_arn else None

    def live_listener_ports(self) -> set[str]:
        lb_arn = self.kept_lb_arn()
        return {i for (t, i), found in self.live.items() if t == LISTENER
                for r in found if lb_arn and r.spec.get("loadBalancerARN") == lb_arn}

    def plan_unwanted(self) -> None:
        """Deletions of what is live and not wanted: whole resources, and leftovers sharing an id."""
        kept_arns = {r.arn for r in self.kept.values()}
        replaced = {op.arn for ops in self.backward.values() for op in ops}
        deleted_lbs: set[str] = set()
        for type_ in (LOAD_BALANCER, TARGET_GROUP, SECURITY_GROUP):
            for (t, res_id), found in sorted(self.live.items()):
                if t != type_:
                    continue
                for res in found:
                    if res.arn in kept_arns or res.arn in replaced:
                        continue
                    wanted = (t, res_id) in self.specs
                    note = "left over by an interrupted replacement" if wanted else ""
                    self.backward[type_].append(self.delete_op(res, detail=note))
                    self.changes.append(self.delete_change(res, note))
                    if type_ == LOAD_BALANCER:
                        deleted_lbs.add(res.arn)
        deleted_lbs |= {op.arn for op in self.backward[LOAD_BALANCER] if op.arn}
        # listeners and rules of a load balancer being deleted go with it: no call of their own
        listeners_gone = set()
        lb_arn = self.kept_lb_arn()
        for (t, res_id), found in sorted(self.live.items(), key=lambda kv: (kv[0][0], _natural(kv[0][1]))):
            if t != LISTENER:
                continue
            for res in found:
                parent = res.spec.get("loadBalancerARN")
                if parent in deleted_lbs or parent != lb_arn:
                    self.changes.append(self.delete_change(res, "deleted with its load balancer"))
                    listeners_gone.add(res.arn)
                elif (LISTENER, res_id) not in self.specs or self.ids.get((LISTENER, res_id)) != res.arn:
                    self.backward[LISTENER].append(self.delete_op(res))
                    self.changes.append(self.delete_change(res))
                    listeners_gone.add(res.arn)
        for (t, _), found in self.live.items():
            if t == LISTENER_RULE:
                for res in found:
                    if res.spec.get("listenerARN") in listeners_gone:
                        self.changes.append(self.delete_change(res, "deleted with its listener"))

    # -- rules -----------------------------------------------------------------------------------

    def plan_rules(self, port: str) -> None:
        """The controller's rule synthesis on one listener:

        1. a desired rule whose content (conditions, actions, transforms) is live is that rule: it
           stays, or moves to its new priority (all moves in one SetRulePriorities, the rules about to
           be deleted parked at the bottom first so no priority is taken);
        2. of the rest, a desired and a live rule at the same priority: the live one is modified in place;
        3. the remaining desired rules are created, then the remaining live ones deleted.
        """
        listener_id = self.ids.get((LISTENER, port))
        desired_ids = sorted((i for t, i in self.specs if t == LISTENER_RULE and i.split(":")[0] == port),
                             key=_natural)
        live_listener = self.kept.get((LISTENER, port))
        live_rules = [] if live_listener is None else sorted(
            (r for (t, _), found in self.live.items() if t == LISTENER_RULE for r in found
             if r.spec.get("listenerARN") == live_listener.arn), key=lambda r: int(r.spec["priority"]))
        if listener_id is None:
            return  # the listener is deleted, and its rules with it
        wanted = []
        for res_id in desired_ids:
            spec = self.desired(LISTENER_RULE, res_id)
            spec["listenerARN"] = listener_id
            wanted.append((res_id, spec, self.comparable(LISTENER_RULE, spec, spec)))
        unmatched_live = list(live_rules)
        by_content: list[tuple[str, dict[str, Any], dict[str, Any], LiveResource]] = []
        pending = []
        for res_id, spec, after in wanted:
            match = next((r for r in unmatched_live if content(self.rule_before(r, spec)) == content(after)), None)
            if match is None:
                pending.append((res_id, spec, after))
                continue
            unmatched_live.remove(match)
            by_content.append((res_id, spec, after, match))
        live_at = {int(r.spec["priority"]): r for r in unmatched_live}
        by_priority = []
        creates = []
        for res_id, spec, after in pending:
            match = live_at.pop(int(spec["priority"]), None)
            if match is None:
                creates.append((res_id, spec))
            else:
                unmatched_live.remove(match)
                by_priority.append((res_id, spec, after, match))
        deletes = unmatched_live

        moves = [(res_id, spec, after, r) for res_id, spec, after, r in by_content
                 if int(r.spec["priority"]) != int(spec["priority"])]
        tag_only = []
        moved_tags: list[Call] = []
        for res_id, spec, after, r in by_content:
            before = self.rule_before(r, spec)
            diff = field_changes(before, after)
            calls = RULES.modify(r.arn, before, after, self.ctx)  # only tags differ: the content matched
            if int(r.spec["priority"]) != int(spec["priority"]):
                self.changes.append(Change(LISTENER_RULE, res_id, res_id, ChangeAction.MOVE, before, after, diff,
                                           arn=r.arn))
                moved_tags += calls  # its resource id tag follows its priority: part of the move
            elif diff:
                self.changes.append(Change(LISTENER_RULE, res_id, res_id, ChangeAction.UPDATE, before, after, diff,
                                           arn=r.arn))
                tag_only.append(self.op(Step.MODIFY, LISTENER_RULE, res_id, res_id, calls, r.arn, detail="tags"))
            else:
                self.changes.append(Change(LISTENER_RULE, res_id, res_id, ChangeAction.NOOP, before, after, arn=r.arn))
        if moves:
            # as the controller does: the highest priority to 50000, the next to 49999, ...
            lowest_first = sorted(deletes, key=lambda r: -int(r.spec["priority"]))
            parked = [(r.arn, PARK_FROM - n) for n, r in enumerate(lowest_first)]
            pairs = parked + [(r.arn, int(spec["priority"])) for _, spec, _, r in moves]
            detail = ", ".join(f"{r.spec['priority']} → {spec['priority']}" for _, spec, _, r in moves)
            self.forward.append(self.op(Step.MOVE, LISTENER_RULE, port, f"rules of listener {port}",
                                        RULES.move(pairs) + moved_tags, live_listener.arn if live_listener else None,
                                        detail=f"priority {detail}"))
        for res_id, spec, after, r in by_priority:
            before = self.rule_before(r, spec)
            diff = field_changes(before, after)
            self.forward.append(self.op(Step.MODIFY, LISTENER_RULE, res_id, res_id,
                                        RULES.modify(r.arn, before, after, self.ctx), r.arn))
            self.changes.append(Change(LISTENER_RULE, res_id, res_id, ChangeAction.UPDATE, before, after, diff,
                                       arn=r.arn))
        for res_id, spec in creates:
            key = self.key(LISTENER_RULE, res_id)
            self.forward.append(self.op(Step.CREATE, LISTENER_RULE, res_id, res_id, RULES.create(key, spec, self.ctx)))
            self.changes.append(Change(LISTENER_RULE, res_id, res_id, ChangeAction.CREATE, None, spec))
        for r in deletes:
            rid = rule_id(port, r.spec["priority"])
            self.forward.append(self.op(Step.DELETE, LISTENER_RULE, rid, rid, RULES.delete(r.arn, r.extra), r.arn))
            self.changes.append(self.delete_change(r))
        self.forward.extend(tag_only)

    def rule_before(self, live: LiveResource, spec: dict[str, Any]) -> dict[str, Any]:
        return self.comparable(LISTENER_RULE, live.data(), spec)

