"""The desired stack of one IngressGroup: frozen dataclasses mirroring the controller's model
(``pkg/model``). Field names are the controller's, in snake_case; :mod:`albctl.model.serialize`
turns them into the controller's JSON names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"
TARGET_GROUP_BINDING = "K8S::ElasticLoadBalancingV2::TargetGroupBinding"
WAFV2_WEB_ACL_ASSOCIATION = "AWS::WAFv2::WebACLAssociation"
WAF_REGIONAL_WEB_ACL_ASSOCIATION = "AWS::WAFRegional::WebACLAssociation"
SHIELD_PROTECTION = "AWS::Shield::Protection"
ADDON_TYPES = (WAFV2_WEB_ACL_ASSOCIATION, WAF_REGIONAL_WEB_ACL_ASSOCIATION, SHIELD_PROTECTION)

LOAD_BALANCER_ID = "LoadBalancer"
MANAGED_SG_ID = "ManagedLBSecurityGroup"
BACKEND_SG_ID = "BackendSecurityGroup"  # the cluster's shared backend SG, outside any stack

SECRET = {"secret": True}
"""Field metadata marking a value that must never be shown: ``repr=False`` keeps it out of reprs, and
:func:`albctl.model.serialize.to_data` writes :data:`SECRET_MASK` in its place."""
SECRET_MASK = "<secret>"


@dataclass(frozen=True)
class Ref:
    """A reference to a field of another resource of the stack, known only once it exists."""

    type: str
    id: str
    field: str

    def __str__(self) -> str:
        return f"#/resources/{self.type}/{self.id}/status/{self.field}"


@dataclass(frozen=True)
class Need:
    """The AWS look-up a :class:`Placeholder` built before discovery waits for (see
    :attr:`albctl.model.facts.Facts.collecting`): the one statement of what an annotation needs."""

    kind: str  # one of the NEED_* constants
    key: str = ""  # the scheme, subnet or security group as written, selector key, or host
    tags: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a subnet tag selector's tags
    who: str = ""  # the Ingress (namespace/name) that asks, for messages


NEED_DISCOVERED_SUBNETS = "discovered-subnets"  # key: scheme
NEED_SUBNET = "subnet"  # key: subnet id or Name tag
NEED_SELECTED_SUBNETS = "selected-subnets"  # key: selector key, tags: the selector
NEED_SECURITY_GROUP = "security-group"  # key: security group id or Name tag
NEED_BACKEND_SECURITY_GROUP = "backend-security-group"
NEED_CERTIFICATE = "certificate"  # key: host, who: the Ingress


def ref_target(value: object) -> tuple[str, str] | None:
    """The (type, id) a reference names in JSON form (``{"$ref": str(Ref)}``); None for anything else."""
    ref = value.get("$ref") if isinstance(value, dict) and len(value) == 1 else None
    if not isinstance(ref, str):
        return None
    _, _, rest = ref.partition("#/resources/")
    type_, _, tail = rest.partition("/")
    return type_, tail.rsplit("/status/", 1)[0]


@dataclass(frozen=True)
class Placeholder:
    """A value that needs AWS to be known (offline render): says what would be looked up. Built before
    discovery, it carries the :class:`Need` (not part of its value: it compares by ``what``)."""

    what: str
    need: Need | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"<{self.what}>"


Token = str | Ref | Placeholder


@dataclass(frozen=True)
class Attribute:
    key: str
    value: str


@dataclass(frozen=True)
class SubnetMapping:
    subnet_id: Token


@dataclass(frozen=True)
class LoadBalancerSpec:
    name: str
    type: str
    scheme: str
    ip_address_type: str
    subnet_mapping: tuple[SubnetMapping, ...]
    security_groups: tuple[Token, ...]
    customer_owned_ipv4_pool: str | None = None
    load_balancer_attributes: tuple[Attribute, ...] = ()
    minimum_load_balancer_capacity: MinimumLoadBalancerCapacity | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    ipv4_ipam_pool: str | None = None


@dataclass(frozen=True)
class MinimumLoadBalancerCapacity:
    capacity_units: int


@dataclass(frozen=True)
class FixedResponseConfig:
    status_code: str
    content_type: str | None = None
    message_body: str | None = None


@dataclass(frozen=True)
class RedirectConfig:
    status_code: str
    host: str | None = None
    path: str | None = None
    port: str | None = None
    protocol: str | None = None
    query: str | None = None


@dataclass(frozen=True)
class TargetGroupTuple:
    target_group_arn: Token
    weight: int | None = None


@dataclass(frozen=True)
class StickinessConfig:
    enabled: bool | None = None
    duration_seconds: int | None = None


@dataclass(frozen=True)
class ForwardConfig:
    target_groups: tuple[TargetGroupTuple, ...]
    target_group_stickiness_config: StickinessConfig | None = None


@dataclass(frozen=True)
class AuthenticateCognitoConfig:
    user_pool_arn: str
    user_pool_client_id: str
    user_pool_domain: str
    authentication_request_extra_params: Mapping[str, str] = field(default_factory=dict)
    on_unauthenticated_request: str | None = None  # authenticate | allow | deny
    scope: str | None = None
    session_cookie_name: str | None = None
    session_timeout: int | None = None


@dataclass(frozen=True)
class AuthenticateOidcConfig:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    user_info_endpoint: str
    client_id: str
    client_secret: str = field(repr=False, metadata=SECRET)  # never shown: see SECRET
    authentication_request_extra_params: Mapping[str, str] = field(default_factory=dict)
    on_unauthenticated_request: str | None = None  # authenticate | allow | deny
    scope: str | None = None
    session_cookie_name: str | None = None
    session_timeout: int | None = None


@dataclass(frozen=True)
class JwtAdditionalClaim:
    format: str  # single-string | string-array | space-separated-values
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class JwtValidationConfig:
    jwks_endpoint: str
    issuer: str
    additional_claims: tuple[JwtAdditionalClaim, ...] = ()


@dataclass(frozen=True)
class Action:
    type: str  # fixed-response | redirect | forward | authenticate-oidc | authenticate-cognito | jwt-validation
    fixed_response_config: FixedResponseConfig | None = None
    redirect_config: RedirectConfig | None = None
    forward_config: ForwardConfig | None = None
    authenticate_oidc_config: AuthenticateOidcConfig | None = None
    authenticate_cognito_config: AuthenticateCognitoConfig | None = None
    jwt_validation_config: JwtValidationConfig | None = None


@dataclass(frozen=True)
class Certificate:
    certificate_arn: Token


@dataclass(frozen=True)
class MutualAuthentication:
    """A listener's mTLS settings. ``trust_store_arn`` is ``""`` for off / passthrough, as the controller
    writes it; for verify, the ARN (a trust store given by name becomes a placeholder offline)."""

    mode: str  # off | passthrough | verify
    trust_store_arn: Token | None = None
    ignore_client_certificate_expiry: bool | None = None
    advertise_trust_store_ca_names: str | None = None  # on | off


@dataclass(frozen=True)
class ListenerSpec:
    load_balancer_arn: Token
    port: int
    protocol: str
    default_actions: tuple[Action, ...]
    certificates: tuple[Certificate, ...] = ()
    ssl_policy: str | None = None
    mutual_authentication: MutualAuthentication | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    listener_attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True)
class RuleCondition:
    field: str  # host-header | path-pattern | http-header | http-request-method | query-string | source-ip
    values: tuple[str, ...] = ()
    regex_values: tuple[str, ...] = ()
    http_header_name: str | None = None
    query_string: tuple[tuple[str | None, str], ...] = ()  # (key, value) pairs


@dataclass(frozen=True)
class RewriteConfig:
    regex: str
    replace: str


@dataclass(frozen=True)
class RewriteConfigObject:
    rewrites: tuple[RewriteConfig, ...]


@dataclass(frozen=True)
class Transform:
    type: str  # host-header-rewrite | url-rewrite
    host_header_rewrite_config: RewriteConfigObject | None = None
    url_rewrite_config: RewriteConfigObject | None = None


@dataclass(frozen=True)
class ListenerRuleSpec:
    listener_arn: Token
    priority: int
    conditions: tuple[RuleCondition, ...]
    actions: tuple[Action, ...]
    transforms: tuple[Transform, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HealthCheckConfig:
    port: int | str | Placeholder  # a port number, or "traffic-port" (offline: a node port not known yet)
    protocol: str
    path: str
    matcher_http_code: str | None
    matcher_grpc_code: str | None
    interval_seconds: int
    timeout_seconds: int
    healthy_threshold_count: int
    unhealthy_threshold_count: int


@dataclass(frozen=True)
class TargetGroupSpec:
    name: str | Placeholder  # a placeholder offline when the node port is not known
    target_type: str
    port: int | Placeholder
    protocol: str
    protocol_version: str
    ip_address_type: str
    health_check_config: HealthCheckConfig
    target_group_attributes: tuple[Attribute, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    target_control_port: int | None = None


@dataclass(frozen=True)
class NetworkingPort:
    protocol: str = "TCP"
    port: int | str | Placeholder | None = None  # None: every port


@dataclass(frozen=True)
class SecurityGroupPeer:
    group_id: Token


@dataclass(frozen=True)
class NetworkingPeer:
    security_group: SecurityGroupPeer


@dataclass(frozen=True)
class NetworkingIngressRule:
    from_: tuple[NetworkingPeer, ...]  # JSON "from"
    ports: tuple[NetworkingPort, ...]


@dataclass(frozen=True)
class TargetGroupBindingNetworking:
    """The rules the in-cluster controller adds to the node / pod security groups for the backend SG."""

    ingress: tuple[NetworkingIngressRule, ...]


@dataclass(frozen=True)
class NodeSelector:
    match_labels: Mapping[str, str]


@dataclass(frozen=True)
class TargetGroupBindingSpec:
    """What the in-cluster controller needs to register pods (ip) or nodes (instance)."""

    name: str | Placeholder
    namespace: str
    target_group_arn: Token
    target_type: str
    service_name: str
    service_port: int | str
    target_port: int | str | Placeholder  # the node port (instance) or the pod's target port (ip)
    ip_address_type: str
    vpc_id: Token
    networking: TargetGroupBindingNetworking | None = None
    node_selector: NodeSelector | None = None  # instance targets: only nodes with these labels
    multi_cluster_target_group: bool | None = None  # True or None (the controller's omitempty false)


@dataclass(frozen=True)
class IPPermission:
    ip_protocol: str
    from_port: int
    to_port: int
    cidr_ip: str | None = None
    cidr_ipv6: str | None = None
    prefix_list_id: str | None = None


@dataclass(frozen=True)
class SecurityGroupSpec:
    group_name: str
    description: str
    ingress: tuple[IPPermission, ...]
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WebACLAssociationSpec:
    """``AWS::WAFv2::WebACLAssociation``: ``web_acl_arn`` ``""`` means "no web ACL" (annotation ``none``)."""

    web_acl_arn: Token
    resource_arn: Token


@dataclass(frozen=True)
class WAFRegionalWebACLAssociationSpec:
    """``AWS::WAFRegional::WebACLAssociation`` (WAF Classic): ``web_acl_id`` ``""`` means none."""

    web_acl_id: str
    resource_arn: Token


@dataclass(frozen=True)
class ShieldProtectionSpec:
    """``AWS::Shield::Protection``: Shield Advanced on (or explicitly off) for the load balancer."""

    enabled: bool
    resource_arn: Token


AddonSpec = WebACLAssociationSpec | WAFRegionalWebACLAssociationSpec | ShieldProtectionSpec


@dataclass(frozen=True)
class Resource:
    """One resource of a stack: its controller type, its id inside the stack, and its spec."""

    type: str
    id: str
    spec: (LoadBalancerSpec | ListenerSpec | ListenerRuleSpec | TargetGroupSpec | SecurityGroupSpec
           | TargetGroupBindingSpec | AddonSpec)


@dataclass(frozen=True)
class Stack:
    """The desired AWS resources for one IngressGroup."""

    id: str  # the IngressGroup id: "ns/name" (implicit) or "name" (explicit)
    members: tuple[str, ...]  # "ns/name" of each member Ingress, in group order
    resources: tuple[Resource, ...]

    def of_type(self, type_: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_]

    def get(self, type_: str, id_: str) -> Resource | None:
        for r in self.resources:
            if r.type == type_ and r.id == id_:
                return r
        return None
