"""Target groups and their TargetGroupBindings, as the controller's ``pkg/ingress/model_build_target_group.go``
builds them: one per backend (Ingress, Service, port), built when an action first forwards to it, with its
health check, its name (the controller's hash, or the live one it pins) and the binding's networking
(which needs the backend security group, so the security groups are built first)."""

from __future__ import annotations

from typing import Any

from albctl.manifests.objects import Service, ServicePort
from albctl.model import binding, names
from albctl.model.build_context import BuildContext, ModelError, merge_first_wins
from albctl.model.build_tags import check_external, class_tags, merged_tags
from albctl.model.cluster import LiveTargetGroup
from albctl.model.groups import Member
from albctl.model.stack import (
    TARGET_GROUP,
    TARGET_GROUP_BINDING,
    Attribute,
    HealthCheckConfig,
    Placeholder,
    Ref,
    Resource,
    TargetGroupBindingSpec,
    TargetGroupSpec,
    Token,
)

HEALTH_CHECK_DEFAULTS = {"interval": 15, "timeout": 5, "healthy": 2, "unhealthy": 2}


class TargetGroups:
    """The target groups of one group's build, built on demand and once per backend. ``backend_sg`` is
    the security group the bindings' networking allows traffic from (None: no rules managed)."""

    def __init__(self, ctx: BuildContext, backend_sg: Token | None) -> None:
        self.ctx = ctx
        self.backend_sg = backend_sg
        self._by_id: dict[str, Resource] = {}
        # each target group and its binding, in the order built
        self.resources: list[Resource] = []

    def target_group(self, member: Member, svc: Service, port: int | str) -> Ref:
        """The reference to the target group of ``svc``'s ``port`` for ``member``, built (with its
        TargetGroupBinding) the first time."""
        ing = member.ingress
        if isinstance(port, str) and port.isdigit():
            port = int(port)
        res_id = f"{ing.namespace}/{ing.name}-{svc.name}:{port}"
        ref = Ref(TARGET_GROUP, res_id, "targetGroupARN")
        if res_id in self._by_id:
            return ref
        svc_port = svc.find_port(port)
        if svc_port is None:
            raise self.ctx.fail(f"Service {svc.meta.key} has no port {port!r}", member)
        values = {**ing.alb, **svc.alb}  # the Service's annotations take precedence

        def pick(key: str, default: Any) -> Any:
            return values.get(key, default)

        target_type = pick("target-type", self.ctx.settings.default_target_type)
        if member.params is not None and member.params.spec.get("targetType"):
            target_type = member.params.spec["targetType"]
        if target_type == "ip" and not self.ctx.settings.gate("EnableIPTargetType", True):
            raise self.ctx.fail("unsupported targetType: ip when EnableIPTargetType is false", member, "target-type")
        protocol = pick("backend-protocol", "HTTP")
        version = pick("backend-protocol-version", "HTTP1")
        live = self.ctx.facts.live_target_groups.get((self.ctx.group.id, res_id))
        tg_port: int | Placeholder
        if target_type == "instance":
            tg_port = self._node_port(member, svc, svc_port, live, (protocol, version))
        else:
            tg_port = svc_port.target_port if isinstance(svc_port.target_port, int) else 1
        lb_ip_type = self.ctx.exclusive("ip-address-type", "ipAddressType")[0] or "ipv4"
        ip_type = "ipv4"
        if "IPv6" in svc.ip_families:
            if lb_ip_type not in ("dualstack", "dualstack-without-public-ipv4"):
                raise self.ctx.fail(f"Service {svc.meta.key} is IPv6 but the load balancer is not dualstack", member)
            ip_type = "ipv6"
        health = self._health_check(member, svc, values, target_type, protocol, version)
        control_port = binding.target_control_port(values, svc.name, port)
        if control_port is not None and target_type == "instance":
            raise self.ctx.fail(f"target-control-port.{svc.name}.{port}: target control port is not supported for "
                                "instance target type target groups (use target-type ip)", member,
                                f"target-control-port.{svc.name}.{port}")
        name: str | Placeholder
        if isinstance(tg_port, Placeholder):
            name = Placeholder(f"target group name (needs the node port of Service {svc.meta.key} port {port})")
        else:
            name = names.target_group_name(
                self.ctx.settings.cluster_name, self.ctx.group.id, ing.namespace, ing.name, svc.namespace, svc.name,
                svc.meta.uid, str(port), tg_port, target_type, protocol, version, control_port)
            if not svc.meta.uid and live is not None and control_port is None and _pins_name(
                    live, name, tg_port, target_type, protocol, version):
                # every input of the name's hash but the Service uid is the live target group's: the
                # live name is the one the controller (or albctl with the uid) gave it
                name = live.name
        ing_tags = ing.alb.get("tags") or {}
        svc_tags = svc.alb.get("tags") or {}
        backend_tags = merge_first_wins(svc_tags, ing_tags)
        check_external(self.ctx, backend_tags, member)
        tags = merged_tags(self.ctx, merge_first_wins(class_tags(self.ctx, member), backend_tags))
        attrs = values.get("target-group-attributes") or {}
        spec = TargetGroupSpec(
            name=name, target_type=target_type, port=tg_port, protocol=protocol, protocol_version=version,
            ip_address_type=ip_type, health_check_config=health,
            target_group_attributes=tuple(Attribute(k, v) for k, v in sorted(attrs.items())), tags=tags,
            target_control_port=control_port)
        resource = Resource(TARGET_GROUP, res_id, spec)
        self._by_id[res_id] = resource
        self.resources.append(resource)
        target_port = tg_port if target_type == "instance" else svc_port.target_port
        self.resources.append(Resource(TARGET_GROUP_BINDING, res_id, TargetGroupBindingSpec(
            name=name, namespace=svc.namespace, target_group_arn=ref, target_type=target_type,
            service_name=svc.name, service_port=port, target_port=target_port, ip_address_type=ip_type,
            vpc_id=self.ctx.facts.vpc(),
            networking=binding.networking(self.backend_sg, target_port, health.port, control_port,
                                          self.ctx.settings.disable_restricted_sg_rules),
            node_selector=binding.node_selector(values, target_type),
            multi_cluster_target_group=binding.multi_cluster(ing.alb, svc.alb))))
        return ref

    def _node_port(self, member: Member, svc: Service, svc_port: ServicePort, live: LiveTargetGroup | None,
                   protocol: tuple[str, str] | None = None) -> int | Placeholder:
        """The node port of an instance-mode backend: from the manifest, else from the cluster (merged
        into ``svc``), else the port of the backend's live instance target group, else a placeholder
        offline (warned once) or an error naming the ways to give it."""
        if svc_port.node_port:
            return svc_port.node_port
        where = f"Service {svc.meta.key} port {svc_port.port}" + (f" ({svc_port.name})" if svc_port.name else "")
        if svc.type not in ("NodePort", "LoadBalancer"):
            raise self.ctx.fail(
                f"{where}: with target-type instance the Service must be of type NodePort or LoadBalancer, got "
                f"{svc.type} (or use alb.ingress.kubernetes.io/target-type: ip)", member)
        if live is not None and protocol is not None and live.target_type == "instance" and \
                (live.protocol, live.protocol_version) == protocol:
            return live.port
        index = svc.ports.index(svc_port) if svc_port in svc.ports else 0
        if self.ctx.facts.offline:
            self.ctx.warn(svc.meta.diagnostic(
                f"{where} has no nodePort in the manifest: the API server assigns it, so the target group's "
                "port and name are shown as placeholders (plan and apply read it from the cluster with "
                "--kube-context/--kubeconfig, or from the backend's live target group)",
                "spec", "ports", index, severity="warning"))
            return Placeholder(f"node port of {where}")
        raise ModelError(svc.meta.diagnostic(
            f"{where} has no nodePort: the API server assigns it and no live target group of this backend has "
            "it; pass --kube-context NAME (or --kubeconfig FILE) to read it from the cluster, or set "
            "spec.ports[].nodePort in the manifest", "spec", "ports", index))

    def _health_check(self, member: Member, svc: Service, values: dict[str, Any], target_type: str,
                      protocol: str, version: str) -> HealthCheckConfig:
        raw_port = values.get("healthcheck-port", "traffic-port")
        port: int | str | Placeholder = "traffic-port"
        if raw_port != "traffic-port":
            if str(raw_port).isdigit():
                port = int(raw_port)
            else:
                named = svc.find_port(str(raw_port))
                if named is None:
                    raise self.ctx.fail(f"healthcheck-port {raw_port!r} is not a port of Service {svc.meta.key}",
                                        member, "healthcheck-port")
                if target_type == "instance":
                    port = self._node_port(member, svc, named, None)
                elif isinstance(named.target_port, int):
                    port = named.target_port
                else:
                    raise self.ctx.fail("cannot use a named healthcheck-port for target-type ip when the Service's "
                                        "targetPort is a named port", member, "healthcheck-port")
        grpc = version == "GRPC"
        matcher = values.get("success-codes", "12" if grpc else "200")
        return HealthCheckConfig(
            port=port,
            protocol=values.get("healthcheck-protocol", protocol),
            path=values.get("healthcheck-path", "/AWS.ALB/healthcheck" if grpc else "/"),
            matcher_http_code=None if grpc else matcher,
            matcher_grpc_code=matcher if grpc else None,
            interval_seconds=values.get("healthcheck-interval-seconds", HEALTH_CHECK_DEFAULTS["interval"]),
            timeout_seconds=values.get("healthcheck-timeout-seconds", HEALTH_CHECK_DEFAULTS["timeout"]),
            healthy_threshold_count=values.get("healthy-threshold-count", HEALTH_CHECK_DEFAULTS["healthy"]),
            unhealthy_threshold_count=values.get("unhealthy-threshold-count", HEALTH_CHECK_DEFAULTS["unhealthy"]),
        )


def _pins_name(live: LiveTargetGroup, name: str, port: int, target_type: str, protocol: str, version: str) -> bool:
    """Whether a live target group has every input of ``name``'s hash but the Service uid (and the same
    ``k8s-<namespace>-<service>-`` prefix)."""
    return (live.port, live.target_type, live.protocol, live.protocol_version) == (
        port, target_type, protocol, version) and live.name[:-10] == name[:-10] and len(live.name) == len(name)
