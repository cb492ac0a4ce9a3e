"""Noticing a rotated OIDC client secret. AWS never returns a rule's client secret, so a changed secret
cannot be seen by comparing the rule; albctl therefore tags every rule that authenticates with OIDC
with a keyed hash of the secret it was given (HMAC-SHA256, keyed with the cluster, stack and client id,
so equal secrets elsewhere do not give equal tags). A different hash at plan time means the secret
changed: the rule is modified (ModifyRule with the new secret) and the tag follows.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from albctl.elbv2.listener_rule import SECRET_TAG
from albctl.model.stack import LISTENER_RULE

__all__ = ["SECRET_TAG", "secret_hmac", "with_secret_tags"]


def secret_hmac(cluster: str, stack_id: str, client_id: str, secret: str) -> str:
    key = f"albctl:{cluster}:{stack_id}:{client_id}".encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def with_secret_tags(resources: Mapping[str, Any], secrets: Mapping[str, str], cluster: str,
                     stack_id: str) -> dict[str, Any]:
    """The stack-json ``resources`` with :data:`SECRET_TAG` on each rule whose OIDC secret is known."""
    out = dict(resources)
    rules = resources.get(LISTENER_RULE)
    if not rules:
        return out
    out[LISTENER_RULE] = copy.deepcopy(dict(rules))
    for body in out[LISTENER_RULE].values():
        spec = body["spec"]
        ids = sorted({a["authenticateOIDCConfig"]["clientID"] for a in spec.get("actions") or []
                      if a.get("authenticateOIDCConfig")})
        if ids and all(i in secrets for i in ids):
            digest = hashlib.sha256("".join(secret_hmac(cluster, stack_id, i, secrets[i]) for i in ids).encode())
            spec["tags"] = {**(spec.get("tags") or {}), SECRET_TAG: digest.hexdigest() if len(ids) > 1
                            else secret_hmac(cluster, stack_id, ids[0], secrets[ids[0]])}
    return out
