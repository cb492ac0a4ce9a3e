"""Golden plans: manifests + a live snapshot → the text, JSON and markdown plan, with no AWS.

Every sample is planned against an empty account; the routing sample is also planned, after a first apply
(through the executor, on the recording fake), against edited manifests whose plan has every operation kind:
create, modify, move, replace (create + delete of the old one by its old name) and delete.

Regenerate after an intended change with:  ALBCTL_UPDATE_GOLDEN=1 pytest tests/plan/test_golden_plans.py
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from albctl import pipeline
from albctl.apply.executor import Executor
from albctl.cli.env import Env
from albctl.elbv2.snapshot import LiveState
from albctl.model.facts import Facts
from albctl.model.serialize import stack_data
from albctl.plan.document import plan_json
from albctl.plan.model import Plan, Step
from albctl.plan.planner import DesiredStack, plan_stacks
from albctl.settings import Settings
from albctl.usecases import instance_targets
from albctl.views.plan import plan_markdown, print_plan
from tests.plan.fake_aws import FakeAws

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "plan"
SAMPLES = sorted(p.name for p in (ROOT / "samples").iterdir() if p.is_dir() and p.name != "invalid")
CLUSTER = "golden"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-00000000golden"
NODES = ["i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2"]
FACTS = Facts(offline=False, vpc_id="vpc-0golden",
              discovered_subnets={"internet-facing": ("subnet-0pub1", "subnet-0pub2"),
                                  "internal": ("subnet-0priv1", "subnet-0priv2")},
              backend_security_group_id="sg-0backend",
              certificates_by_host={"app.example.com": (CERT,), "admin.example.com": (CERT,)},
              certificate_domains={CERT: ("*.example.com",)})
ENVIRON = {"ALBCTL_OIDC_CLIENT_ID_DEFAULT_OIDC_CLIENT": "golden-client",
           "ALBCTL_OIDC_CLIENT_SECRET_DEFAULT_OIDC_CLIENT": "golden-secret"}


def plan_for(paths: list[str], live: LiveState) -> Plan:
    from albctl.model.auth import oidc_env

    settings = Settings(cluster_name=CLUSTER).with_overrides(auth_env=oidc_env(ENVIRON))
    result = pipeline.build(pipeline.read(paths, settings), settings, FACTS)
    assert not result.errors, [str(d) for d in result.errors]
    targets = instance_targets(result.stacks, live.nodes or [])
    wanted = [DesiredStack(s.id, stack_data(s)["resources"], targets.get(s.id, {})) for s in result.stacks]
    return Plan(CLUSTER, "us-east-1", tuple(plan_stacks(wanted, live, CLUSTER, vpc_id=FACTS.vpc_id)),
                vpc_id=FACTS.vpc_id)


def renderings(plan: Plan) -> dict[str, str]:
    out = io.StringIO()
    print_plan(Env(stdout=out, environ={"NO_COLOR": "1"}).out, plan)
    return {"txt": out.getvalue(), "json": plan_json(plan), "md": plan_markdown(plan)}


def check(name: str, plan: Plan) -> None:
    for ext, text in renderings(plan).items():
        golden = GOLDEN / f"{name}.{ext}"
        if os.environ.get("ALBCTL_UPDATE_GOLDEN") == "1":
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
        assert golden.is_file(), f"missing {golden}: run with ALBCTL_UPDATE_GOLDEN=1"
        assert text == golden.read_text(encoding="utf-8"), f"{golden} differs"


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_planned_against_an_empty_account(sample: str) -> None:
    plan = plan_for([str(ROOT / "samples" / sample)], LiveState({}, nodes=NODES))
    assert plan.operations and all(op.step is Step.CREATE for op in plan.operations)
    assert "golden-secret" not in plan_json(plan)
    check(f"{sample}-create", plan)


def test_every_operation_kind(tmp_path: Path) -> None:
    fake = FakeAws()
    first = plan_for([str(ROOT / "samples" / "routing")], LiveState({}, nodes=NODES))
    Executor(fake, max_workers=1).run(first.operations)  # in order: the fake numbers ARNs as made
    edited = tmp_path / "routing"
    edited.mkdir()
    for src in (ROOT / "samples" / "routing").iterdir():
        (edited / src.name).write_text(edit(src.name, src.read_text(encoding="utf-8")), encoding="utf-8")
    plan = plan_for([str(edited)], fake.snapshot(CLUSTER, NODES))
    assert {op.step for op in plan.operations} == set(Step), [op.step for op in plan.operations]
    assert {c.action.value for c in plan.changes} >= {"create", "update", "replace", "move", "delete"}
    check("routing-edited", plan)
    Executor(fake, max_workers=1).run(plan.operations)
    assert not plan_for([str(edited)], fake.snapshot(CLUSTER, NODES)).operations


SWAPPED = ("          - path: /503\n", "          - path: /eks\n")
PATH2 = ("          - path: /path2\n            pathType: Exact\n            backend:\n              service:\n"
         "                name: forward-multiple-tg\n                port:\n                  name: use-annotation\n")
NEW_PATH = ("          - path: /new\n            pathType: Prefix\n            backend:\n              service:\n"
            "                name: frontend\n                port:\n                  number: 80\n")
EDITS = {
    # /503 and /eks swap places (a move), /path2 goes (its two target groups are deleted), /new
    # and /new2 come (a modify in place, and a create), every target group gets a new health check path (modifies)
    "ingress.yaml": [(SWAPPED[0], "@@"), (SWAPPED[1], SWAPPED[0]), ("@@", SWAPPED[1]),
                     (" name: response-503\n", "@@"), (" name: redirect-to-eks\n", " name: response-503\n"),
                     ("@@", " name: redirect-to-eks\n"), (PATH2, NEW_PATH + NEW_PATH.replace("/new", "/new2")),
                     ("    alb.ingress.kubernetes.io/scheme: internet-facing\n",
                      "    alb.ingress.kubernetes.io/scheme: internet-facing\n"
                      "    alb.ingress.kubernetes.io/healthcheck-path: /healthz\n")],
    # single-svc goes ip-mode: its target group is replaced, and the /path1 rule repointed
    "services.yaml": [("  name: single-svc\n", "  name: single-svc\n  annotations:\n"
                                                "    alb.ingress.kubernetes.io/target-type: ip\n")],
}


def edit(name: str, text: str) -> str:
    for old, new in EDITS.get(name, []):
        assert old in text, old
        text = text.replace(old, new, 1)
    return text
