"""Controller settings that shape the model (the controller's flags), and how they are read
from a config file. Flags beat environment variables, which beat the config file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from albctl.errors import ConfigError

DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08"


@dataclass(frozen=True)
class Settings:
    """The subset of aws-load-balancer-controller flags that changes what albctl builds."""

    cluster_name: str = ""
    ingress_class: str = "alb"
    default_tags: Mapping[str, str] = field(default_factory=dict)
    external_managed_tags: tuple[str, ...] = ()
    default_target_type: str = "instance"
    default_ssl_policy: str = DEFAULT_SSL_POLICY
    default_load_balancer_scheme: str = "internal"
    feature_gates: Mapping[str, bool] = field(default_factory=dict)
    enable_backend_security_group: bool = True
    enable_manage_backend_security_group_rules: bool = False
    backend_security_group: str = ""
    disable_restricted_sg_rules: bool = False
    vpc_id: str = ""
    # the controller's --tolerate-non-existent-backend-service (its default is true; albctl's is false, so
    # a Service missing from the inputs is an error) and --tolerate-non-existent-backend-action (default
    # true): a backend that is missing becomes a 503 fixed response
    tolerate_non_existent_backend_service: bool = False
    tolerate_non_existent_backend_action: bool = True
    # ALBCTL_OIDC_* environment variables: OIDC client credentials when the Secret is not in the
    # inputs (see albctl.model.auth). Never printed.
    auth_env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def gate(self, name: str, default: bool = False) -> bool:
        return self.feature_gates.get(name, default)

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given fields replaced, ignoring ``None`` (flag not given)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _string_map(key: str, value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    out: dict[str, str] = {}
    for part in str(value).split(","):
        if not part.strip():
            continue
        k, sep, v = part.partition("=")
        if not sep or not k.strip():
            raise ConfigError(f"config key {key!r}: expected k1=v1,k2=v2, got {value!r}")
        out[k.strip()] = v.strip()
    return out


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1"):
        return True
    if str(value).lower() in ("false", "0"):
        return False
    raise ConfigError(f"config key {key!r}: expected true or false, got {value!r}")


def _choice(*options: str) -> Any:
    def check(key: str, value: Any) -> str:
        if value not in options:
            raise ConfigError(f"config key {key!r}: expected one of {', '.join(options)}, got {value!r}")
        return str(value)
    return check


def _str(key: str, value: Any) -> str:
    if not isinstance(value, str | int):
        raise ConfigError(f"config key {key!r}: expected a string, got {value!r}")
    return str(value)


def _list(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return tuple(p.strip() for p in str(value).split(",") if p.strip())


# the controller's feature gates (pkg/config/feature_gates.go); those that change an Ingress's model are
# EnableIPTargetType, EnableDefaultTagsLowPriority, LBCapacityReservation and EnableCertificateManagement
FEATURE_GATES = (
    "ListenerRulesTagging", "WeightedTargetGroups", "ServiceTypeLoadBalancerOnly", "EndpointsFailOpen",
    "EnableServiceController", "EnableIPTargetType", "EnableTCPUDPListener", "EnableRGTAPI",
    "SubnetsClusterTagCheck", "NLBHealthCheckAdvancedConfig", "NLBSecurityGroup", "ALBSingleSubnet",
    "LBCapacityReservation", "SubnetDiscoveryByReachability", "NLBGatewayAPI", "ALBGatewayAPI",
    "GlobalAcceleratorController", "EnhancedDefaultBehavior", "EnableDefaultTagsLowPriority",
    "ALBTargetControlAgent", "GatewayListenerSet", "EnableCertificateManagement", "IngressPlanAnnotation",
)


def _feature_gates(key: str, value: Any) -> dict[str, bool]:
    gates = {n: _bool(key, b) for n, b in _string_map(key, value).items()}
    for name in gates:
        if name not in FEATURE_GATES:
            import difflib

            close = difflib.get_close_matches(name, FEATURE_GATES, n=1)
            raise ConfigError(f"config key {key!r}: unknown feature gate {name!r}"
                              + (f" (did you mean {close[0]!r}?)" if close else ""))
    return gates


# config-file key (the controller's flag name) → (Settings field, converter)
CONFIG_KEYS: dict[str, tuple[str, Any]] = {
    "cluster-name": ("cluster_name", _str),
    "ingress-class": ("ingress_class", _str),
    "default-tags": ("default_tags", _string_map),
    "external-managed-tags": ("external_managed_tags", _list),
    "default-target-type": ("default_target_type", _choice("instance", "ip")),
    "default-ssl-policy": ("default_ssl_policy", _str),
    "default-load-balancer-scheme": ("default_load_balancer_scheme", _choice("internal", "internet-facing")),
    "feature-gates": ("feature_gates", _feature_gates),
    "enable-backend-security-group": ("enable_backend_security_group", _bool),
    "enable-manage-backend-security-group-rules": ("enable_manage_backend_security_group_rules", _bool),
    "backend-security-group": ("backend_security_group", _str),
    "disable-restricted-sg-rules": ("disable_restricted_sg_rules", _bool),
    "vpc-id": ("vpc_id", _str),
    "tolerate-non-existent-backend-service": ("tolerate_non_existent_backend_service", _bool),
    "tolerate-non-existent-backend-action": ("tolerate_non_existent_backend_action", _bool),
}


def settings_from_mapping(data: Any, source: str = "config file",
                          positions: Mapping[str, tuple[int, int]] | None = None) -> Settings:
    """Settings from a parsed config file. Every unknown key and bad value is reported, each at its
    ``file:line:col`` when ``positions`` (key → line, column) are known."""
    from albctl.errors import Diagnostic, InputError, Location

    if data is None:
        return Settings()
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a mapping of controller flag names to values")
    values: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for key, value in data.items():
        line, column = (positions or {}).get(str(key), (0, 0))
        where = Location(source, line, column)
        if key not in CONFIG_KEYS:
            import difflib

            close = difflib.get_close_matches(str(key), CONFIG_KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Diagnostic(f"unknown config key {key!r}{hint}", where))
            continue
        name, convert = CONFIG_KEYS[key]
        try:
            values[name] = convert(key, value)
        except ConfigError as exc:
            problems.append(Diagnostic(str(exc), where))
    if problems:
        raise InputError(problems)
    return Settings(**values)


def load_config_file(path: str) -> Settings:
    """Read a YAML config file of controller flags."""
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else path
        raise ConfigError(f"{where}: config file is not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    positions: dict[str, tuple[int, int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            positions[str(key_node.value)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    return settings_from_mapping(data, path, positions)


def resolve_settings(config: str | None, **flags: Any) -> Settings:
    """The config file (if any) with command-line flags on top (a flag left as ``None`` is not given)."""
    settings = load_config_file(config) if config else Settings()
    return settings.with_overrides(**flags)
