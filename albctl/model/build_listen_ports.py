"""The listen ports of an IngressGroup, as the controller's ``computeIngressListenPortConfigByPort`` finds
them (``pkg/ingress/model_build_listener.go``): each member's ``listen-ports`` (HTTPS when it has
certificates, else HTTP) with its inbound CIDRs, prefix lists, certificates (discovered by TLS host when
none is given), SSL policy and mutual authentication, then merged per port across the group. The
listeners and the managed security group are built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from albctl.model import listeners
from albctl.model.build_context import BuildContext
from albctl.model.groups import Member
from albctl.model.stack import MutualAuthentication, Token


@dataclass
class PortConfig:
    """One listen port of the group: its protocol and what its listener and the managed security group
    need (inbound CIDRs and prefix lists; the certificates, SSL policy and mTLS of an HTTPS port)."""

    protocol: str
    cidrs_v4: list[str] = field(default_factory=list)
    cidrs_v6: list[str] = field(default_factory=list)
    prefix_lists: list[str] = field(default_factory=list)
    ssl_policy: str | None = None
    certs: list[Token] = field(default_factory=list)
    mtls: MutualAuthentication | None = None


@dataclass(frozen=True)
class ListenPorts:
    """Each member's listen ports (a member whose ports are in error has none), and the group's merged."""

    per_member: list[tuple[Member, dict[int, PortConfig]]]
    ports: dict[int, PortConfig]

    def members_on(self, port: int) -> list[Member]:
        """The members that listen on ``port``, in the group's order."""
        return [m for m, cfgs in self.per_member if port in cfgs]


def build_listen_ports(ctx: BuildContext) -> ListenPorts:
    """The group's listen ports; each member's problems and the merge's are recorded in ``ctx``."""
    for member in ctx.group.members:
        ctx.attempt(partial(check_create_acm_cert, ctx, member), None)
    no_ports: dict[int, PortConfig] = {}
    per_member = [(m, ctx.attempt(partial(member_ports, ctx, m), no_ports)) for m in ctx.group.members]
    return ListenPorts(per_member, ctx.attempt(lambda: merge_ports(ctx, per_member), no_ports))


def member_ports(ctx: BuildContext, member: Member) -> dict[int, PortConfig]:
    """One member's listen ports, each with its own configuration."""
    ing, params = member.ingress, member.params
    spec = params.spec if params else {}
    certs: list[Token] = list(spec.get("certificateArn") or ing.alb.get("certificate-arn") or [])
    ssl_policy = spec.get("sslPolicy") or ing.alb.get("ssl-policy")
    prefix_lists = list(spec.get("PrefixListsIDs") or spec.get("prefixListsIDs")
                        or ing.alb.get("security-group-prefix-lists") or [])
    cidrs = list(spec.get("inboundCIDRs") or ing.alb.get("inbound-cidrs") or [])
    v4 = [c for c in cidrs if ":" not in c]
    v6 = [c for c in cidrs if ":" in c]
    raw_ports = ing.alb.get("listen-ports")
    if raw_ports is None:
        ports = {443: "HTTPS"} if certs else {80: "HTTP"}
    else:
        ports = {}
        for entry in raw_ports:
            for protocol, port in entry.items():
                ports[int(port)] = protocol
    if "HTTPS" in ports.values() and not certs:
        hosts = sorted({r.host for r in ing.rules if r.host} | {h for t in ing.tls for h in t.hosts})
        certs = list(ctx.facts.certificates_for(hosts, ing.meta.key))
    mtls = listeners.member_mtls(ing.alb.get("mutual-authentication"), ctx.facts)
    out = {}
    for port, protocol in ports.items():
        cfg = PortConfig(protocol, list(v4), list(v6), list(prefix_lists))
        if protocol == "HTTPS":
            cfg.certs = list(certs)
            cfg.ssl_policy = ssl_policy
            cfg.mtls = mtls.get(port)
        out[port] = cfg
    return out

def merge_ports(ctx: BuildContext, per_member: list[tuple[Member, dict[int, PortConfig]]]) -> dict[int, PortConfig]:
    """The group's listen ports, in port order; members must agree on each port's settings."""
    by_port: dict[int, list[tuple[Member, PortConfig]]] = {}
    for member, cfgs in per_member:
        for port, cfg in cfgs.items():
            by_port.setdefault(port, []).append((member, cfg))
    merged: dict[int, PortConfig] = {}
    for port in sorted(by_port):
        entries = by_port[port]
        first_member, first = entries[0]
        out = PortConfig(first.protocol)
        cidr_owner: tuple[Member, set[str], set[str]] | None = None
        pl_owner: tuple[Member, set[str]] | None = None
        policy_owner: Member | None = None
        seen_certs: set[str] = set()
        default_cert_member = next((i for i, (_, c) in enumerate(entries) if c.certs), None)
        if default_cert_member is not None:
            out.certs.append(entries[default_cert_member][1].certs[0])
        for index, (member, cfg) in enumerate(entries):
            if cfg.protocol != out.protocol:
                raise ctx.fail(f"conflicting protocol on port {port}: Ingress {first_member.ingress.meta.key} "
                               f"uses {out.protocol}, Ingress {member.ingress.meta.key} uses {cfg.protocol}",
                               member, "listen-ports")
            if cfg.cidrs_v4 or cfg.cidrs_v6:
                if cidr_owner is None:
                    cidr_owner = (member, set(cfg.cidrs_v4), set(cfg.cidrs_v6))
                elif (cidr_owner[1], cidr_owner[2]) != (set(cfg.cidrs_v4), set(cfg.cidrs_v6)):
                    raise ctx.fail(
                        f"conflicting inbound-cidrs on port {port}: Ingress {cidr_owner[0].ingress.meta.key} "
                        f"sets {sorted(cidr_owner[1] | cidr_owner[2])}, Ingress {member.ingress.meta.key} sets "
                        f"{sorted(set(cfg.cidrs_v4) | set(cfg.cidrs_v6))}", member, "inbound-cidrs")
            if cfg.prefix_lists:
                if pl_owner is None:
                    pl_owner = (member, set(cfg.prefix_lists))
                elif pl_owner[1] != set(cfg.prefix_lists):
                    raise ctx.fail(f"conflicting security-group-prefix-lists on port {port}: Ingress "
                                   f"{pl_owner[0].ingress.meta.key} sets {sorted(pl_owner[1])}, Ingress "
                                   f"{member.ingress.meta.key} sets {sorted(set(cfg.prefix_lists))}", member,
                                   "security-group-prefix-lists")
            if cfg.ssl_policy is not None:
                if policy_owner is None:
                    policy_owner, out.ssl_policy = member, cfg.ssl_policy
                elif out.ssl_policy != cfg.ssl_policy:
                    raise ctx.fail(f"conflicting ssl-policy on port {port}: Ingress "
                                   f"{policy_owner.ingress.meta.key} sets {out.ssl_policy!r}, Ingress "
                                   f"{member.ingress.meta.key} sets {cfg.ssl_policy!r}", member, "ssl-policy")
            for j, cert in enumerate(cfg.certs):
                if index == default_cert_member and j == 0:
                    continue
                key = str(cert)
                if key not in seen_certs:
                    seen_certs.add(key)
                    out.certs.append(cert)
        if cidr_owner is not None:
            out.cidrs_v4, out.cidrs_v6 = sorted(cidr_owner[1]), sorted(cidr_owner[2])
        if pl_owner is not None:
            out.prefix_lists = sorted(pl_owner[1])
        if not out.cidrs_v4 and not out.cidrs_v6 and not out.prefix_lists:
            out.cidrs_v4, out.cidrs_v6 = ["0.0.0.0/0"], ["::/0"]
        if out.protocol == "HTTPS" and out.ssl_policy is None:
            out.ssl_policy = ctx.settings.default_ssl_policy
        out.mtls = _merge_mtls(ctx, port, entries)
        merged[port] = out
    return merged

def _merge_mtls(ctx: BuildContext, port: int, entries: list[tuple[Member, PortConfig]]) -> MutualAuthentication | None:
    owner: tuple[Member, MutualAuthentication] | None = None
    for member, cfg in entries:
        if cfg.mtls is None:
            continue
        if owner is None:
            owner = (member, cfg.mtls)
        elif owner[1] != cfg.mtls:
            raise ctx.fail(f"conflicting mutual-authentication on port {port}: Ingress "
                           f"{owner[0].ingress.meta.key} sets {_show_mtls(owner[1])}, Ingress "
                           f"{member.ingress.meta.key} sets {_show_mtls(cfg.mtls)}", member,
                           "mutual-authentication")
    return owner[1] if owner else None

def check_create_acm_cert(ctx: BuildContext, member: Member) -> None:
    """Raise for a certificate the controller would create: albctl does not create them."""
    # the controller creates ACM certificates only with this gate on (off by default), and not for an
    # Ingress with certificate-arn; albctl does not create certificates, so it refuses rather than build
    # a listener without one
    if (member.ingress.alb.get("create-acm-cert") and ctx.settings.gate("EnableCertificateManagement")
            and not member.ingress.alb.get("certificate-arn")):
        raise ctx.fail("create-acm-cert is not supported by albctl yet: request the certificate in ACM "
                       "and set alb.ingress.kubernetes.io/certificate-arn", member, "create-acm-cert")


def _show_mtls(cfg: MutualAuthentication) -> str:
    parts = [f"mode={cfg.mode}"]
    if cfg.trust_store_arn:
        parts.append(f"trustStore={cfg.trust_store_arn}")
    if cfg.ignore_client_certificate_expiry is not None:
        parts.append(f"ignoreClientCertificateExpiry={str(cfg.ignore_client_certificate_expiry).lower()}")
    if cfg.advertise_trust_store_ca_names is not None:
        parts.append(f"advertiseTrustStoreCaNames={cfg.advertise_trust_store_ca_names}")
    return "{" + ", ".join(parts) + "}"
