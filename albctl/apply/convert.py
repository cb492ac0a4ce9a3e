"""Model data (the controller's JSON shape, camelCase) → ELBv2 / EC2 API parameters. Pure."""

from __future__ import annotations

from typing import Any

CONDITION_CONFIGS = {
    "host-header": "HostHeaderConfig",
    "path-pattern": "PathPatternConfig",
    "http-header": "HttpHeaderConfig",
    "http-request-method": "HttpRequestMethodConfig",
    "query-string": "QueryStringConfig",
    "source-ip": "SourceIpConfig",
}


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def action(data: dict[str, Any], order: int) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": data["type"], "Order": order}
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


def actions(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [action(a, i) for i, a in enumerate(items, start=1)]


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
