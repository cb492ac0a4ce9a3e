"""``AWS::ElasticLoadBalancingV2::Listener``, identified by its port (the controller's resource id).

Certificates: the first is the listener's default (set by Create/ModifyListener); the others are a
set (Add/RemoveListenerCertificates). DescribeListenerCertificates lists the default one too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from albctl.elbv2.actions import comparable_actions, read_actions, write_actions
from albctl.elbv2.call import Call, ResourceKey, created
from albctl.elbv2.common import (
    camel_keys,
    compact,
    partial_attributes,
    pascal_keys,
    read_attributes,
    spec_tags,
    tag_list,
    write_attributes,
)
from albctl.elbv2.kind import Context, Kind, changed
from albctl.elbv2.tagging import elbv2_tag_calls
from albctl.model.stack import LISTENER
from albctl.tags import RESOURCE_TAG

SECURE = ("HTTPS", "TLS")  # listener protocols with certificates and an SSL policy


def read(ls: Mapping[str, Any], tags: dict[str, str], certificates: Iterable[Mapping[str, Any]],
         attrs: list[dict[str, str]]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """DescribeListeners item, its tags, DescribeListenerCertificates and attributes → (id, spec, extra)."""
    secure = ls.get("Protocol") in SECURE
    certificates = list(certificates)
    default = [c["CertificateArn"] for c in ls.get("Certificates") or [] if c.get("CertificateArn")][:1]
    if not default:
        default = [c["CertificateArn"] for c in certificates if c.get("IsDefault")][:1]
    others = sorted({c["CertificateArn"] for c in certificates if not c.get("IsDefault")} - set(default))
    mtls = {k: v for k, v in camel_keys(ls.get("MutualAuthentication") or {}).items()
            if k != "trustStoreAssociationStatus"}
    spec = {
        "loadBalancerARN": ls.get("LoadBalancerArn"),
        "port": ls.get("Port"),
        "protocol": ls.get("Protocol"),
        "defaultActions": read_actions(ls.get("DefaultActions")),
        "certificates": [{"certificateARN": arn} for arn in default + others],
        "sslPolicy": ls.get("SslPolicy") if secure else None,  # moto reports one on HTTP listeners too
        "mutualAuthentication": mtls or None,
        "listenerAttributes": read_attributes(attrs),
        "tags": spec_tags(tags),
    }
    rid = str(ls.get("Port"))
    extra = {"defaultCertificateARN": default[0] if default else None}
    if tags.get(RESOURCE_TAG) not in (None, rid):
        extra["taggedID"] = tags[RESOURCE_TAG]
    return rid, compact(spec), compact(extra)


def certificate_arns(data: Mapping[str, Any]) -> list[Any]:
    """The default certificate first, then the others without repeats, sorted (they are a set)."""
    arns = [c.get("certificateARN") for c in data.get("certificates") or []]
    if not arns:
        return []
    rest: list[Any] = []
    for arn in arns[1:]:
        if arn != arns[0] and arn not in rest:
            rest.append(arn)
    return [arns[0], *sorted(rest, key=str)]


def _mtls_params(data: Mapping[str, Any]) -> dict[str, Any]:
    mtls = data.get("mutualAuthentication")
    if not mtls:
        return {}
    out = {k: v for k, v in pascal_keys(dict(mtls)).items() if v not in (None, "")}
    return {"MutualAuthentication": out}


class ListenerKind(Kind):
    type = LISTENER
    short = "listener"
    replace_reasons = {"loadBalancerARN": "a listener cannot move to another load balancer"}

    def name(self, res_id: str, data: Mapping[str, Any] | None) -> str:
        protocol = (data or {}).get("protocol")
        return f"{protocol}:{res_id}" if protocol else res_id

    def comparable(self, data: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(data)
        out["certificates"] = [{"certificateARN": arn} for arn in certificate_arns(out)]
        out["defaultActions"] = comparable_actions(out.get("defaultActions"))
        out["listenerAttributes"] = partial_attributes(out.get("listenerAttributes"), wanted.get("listenerAttributes"))
        mtls = out.get("mutualAuthentication")
        if isinstance(mtls, dict) and mtls.get("mode") == "off" and not mtls.get("trustStoreArn"):
            out.pop("mutualAuthentication")  # AWS reports mTLS "off" on every HTTPS listener: same as none
        if out.get("protocol") not in SECURE:
            out.pop("sslPolicy", None)
        return super().comparable(out, wanted)

    def create(self, key: ResourceKey, spec: Mapping[str, Any], ctx: Context) -> list[Call]:
        certs = certificate_arns(spec)
        params: dict[str, Any] = {"LoadBalancerArn": spec["loadBalancerARN"], "Port": spec["port"],
                                  "Protocol": spec["protocol"],
                                  "DefaultActions": write_actions(spec["defaultActions"]), **_mtls_params(spec)}
        if certs:
            params["Certificates"] = [{"CertificateArn": certs[0]}]
        if spec.get("sslPolicy") and spec["protocol"] in SECURE:
            params["SslPolicy"] = spec["sslPolicy"]
        params["Tags"] = tag_list(spec.get("tags") or {})
        calls = [Call("elbv2", "CreateListener", params, output="Listeners.0.ListenerArn")]
        if certs[1:]:
            calls.append(Call("elbv2", "AddListenerCertificates", {
                "ListenerArn": created(key), "Certificates": [{"CertificateArn": c} for c in certs[1:]]}))
        if spec.get("listenerAttributes"):
            calls.append(Call("elbv2", "ModifyListenerAttributes", {
                "ListenerArn": created(key), "Attributes": write_attributes(spec["listenerAttributes"])}))
        return calls

    def modify(self, arn: str, before: Mapping[str, Any], after: Mapping[str, Any], ctx: Context) -> list[Call]:
        diff = changed(before, after)
        certs, old_certs = certificate_arns(after), certificate_arns(before)
        calls = []
        if diff & {"port", "protocol", "sslPolicy", "defaultActions", "mutualAuthentication"} or \
                certs[:1] != old_certs[:1]:
            params: dict[str, Any] = {"ListenerArn": arn, "Port": after["port"], "Protocol": after["protocol"],
                                      "DefaultActions": write_actions(after["defaultActions"]), **_mtls_params(after)}
            if certs:
                params["Certificates"] = [{"CertificateArn": certs[0]}]
            if after.get("sslPolicy"):
                params["SslPolicy"] = after["sslPolicy"]
            calls.append(Call("elbv2", "ModifyListener", params))
        add = [c for c in certs[1:] if c not in old_certs[1:]]
        remove = [c for c in old_certs[1:] if c not in certs[1:] and c not in certs[:1]]
        if add:
            calls.append(Call("elbv2", "AddListenerCertificates",
                              {"ListenerArn": arn, "Certificates": [{"CertificateArn": c} for c in add]}))
        if remove:
            calls.append(Call("elbv2", "RemoveListenerCertificates",
                              {"ListenerArn": arn, "Certificates": [{"CertificateArn": c} for c in remove]}))
        if "listenerAttributes" in diff and after.get("listenerAttributes"):
            calls.append(Call("elbv2", "ModifyListenerAttributes",
                              {"ListenerArn": arn, "Attributes": write_attributes(after["listenerAttributes"])}))
        return calls + elbv2_tag_calls(arn, before.get("tags") or {}, after.get("tags") or {})

    def delete(self, arn: str, extra: Mapping[str, Any]) -> list[Call]:
        return [Call("elbv2", "DeleteListener", {"ListenerArn": arn}, tolerate=("ListenerNotFound",))]

    duplicate_codes = ("DuplicateListener",)

    def find_created(self, params: Mapping[str, Any]) -> Call | None:
        return Call("elbv2", "DescribeListeners", {"LoadBalancerArn": params["LoadBalancerArn"]})

    def found(self, params: Mapping[str, Any], response: Mapping[str, Any]) -> list[tuple[str, dict[str, str] | None]]:
        return [(str(ls["ListenerArn"]), None) for ls in response.get("Listeners") or []
                if ls.get("Port") == params["Port"]]


KIND = ListenerKind()
