"""Listener features beyond ports and certificates, as the controller builds them
(``pkg/ingress/model_build_listener.go``): ``mutual-authentication`` per HTTPS port and
``listener-attributes.<Protocol>-<Port>``, merged across the IngressGroup."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from albctl.model.facts import Facts
from albctl.model.groups import Member
from albctl.model.stack import Attribute, MutualAuthentication, Token

VERIFY = "verify"
Fail = Callable[[str, Member, str], Exception]  # (message, member, annotation suffix) → error to raise


def member_mtls(entries: Sequence[Mapping[str, Any]] | None, facts: Facts) -> dict[int, MutualAuthentication]:
    """An Ingress's ``mutual-authentication`` entries by port (a later entry for a port wins). A trust
    store given by name (not ``arn:...``) is looked up in AWS: a placeholder until then."""
    out: dict[int, MutualAuthentication] = {}
    for entry in entries or []:
        mode = str(entry["mode"])
        store = str(entry.get("trustStore") or "")
        ignore = entry.get("ignoreClientCertificateExpiry")
        if mode == VERIFY and ignore is None:
            ignore = False
        arn: Token = store
        if mode == VERIFY and store and not store.startswith("arn:"):
            arn = facts.trust_store(store)
        out[int(entry["port"])] = MutualAuthentication(mode, arn, ignore, entry.get("advertiseTrustStoreCaNames"))
    return out


def class_listener_attributes(member: Member, protocol: str, port: int) -> dict[str, str]:
    """IngressClassParams ``listeners[]`` attributes for one listener (the first entry that matches)."""
    if member.params is None:
        return {}
    for listener in member.params.spec.get("listeners") or []:
        if listener.get("protocol") == protocol and int(listener.get("port") or 0) == port:
            return {str(a.get("key")): str(a.get("value", "")) for a in listener.get("listenerAttributes") or []}
    return {}


def listener_attributes(members: Sequence[Member], protocol: str, port: int, fail: Fail) -> tuple[Attribute, ...]:
    """``listener-attributes.<Protocol>-<Port>`` of the listener's Ingresses, merged: two different
    values for a key are an error unless the IngressClassParams of the listener's first Ingress sets
    that key, whose values win."""
    if not members:
        return ()
    suffix = f"listener-attributes.{protocol}-{port}"
    from_class = class_listener_attributes(members[0], protocol, port)
    merged: dict[str, tuple[str, Member]] = {}
    for member in members:
        for key, value in (member.ingress.alb.get(suffix) or {}).items():
            if key in merged and merged[key][0] != value and key not in from_class:
                raise fail(f"conflicting listener attributes {key}: Ingress {merged[key][1].ingress.meta.key} sets "
                           f"{merged[key][0]!r}, Ingress {member.ingress.meta.key} sets {value!r}", member, suffix)
            merged[key] = (value, member)
    values = {**{k: v for k, (v, _) in merged.items()}, **from_class}
    return tuple(Attribute(k, v) for k, v in sorted(values.items()))
