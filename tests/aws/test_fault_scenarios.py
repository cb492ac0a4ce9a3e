"""Faults at every mutating call of an update and of a destroy, over the wire (moto), and convergence.

The update replaces the target group (target-type ip) and puts a new path before the existing one; the
destroy deletes the stack and the shared backend security group. For each mutating call k of the
scenario, the account is put back to the state before it (a copy of moto's backends, ~5 ms), the scenario's
plan is run by the executor with the answer to call k lost after AWS did the work, and the next run of the
command converges: the update plans to nothing, the destroy leaves nothing. (A fresh apply's calls are in
test_fault_injection.py; both fault kinds at every call of all three scenarios run on the recording fake.)
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from albctl.apply.executor import Executor
from albctl.aws.session import AwsClients, AwsSettings
from albctl.errors import AlbctlError
from albctl.plan.document import plan_from_data, read_plan_file
from tests.aws.conftest import REGION, SeedSnapshot, _post
from tests.aws.test_apply import cli, owned
from tests.aws.test_fault_injection import MUTATING_PREFIXES, SAMPLES, Faults

ECHO = SAMPLES


def updated(tmp_path: Path) -> str:
    target = tmp_path / "echoserver"
    shutil.copytree(ECHO, target)
    ingress = target / "ingress.yaml"
    text = ingress.read_text()
    text = text.replace("alb.ingress.kubernetes.io/tags: Environment=dev,Team=test",
                        "alb.ingress.kubernetes.io/tags: Environment=dev,Team=test\n"
                        "    alb.ingress.kubernetes.io/target-type: ip")
    first = ("          - path: /\n            pathType: Prefix\n")
    text = text.replace(first, "          - path: /api\n            pathType: Prefix\n            backend:\n"
                               "              service:\n                name: echoserver\n                port:\n"
                               "                  number: 80\n" + first)
    ingress.write_text(text)
    return str(target)


def clients_with(faults: Faults, endpoint: str) -> AwsClients:
    clients = AwsClients(AwsSettings(region=REGION, profile=None, endpoint_url=endpoint),
                         credentials=("testing", "testing"))
    for name in ("elbv2", "ec2"):
        faults.hook(getattr(clients, name))
    return clients


@pytest.mark.parametrize("scenario", ["update", "destroy"])
def test_a_lost_answer_at_any_call_then_the_command_again_converges(scenario: str, seeded: dict[str, Any],
                                                                   moto_server: str, aws: AwsClients,
                                                                   tmp_path: Path) -> None:
    assert cli(moto_server, "apply", str(ECHO), "--auto-approve")[0] == 0
    before = SeedSnapshot.take(seeded)
    path = updated(tmp_path) if scenario == "update" else str(ECHO)
    saved = tmp_path / "plan.json"
    if scenario == "update":
        assert cli(moto_server, "plan", path, "--out", str(saved))[0] == 0
        plan = plan_from_data(read_plan_file(str(saved)))
        again = ("apply", path, "--auto-approve")
    else:
        from albctl import usecases

        plan = usecases.plan_destroy(aws, "sandbox", ["echoserver/echoserver"], REGION)
        again = ("destroy", path, "--auto-approve")
    steps = {op.step.value for op in plan.operations}
    # the update: a new target group, the old rule rewritten in place (it now forwards to the new group) and
    # the second path created below it, then the old target group deleted; the destroy: deletes only
    assert steps == ({"create", "modify", "delete"} if scenario == "update" else {"delete"})
    calls = [c.operation for op in plan.operations for c in op.calls if c.operation.startswith(MUTATING_PREFIXES)]
    assert len(calls) >= (4 if scenario == "update" else 3), calls
    for k in range(1, len(calls) + 1):
        _post(moto_server, "/moto-api/reset")
        before.restore()
        faults = Faults(fail_at=k, mode="after")
        with pytest.raises(AlbctlError, match="failed"):
            Executor(clients_with(faults, moto_server), max_workers=1).run(plan.operations)
        assert faults.failed is not None
        code, out, err = cli(moto_server, *again)
        assert code == 0, (scenario, k, faults.failed, out, err)
        if scenario == "update":
            assert cli(moto_server, "plan", path, "--detailed-exitcode")[0] == 0, (k, faults.failed)
            assert owned(aws) == {"lb": 1, "tg": 1, "sg": 2}
        else:
            assert owned(aws) == {"lb": 0, "tg": 0, "sg": 0}, (k, faults.failed)
