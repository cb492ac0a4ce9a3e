"""Listeners, as the controller's ``pkg/ingress/model_build_listener.go`` builds them: one per listen port,
with its default actions (the group's default backend, the 404 fixed response, or the ``ssl-redirect``
redirect of an HTTP listener), certificates, SSL policy, mutual authentication, attributes and tags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from albctl.model import listeners
from albctl.model.build_context import BuildContext
from albctl.model.build_listen_ports import PortConfig
from albctl.model.build_rules import Actions
from albctl.model.build_tags import group_tags, merged_tags
from albctl.model.groups import Member
from albctl.model.stack import LISTENER, Action, Certificate, ListenerSpec, RedirectConfig, Ref, Resource


def has_rules(cfg: PortConfig, redirect_port: int | None) -> bool:
    """Whether the listener of ``cfg`` gets rules (an HTTP listener that redirects to HTTPS has none)."""
    return redirect_port is None or cfg.protocol != "HTTP"


def build_listener(ctx: BuildContext, actions: Actions, port: int, cfg: PortConfig, members: Sequence[Member],
                   redirect_port: int | None, lb_ref: Ref) -> Resource:
    """The listener on ``port`` of the load balancer ``lb_ref``, for the ``members`` that listen on it."""
    if redirect_port is not None and cfg.protocol == "HTTP":
        default_actions: tuple[Action, ...] = (_ssl_redirect_action(redirect_port),)
    else:
        default_actions = actions.default_actions(cfg.protocol, members)
    return Resource(LISTENER, str(port), ListenerSpec(
        load_balancer_arn=lb_ref,
        port=port,
        protocol=cfg.protocol,
        default_actions=default_actions,
        certificates=tuple(Certificate(c) for c in cfg.certs),
        ssl_policy=cfg.ssl_policy,
        mutual_authentication=cfg.mtls,
        tags=merged_tags(ctx, group_tags(ctx, members)),
        listener_attributes=listeners.listener_attributes(members, cfg.protocol, port, ctx.fail),
    ))


def ssl_redirect_port(ctx: BuildContext, ports: Mapping[int, PortConfig]) -> int | None:
    """The HTTPS port the HTTP listeners redirect to (``ssl-redirect``), if any."""
    found: dict[int, Member] = {}
    for member in ctx.group.members:
        if member.params is not None and member.params.spec.get("sslRedirectPort"):
            try:
                found.setdefault(int(member.params.spec["sslRedirectPort"]), member)
            except ValueError:
                return None
        elif "ssl-redirect" in member.ingress.alb:
            found.setdefault(int(member.ingress.alb["ssl-redirect"]), member)
    if not found:
        return None
    if len(found) > 1:
        (a, ma), (b, mb) = list(found.items())[:2]
        raise ctx.fail(f"conflicting ssl-redirect port: Ingress {ma.ingress.meta.key} sets {a}, Ingress "
                       f"{mb.ingress.meta.key} sets {b}", mb, "ssl-redirect")
    port, member = next(iter(found.items()))
    if port not in ports:
        raise ctx.fail(f"ssl-redirect to port {port}, but no listener on port {port} "
                       f"(listen-ports has {', '.join(map(str, ports))})", member, "ssl-redirect")
    if ports[port].protocol != "HTTPS":
        raise ctx.fail(f"ssl-redirect to port {port}, but that listener is {ports[port].protocol}, not HTTPS",
                       member, "ssl-redirect")
    return port


def _ssl_redirect_action(port: int) -> Action:
    return Action("redirect", redirect_config=RedirectConfig("HTTP_301", port=str(port), protocol="HTTPS"))
