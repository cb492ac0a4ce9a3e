"""Views of desired stacks: a rich tree for people, JSON for machines. Views only format."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.tree import Tree

from albctl.model.serialize import stack_data, to_data
from albctl.model.stack import (
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    SECURITY_GROUP,
    TARGET_GROUP,
    Action,
    ListenerRuleSpec,
    ListenerSpec,
    LoadBalancerSpec,
    Placeholder,
    Ref,
    SecurityGroupSpec,
    Stack,
    TargetGroupSpec,
    Token,
)
from albctl.views.safe import escape

RENDER_FORMAT_VERSION = "1"


def render_json(stacks: list[Stack], cluster: str, *, pretty: bool = True) -> str:
    """``{"format_version", "cluster", "stacks": [...]}``, stable key order, for machines and golden files.

    ``pretty``: indented, for people at a terminal; else compact on one line (``json``'s C encoder only
    handles the compact form: several times faster on thousands of stacks)."""
    return "".join(render_json_chunks(stacks, cluster, pretty=pretty))


def render_json_chunks(stacks: list[Stack], cluster: str, *, pretty: bool = True) -> Iterator[str]:
    """:func:`render_json` in pieces: compact, one stack at a time, so that neither the data of every
    stack nor the whole text is held at once (10,000 stacks are some 50 MB of JSON)."""
    if pretty:
        doc = {"format_version": RENDER_FORMAT_VERSION, "cluster": cluster,
               "stacks": [stack_data(s) for s in stacks]}
        yield json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        return
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
    # the keys in sorted order, as json.dumps(doc, sort_keys=True) writes them: cluster, format_version, stacks
    yield f'{{"cluster":{encode(cluster)},"format_version":{encode(RENDER_FORMAT_VERSION)},"stacks":['
    for index, stack in enumerate(stacks):
        yield ("," if index else "") + encode(stack_data(stack))
    yield "]}\n"


def _token(value: Token, names: dict[str, str]) -> str:
    if isinstance(value, Ref):
        return f"[cyan]{escape(names.get(value.id, value.id))}[/]"
    if isinstance(value, Placeholder):
        return f"[yellow]{escape(str(value))}[/]"
    return escape(value)


def _tags(tags: Any) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(tags.items())) or "none"


def _action(action: Action, names: dict[str, str]) -> str:
    if action.type == "forward" and action.forward_config is not None:
        parts = []
        for tg in action.forward_config.target_groups:
            weight = f" ({tg.weight})" if tg.weight is not None and len(action.forward_config.target_groups) > 1 else ""
            parts.append(_token(tg.target_group_arn, names) + weight)
        sticky = action.forward_config.target_group_stickiness_config
        tail = f", sticky {sticky.duration_seconds}s" if sticky and sticky.enabled else ""
        return "forward → " + ", ".join(parts) + tail
    if action.type == "redirect" and action.redirect_config is not None:
        rc = action.redirect_config
        target = "".join([
            f"{rc.protocol or '#{protocol}'}://".lower(), rc.host or "#{host}", f":{rc.port or '#{port}'}",
            rc.path or "/#{path}", f"?{rc.query}" if rc.query else "",
        ])
        return f"redirect {rc.status_code.replace('HTTP_', '')} → {escape(target)}"
    if action.type == "fixed-response" and action.fixed_response_config is not None:
        fr = action.fixed_response_config
        body = f" {fr.message_body!r}" if fr.message_body else ""
        return f"fixed-response {fr.status_code}" + escape(body)
    return action.type


def stack_tree(stack: Stack) -> Tree:
    """One IngressGroup as a tree: load balancer, listeners with rules, target groups, security group."""
    tg_names = {r.id: str(r.spec.name) for r in stack.of_type(TARGET_GROUP) if isinstance(r.spec, TargetGroupSpec)}
    names = {**tg_names, "ManagedLBSecurityGroup": "managed security group"}
    root = Tree(f"[bold]IngressGroup {escape(stack.id)}[/]  [dim]({', '.join(stack.members)})[/]")
    for res in stack.of_type(LOAD_BALANCER):
        lb = res.spec
        assert isinstance(lb, LoadBalancerSpec)
        node = root.add(f"[bold green]load balancer[/] {escape(lb.name)}  [dim]{lb.scheme}, {lb.ip_address_type}[/]")
        node.add("subnets: " + ", ".join(_token(s.subnet_id, names) for s in lb.subnet_mapping))
        node.add("security groups: " + ", ".join(_token(s, names) for s in lb.security_groups))
        if lb.load_balancer_attributes:
            node.add("attributes: " + escape(", ".join(f"{a.key}={a.value}" for a in lb.load_balancer_attributes)))
        node.add("tags: " + escape(_tags(lb.tags)))
    rules = [r for r in stack.of_type(LISTENER_RULE)]
    for res in stack.of_type(LISTENER):
        ls = res.spec
        assert isinstance(ls, ListenerSpec)
        node = root.add(f"[bold blue]listener[/] {ls.protocol}:{ls.port}")
        if ls.certificates:
            node.add("certificates: " + ", ".join(_token(c.certificate_arn, names) for c in ls.certificates))
        if ls.ssl_policy:
            node.add(f"ssl policy: {escape(ls.ssl_policy)}")
        for rule in rules:
            spec = rule.spec
            assert isinstance(spec, ListenerRuleSpec)
            if rule.id.split(":")[0] != res.id:
                continue
            conds = " ".join(f"{c.field}={','.join(c.values or c.regex_values)}" for c in spec.conditions)
            node.add(f"[magenta]rule {spec.priority}[/] {escape(conds)} → " +
                     "; ".join(_action(a, names) for a in spec.actions))
        node.add("default: " + "; ".join(_action(a, names) for a in ls.default_actions))
    for res in stack.of_type(TARGET_GROUP):
        tg = res.spec
        assert isinstance(tg, TargetGroupSpec)
        hc = tg.health_check_config
        node = root.add(f"[bold yellow]target group[/] {escape(str(tg.name))}  [dim]{escape(res.id)}[/]")
        node.add(f"{tg.target_type} targets, {tg.protocol}/{tg.protocol_version} port {tg.port}, {tg.ip_address_type}")
        node.add(escape(f"health check: {hc.protocol} {hc.path} port {hc.port}, codes "
                        f"{hc.matcher_http_code or hc.matcher_grpc_code}, every {hc.interval_seconds}s, timeout "
                        f"{hc.timeout_seconds}s, healthy {hc.healthy_threshold_count}, unhealthy "
                        f"{hc.unhealthy_threshold_count}"))
        if tg.target_group_attributes:
            node.add("attributes: " + escape(", ".join(f"{a.key}={a.value}" for a in tg.target_group_attributes)))
    for res in stack.of_type(SECURITY_GROUP):
        sg = res.spec
        assert isinstance(sg, SecurityGroupSpec)
        node = root.add(f"[bold]security group[/] {escape(sg.group_name)}  [dim]{escape(res.id)}[/]")
        for perm in sg.ingress:
            source = perm.cidr_ip or perm.cidr_ipv6 or perm.prefix_list_id
            node.add(f"allow {perm.ip_protocol}/{perm.from_port} from {escape(str(source))}")
    return root


def print_stacks(console: Console, stacks: list[Stack]) -> None:
    if not stacks:
        console.print("No Ingresses for albctl in the inputs.")
        return
    for stack in stacks:
        console.print(stack_tree(stack))


__all__ = ["print_stacks", "render_json", "render_json_chunks", "stack_tree", "to_data"]
