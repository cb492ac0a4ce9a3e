"""Rule actions, conditions and transforms (shared by listeners and listener rules): AWS's shapes to the
model's (reading), the model's to AWS's (writing), and the comparable form the planner diffs.

Model data is :func:`albctl.model.serialize.to_data` of the model (camelCase, the controller's JSON
names). An authenticate-oidc action's ``clientSecret`` is masked there; written out it becomes a
``{"$secret": client_id}`` marker that apply fills in (:mod:`albctl.elbv2.call`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from albctl.elbv2.call import SECRET
from albctl.elbv2.common import camel_keys, compact

# a rule condition's field → the key of its configuration object in the ELBv2 API
CONDITION_CONFIGS = {
    "host-header": "HostHeaderConfig",
    "path-pattern": "PathPatternConfig",
    "http-header": "HttpHeaderConfig",
    "http-request-method": "HttpRequestMethodConfig",
    "query-string": "QueryStringConfig",
    "source-ip": "SourceIpConfig",
}
# AWS fills these in for a redirect that leaves them out
REDIRECT_DEFAULTS = {"host": "#{host}", "path": "/#{path}", "port": "#{port}", "protocol": "#{protocol}",
                     "query": "#{query}"}
# AWS's spellings → the model's (its JSON names follow the controller's Go tags)
_MODEL_NAMES = {"clientId": "clientID", "userPoolArn": "userPoolARN", "userPoolClientId": "userPoolClientID"}
_AUTH_CONFIGS = (("AuthenticateOidcConfig", "authenticateOIDCConfig"),
                 ("AuthenticateCognitoConfig", "authenticateCognitoConfig"),
                 ("JwtValidationConfig", "jwtValidationConfig"))
_REWRITE_CONFIGS = (("hostHeaderRewriteConfig", "HostHeaderRewriteConfig"), ("urlRewriteConfig", "UrlRewriteConfig"))


# -- reading ---------------------------------------------------------------------------------------


def read_actions(actions: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    ordered = sorted(actions or [], key=lambda a: a.get("Order") or 0)  # stable: no Order keeps AWS's order
    return [_read_action(a) for a in ordered]


def _read_action(a: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": a.get("Type")}
    if frc := a.get("FixedResponseConfig"):
        out["fixedResponseConfig"] = {"statusCode": frc.get("StatusCode"), "contentType": frc.get("ContentType"),
                                      "messageBody": frc.get("MessageBody")}
    if rc := a.get("RedirectConfig"):
        out["redirectConfig"] = {"statusCode": rc.get("StatusCode"), "host": rc.get("Host"), "path": rc.get("Path"),
                                 "port": rc.get("Port"), "protocol": rc.get("Protocol"), "query": rc.get("Query")}
    if fc := a.get("ForwardConfig"):
        sticky = fc.get("TargetGroupStickinessConfig")
        out["forwardConfig"] = {
            "targetGroups": [{"targetGroupARN": t.get("TargetGroupArn"), "weight": t.get("Weight")}
                             for t in fc.get("TargetGroups") or []],
            "targetGroupStickinessConfig": {"enabled": sticky.get("Enabled"),
                                            "durationSeconds": sticky.get("DurationSeconds")} if sticky else None,
        }
    elif a.get("TargetGroupArn"):  # the single-target form (AWS also returns ForwardConfig; emulators may not)
        out["forwardConfig"] = {"targetGroups": [{"targetGroupARN": a["TargetGroupArn"]}]}
    for aws_key, key in _AUTH_CONFIGS:
        if a.get(aws_key):
            out[key] = {_MODEL_NAMES.get(k, k): v for k, v in camel_keys(a[aws_key]).items()}
    return compact(out)


def read_conditions(conditions: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    return [_read_condition(c) for c in conditions or []]


def _read_condition(c: Mapping[str, Any]) -> dict[str, Any]:
    """Values from the field's ``*Config``, else the legacy top-level ``Values`` (AWS may return both)."""
    fld = str(c.get("Field"))
    cfg = c.get(CONDITION_CONFIGS.get(fld, "")) or {}
    out: dict[str, Any] = {"field": fld}
    if fld == "query-string":
        out["queryString"] = [[kv.get("Key"), kv.get("Value", "")] for kv in cfg.get("Values") or []]
        return compact(out)
    out["values"] = list(cfg.get("Values") or c.get("Values") or [])
    out["regexValues"] = list(cfg.get("RegexValues") or c.get("RegexValues") or [])
    if fld == "http-header":
        out["httpHeaderName"] = cfg.get("HttpHeaderName")
    return compact(out)


def read_transforms(transforms: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    return [camel_keys(dict(t)) for t in transforms or []]


# -- writing ---------------------------------------------------------------------------------------


def write_action(data: Mapping[str, Any], order: int) -> dict[str, Any]:
    """One model action → an ELBv2 ``Action`` (``Order`` from its position)."""
    out: dict[str, Any] = {"Type": data["type"], "Order": order}
    if data.get("authenticateOIDCConfig"):
        out["AuthenticateOidcConfig"] = _write_oidc(data["authenticateOIDCConfig"])
    if data.get("authenticateCognitoConfig"):
        cfg = data["authenticateCognitoConfig"]
        out["AuthenticateCognitoConfig"] = {"UserPoolArn": cfg["userPoolARN"],
                                            "UserPoolClientId": cfg["userPoolClientID"],
                                            "UserPoolDomain": cfg["userPoolDomain"], **_auth_common(cfg)}
    if data.get("jwtValidationConfig"):
        cfg = data["jwtValidationConfig"]
        jwt: dict[str, Any] = {"JwksEndpoint": cfg["jwksEndpoint"], "Issuer": cfg["issuer"]}
        if cfg.get("additionalClaims"):
            jwt["AdditionalClaims"] = [{"Format": c["format"], "Name": c["name"], "Values": list(c["values"])}
                                       for c in cfg["additionalClaims"]]
        out["JwtValidationConfig"] = jwt
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


def write_actions(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [write_action(a, i) for i, a in enumerate(items, start=1)]


def _auth_common(cfg: Mapping[str, Any]) -> dict[str, Any]:
    pairs = (("OnUnauthenticatedRequest", "onUnauthenticatedRequest"), ("Scope", "scope"),
             ("SessionCookieName", "sessionCookieName"), ("SessionTimeout", "sessionTimeout"),
             ("AuthenticationRequestExtraParams", "authenticationRequestExtraParams"))
    return {api: cfg[key] for api, key in pairs if cfg.get(key) not in (None, {})}


def _write_oidc(cfg: Mapping[str, Any]) -> dict[str, Any]:
    return {"Issuer": cfg["issuer"], "AuthorizationEndpoint": cfg["authorizationEndpoint"],
            "TokenEndpoint": cfg["tokenEndpoint"], "UserInfoEndpoint": cfg["userInfoEndpoint"],
            "ClientId": cfg["clientID"], "ClientSecret": {SECRET: cfg["clientID"]}, **_auth_common(cfg)}


def write_condition(data: Mapping[str, Any]) -> dict[str, Any]:
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


def write_conditions(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [write_condition(c) for c in items]


def write_transform(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": data["type"]}
    for key, api in _REWRITE_CONFIGS:
        if data.get(key):
            out[api] = {"Rewrites": [{"Regex": r["regex"], "Replace": r.get("replace", "")}
                                     for r in data[key].get("rewrites", [])]}
    return out


def write_transforms(items: Iterable[Mapping[str, Any]], *, modify: bool) -> dict[str, Any]:
    """CreateRule / ModifyRule parameters for a rule's transforms. ModifyRule reads no transforms as
    "leave them", so removing the last one needs ``ResetTransforms`` (as the controller does)."""
    items = list(items)
    if items:
        return {"Transforms": [write_transform(t) for t in items]}
    return {"ResetTransforms": True} if modify else {}


# -- comparing -------------------------------------------------------------------------------------


def comparable_action(action: Mapping[str, Any]) -> dict[str, Any]:
    """AWS fills in what the model leaves out: weight 1, stickiness off, redirect's ``#{...}`` defaults.
    An OIDC client secret is never returned by AWS, so it is not compared here."""
    out = dict(action)
    forward = out.get("forwardConfig")
    if isinstance(forward, dict):
        forward = dict(forward)
        forward["targetGroups"] = [{**tg, "weight": tg.get("weight", 1)} for tg in forward.get("targetGroups", [])]
        sticky = forward.get("targetGroupStickinessConfig")
        if not sticky or not sticky.get("enabled"):
            forward.pop("targetGroupStickinessConfig", None)
        out["forwardConfig"] = forward
    oidc = out.get("authenticateOIDCConfig")
    if isinstance(oidc, dict):
        out["authenticateOIDCConfig"] = {k: v for k, v in oidc.items() if k != "clientSecret"}
    redirect = out.get("redirectConfig")
    if isinstance(redirect, dict):
        out["redirectConfig"] = {**REDIRECT_DEFAULTS, **redirect}
    return out


def comparable_actions(actions: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    return [comparable_action(a) for a in actions or []]


def comparable_conditions(conditions: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Condition values are sets to ELBv2: compared sorted."""
    out = []
    for c in conditions or []:
        c = dict(c)
        for key in ("values", "regexValues"):
            if key in c:
                c[key] = sorted(map(str, c[key]))
        if "queryString" in c:
            c["queryString"] = sorted(([k, v] for k, v in c["queryString"]), key=lambda kv: (str(kv[0]), str(kv[1])))
        out.append(c)
    return out
