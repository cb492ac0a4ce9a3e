"""``render --format stack-json``: each stack exactly as aws-load-balancer-controller's stack marshaller
prints it (``pkg/deploy/stack_marshaller.go``): ``{"id", "resources": {type: {id: resource}}}``, each
resource marshalled as its Go struct (``pkg/model/...``) by ``encoding/json``.

What that means, and what this module reproduces:

* field names from the Go ``json`` tags, in struct field order; map keys (resource types, resource ids,
  tags, ...) sorted; ``omitempty`` fields left out when empty (nil pointer, ``""``, ``false``, empty
  slice or map), every other field always written (a nil slice as ``null``);
* no ``status`` (resources are not deployed yet), ``$ref`` objects for references between resources;
* ``IntOrString`` fields (health check port, ``serviceRef.port``, networking ports) as a number or a string;
* what the controller always adds: the ``FrontendNLBTargetGroup`` resource (empty: albctl models no
  frontend NLB), the target group binding's ``targetGroupProtocol`` (its target group's protocol);
* OIDC ``clientID`` and ``clientSecret`` as ``[REDACTED]`` (``AuthenticateOIDCActionConfig.MarshalJSON``);
* an existing certificate is printed by the controller as ``{"$ref": "#/resources///status/certificateARN"}``
  (its token belongs to a resource outside the stack), so the ARN does not appear; so here too, unless
  ``literal_certificates`` is set;
* compact output with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, as ``json.Marshal`` writes them.

Offline placeholders are printed as their ``<...>`` strings (escaped as above). Views only format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from albctl.model.stack import (
    TARGET_GROUP,
    Action,
    Attribute,
    AuthenticateCognitoConfig,
    AuthenticateOidcConfig,
    HealthCheckConfig,
    IPPermission,
    ListenerRuleSpec,
    ListenerSpec,
    LoadBalancerSpec,
    Placeholder,
    Ref,
    Resource,
    RuleCondition,
    SecurityGroupSpec,
    ShieldProtectionSpec,
    Stack,
    TargetGroupBindingNetworking,
    TargetGroupBindingSpec,
    TargetGroupSpec,
    Token,
    WAFRegionalWebACLAssociationSpec,
    WebACLAssociationSpec,
)

FRONTEND_NLB_TARGET_GROUP = "FrontendNLBTargetGroup"  # type and id of the controller's frontend-NLB state
EXISTING_CERTIFICATE_REF = {"$ref": "#/resources///status/certificateARN"}
REDACTED = "[REDACTED]"  # AuthenticateOIDCActionConfig.MarshalJSON hides the client id and secret

JSON = dict[str, Any]


def stack_json(stacks: Iterable[Stack], *, literal_certificates: bool = False) -> str:
    """``{"stacks": [STACK, ...]}`` + newline, each STACK as the controller's marshaller prints it.
    ``literal_certificates`` prints certificate ARNs (and placeholders) where the controller loses them."""
    return go_json({"stacks": [stack_object(s, literal_certificates=literal_certificates) for s in stacks]}) + "\n"


def stack_object(stack: Stack, *, literal_certificates: bool = False) -> JSON:
    """One stack as the controller's marshaller prints it, as plain data in Go's key order."""
    return _StackJSON(literal_certificates).stack(stack)


def go_json(value: Any) -> str:
    """Compact JSON the way Go's ``json.Marshal`` writes it (HTML-safe escaping, UTF-8 kept).
    Key order is the dicts' insertion order: build them in Go struct order, maps sorted."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


# -- helpers --------------------------------------------------------------------------------------


def _token(value: Token) -> Any:
    if isinstance(value, Ref):
        return {"$ref": str(value)}
    if isinstance(value, Placeholder):
        return str(value)
    return value


def _put(out: JSON, key: str, value: Any) -> None:
    """Set an ``omitempty`` field: left out when None, ``""``, ``False``, ``0`` or empty."""
    if value is None or value is False or value == "" or (isinstance(value, (list, tuple, dict)) and not value):
        return
    if isinstance(value, int) and not isinstance(value, bool) and value == 0:
        return
    out[key] = value


def _put_ptr(out: JSON, key: str, value: Any) -> None:
    """Set an ``omitempty`` pointer field: left out only when nil (None)."""
    if value is not None:
        out[key] = value


def _slice(items: list[Any]) -> list[Any] | None:
    """A non-omitempty slice: a nil (empty) slice marshals as ``null``."""
    return items or None


def _sorted_map(values: Mapping[str, Any] | None) -> JSON:
    return {str(k): values[k] for k in sorted(values, key=str)} if values else {}


def _int_or_string(value: int | str | Placeholder) -> int | str:
    """An ``intstr.IntOrString``: a number, or a string (a named port, ``traffic-port``; offline, a
    placeholder for a node port only the cluster knows)."""
    if isinstance(value, Placeholder):
        return str(value)
    if isinstance(value, bool):
        raise TypeError(f"not a port: {value!r}")
    return value


def _attributes(attrs: Iterable[Attribute], key: str = "key", value: str = "value") -> list[JSON]:
    return [{key: a.key, value: a.value} for a in attrs]


class _StackJSON:
    def __init__(self, literal_certificates: bool) -> None:
        self.literal_certificates = literal_certificates

    # -- stack ----------------------------------------------------------------------------------

    def stack(self, stack: Stack) -> JSON:
        resources: dict[str, dict[str, JSON]] = {}
        for res in stack.resources:
            resources.setdefault(res.type, {})[res.id] = {"spec": self.spec(stack, res)}
        resources.setdefault(FRONTEND_NLB_TARGET_GROUP, {}).setdefault(FRONTEND_NLB_TARGET_GROUP,
                                                                       {"TargetGroups": {}})
        return {"id": stack.id,
                "resources": {t: _sorted_map(resources[t]) for t in sorted(resources)}}

    def spec(self, stack: Stack, res: Resource) -> JSON:
        spec = res.spec
        if isinstance(spec, LoadBalancerSpec):
            return self.load_balancer(spec)
        if isinstance(spec, ListenerSpec):
            return self.listener(spec)
        if isinstance(spec, ListenerRuleSpec):
            return self.listener_rule(spec)
        if isinstance(spec, TargetGroupSpec):
            return self.target_group(spec)
        if isinstance(spec, SecurityGroupSpec):
            return self.security_group(spec)
        if isinstance(spec, TargetGroupBindingSpec):
            return self.target_group_binding(stack, res.id, spec)
        return self.addon(spec)

    # -- load balancer ----------------------------------------------------------------------------

    def load_balancer(self, lb: LoadBalancerSpec) -> JSON:
        out: JSON = {"name": lb.name, "type": lb.type}
        _put(out, "scheme", lb.scheme)
        _put(out, "ipAddressType", lb.ip_address_type)
        _put(out, "subnetMapping", [{"subnetID": _token(m.subnet_id)} for m in lb.subnet_mapping])
        _put(out, "securityGroups", [_token(sg) for sg in lb.security_groups])
        _put_ptr(out, "customerOwnedIPv4Pool", lb.customer_owned_ipv4_pool)
        _put(out, "loadBalancerAttributes", _attributes(lb.load_balancer_attributes))
        capacity = lb.minimum_load_balancer_capacity
        if capacity is not None:
            out["minimumLoadBalancerCapacity"] = {"capacityUnits": int(capacity.capacity_units)}
        _put(out, "tags", _sorted_map(lb.tags))
        _put_ptr(out, "ipv4IPAMPool", lb.ipv4_ipam_pool)
        return out

    # -- listeners and rules ----------------------------------------------------------------------

    def certificate_arn(self, arn: Token) -> Any:
        if isinstance(arn, Ref) or self.literal_certificates:
            return _token(arn)
        return dict(EXISTING_CERTIFICATE_REF)

    def listener(self, ls: ListenerSpec) -> JSON:
        out: JSON = {"loadBalancerARN": _token(ls.load_balancer_arn), "port": int(ls.port), "protocol": ls.protocol}
        _put(out, "defaultActions", [self.action(a) for a in ls.default_actions])
        _put(out, "certificates", [{"certificateARN": self.certificate_arn(c.certificate_arn)}
                                   for c in ls.certificates])
        _put_ptr(out, "sslPolicy", ls.ssl_policy)
        mtls = ls.mutual_authentication
        if mtls is not None:
            m: JSON = {"mode": mtls.mode}
            _put_ptr(m, "trustStoreArn", None if mtls.trust_store_arn is None else _token(mtls.trust_store_arn))
            _put_ptr(m, "ignoreClientCertificateExpiry", mtls.ignore_client_certificate_expiry)
            _put_ptr(m, "advertiseTrustStoreCaNames", mtls.advertise_trust_store_ca_names)
            out["mutualAuthentication"] = m
        _put(out, "tags", _sorted_map(ls.tags))
        # ListenerAttribute has no json tags: Go writes its field names
        _put(out, "listenerAttributes", _attributes(ls.listener_attributes, "Key", "Value"))
        return out

    def action(self, action: Action) -> JSON:
        out: JSON = {"type": action.type}
        cognito = action.authenticate_cognito_config
        if cognito is not None:
            c: JSON = {}
            self._auth_common(c, cognito)
            c.update(userPoolARN=_token(cognito.user_pool_arn), userPoolClientID=cognito.user_pool_client_id,
                     userPoolDomain=cognito.user_pool_domain)
            out["authenticateCognitoConfig"] = c
        oidc = action.authenticate_oidc_config
        if oidc is not None:
            o: JSON = {}
            self._auth_common(o, oidc)
            o.update(issuer=oidc.issuer, authorizationEndpoint=oidc.authorization_endpoint,
                     tokenEndpoint=oidc.token_endpoint, userInfoEndpoint=oidc.user_info_endpoint,
                     clientID=REDACTED, clientSecret=REDACTED)
            out["authenticateOIDCConfig"] = o
        jwt = action.jwt_validation_config
        if jwt is not None:
            j: JSON = {"jwksEndpoint": jwt.jwks_endpoint, "issuer": jwt.issuer}
            _put(j, "additionalClaims", [{"format": c.format, "name": c.name, "values": _slice(list(c.values))}
                                         for c in jwt.additional_claims])
            out["jwtValidationConfig"] = j
        fr = action.fixed_response_config
        if fr is not None:
            f: JSON = {}
            _put_ptr(f, "contentType", fr.content_type)
            _put_ptr(f, "messageBody", fr.message_body)
            f["statusCode"] = str(fr.status_code)
            out["fixedResponseConfig"] = f
        rc = action.redirect_config
        if rc is not None:
            r: JSON = {}
            for key, value in (("host", rc.host), ("path", rc.path), ("port", rc.port), ("protocol", rc.protocol),
                               ("query", rc.query)):
                _put_ptr(r, key, None if value is None else str(value))
            r["statusCode"] = rc.status_code
            out["redirectConfig"] = r
        fc = action.forward_config
        if fc is not None:
            tuples = []
            for tg in fc.target_groups:
                t: JSON = {"targetGroupARN": _token(tg.target_group_arn)}
                _put_ptr(t, "weight", None if tg.weight is None else int(tg.weight))
                tuples.append(t)
            fwd: JSON = {"targetGroups": _slice(tuples)}
            sticky = fc.target_group_stickiness_config
            if sticky is not None:
                s: JSON = {}
                _put_ptr(s, "enabled", sticky.enabled)
                duration = sticky.duration_seconds
                _put_ptr(s, "durationSeconds", None if duration is None else int(duration))
                fwd["targetGroupStickinessConfig"] = s
            out["forwardConfig"] = fwd
        return out

    @staticmethod
    def _auth_common(out: JSON, cfg: AuthenticateCognitoConfig | AuthenticateOidcConfig) -> None:
        _put(out, "authenticationRequestExtraParams", _sorted_map(cfg.authentication_request_extra_params))
        _put(out, "onUnauthenticatedRequest", cfg.on_unauthenticated_request)
        _put_ptr(out, "scope", cfg.scope)
        _put_ptr(out, "sessionCookieName", cfg.session_cookie_name)
        _put_ptr(out, "sessionTimeout", None if cfg.session_timeout is None else int(cfg.session_timeout))

    def condition(self, cond: RuleCondition) -> JSON:
        out: JSON = {"field": cond.field}
        values, regex = list(cond.values), list(cond.regex_values)
        if cond.field == "host-header":
            h: JSON = {}
            _put(h, "regexValues", regex)
            _put(h, "values", values)
            out["hostHeaderConfig"] = h
        elif cond.field == "http-header":
            hh: JSON = {"httpHeaderName": cond.http_header_name or ""}
            _put(hh, "regexValues", regex)
            _put(hh, "values", values)
            out["httpHeaderConfig"] = hh
        elif cond.field == "http-request-method":
            out["httpRequestMethodConfig"] = {"values": _slice(values)}
        elif cond.field == "path-pattern":
            p: JSON = {}
            _put(p, "regexValues", regex)
            _put(p, "values", values)
            out["pathPatternConfig"] = p
        elif cond.field == "query-string":
            pairs = []
            for key, value in cond.query_string:
                pair: JSON = {}
                _put_ptr(pair, "key", key)
                pair["value"] = value
                pairs.append(pair)
            out["queryStringConfig"] = {"values": _slice(pairs)}
        elif cond.field == "source-ip":
            out["sourceIPConfig"] = {"values": _slice(values)}
        return out

    def listener_rule(self, rule: ListenerRuleSpec) -> JSON:
        out: JSON = {
            "listenerARN": _token(rule.listener_arn),
            "priority": int(rule.priority),
            "actions": _slice([self.action(a) for a in rule.actions]),
            "conditions": _slice([self.condition(c) for c in rule.conditions]),
        }
        transforms = []
        for tr in rule.transforms:
            t: JSON = {"type": tr.type}
            for key, cfg in (("hostHeaderRewriteConfig", tr.host_header_rewrite_config),
                             ("urlRewriteConfig", tr.url_rewrite_config)):
                if cfg is not None:
                    t[key] = {"rewrites": _slice([{"regex": r.regex, "replace": r.replace} for r in cfg.rewrites])}
            transforms.append(t)
        _put(out, "transforms", transforms)
        _put(out, "tags", _sorted_map(rule.tags))
        return out

    # -- target groups ------------------------------------------------------------------------------

    @staticmethod
    def health_check(hc: HealthCheckConfig) -> JSON:
        out: JSON = {"port": _int_or_string(hc.port)}
        _put(out, "protocol", hc.protocol)
        out["path"] = hc.path
        matcher: JSON = {}
        _put_ptr(matcher, "httpCode", None if hc.matcher_http_code is None else str(hc.matcher_http_code))
        _put_ptr(matcher, "grpcCode", None if hc.matcher_grpc_code is None else str(hc.matcher_grpc_code))
        out["matcher"] = matcher
        out["intervalSeconds"] = int(hc.interval_seconds)
        out["timeoutSeconds"] = int(hc.timeout_seconds)
        out["healthyThresholdCount"] = int(hc.healthy_threshold_count)
        out["unhealthyThresholdCount"] = int(hc.unhealthy_threshold_count)
        return out

    def target_group(self, tg: TargetGroupSpec) -> JSON:
        port = str(tg.port) if isinstance(tg.port, Placeholder) else int(tg.port)  # offline: node port unknown
        out: JSON = {"name": _token(tg.name), "targetType": tg.target_type, "port": port, "protocol": tg.protocol}
        _put_ptr(out, "protocolVersion", tg.protocol_version)
        _put(out, "ipAddressType", tg.ip_address_type)
        out["healthCheckConfig"] = self.health_check(tg.health_check_config)
        _put(out, "targetGroupAttributes", _attributes(tg.target_group_attributes))
        _put(out, "tags", _sorted_map(tg.tags))
        _put_ptr(out, "targetControlPort", None if tg.target_control_port is None else int(tg.target_control_port))
        return out

    # -- target group bindings ------------------------------------------------------------------------

    def target_group_binding(self, stack: Stack, res_id: str, tgb: TargetGroupBindingSpec) -> JSON:
        tg_res = stack.get(TARGET_GROUP, res_id)
        tg = tg_res.spec if tg_res is not None and isinstance(tg_res.spec, TargetGroupSpec) else None
        spec: JSON = {
            "targetGroupARN": _token(tgb.target_group_arn),
            "targetType": tgb.target_type,
            "serviceRef": {"name": tgb.service_name, "port": _int_or_string(tgb.service_port)},
        }
        if tgb.networking is not None:
            spec["networking"] = self.networking(tgb.networking)
        selector = tgb.node_selector
        if selector is not None:
            sel: JSON = {}
            _put(sel, "matchLabels", _sorted_map(selector.match_labels))
            spec["nodeSelector"] = sel
        _put(spec, "ipAddressType", tgb.ip_address_type)
        _put(spec, "vpcID", _token(tgb.vpc_id))
        _put(spec, "multiClusterTargetGroup", bool(tgb.multi_cluster_target_group))
        if tg is not None:
            spec["targetGroupProtocol"] = tg.protocol
        return {"template": {"metadata": {"name": _token(tgb.name), "namespace": tgb.namespace}, "spec": spec}}

    @staticmethod
    def networking(net: TargetGroupBindingNetworking) -> JSON:
        rules = []
        for rule in net.ingress:
            peers = [{"securityGroup": {"groupID": _token(peer.security_group.group_id)}} for peer in rule.from_]
            ports = []
            for port in rule.ports:
                entry: JSON = {"protocol": port.protocol}
                _put_ptr(entry, "port", None if port.port is None else _int_or_string(port.port))
                ports.append(entry)
            rules.append({"from": _slice(peers), "ports": _slice(ports)})
        out: JSON = {}
        _put(out, "ingress", rules)
        return out

    # -- security groups ------------------------------------------------------------------------------

    @staticmethod
    def permission(perm: IPPermission) -> JSON:
        out: JSON = {"ipProtocol": perm.ip_protocol}
        _put_ptr(out, "fromPort", None if perm.from_port is None else int(perm.from_port))
        _put_ptr(out, "toPort", None if perm.to_port is None else int(perm.to_port))
        if perm.cidr_ip is not None:
            out["ipRanges"] = [{"cidrIP": perm.cidr_ip}]
        if perm.cidr_ipv6 is not None:
            out["ipv6Ranges"] = [{"cidrIPv6": perm.cidr_ipv6}]
        if perm.prefix_list_id is not None:
            out["prefixLists"] = [{"listID": perm.prefix_list_id}]
        return out

    def security_group(self, sg: SecurityGroupSpec) -> JSON:
        out: JSON = {"groupName": sg.group_name, "description": sg.description}
        _put(out, "tags", _sorted_map(sg.tags))
        _put(out, "ingress", [self.permission(p) for p in sg.ingress])
        return out

    # -- add-ons (WAF, Shield) --------------------------------------------------------------------------

    @staticmethod
    def addon(spec: WebACLAssociationSpec | WAFRegionalWebACLAssociationSpec | ShieldProtectionSpec) -> JSON:
        if isinstance(spec, WebACLAssociationSpec):
            return {"webACLARN": _token(spec.web_acl_arn), "resourceARN": _token(spec.resource_arn)}
        if isinstance(spec, WAFRegionalWebACLAssociationSpec):
            return {"webACLID": spec.web_acl_id, "resourceARN": _token(spec.resource_arn)}
        return {"enabled": bool(spec.enabled), "resourceARN": _token(spec.resource_arn)}
