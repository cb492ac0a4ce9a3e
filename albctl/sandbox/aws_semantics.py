"""Where moto differs from AWS in a way albctl relies on, make moto behave as AWS does.

Used by the sandbox server and by the test suite's moto server, so both emulate AWS semantics:

- SetRulePriorities: AWS applies all the moves of one call together and checks only the final
  state (a swap of two priorities in one call is fine); moto checks each target priority against
  the state before the call and refuses the swap.
"""

from __future__ import annotations

from typing import Any

_PATCHED = False


def patch_moto() -> None:
    """Idempotently patch the in-process moto backends."""
    global _PATCHED
    if _PATCHED:
        return
    from moto.elbv2 import exceptions, models

    original = models.ELBv2Backend.set_rule_priorities

    def set_rule_priorities(self: Any, rule_priorities: list[dict[str, Any]]) -> Any:
        moving = {rp["RuleArn"]: rp["Priority"] for rp in rule_priorities}
        if len(set(moving.values())) != len(moving):
            raise exceptions.DuplicatePriorityError(next(p for p in moving.values()
                                                         if list(moving.values()).count(p) > 1))
        listeners = {r.listener_arn for r in self.describe_rules(listener_arn=None, rule_arns=list(moving))}
        for listener_arn in listeners:
            listener = self.describe_listeners(None, [listener_arn])[0]
            final = [moving.get(arn, rule.priority) for arn, rule in listener.rules.items()
                     if rule.priority != "default"]
            if len(final) != len(set(final)):
                raise exceptions.PriorityInUseError()
        # move everything out of the way first, then to the final priorities: no step collides
        parked = [{"RuleArn": arn, "Priority": 90000 + i} for i, arn in enumerate(moving)]
        original(self, parked)
        return original(self, rule_priorities)

    models.ELBv2Backend.set_rule_priorities = set_rule_priorities  # type: ignore[method-assign]
    _PATCHED = True
