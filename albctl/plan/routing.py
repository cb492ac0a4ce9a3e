"""A desired stack's listener rules as people read them: in evaluation order, each as its conditions,
its action and the Ingress it came from; and the rules that can never match because an earlier rule
of the same listener takes every request they would (``/*`` before ``/api/*``, the same host and path
from two Ingresses of a group). Pure: works on the stack-json form of a stack (also in saved plans).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from albctl.model.stack import LISTENER, LISTENER_RULE, TARGET_GROUP, TARGET_GROUP_BINDING, ref_target

Label = Callable[[Any], str]  # a reference or ARN → how a person names it


@dataclass(frozen=True)
class Rule:
    id: str  # "443:2"
    priority: int
    spec: Mapping[str, Any]


def listeners(resources: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any], list[Rule]]]:
    """Each listener (port order) with its spec and its rules in evaluation order (priority)."""
    rules: dict[str, list[Rule]] = {}
    for rid, body in (resources.get(LISTENER_RULE) or {}).items():
        spec = body.get("spec") or {}
        port = rid.split(":")[0]
        rules.setdefault(port, []).append(Rule(rid, int(spec.get("priority", 0)), spec))
    out = []
    for port, body in sorted((resources.get(LISTENER) or {}).items(), key=lambda kv: _port(kv[0])):
        out.append((port, body.get("spec") or {}, sorted(rules.get(port, []), key=lambda r: r.priority)))
    return out


def _port(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


_FIELD = {"host-header": "host", "path-pattern": "path", "http-request-method": "method", "source-ip": "source-ip"}


def condition_text(cond: Mapping[str, Any]) -> str:
    field = str(cond.get("field", ""))
    values = [str(v) for v in cond.get("values") or []] + [f"~{v}" for v in cond.get("regexValues") or []]
    if field == "http-header":
        return f"header {cond.get('httpHeaderName')}: {' | '.join(values)}"
    if field == "query-string":
        pairs = [f"{q.get('key') or ''}={q.get('value')}" if q.get("key") else str(q.get("value"))
                 for q in cond.get("queryString") or []]
        return f"query {' | '.join(pairs)}"
    return f"{_FIELD.get(field, field)} {' | '.join(values)}"


def conditions_text(spec: Mapping[str, Any]) -> str:
    conds = sorted(spec.get("conditions") or [], key=lambda c: _ORDER.get(c.get("field"), 9))
    return ", ".join(condition_text(c) for c in conds) or "any request"


_ORDER = {"host-header": 0, "path-pattern": 1}


def action_text(actions: Any, label: Label) -> str:
    """``forward → target group k8s-… (new)``, ``redirect HTTPS:443 (301)``, ``fixed response 404``."""
    parts = []
    for action in actions or []:
        kind = action.get("type")
        if kind == "forward":
            groups = (action.get("forwardConfig") or {}).get("targetGroups") or []
            if not groups and action.get("targetGroupARN") is not None:
                groups = [{"targetGroupARN": action["targetGroupARN"]}]
            names = [label(g.get("targetGroupARN")) + (f" ({g['weight']})" if len(groups) > 1 and "weight" in g
                                                      else "") for g in groups]
            parts.append("forward → " + ", ".join(names))
        elif kind == "redirect":
            cfg = action.get("redirectConfig") or {}
            where = "".join([f"{cfg.get('protocol') or '#{protocol}'}://{cfg.get('host') or '#{host}'}",
                             f":{cfg.get('port') or '#{port}'}{cfg.get('path') or ''}",
                             f"?{cfg['query']}" if cfg.get("query") else ""])
            code = str(cfg.get("statusCode", "")).replace("HTTP_", "")
            parts.append(f"redirect → {where} ({code})")
        elif kind == "fixed-response":
            cfg = action.get("fixedResponseConfig") or {}
            parts.append(f"fixed response {cfg.get('statusCode')}")
        elif kind in ("authenticate-oidc", "authenticate-cognito"):
            parts.append(f"{kind.replace('-', ' (', 1)})")
        else:
            parts.append(str(kind))
    return ", then ".join(parts) or "(no action)"


def rule_source(stack_id: str, resources: Mapping[str, Any], spec: Mapping[str, Any]) -> str:
    """The Ingress (``ns/name``) a rule came from: the stack's own for an implicit group; else the Ingress
    its forward target group was made for (the controller's target group id is ``ns/ingress-service:port``)."""
    if "/" in stack_id:
        return stack_id
    bindings = resources.get(TARGET_GROUP_BINDING) or {}
    for action in spec.get("actions") or []:
        for group in (action.get("forwardConfig") or {}).get("targetGroups") or []:
            target = ref_target(group.get("targetGroupARN"))
            if target is None or target[0] != TARGET_GROUP:
                continue
            tg_id = target[1]
            tgb = (bindings.get(tg_id) or {}).get("spec") or {}
            ns, svc = tgb.get("namespace"), tgb.get("serviceName")
            suffix = f"-{svc}:"
            if ns and svc and tg_id.startswith(f"{ns}/") and suffix in tg_id:
                return f"{ns}/{tg_id[len(ns) + 1:tg_id.rindex(suffix)]}"
    return ""


# -- rules that can never match ----------------------------------------------------------------


def _pattern_covers(a: str, b: str, host: bool) -> bool:
    """Every string glob ``b`` matches, glob ``a`` matches too (conservatively: False when unsure)."""
    if host:
        a, b = a.lower(), b.lower()
    if a == b or a == "*":
        return True
    plain = not any(ch in a[:-1] for ch in "*?")
    if a.endswith("*") and plain and b.startswith(a[:-1]):
        return True
    return host and a.startswith("*") and not any(ch in a[1:] for ch in "*?") and b.endswith(a[1:])


def _key(cond: Mapping[str, Any]) -> tuple[str, str]:
    field = str(cond.get("field"))
    return field, str(cond.get("httpHeaderName") or "").lower() if field == "http-header" else ""


def _values_cover(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    if a.get("regexValues") or b.get("regexValues"):
        return a.get("regexValues") == b.get("regexValues") and a.get("values") == b.get("values")
    field = a.get("field")
    if field == "query-string":
        qa = [dict(q) for q in a.get("queryString") or []]
        return all(dict(q) in qa for q in b.get("queryString") or [])
    wild = field in ("host-header", "path-pattern", "http-header")
    host = field in ("host-header", "http-header")
    values_a = [str(v) for v in a.get("values") or []]
    return all(any(_pattern_covers(x, str(y), host) if wild else x == str(y) for x in values_a)
               for y in b.get("values") or [])


def covers(earlier: Mapping[str, Any], later: Mapping[str, Any]) -> bool:
    """Every request ``later``'s conditions match, ``earlier``'s match too."""
    later_conds = later.get("conditions") or []
    for cond in earlier.get("conditions") or []:
        same = [c for c in later_conds if _key(c) == _key(cond)]
        if not any(_values_cover(cond, c) for c in same):
            return False
    return True


def shadowed(resources: Mapping[str, Any]) -> list[tuple[str, Rule, Rule]]:
    """(listener port, the rule that never matches, the earlier rule that takes its requests)."""
    out = []
    for port, _, rules in listeners(resources):
        for n, later in enumerate(rules):
            earlier = next((r for r in rules[:n] if covers(r.spec, later.spec)), None)
            if earlier is not None:
                out.append((port, later, earlier))
    return out


def shadow_warnings(stack_id: str, resources: Mapping[str, Any]) -> list[str]:
    out = []
    for port, later, earlier in shadowed(resources):
        def who(rule: Rule) -> str:
            source = rule_source(stack_id, resources, rule.spec)
            return f"rule {rule.priority} ({conditions_text(rule.spec)}{', Ingress ' + source if source else ''})"
        out.append(f"IngressGroup {stack_id}, listener {port}: {who(later)} can never match: {who(earlier)} comes "
                   "first and takes every request it would")
    return out
