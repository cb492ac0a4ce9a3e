"""Listener rule details that the controller gets exactly right and so must we: the order of an
Ingress's paths, the path patterns for each pathType, and the rule optimizer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from albctl.manifests.objects import HTTPPath
from albctl.model.stack import Action, RewriteConfig, RewriteConfigObject, RuleCondition, Transform

R = TypeVar("R", bound=tuple[Any, ...])


def sort_paths(paths: Sequence[HTTPPath]) -> list[HTTPPath]:
    """Exact paths first (as written), then Prefix paths longest first (stable), then the rest as written."""
    exact = [p for p in paths if p.path_type == "Exact"]
    prefix = sorted((p for p in paths if p.path_type == "Prefix"), key=lambda p: -len(p.path))
    rest = [p for p in paths if p.path_type not in ("Exact", "Prefix")]
    return exact + prefix + rest


def path_patterns(path: str, path_type: str | None, use_regex: bool) -> tuple[list[str], list[str]]:
    """(values, regexValues) of the path-pattern condition for one Ingress path."""
    if path_type in (None, "ImplementationSpecific"):
        if use_regex:
            return [], [path[1:]]
        return [path], []
    if any(c in path for c in "*?"):
        raise ValueError(f"{path_type.lower()} path shouldn't contain wildcards: {path}")
    if path_type == "Exact":
        return [path], []
    if path == "/":
        return ["/*"], []
    normalized = path[:-1] if path.endswith("/") else path
    return [normalized, normalized + "/*"], []


def json_field(obj: Any, name: str) -> Any:
    """``obj[name]`` as Go's encoding/json fills a struct field tagged ``name``: any key equal to the
    tag ignoring case fills it, and a later such key overwrites an earlier one. The controller's guide
    writes ``sourceIpConfig`` and ``Values`` for the tags ``sourceIPConfig`` and ``values``; reading
    only one spelling silently drops a condition's values."""
    if not isinstance(obj, dict):
        return None
    lowered = name.lower()
    found = None
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == lowered:
            found = value
    return found


def path_conditions(host: str, path: str, path_type: str | None, use_regex: bool,
                    extra: list[dict[str, Any]]) -> tuple[RuleCondition, ...]:
    """The conditions of one rule: host and path from the Ingress, plus ``conditions.*`` annotations."""
    hosts: list[str] = [host] if host else []
    host_regex: list[str] = []
    paths, path_regex = path_patterns(path, path_type, use_regex) if path else ([], [])
    others: list[RuleCondition] = []
    for cond in extra:
        fld = json_field(cond, "field")
        if fld == "host-header":
            cfg = json_field(cond, "hostHeaderConfig") or {}
            hosts += json_field(cfg, "values") or []
            host_regex += json_field(cfg, "regexValues") or []
        elif fld == "path-pattern":
            cfg = json_field(cond, "pathPatternConfig") or {}
            paths += json_field(cfg, "values") or []
            path_regex += json_field(cfg, "regexValues") or []
        elif fld == "http-header":
            cfg = json_field(cond, "httpHeaderConfig") or {}
            name = json_field(cfg, "httpHeaderName") or ""
            others.append(RuleCondition("http-header", tuple(json_field(cfg, "values") or []),
                                        tuple(json_field(cfg, "regexValues") or []), http_header_name=name))
        elif fld == "http-request-method":
            cfg = json_field(cond, "httpRequestMethodConfig") or {}
            others.append(RuleCondition(fld, tuple(json_field(cfg, "values") or [])))
        elif fld == "query-string":
            pairs = json_field(json_field(cond, "queryStringConfig") or {}, "values") or []
            others.append(RuleCondition(fld, query_string=tuple(
                (json_field(p, "key"), json_field(p, "value") or "") for p in pairs)))
        elif fld == "source-ip":
            cfg = json_field(cond, "sourceIPConfig") or {}
            others.append(RuleCondition(fld, tuple(json_field(cfg, "values") or [])))
        else:
            raise ValueError(f"unknown condition field {fld!r}")
    if hosts and host_regex:
        raise ValueError(f"host condition must use either values or regexValues, got both {hosts} and {host_regex}")
    if paths and path_regex:
        raise ValueError(f"path condition must use either values or regexValues, got both {paths} and {path_regex}")
    conditions = list(others)
    if hosts:
        conditions.append(RuleCondition("host-header", tuple(hosts)))
    if host_regex:
        conditions.append(RuleCondition("host-header", regex_values=tuple(host_regex)))
    if paths:
        conditions.append(RuleCondition("path-pattern", tuple(paths)))
    if path_regex:
        conditions.append(RuleCondition("path-pattern", regex_values=tuple(path_regex)))
    if not conditions:
        conditions.append(RuleCondition("path-pattern", ("/*",)))
    return tuple(conditions)


def build_transforms(items: list[dict[str, Any]] | None) -> tuple[Transform, ...]:
    """A rule's transforms from its backend's ``transforms.<service>`` annotation, in order."""
    out = []
    for item in items or []:
        kind = item["type"]
        key = "hostHeaderRewriteConfig" if kind == "host-header-rewrite" else "urlRewriteConfig"
        rewrites = RewriteConfigObject(tuple(RewriteConfig(r["regex"], r.get("replace", ""))
                                             for r in (item.get(key) or {}).get("rewrites") or []))
        if kind == "host-header-rewrite":
            out.append(Transform(kind, host_header_rewrite_config=rewrites))
        else:
            out.append(Transform(kind, url_rewrite_config=rewrites))
    return tuple(out)


def _redirect(actions: tuple[Action, ...]) -> Any:
    return next((a.redirect_config for a in actions if a.type == "redirect"), None)


def _is_infinite_redirect(port: int, protocol: str, conditions: tuple[RuleCondition, ...],
                          actions: tuple[Action, ...]) -> bool:
    cfg = _redirect(actions)
    if cfg is None:
        return False
    hosts: set[str] = set()
    paths: set[str] = set()
    for c in conditions:
        if c.field == "host-header":
            hosts.update(c.values)
        elif c.field == "path-pattern":
            if c.regex_values:
                return False
            paths.update(c.values)
    checks = [
        (cfg.host, lambda v: v == "#{host}" or v in hosts),
        (cfg.path, lambda v: v == "/#{path}" or v in paths),
        (cfg.port, lambda v: v in ("#{port}", str(port))),
        (cfg.protocol, lambda v: v in ("#{protocol}", protocol)),
        (cfg.query, lambda v: v == "#{query}"),
    ]
    return all(value is None or ok(value) for value, ok in checks)


def _hosts_and_paths(conds: tuple[RuleCondition, ...], strict: bool) -> tuple[set[str], set[str]] | None:
    """The host and path values of a rule's conditions; ``strict``: None when it has any other condition
    (such a redirect matches less than its hosts and paths say, so it shadows nothing)."""
    hosts: set[str] = set()
    paths: set[str] = set()
    for c in conds:
        if c.field == "host-header":
            hosts.update(c.values)
        elif c.field == "path-pattern":
            paths.update(c.regex_values or c.values)
        elif strict:
            return None
    return hosts, paths


def _is_superset(lhs: tuple[RuleCondition, ...], rhs: tuple[RuleCondition, ...]) -> bool:
    """Whether every request ``rhs`` matches, ``lhs`` matches too (the controller's check)."""
    left = _hosts_and_paths(lhs, strict=True)
    if left is None:
        return False
    right = _hosts_and_paths(rhs, strict=False)
    assert right is not None
    (lh, lp), (rh, rp) = left, right
    host_ok = not lh or (bool(rh) and lh >= rh)
    path_ok = not lp or "/*" in lp or (bool(rp) and lp >= rp)
    return host_ok and path_ok


class _Redirects:
    """The redirect rules kept so far, indexed so that "does one of them cover this rule?" costs about
    the size of the rule's own host and path sets, not the number of rules before it (10,000 paths
    stay fast). Answers exactly as :func:`_is_superset` over every earlier redirect would."""

    def __init__(self) -> None:
        self.any_host: set[int] = set()  # redirects without a host condition
        self.any_path: set[int] = set()  # without a path condition, or with /*
        self.by_host: dict[str, set[int]] = {}
        self.by_path: dict[str, set[int]] = {}
        self.count = 0

    def add(self, conditions: tuple[RuleCondition, ...]) -> None:
        found = _hosts_and_paths(conditions, strict=True)
        if found is None:
            return
        n = self.count = self.count + 1
        hosts, paths = found
        if not hosts:
            self.any_host.add(n)
        for host in hosts:
            self.by_host.setdefault(host, set()).add(n)
        if not paths or "/*" in paths:
            self.any_path.add(n)
        for path in paths:
            self.by_path.setdefault(path, set()).add(n)

    @staticmethod
    def _all(index: dict[str, set[int]], values: set[str]) -> set[int]:
        """The redirects whose values include every one of ``values``."""
        if not values:
            return set()
        sets = sorted((index.get(v, set()) for v in values), key=len)
        return set(sets[0]).intersection(*sets[1:])

    def cover(self, conditions: tuple[RuleCondition, ...]) -> bool:
        found = _hosts_and_paths(conditions, strict=False)
        assert found is not None
        hosts, paths = found
        host_ok = self.any_host | self._all(self.by_host, hosts)
        if not host_ok:
            return False
        path_ok = self.any_path | self._all(self.by_path, paths)
        return not host_ok.isdisjoint(path_ok)


def optimize_rules(port: int, protocol: str, rules: list[R]) -> list[R]:
    """The controller's rule optimizer: drop redirect rules that would loop forever, and rules
    shadowed by an earlier redirect rule whose conditions cover theirs. Rules are
    ``(conditions, actions, ...)`` tuples. Indexed (:class:`_Redirects`): linear in the rules for
    the usual one-host, one-path rules."""
    redirects = _Redirects()
    out: list[R] = []
    for rule in rules:
        if _is_infinite_redirect(port, protocol, rule[0], rule[1]) or redirects.cover(rule[0]):
            continue
        out.append(rule)
        if _redirect(rule[1]) is not None:
            redirects.add(rule[0])
    return out
