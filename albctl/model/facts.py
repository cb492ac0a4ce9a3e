"""What the model needs to know about AWS, discovered beforehand by the aws layer (or placeholders
when rendering offline). Keeping it as plain data keeps the model free of I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from albctl.manifests.objects import Service
from albctl.model.cluster import LiveTargetGroup
from albctl.model.stack import BACKEND_SG_ID, SECURITY_GROUP, Placeholder, Ref, Token


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
        return (Placeholder(f"subnets discovered by tag {role}"),)

    def subnets_matching(self, tags: Mapping[str, list[str]]) -> tuple[Token, ...]:
        key = selector_key(tags)
        if key in self.tag_selected_subnets:
            return tuple(self.tag_selected_subnets[key])
        return (Placeholder(f"subnets matching tags {key}"),)

    def subnet(self, name_or_id: str) -> Token:
        if name_or_id in self.subnet_ids:
            return self.subnet_ids[name_or_id]
        if name_or_id.startswith("subnet-"):
            return name_or_id
        return Placeholder(f"subnet with Name tag {name_or_id!r}")

    def security_group(self, name_or_id: str) -> Token:
        if name_or_id in self.security_group_ids:
            return self.security_group_ids[name_or_id]
        if name_or_id.startswith("sg-"):
            return name_or_id
        return Placeholder(f"security group with Name tag {name_or_id!r}")

    def backend_security_group(self) -> Token:
        """The shared backend SG: its id, or (online, when it does not exist yet) a reference to the
        one apply will create, or (offline) a placeholder."""
        if self.backend_security_group_id:
            return self.backend_security_group_id
        if not self.offline:
            return Ref(SECURITY_GROUP, BACKEND_SG_ID, "groupID")
        return Placeholder("cluster's shared backend security group")

    def trust_store(self, name: str) -> Token:
        return self.trust_store_arns.get(name) or Placeholder(f"ARN of trust store {name!r}")

    def web_acl(self, name: str) -> Token:
        return self.web_acl_arns.get(name) or Placeholder(f"ARN of WAFv2 web ACL {name!r}")

    def vpc(self) -> Token:
        return self.vpc_id or Placeholder("VPC of the subnets")

    def certificates_for(self, hosts: list[str]) -> tuple[Token, ...]:
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
