"""The planner on snapshots and the executor on a recording fake: no AWS.

Each scenario plans, applies the plan through the real executor against :class:`FakeAws`, checks that the
calls made are exactly the calls the plan's operations name, and plans again: no operations left.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from albctl.apply.executor import DONE, Executor, dependencies
from albctl.elbv2.call import CREATED, SECRET, created_refs
from albctl.elbv2.snapshot import LiveState
from albctl.errors import AlbctlError
from albctl.model.facts import Facts
from albctl.model.serialize import stack_data
from albctl.model.stack import LISTENER, LISTENER_RULE
from albctl.plan.document import plan_from_data, plan_json, read_plan_file
from albctl.plan.model import ChangeAction, Plan, Step
from albctl.plan.planner import DesiredStack, check_references, destroy_stacks, plan_stacks
from albctl.usecases import instance_targets
from tests.model.helpers import ingress, service, stacks
from tests.plan.fake_aws import FakeAws

CLUSTER = "test-cluster"
FACTS = Facts(offline=False, discovered_subnets={"internal": ("subnet-a", "subnet-b"),
                                                 "internet-facing": ("subnet-c", "subnet-d")},
              backend_security_group_id="sg-backend", vpc_id="vpc-1")
NODES = ["i-1", "i-2"]


def paths(*items: tuple[str, str]) -> str:
    lines = ["- host: app.example.com", "  http:", "    paths:"]
    for path, svc in items:
        lines += [f"      - path: {path}", "        pathType: Prefix",
                  f"        backend: {{service: {{name: {svc}, port: {{number: 80}}}}}}"]
    return "\n".join(lines)


def manifests(rules: str | None = None, **ann: str) -> list[str]:
    return [ingress(annotations=ann, rules=rules), service("svc"), service("api", node_port=30081),
            service("web", node_port=30082)]


def make_plan(docs: list[str], state: LiveState) -> Plan:
    built = stacks(*docs, facts=FACTS)
    targets = instance_targets(built, state.nodes or [])
    wanted = [DesiredStack(s.id, stack_data(s)["resources"], targets.get(s.id, {})) for s in built]
    return Plan(CLUSTER, "us-east-1", tuple(plan_stacks(wanted, state, CLUSTER, vpc_id="vpc-1")))


def run(fake: FakeAws, plan: Plan) -> Executor:
    """Apply through the real executor: the calls made must be the plan's calls, each exactly once, each
    operation's in its order, and no operation started before the ones it depends on were done (or, for
    a create after a create, before the id it follows was known)."""
    start = len(fake.calls)
    ops = plan.operations
    deps = dependencies(ops)
    events: list[tuple[str, int]] = []

    def progress(op: Any, n: int, total: int, status: str, seconds: float, res_id: Any) -> None:
        j = n - 1
        if status == "started":
            for i, how in deps[j].items():
                ready = ("done", i) in events or (how != DONE and ops[i].key in executor.ids)
                assert ready, (ops[i], op)
            for key in {k for c in op.calls for k in created_refs(c.params)} - {op.key}:
                assert key in executor.ids, (key, op)  # every id it uses was created before it started
        events.append((status, j))

    executor = Executor(fake, secrets={"my-client": "s3cret"}, progress=progress)
    executor.run(ops)
    made = [(s, op, params) for s, op, params in fake.calls[start:]]
    named = [(c.service, c.operation) for op in ops for c in op.calls]
    assert Counter((s, o) for s, o, _ in made) == Counter(named)
    assert sorted(j for status, j in events if status == "done") == list(range(len(ops)))
    for _, _, params in made:
        assert CREATED not in json.dumps(params) and SECRET not in json.dumps(params)  # every marker resolved
    for op in ops:  # each operation's calls in its order: its calls appear as a subsequence of what was made
        wanted = [(c.service, c.operation, executor.resolve(c.params)) for c in op.calls if not c.waiter]
        it = iter((s_, o, {k: v for k, v in p.items() if k != "WaiterConfig"}) for s_, o, p in made)
        assert all(any(x == w for x in it) for w in wanted), op
    return executor


def converge(fake: FakeAws, docs: list[str]) -> Plan:
    """Plan against the fake's state, apply, and check the next plan is empty. Returns the plan applied."""
    plan = make_plan(docs, fake.snapshot(CLUSTER, NODES))
    run(fake, plan)
    again = make_plan(docs, fake.snapshot(CLUSTER, NODES))
    assert not again.operations, [(op.step, op.type, op.id, [c.params for c in op.calls]) for op in again.operations]
    assert not again.changes
    return plan


def steps(plan: Plan) -> list[tuple[str, str, str]]:
    return [(op.step.value, op.type.split("::")[-1], op.id) for op in plan.operations]


def test_first_apply_creates_in_dependency_order_and_converges():
    fake = FakeAws()
    plan = converge(fake, manifests())
    assert steps(plan) == [("create", "SecurityGroup", "ManagedLBSecurityGroup"),
                           ("create", "TargetGroup", "default/web-svc:80"),
                           ("create", "LoadBalancer", "LoadBalancer"),
                           ("create", "Listener", "80"),
                           ("create", "ListenerRule", "80:1")]
    assert plan.summary == {"create": 5, "update": 0, "replace": 0, "move": 0, "delete": 0}
    (tg,) = fake.tgs
    assert sorted(t["Id"] for t in fake.targets[tg]) == NODES  # instance mode: the nodes, on the node port


def test_swapped_paths_are_one_move_of_the_same_rules():
    fake = FakeAws()
    converge(fake, manifests(paths(("/a", "api"), ("/b", "web"))))
    arns = set(fake.rules)
    plan = converge(fake, manifests(paths(("/b", "web"), ("/a", "api"))))
    assert steps(plan) == [("move", "ListenerRule", "80")]
    assert plan.summary["move"] == 2 and plan.summary["update"] == 0
    (op,) = plan.operations
    # one SetRulePriorities, then each moved rule's resource-id tag follows its priority
    assert [c.operation for c in op.calls] == ["SetRulePriorities", "AddTags", "AddTags"]
    assert op.detail == "priority 2 → 1, 1 → 2"
    assert set(fake.rules) == arns


def test_a_path_inserted_first_moves_the_old_rule_and_creates_the_new_one():
    fake = FakeAws()
    converge(fake, manifests(paths(("/", "web"))))
    (old_arn,) = fake.rules
    plan = converge(fake, manifests(paths(("/api", "api"), ("/", "web"))))
    assert steps(plan) == [("create", "TargetGroup", "default/web-api:80"), ("move", "ListenerRule", "80"),
                           ("create", "ListenerRule", "80:1")]
    assert fake.rules[old_arn]["Priority"] == "2"
    assert [c.action for c in plan.changes if c.type == LISTENER_RULE] == [ChangeAction.MOVE, ChangeAction.CREATE]


def test_same_priority_other_content_is_modified_in_place():
    fake = FakeAws()
    converge(fake, manifests(paths(("/a", "web"))))
    (arn,) = fake.rules
    plan = converge(fake, manifests(paths(("/b", "web"))))
    assert steps(plan) == [("modify", "ListenerRule", "80:1")]
    (change,) = plan.changes
    # condition values are a set: each value that goes and each that comes is one change
    assert [(f.path, f.old, f.new) for f in change.diff] == [
        ("conditions[1].values[-]", "/a", None), ("conditions[1].values[-]", "/a/*", None),
        ("conditions[1].values[+]", None, "/b"), ("conditions[1].values[+]", None, "/b/*")], change.diff
    assert list(fake.rules) == [arn]


def test_removed_path_deletes_its_rule_after_the_others_and_then_its_target_group():
    fake = FakeAws()
    converge(fake, manifests(paths(("/a", "api"), ("/b", "web"), ("/c", "svc"))))
    plan = converge(fake, manifests(paths(("/a", "api"), ("/c", "svc"))))
    assert steps(plan) == [("move", "ListenerRule", "80"), ("delete", "ListenerRule", "80:2"),
                           ("delete", "TargetGroup", "default/web-web:80")]
    (move,) = [op for op in plan.operations if op.step is Step.MOVE]
    # the rule about to go is parked at the bottom in the same call, so /c can take priority 2
    assert [p["Priority"] for p in move.calls[0].params["RulePriorities"]] == [50000, 2]


def test_new_target_type_replaces_the_target_group_repoints_then_deletes_the_old_by_name():
    fake = FakeAws()
    converge(fake, manifests())
    (old,) = fake.tgs.values()
    plan = converge(fake, manifests(**{"target-type": "ip"}))
    (new,) = fake.tgs.values()
    assert steps(plan) == [("create", "TargetGroup", "default/web-svc:80"), ("modify", "ListenerRule", "80:1"),
                           ("delete", "TargetGroup", "default/web-svc:80")]
    assert plan.operations[0].name == new["TargetGroupName"] != old["TargetGroupName"]
    assert plan.operations[-1].name == old["TargetGroupName"] and plan.operations[-1].detail.startswith("replaced by")
    assert plan.summary["replace"] == 1


def test_new_scheme_replaces_the_load_balancer_and_deletes_the_old_one_last():
    fake = FakeAws()
    converge(fake, manifests())
    (old,) = fake.lbs.values()
    plan = converge(fake, manifests(scheme="internet-facing"))
    (new,) = fake.lbs.values()
    assert steps(plan) == [("create", "LoadBalancer", "LoadBalancer"), ("create", "Listener", "80"),
                           ("create", "ListenerRule", "80:1"), ("delete", "LoadBalancer", "LoadBalancer")]
    delete = plan.operations[-1]
    assert delete.step is Step.DELETE and delete.name == old["LoadBalancerName"] != new["LoadBalancerName"]
    # the old listener and rule go with the old load balancer: shown, but no call of their own
    gone = [(c.type, c.note) for c in plan.changes if c.note.startswith("deleted with")]
    assert (LISTENER, "deleted with its load balancer") in gone and (LISTENER_RULE, "deleted with its listener") in gone


def test_listener_certificates_converge_with_repeats_and_several_ingresses():
    fake = FakeAws()
    cert = "arn:aws:acm:us-east-1:123456789012:certificate/one"
    other = "arn:aws:acm:us-east-1:123456789012:certificate/two"
    converge(fake, manifests(**{"listen-ports": '[{"HTTPS": 443}]', "certificate-arn": f"{cert},{other},{cert}"}))
    (listener_arn,) = fake.listeners
    assert fake.listeners[listener_arn]["Certificates"] == [{"CertificateArn": cert}]
    assert fake.certs[listener_arn] == [other]


def test_a_leftover_of_an_interrupted_replacement_is_deleted_after_the_new_one_is_in_place():
    fake = FakeAws()
    converge(fake, manifests())
    (arn,) = fake.tgs
    # the same tracking tags on a second target group, as a replacement interrupted before its delete leaves
    copy = dict(fake.tgs[arn], TargetGroupName="k8s-default-web-leftover0", TargetGroupArn="arn:leftover")
    fake.tgs["arn:leftover"], fake.tags["arn:leftover"] = copy, dict(fake.tags[arn])
    fake.attrs["arn:leftover"], fake.targets["arn:leftover"] = {}, []
    plan = converge(fake, manifests())
    assert steps(plan) == [("delete", "TargetGroup", "default/web-svc:80")]
    assert plan.operations[0].arn == "arn:leftover" and "interrupted" in plan.operations[0].detail


def test_destroy_deletes_the_load_balancer_without_its_listeners_and_rules():
    fake = FakeAws()
    converge(fake, manifests(paths(("/a", "api"), ("/b", "web"))))
    state = fake.snapshot(CLUSTER, NODES)
    plan = Plan(CLUSTER, "us-east-1", tuple(destroy_stacks(["default/web"], state, CLUSTER)))
    assert [s[:2] for s in steps(plan)] == [("delete", "LoadBalancer"), ("delete", "TargetGroup"),
                                            ("delete", "TargetGroup"), ("delete", "SecurityGroup")]
    run(fake, plan)
    assert not fake.lbs and not fake.tgs and not fake.listeners and not fake.rules and not fake.sgs
    assert plan.summary["delete"] == 1 + 2 + 1 + 1 + 2  # listeners and rules counted, deleted with the LB


def test_protected_load_balancer_is_refused_before_any_call():
    from albctl.errors import RefusedError

    fake = FakeAws()
    converge(fake, manifests())
    (lb_arn,) = fake.lbs
    fake.attrs[lb_arn]["deletion_protection.enabled"] = "true"
    plan = Plan(CLUSTER, "us-east-1", tuple(destroy_stacks(["default/web"], fake.snapshot(CLUSTER), CLUSTER)))
    before = len(fake.calls)
    with pytest.raises(RefusedError, match="deletion_protection"):
        Executor(fake).run(plan.operations)
    assert len(fake.calls) == before
    Executor(fake, allow_destroy_protected=True).run(plan.operations)
    assert not fake.lbs


def test_a_load_balancer_switching_to_a_new_security_group_gets_its_id_not_a_reference():
    fake = FakeAws()
    converge(fake, manifests(**{"security-groups": "sg-0123456789abcdef0"}))
    plan = converge(fake, manifests())
    (set_sgs,) = [params for _, op, params in fake.calls if op == "SetSecurityGroups"]
    assert all(g.startswith("sg-") for g in set_sgs["SecurityGroups"]), set_sgs
    assert steps(plan)[0] == ("create", "SecurityGroup", "ManagedLBSecurityGroup")


def test_a_reference_to_nothing_created_earlier_is_an_internal_error_at_plan_time():
    plan = make_plan(manifests(), LiveState({}))
    ops = list(plan.stacks[0].operations)
    del ops[0]  # drop the managed security group's create: the load balancer now refers to nothing
    broken = plan.stacks[0].__class__(plan.stacks[0].id, {}, (), tuple(ops))
    with pytest.raises(AssertionError, match="no earlier operation creates"):
        check_references([broken])


def test_the_oidc_secret_is_a_marker_in_the_plan_and_real_in_the_call():
    fake = FakeAws()
    oidc = json.dumps({"issuer": "https://idp", "authorizationEndpoint": "https://idp/a",
                       "tokenEndpoint": "https://idp/t", "userInfoEndpoint": "https://idp/u",
                       "secretName": "oidc"})
    secret = ("apiVersion: v1\nkind: Secret\nmetadata: {name: oidc, namespace: default}\n"
              "stringData: {clientID: my-client, clientSecret: s3cret}\n")
    cert = "arn:aws:acm:us-east-1:123456789012:certificate/c"
    docs = [*manifests(**{"listen-ports": '[{"HTTPS": 443}]', "certificate-arn": cert,
                          "auth-type": "oidc", "auth-idp-oidc": oidc}), secret]
    plan = make_plan(docs, fake.snapshot(CLUSTER, NODES))
    assert "s3cret" not in plan_json(plan)
    run(fake, plan)
    (rule,) = fake.rules.values()
    assert rule["Actions"][0]["AuthenticateOidcConfig"]["ClientSecret"] == "s3cret"


def test_snapshots_and_plans_round_trip_through_json(tmp_path: Any):
    fake = FakeAws()
    converge(fake, manifests())
    state = fake.snapshot(CLUSTER, NODES)
    assert LiveState.from_json(state.to_json()) == state
    plan = make_plan(manifests(**{"healthcheck-path": "/healthz"}), state)
    path = tmp_path / "plan.json"
    path.write_text(plan_json(plan))
    again = plan_from_data(read_plan_file(str(path)))
    assert again.operations == plan.operations


def test_a_changed_plan_file_is_refused(tmp_path: Any):
    from albctl.plan.document import PlanFileError

    fake = FakeAws()
    plan = make_plan(manifests(), fake.snapshot(CLUSTER, NODES))
    path = tmp_path / "plan.json"
    path.write_text(plan_json(plan).replace('"internal"', '"internet-facing"'))
    with pytest.raises(PlanFileError, match="changed after albctl wrote it"):
        read_plan_file(str(path))
    path.write_text("{\"format_version\": \"2\", \"cluster\": 1}")
    with pytest.raises(PlanFileError, match="not a valid albctl plan"):
        read_plan_file(str(path))


def test_a_failed_call_then_a_new_plan_converges():
    """Fail every call of a first apply in turn (as AWS would, before doing the work): the next plan and
    apply always converge, with one of everything."""
    docs = manifests(paths(("/a", "api"), ("/b", "web")))
    total = len([c for op in make_plan(docs, FakeAws().snapshot(CLUSTER, NODES)).operations for c in op.calls])
    for n in range(1, total + 1):
        fake = FakeAws()
        fake.fail[n] = "InternalFailure"
        plan = make_plan(docs, fake.snapshot(CLUSTER, NODES))
        with pytest.raises(AlbctlError, match="InternalFailure"):
            Executor(fake).run(plan.operations)
        converge(fake, docs)
        assert len(fake.lbs) == 1 and len(fake.tgs) == 2 and len(fake.rules) == 2 and len(fake.sgs) == 1



def mutating(plan: Plan) -> int:
    return len([c for op in plan.operations for c in op.calls])


def test_a_request_done_twice_never_fails_the_apply():
    """A create (or any call) whose answer was lost is sent again by botocore: the second answer is
    "already exists" (or "not found" for a delete). At every call of a first apply, an update that
    replaces a target group and reorders rules, and a destroy: the apply still succeeds, in one go."""
    first = manifests(paths(("/a", "api"), ("/b", "web")))
    second = manifests(paths(("/b", "web"), ("/c", "svc")), **{"target-type": "ip"})
    for scenario in ("create", "update", "destroy"):
        setup = FakeAws()
        if scenario != "create":
            converge(setup, first)
        total = mutating(plan_for(scenario, setup, first, second))
        for n in range(1, total + 1):
            fake = FakeAws()
            if scenario != "create":
                converge(fake, first)
            plan = plan_for(scenario, fake, first, second)
            fake.replay[len(fake.calls) + n] = True
            Executor(fake).run(plan.operations)
            after = plan_for(scenario, fake, first, second)
            assert not after.operations, (scenario, n, steps(after))
            if scenario == "destroy":
                assert not fake.lbs and not fake.tgs and not fake.sgs
            else:
                assert len(fake.lbs) == 1 and len(fake.tgs) == 2 and len(fake.rules) == 2 and len(fake.sgs) == 1


def plan_for(scenario: str, fake: FakeAws, first: list[str], second: list[str]) -> Plan:
    state = fake.snapshot(CLUSTER, NODES)
    if scenario == "destroy":
        return Plan(CLUSTER, "us-east-1", tuple(destroy_stacks(["default/web"], state, CLUSTER)))
    return make_plan(first if scenario == "create" else second, state)


def test_a_same_named_resource_without_this_stack_s_tags_is_never_taken():
    fake = FakeAws()
    plan = make_plan(manifests(), fake.snapshot(CLUSTER, NODES))
    tg_name = next(op.name for op in plan.operations if op.type == "AWS::ElasticLoadBalancingV2::TargetGroup")
    fake.elbv2_create_target_group(Name=tg_name, Protocol="HTTP", Port=80, TargetType="instance",
                                   Tags=[{"Key": "owner", "Value": "someone-else"}])
    with pytest.raises(AlbctlError, match="DuplicateTargetGroupName"):
        Executor(fake).run(plan.operations)


def test_a_resource_deleted_by_someone_else_during_apply_is_one_clear_error():
    from albctl.apply.executor import StackChanged

    fake = FakeAws()
    converge(fake, manifests())
    plan = make_plan(manifests(**{"healthcheck-path": "/healthz"}), fake.snapshot(CLUSTER, NODES))
    fake.tgs.clear()
    with pytest.raises(StackChanged, match="another albctl or the controller is writing it; run apply again"):
        Executor(fake).run(plan.operations)


def test_a_rotated_oidc_secret_is_planned_as_a_modify_and_applied():
    from albctl.plan.secrets import SECRET_TAG, with_secret_tags

    oidc = json.dumps({"issuer": "https://idp", "authorizationEndpoint": "https://idp/a",
                       "tokenEndpoint": "https://idp/t", "userInfoEndpoint": "https://idp/u", "secretName": "oidc"})
    docs = manifests(**{"listen-ports": '[{"HTTPS": 443}]', "auth-type": "oidc", "auth-idp-oidc": oidc,
                        "certificate-arn": "arn:aws:acm:us-east-1:123456789012:certificate/c"})

    def planned(fake: FakeAws, secret: str) -> Plan:
        built = stacks(*docs, secret_doc(secret), facts=FACTS)
        targets = instance_targets(built, NODES)
        wanted = [DesiredStack(s.id, with_secret_tags(stack_data(s)["resources"], {"my-client": secret}, CLUSTER,
                                                      s.id), targets.get(s.id, {})) for s in built]
        return Plan(CLUSTER, "us-east-1", tuple(plan_stacks(wanted, fake.snapshot(CLUSTER, NODES), CLUSTER,
                                                            vpc_id="vpc-1")))

    fake = FakeAws()
    Executor(fake, secrets={"my-client": "first"}).run(planned(fake, "first").operations)
    assert not planned(fake, "first").operations
    (rule_arn,) = fake.rules
    old_tag = fake.tags[rule_arn][SECRET_TAG]
    assert "first" not in old_tag and len(old_tag) == 64
    rotated = planned(fake, "second")
    assert steps(rotated) == [("modify", "ListenerRule", "443:1")]
    assert [c.operation for c in rotated.operations[0].calls] == ["ModifyRule", "AddTags"]
    assert "second" not in plan_json(rotated)
    Executor(fake, secrets={"my-client": "second"}).run(rotated.operations)
    assert fake.rules[rule_arn]["Actions"][0]["AuthenticateOidcConfig"]["ClientSecret"] == "second"
    assert not planned(fake, "second").operations


def secret_doc(secret: str) -> str:
    return ("apiVersion: v1\nkind: Secret\nmetadata: {name: oidc, namespace: default}\n"
            f"stringData: {{clientID: my-client, clientSecret: {secret}}}\n")


def test_ctrl_c_at_any_call_leaves_nothing_untracked():
    """KeyboardInterrupt at every call of a fresh apply, an update that replaces a target group and moves
    rules, and a destroy, before the request and after AWS did the work: apply stops with "interrupted
    after N of M operations", everything in AWS carries the stack's tags, and the next plan converges."""
    from albctl.errors import Interrupted

    first = manifests(paths(("/a", "api"), ("/b", "web")))
    second = manifests(paths(("/b", "web"), ("/c", "svc")), **{"target-type": "ip"})
    runs = 0
    for scenario in ("create", "update", "destroy"):
        setup = FakeAws()
        if scenario != "create":
            converge(setup, first)
        total = mutating(plan_for(scenario, setup, first, second))
        for n in range(1, total + 1):
            for after in (False, True):
                fake = FakeAws()
                if scenario != "create":
                    converge(fake, first)
                plan = plan_for(scenario, fake, first, second)
                fake.interrupt[len(fake.calls) + n] = after
                with pytest.raises(Interrupted, match=f"interrupted after \\d+ of {len(plan.operations)} operations"):
                    Executor(fake).run(plan.operations)
                runs += 1
                for arn, tags in fake.tags.items():
                    assert tags.get("elbv2.k8s.aws/cluster") == CLUSTER, arn
                for sg in fake.sgs.values():
                    assert {"Key": "elbv2.k8s.aws/cluster", "Value": CLUSTER} in sg["Tags"]
                Executor(fake).run(plan_for(scenario, fake, first, second).operations)
                assert not plan_for(scenario, fake, first, second).operations, (scenario, n, after)
    assert runs >= 20


def test_user_strings_reach_the_plan_as_written_never_as_markup_emoji_or_raw_control_characters():
    import io

    from albctl.cli.env import Env
    from albctl.views.plan import plan_markdown, print_plan

    docs = manifests(paths(("/a", "svc")), tags="TAGS")
    docs[0] = docs[0].replace("'TAGS'", '"team=\\e[31m:smile: [red]x[/]"').replace("path: /a", 'path: "/a\\e[2J"')
    plan = make_plan(docs, LiveState({}, nodes=NODES))
    out = io.StringIO()
    print_plan(Env(stdout=out, environ={"NO_COLOR": "1"}).out, plan)
    for text in (out.getvalue(), plan_markdown(plan)):
        assert "\x1b" not in text
        assert "/a\\x1b[2J" in text and ":smile: [red]x[/]" in text
