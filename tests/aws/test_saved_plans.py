"""A saved plan is applied only as written, and only while the live state it was made against holds.

Every tampering below is refused before any AWS write: an edit without a new digest; edits whose digest an
attacker recomputed (of the desired resources, of an operation's calls, of the targets); a structurally wrong
file; an old format; a node set that changed since planning.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from albctl.aws.session import AwsClients
from albctl.plan.document import digest
from tests.aws.test_apply import SAMPLES, cli, owned
from tests.aws.test_cli_aws import CREDS, run

_PLANS: dict[str, str] = {}  # the seeded account is the same in every test: so is its plan


def saved_plan(moto_server: str, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "plan.json"
    if moto_server not in _PLANS:
        code, _, err = cli(moto_server, "plan", str(SAMPLES / "echoserver"), "--out", str(path))
        assert code == 0, err
        _PLANS[moto_server] = path.read_text()
    path.write_text(_PLANS[moto_server])
    return path, json.loads(_PLANS[moto_server])


def apply_saved(moto_server: str, path: Path) -> tuple[int, str, str]:
    return run(["apply", "--plan", str(path), "--endpoint-url", moto_server], CREDS)


def stack(doc: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in doc["stacks"] if s["id"] != "(cluster)")


def resign(doc: dict[str, Any]) -> dict[str, Any]:
    doc["digest"] = digest(doc)
    return doc


def scheme_internal(doc: dict[str, Any]) -> dict[str, Any]:
    lb = stack(doc)["resources"]["AWS::ElasticLoadBalancingV2::LoadBalancer"]["LoadBalancer"]["spec"]
    lb["scheme"] = "internal"
    return resign(doc)


def foreign_instance(doc: dict[str, Any]) -> dict[str, Any]:
    for targets in stack(doc)["targets"].values():
        targets.append({"id": "i-0badbadbadbadbad0", "port": targets[0]["port"]})
    for op in stack(doc)["operations"]:
        for call in op["calls"]:
            if call["operation"] == "RegisterTargets":
                port = call["params"]["Targets"][0]["Port"]
                call["params"]["Targets"].append({"Id": "i-0badbadbadbadbad0", "Port": port})
    return resign(doc)


def extra_call(doc: dict[str, Any]) -> dict[str, Any]:
    op = stack(doc)["operations"][0]
    op["calls"].append({"service": "ec2", "operation": "DeleteSecurityGroup",
                        "params": {"GroupId": "sg-0123456789abcdef0"}})
    return resign(doc)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: {**d, "vpc_id": "vpc-other"}, "changed after albctl wrote it"),
    (scheme_internal, "no longer matches"),
    (foreign_instance, "nodes changed"),
    (extra_call, "no longer matches"),
    (lambda d: resign({**d, "stacks": "nope"}), "not a valid albctl plan"),
    (lambda d: {**d, "format_version": "1"}, "format_version '1'"),
])
def test_a_tampered_plan_is_refused_before_any_write(edit: Callable[[dict[str, Any]], dict[str, Any]], message: str,
                                                     seeded: Any, moto_server: str, aws: AwsClients,
                                                     tmp_path: Path) -> None:
    path, doc = saved_plan(moto_server, tmp_path)
    path.write_text(json.dumps(edit(doc)))
    code, out, err = apply_saved(moto_server, path)
    assert code == 1 and message in err and "Traceback" not in err and "internal error" not in err, err
    assert owned(aws) == {"lb": 0, "tg": 0, "sg": 0}


def test_not_json_and_missing_files_are_one_line_errors(seeded: Any, moto_server: str, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    code, _, err = apply_saved(moto_server, tmp_path / "bad.json")
    assert code == 1 and "is not JSON" in err and len(err.strip().splitlines()) <= 2
    code, _, err = apply_saved(moto_server, tmp_path / "missing.json")
    assert code == 1 and "cannot read plan file" in err


def test_the_saved_plan_applies_without_asking_and_exactly_its_operations(seeded: Any, moto_server: str,
                                                                          aws: AwsClients, tmp_path: Path) -> None:
    path, doc = saved_plan(moto_server, tmp_path)
    code, out, err = apply_saved(moto_server, path)  # no --auto-approve, no terminal: the plan was the review
    assert code == 0, err
    started = [line.split("] ", 1)[1] for line in out.splitlines() if line.startswith("[") and line.endswith("...")]
    named = [f"{op['name']}" for s in doc["stacks"] for op in s["operations"]]
    assert len(started) == len(named) and all(name in line for name, line in zip(named, started, strict=True))
    assert owned(aws) == {"lb": 1, "tg": 1, "sg": 2}
