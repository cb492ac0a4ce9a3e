"""What the model needs to know about AWS, discovered beforehand by the aws layer (or placeholders
when rendering offline). Keeping it as plain data keeps the model free of I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from albctl.manifests.objects import Service
from albctl.model.cluster import LiveTargetGroup
from albctl.model.stack import (
    BACKEND_SG_ID,
    NEED_BACKEND_SECURITY_GROUP,
    NEED_CERTIFICATE,
    NEED_DISCOVERED_SUBNETS,
    NEED_SECURITY_GROUP,
    NEED_SELECTED_SUBNETS,
    NEED_SUBNET,
    SECURITY_GROUP,
    Need,
    Placeholder,
    Ref,
    Token,
)


@dataclass(frozen=True)
class Facts:
    """Discovered AWS facts; ``None`` means "not looked up" and renders as a placeholder."""

    vpc_id: str | None = None
    # subnets chosen by discovery, per scheme ("internet-facing" / "internal")
    discovered_subnets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # subnet / security-group Name tags or ids as written → ids
    subnet_ids: Mapping[str, str] = field(default_factory=dict)
    security_group_ids: Mapping[str, str] = field(default_factory=dict)
    backend_security_group_id: str | None = None
    # host → certificate ARNs discovered in ACM for it
    certificates_by_host: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # IngressClassParams subnets.tags selector (see selector_key) → the subnet chosen per zone
    tag_selected_subnets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # ARN → the names (domain and SANs) of each discovered certificate, to explain the choice
    certificate_domains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # ELBv2 trust store names and WAFv2 web ACL names → ARNs (not looked up yet: placeholders)
    trust_store_arns: Mapping[str, str] = field(default_factory=dict)
    web_acl_arns: Mapping[str, str] = field(default_factory=dict)
    # stack id → (scheme, subnet ids) of the stack's live load balancer
    live_load_balancers: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # Services read from the cluster (--kube-context): their node ports and uids, or the whole Service
    # when its manifest is not among the inputs
    cluster_services: Mapping[tuple[str, str], Service] = field(default_factory=dict)
    # (stack id, target group resource id) → the live target group of that backend
    live_target_groups: Mapping[tuple[str, str], LiveTargetGroup] = field(default_factory=dict)
    offline: bool = True
    # online, before discovery: every AWS fact not known yet is a Placeholder carrying its Need, so that
    # building the model says exactly what discovery must look up (albctl.aws.facts.needs_of)
    collecting: bool = False

    def subnets_for(self, scheme: str, stack_id: str | None = None) -> tuple[Token, ...]:
        """Subnets for a load balancer without explicit subnets: those of the stack's live load balancer
        when it has the same scheme (the controller keeps them), else the discovered ones."""
        live = self.live_load_balancers.get(stack_id or "")
        if live is not None and live[0] == scheme:
            return tuple(live[1])
        found = self.discovered_subnets.get(scheme)
        if found is not None:
            return tuple(found)
        role = "kubernetes.io/role/elb" if scheme == "internet-facing" else "kubernetes.io/role/internal-elb"
        return (Placeholder(f"subnets discovered by tag {role}", self._need(NEED_DISCOVERED_SUBNETS, scheme)),)

    def subnets_matching(self, tags: Mapping[str, list[str]]) -> tuple[Token, ...]:
        key = selector_key(tags)
        if key in self.tag_selected_subnets:
            return tuple(self.tag_selected_subnets[key])
        need = self._need(NEED_SELECTED_SUBNETS, key)
        if need is not None:
            need = Need(need.kind, key, tuple((str(k), tuple(map(str, v))) for k, v in sorted(tags.items())))
        return (Placeholder(f"subnets matching tags {key}", need),)

    def subnet(self, name_or_id: str) -> Token:
        """A written subnet: its id (an id is checked to exist in discovery), or a placeholder for a Name."""
        if name_or_id in self.subnet_ids:
            return self.subnet_ids[name_or_id]
        if name_or_id.startswith("subnet-") and not self.collecting:
            return name_or_id
        return Placeholder(f"subnet with Name tag {name_or_id!r}" if not name_or_id.startswith("subnet-")
                           else f"subnet {name_or_id}", self._need(NEED_SUBNET, name_or_id))

    def security_group(self, name_or_id: str) -> Token:
        if name_or_id in self.security_group_ids:
            return self.security_group_ids[name_or_id]
        if name_or_id.startswith("sg-") and not self.collecting:
            return name_or_id
        return Placeholder(f"security group with Name tag {name_or_id!r}" if not name_or_id.startswith("sg-")
                           else f"security group {name_or_id}", self._need(NEED_SECURITY_GROUP, name_or_id))

    def backend_security_group(self) -> Token:
        """The shared backend SG: its id, or (online, when it does not exist yet) a reference to the
        one apply will create, or (offline) a placeholder."""
        if self.backend_security_group_id:
            return self.backend_security_group_id
        if self.collecting:
            return Placeholder("cluster's shared backend security group", Need(NEED_BACKEND_SECURITY_GROUP))
        if not self.offline:
            return Ref(SECURITY_GROUP, BACKEND_SG_ID, "groupID")
        return Placeholder("cluster's shared backend security group")

    def _need(self, kind: str, key: str) -> Need | None:
        return Need(kind, key) if self.collecting else None

    def trust_store(self, name: str) -> Token:
        return self.trust_store_arns.get(name) or Placeholder(f"ARN of trust store {name!r}")

    def web_acl(self, name: str) -> Token:
        return self.web_acl_arns.get(name) or Placeholder(f"ARN of WAFv2 web ACL {name!r}")

    def vpc(self) -> Token:
        return self.vpc_id or Placeholder("VPC of the subnets")

    def certificates_for(self, hosts: list[str], who: str = "") -> tuple[Token, ...]:
        """The ACM certificates discovered for ``hosts`` (asked by Ingress ``who``)."""
        if self.collecting:  # one placeholder per host and Ingress: the message names every Ingress
            return tuple(Placeholder(f"ACM certificate discovered for {h} (Ingress {who})",
                                     Need(NEED_CERTIFICATE, h, who=who)) for h in hosts)
        if self.offline:
            return tuple(Placeholder(f"ACM certificate discovered for {h}") for h in hosts)
        arns: list[str] = []
        for host in hosts:
            for arn in self.certificates_by_host.get(host, ()):
                if arn not in arns:
                    arns.append(arn)
        return tuple(arns)


def selector_key(tags: Mapping[str, list[str]]) -> str:
    """A stable key for an IngressClassParams ``subnets.tags`` selector: ``k=v1|v2,k2=v3``."""
    return ",".join(f"{k}={'|'.join(map(str, v))}" for k, v in sorted(tags.items()))


OFFLINE = Facts()
