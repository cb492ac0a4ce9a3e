"""The tags of the built resources, as the controller's ``pkg/ingress/model_build_tags.go`` merges them:
IngressClassParams tags, then the Ingress's (or a backend's) ``tags`` annotation, then the controller's
default tags (first or last, by the ``EnableDefaultTagsLowPriority`` gate)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from albctl.model.build_context import BuildContext, merge_first_wins
from albctl.model.groups import Member

LOW_PRIORITY_DEFAULT_TAGS = "EnableDefaultTagsLowPriority"


def merged_tags(ctx: BuildContext, tags: Mapping[str, str]) -> dict[str, str]:
    """``tags`` with the controller's default tags merged in."""
    if ctx.settings.gate(LOW_PRIORITY_DEFAULT_TAGS):
        return merge_first_wins(tags, ctx.settings.default_tags)
    return merge_first_wins(ctx.settings.default_tags, tags)


def check_external(ctx: BuildContext, tags: Mapping[str, str], member: Member) -> None:
    """Raise if ``tags`` sets a key of --external-managed-tags."""
    for key in tags:
        if key in ctx.settings.external_managed_tags:
            raise ctx.fail(f"external managed tag key {key} cannot be specified", member, "tags")


def class_tags(ctx: BuildContext, member: Member) -> dict[str, str]:
    """The tags of ``member``'s IngressClassParams."""
    if member.params is None:
        return {}
    tags = {str(t.get("key")): str(t.get("value", "")) for t in member.params.spec.get("tags") or []}
    check_external(ctx, tags, member)
    return tags


def ingress_tags(ctx: BuildContext, member: Member) -> dict[str, str]:
    """One Ingress's tags: its IngressClassParams', then its ``tags`` annotation."""
    tags = member.ingress.alb.get("tags") or {}
    check_external(ctx, tags, member)
    return merge_first_wins(class_tags(ctx, member), tags)


def group_tags(ctx: BuildContext, members: Sequence[Member]) -> dict[str, str]:
    """The tags of ``members`` together; two members giving one key different values is an error."""
    out: dict[str, tuple[str, Member]] = {}
    for member in members:
        for k, v in ingress_tags(ctx, member).items():
            if k in out and out[k][0] != v:
                raise ctx.fail(f"conflicting tag {k}: Ingress {out[k][1].ingress.meta.key} sets "
                               f"{out[k][0]!r}, Ingress {member.ingress.meta.key} sets {v!r}", member, "tags")
            out[k] = (v, member)
    return {k: v for k, (v, _) in out.items()}
