"""Tag calls: ELBv2's AddTags/RemoveTags by ARN, EC2's CreateTags/DeleteTags by id."""

from __future__ import annotations

from collections.abc import Mapping

from albctl.elbv2.call import Call
from albctl.elbv2.common import tag_changes, tag_list


def elbv2_tag_calls(arn: str, old: Mapping[str, str], new: Mapping[str, str]) -> list[Call]:
    add, remove = tag_changes(old, new)
    calls = []
    if add:
        calls.append(Call("elbv2", "AddTags", {"ResourceArns": [arn], "Tags": tag_list(add)}))
    if remove:
        calls.append(Call("elbv2", "RemoveTags", {"ResourceArns": [arn], "TagKeys": remove}))
    return calls


def ec2_tag_calls(resource_id: str, old: Mapping[str, str], new: Mapping[str, str]) -> list[Call]:
    add, remove = tag_changes(old, new)
    calls = []
    if add:
        calls.append(Call("ec2", "CreateTags", {"Resources": [resource_id], "Tags": tag_list(add)}))
    if remove:
        calls.append(Call("ec2", "DeleteTags", {"Resources": [resource_id], "Tags": [{"Key": k} for k in remove]}))
    return calls
