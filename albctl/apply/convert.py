"""Model data (the controller's JSON shape, camelCase) → ELBv2 / EC2 API parameters. Pure.

OIDC client secrets: model data (``to_data``, saved plans) carries ``"<secret>"`` in place of an
authenticate-oidc action's ``clientSecret``. Pass the real ones as ``secrets`` (client id → secret,
from ``albctl.model.auth.client_secrets(stack)`` of the desired stack) to :func:`action` /
:func:`actions`; a masked secret with no real value is an error, never sent to AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from albctl.aws.api_names import CONDITION_CONFIGS
from albctl.errors import AlbctlError
from albctl.model.stack import SECRET_MASK


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


class MissingSecretError(AlbctlError):
    """An OIDC action's client secret is masked and its real value was not given."""


def action(data: dict[str, Any], order: int, secrets: Mapping[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": data["type"], "Order": order}
    if data.get("authenticateOIDCConfig"):
        out["AuthenticateOidcConfig"] = authenticate_oidc(data["authenticateOIDCConfig"], secrets or {})
    if data.get("authenticateCognitoConfig"):
        out["AuthenticateCognitoConfig"] = authenticate_cognito(data["authenticateCognitoConfig"])
    if data.get("jwtValidationConfig"):
        out["JwtValidationConfig"] = jwt_validation(data["jwtValidationConfig"])
    if data.get("forwardConfig"):
        fc = data["forwardConfig"]
        groups = []
        for tg in fc.get("targetGroups", []):
            item: dict[str, Any] = {"TargetGroupArn": tg["targetGroupARN"]}
            if tg.get("weight") is not None:
                item["Weight"] = tg["weight"]
            groups.append(item)
        forward: dict[str, Any] = {"TargetGroups": groups}
        sticky = fc.get("targetGroupStickinessConfig")
        if sticky:
            pairs = (("Enabled", sticky.get("enabled")), ("DurationSeconds", sticky.get("durationSeconds")))
            forward["TargetGroupStickinessConfig"] = {k: v for k, v in pairs if v is not None}
        out["ForwardConfig"] = forward
    if data.get("fixedResponseConfig"):
        fr = data["fixedResponseConfig"]
        out["FixedResponseConfig"] = {k: v for k, v in (("StatusCode", fr.get("statusCode")),
                                                        ("ContentType", fr.get("contentType")),
                                                        ("MessageBody", fr.get("messageBody"))) if v is not None}
    if data.get("redirectConfig"):
        rc = data["redirectConfig"]
        out["RedirectConfig"] = {api: rc[key] for key, api in (("statusCode", "StatusCode"), ("host", "Host"),
                                                               ("path", "Path"), ("port", "Port"),
                                                               ("protocol", "Protocol"), ("query", "Query"))
                                 if rc.get(key) is not None}
    return out


def actions(items: list[dict[str, Any]], secrets: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    return [action(a, i, secrets) for i, a in enumerate(items, start=1)]


def _auth_common(cfg: dict[str, Any]) -> dict[str, Any]:
    pairs = (("OnUnauthenticatedRequest", "onUnauthenticatedRequest"), ("Scope", "scope"),
             ("SessionCookieName", "sessionCookieName"), ("SessionTimeout", "sessionTimeout"),
             ("AuthenticationRequestExtraParams", "authenticationRequestExtraParams"))
    return {api: cfg[key] for api, key in pairs if cfg.get(key) not in (None, {})}


def authenticate_oidc(cfg: dict[str, Any], secrets: Mapping[str, str]) -> dict[str, Any]:
    secret = cfg.get("clientSecret")
    if secret in (None, SECRET_MASK):
        secret = secrets.get(cfg["clientID"])
    if secret is None or secret == SECRET_MASK:
        raise MissingSecretError(
            f"the client secret of OIDC client {cfg['clientID']!r} (issuer {cfg['issuer']}) is not known",
            hint="apply from the manifests (with the Secret, or its ALBCTL_OIDC_CLIENT_SECRET_* variable) "
                 "so albctl can read it; plans never contain secrets")
    return {"Issuer": cfg["issuer"], "AuthorizationEndpoint": cfg["authorizationEndpoint"],
            "TokenEndpoint": cfg["tokenEndpoint"], "UserInfoEndpoint": cfg["userInfoEndpoint"],
            "ClientId": cfg["clientID"], "ClientSecret": secret, **_auth_common(cfg)}


def authenticate_cognito(cfg: dict[str, Any]) -> dict[str, Any]:
    return {"UserPoolArn": cfg["userPoolARN"], "UserPoolClientId": cfg["userPoolClientID"],
            "UserPoolDomain": cfg["userPoolDomain"], **_auth_common(cfg)}


def jwt_validation(cfg: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"JwksEndpoint": cfg["jwksEndpoint"], "Issuer": cfg["issuer"]}
    if cfg.get("additionalClaims"):
        out["AdditionalClaims"] = [{"Format": c["format"], "Name": c["name"], "Values": list(c["values"])}
                                   for c in cfg["additionalClaims"]]
    return out


_REWRITE_CONFIGS = (("hostHeaderRewriteConfig", "HostHeaderRewriteConfig"), ("urlRewriteConfig", "UrlRewriteConfig"))


def transform(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": data["type"]}
    for key, api in _REWRITE_CONFIGS:
        if data.get(key):
            out[api] = {"Rewrites": [{"Regex": r["regex"], "Replace": r.get("replace", "")}
                                     for r in data[key].get("rewrites", [])]}
    return out


def transforms(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [transform(t) for t in items]


def rule_transforms(spec: dict[str, Any], *, modify: bool) -> dict[str, Any]:
    """CreateRule / ModifyRule parameters for a rule's transforms. ModifyRule reads no transforms as
    "leave them", so removing the last one needs ``ResetTransforms`` (as the controller does)."""
    if spec.get("transforms"):
        return {"Transforms": transforms(spec["transforms"])}
    return {"ResetTransforms": True} if modify else {}


def mutual_authentication(data: dict[str, Any]) -> dict[str, Any]:
    """A listener's ``mutualAuthentication`` → ``MutualAuthentication`` (CreateListener / ModifyListener)."""
    out: dict[str, Any] = {"Mode": data["mode"]}
    if data.get("trustStoreArn"):
        out["TrustStoreArn"] = data["trustStoreArn"]
    if data.get("ignoreClientCertificateExpiry") is not None:
        out["IgnoreClientCertificateExpiry"] = data["ignoreClientCertificateExpiry"]
    if data.get("advertiseTrustStoreCaNames") is not None:
        out["AdvertiseTrustStoreCaNames"] = data["advertiseTrustStoreCaNames"]
    return out


def ipam_pools(spec: dict[str, Any]) -> dict[str, Any]:
    """CreateLoadBalancer parameters for ``ipv4IPAMPool`` (nothing when unset)."""
    return {"IpamPools": {"Ipv4IpamPoolId": spec["ipv4IPAMPool"]}} if spec.get("ipv4IPAMPool") else {}


def capacity_reservation(spec: dict[str, Any]) -> dict[str, Any] | None:
    """ModifyCapacityReservation parameters (without the ARN) for ``minimumLoadBalancerCapacity``."""
    cap = spec.get("minimumLoadBalancerCapacity")
    if cap is None:
        return None
    if int(cap.get("capacityUnits", 0)) == 0:
        return {"ResetCapacityReservation": True}
    return {"MinimumLoadBalancerCapacity": {"CapacityUnits": int(cap["capacityUnits"])}}


def condition(data: dict[str, Any]) -> dict[str, Any]:
    field = data["field"]
    config: dict[str, Any] = {}
    if field == "http-header":
        config["HttpHeaderName"] = data.get("httpHeaderName", "")
    if field == "query-string":
        config["Values"] = [{"Key": k, "Value": v} if k is not None else {"Value": v}
                            for k, v in data.get("queryString", [])]
    elif data.get("regexValues"):
        config["RegexValues"] = list(data["regexValues"])
    else:
        config["Values"] = list(data.get("values", []))
    return {"Field": field, CONDITION_CONFIGS[field]: config}


def conditions(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [condition(c) for c in items]


def ip_permission(perm: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"IpProtocol": perm["ipProtocol"], "FromPort": perm["fromPort"], "ToPort": perm["toPort"]}
    if perm.get("cidrIP"):
        out["IpRanges"] = [{"CidrIp": perm["cidrIP"]}]
    if perm.get("cidrIPv6"):
        out["Ipv6Ranges"] = [{"CidrIpv6": perm["cidrIPv6"]}]
    if perm.get("prefixListID"):
        out["PrefixListIds"] = [{"PrefixListId": perm["prefixListID"]}]
    return out


def health_check(hc: dict[str, Any]) -> dict[str, Any]:
    matcher = {"HttpCode": hc["matcherHttpCode"]} if hc.get("matcherHttpCode") else {"GrpcCode": hc["matcherGrpcCode"]}
    return {
        "HealthCheckProtocol": hc["protocol"],
        "HealthCheckPort": str(hc["port"]),
        "HealthCheckPath": hc["path"],
        "HealthCheckIntervalSeconds": hc["intervalSeconds"],
        "HealthCheckTimeoutSeconds": hc["timeoutSeconds"],
        "HealthyThresholdCount": hc["healthyThresholdCount"],
        "UnhealthyThresholdCount": hc["unhealthyThresholdCount"],
        "Matcher": matcher,
    }


def attributes(items: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"Key": a["key"], "Value": a["value"]} for a in items]


def targets(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"Id": t["id"], "Port": t["port"]} for t in items]
