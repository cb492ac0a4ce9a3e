"""One module per ELBv2 / EC2 resource kind albctl manages; :data:`KINDS` in dependency order
(what is created first comes first; deletions run in reverse)."""

from __future__ import annotations

from albctl.elbv2 import listener, listener_rule, load_balancer, security_group, target_group
from albctl.elbv2.kind import Kind

KINDS: dict[str, Kind] = {k.type: k for k in (security_group.KIND, target_group.KIND, load_balancer.KIND,
                                               listener.KIND, listener_rule.KIND)}
ORDER = tuple(KINDS)


def kind(type_: str) -> Kind:
    return KINDS[type_]
