"""Field changes: set-like lists are diffed as sets, one change per element that goes or comes."""

from __future__ import annotations

from albctl.plan.fields import field_changes

HTTPS = {"cidrIP": "0.0.0.0/0", "fromPort": 443, "toPort": 443, "ipProtocol": "tcp"}
SSH = {"cidrIP": "0.0.0.0/0", "fromPort": 22, "toPort": 22, "ipProtocol": "tcp"}


def test_a_security_group_rule_added_outside_albctl_is_one_removed_element() -> None:
    (change,) = field_changes({"ingress": [SSH, HTTPS]}, {"ingress": [HTTPS]})
    assert (change.path, change.old, change.new) == ("ingress[-]", SSH, None)


def test_a_replaced_rule_is_one_removal_and_one_addition_not_field_changes_by_index() -> None:
    changes = field_changes({"ingress": [SSH]}, {"ingress": [HTTPS]})
    assert [(c.path, c.old, c.new) for c in changes] == [("ingress[-]", SSH, None), ("ingress[+]", None, HTTPS)]


def test_reordered_set_is_no_change_but_ordered_lists_diff_by_index() -> None:
    assert field_changes({"subnetMapping": [{"subnetID": "a"}, {"subnetID": "b"}]},
                         {"subnetMapping": [{"subnetID": "b"}, {"subnetID": "a"}]}) == ()
    changes = field_changes({"actions": [{"type": "a"}, {"type": "b"}]}, {"actions": [{"type": "b"}]})
    assert [(c.path, c.old, c.new) for c in changes] == [("actions[0].type", "a", "b"),
                                                          ("actions[1]", {"type": "b"}, None)]


def test_tags_change_key_by_key() -> None:
    changes = field_changes({"tags": {"team": "a", "env": "dev"}}, {"tags": {"team": "b", "env": "dev", "x": "1"}})
    assert [(c.path, c.old, c.new) for c in changes] == [("tags.team", "a", "b"), ("tags.x", None, "1")]
