"""`albctl show PATH`: the live state of the stacks the manifests define, as text or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console

from albctl.elbv2.snapshot import LiveState
from albctl.model.stack import LISTENER, LISTENER_RULE, LOAD_BALANCER, TARGET_GROUP
from albctl.plan import routing
from albctl.views.safe import SafeText as Text


def _label(by_arn: dict[str, str]) -> Any:
    from albctl.plan.model import Plan
    from albctl.views.plan import Names

    names = Names(Plan("", "", ()))
    return lambda v: by_arn.get(v) if isinstance(v, str) and v in by_arn else names.label(v) or str(v)


def live_data(live: LiveState, stack_ids: Sequence[str], cluster: str, region: str) -> dict[str, Any]:
    """Per stack: the load balancer (DNS name, hosted zone), each listener with its rules in evaluation
    order, and each target group's targets with their health."""
    stacks = []
    for sid in stack_ids:
        stack = live.stack(sid)
        by_arn = {r.arn: f"target group {r.spec.get('name')}" for r in stack.resources if r.type == TARGET_GROUP}
        label = _label(by_arn)
        lb = next((r for r in stack.resources if r.type == LOAD_BALANCER), None)
        listeners = []
        for ls in (r for r in stack.resources if r.type == LISTENER and lb and r.spec.get("loadBalancerARN") == lb.arn):
            rules = sorted((r for r in stack.resources if r.type == LISTENER_RULE
                            and r.spec.get("listenerARN") == ls.arn), key=lambda r: int(r.spec.get("priority", 0)))
            listeners.append({
                "port": ls.spec.get("port"), "protocol": ls.spec.get("protocol"),
                "rules": [{"priority": int(r.spec.get("priority", 0)), "conditions": routing.conditions_text(r.spec),
                           "action": routing.action_text(r.spec.get("actions"), label)} for r in rules],
                "default_action": routing.action_text(ls.spec.get("defaultActions"), label)})
        groups = [{"name": r.spec.get("name"), "port": r.spec.get("port"), "target_type": r.spec.get("targetType"),
                   "targets": [{"id": t.get("id"), "port": t.get("port"), "health": t.get("health")}
                               for t in r.extra.get("targets") or []]}
                  for r in stack.resources if r.type == TARGET_GROUP]
        stacks.append({"id": sid, "load_balancer": None if lb is None else {
            "name": lb.spec.get("name"), "dns_name": lb.extra.get("dnsName"),
            "hosted_zone": lb.extra.get("canonicalHostedZoneID"), "scheme": lb.spec.get("scheme")},
            "listeners": listeners, "target_groups": groups})
    return {"cluster": cluster, "region": region, "stacks": stacks}


def print_live(console: Console, data: dict[str, Any]) -> None:
    for stack in data["stacks"]:
        console.print(Text(f"IngressGroup {stack['id']}", style="bold"), soft_wrap=True)
        lb = stack["load_balancer"]
        if lb is None:
            console.print(Text("  not in AWS (albctl apply creates it)", style="dim"), soft_wrap=True)
            continue
        console.print(Text(f"  load balancer {lb['name']} ({lb['scheme']})"), soft_wrap=True)
        console.print(Text(f"    dns_name    = {lb['dns_name']}"), soft_wrap=True)
        console.print(Text(f"    hosted_zone = {lb['hosted_zone']}"), soft_wrap=True)
        for ls in stack["listeners"]:
            console.print(Text(f"  listener {ls['protocol']}:{ls['port']}, rules in evaluation order:"),
                          soft_wrap=True)
            for rule in ls["rules"]:
                line = f"    {rule['priority']:>7}  {rule['conditions']} → {rule['action']}"
                console.print(Text(line), soft_wrap=True)
            console.print(Text(f"    {'default':>7}  {ls['default_action']}"), soft_wrap=True)
        for tg in stack["target_groups"]:
            console.print(Text(f"  target group {tg['name']} ({tg['target_type']}, port {tg['port']})"), soft_wrap=True)
            for t in tg["targets"]:
                console.print(Text(f"    {t['id']}:{t['port']}  {t['health'] or 'unknown'}"), soft_wrap=True)
            if not tg["targets"]:
                console.print(Text("    no registered targets", style="dim"), soft_wrap=True)
