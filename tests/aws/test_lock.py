"""--lock-table: one writer per stack (DynamoDB conditional writes on a real moto server), force-unlock."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from albctl.aws.lock import lock_id
from albctl.aws.session import AwsClients
from tests.aws.test_apply import SAMPLES, cli, owned

TABLE = "albctl-locks"
STACK = "echoserver/echoserver"


def make_table(aws: AwsClients) -> None:
    aws.dynamodb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")


def items(aws: AwsClients) -> list[dict[str, Any]]:
    return list(aws.dynamodb.scan(TableName=TABLE)["Items"])


def test_a_locked_stack_is_refused_before_anything_is_read_then_force_unlock_frees_it(
        seeded: Any, moto_server: str, aws: AwsClients) -> None:
    make_table(aws)
    aws.dynamodb.put_item(TableName=TABLE, Item={"LockID": {"S": lock_id("sandbox", STACK)},
                                                 "Owner": {"S": "ci@runner-7 pid 42"}, "Created": {"S": "2026-12-01"}})
    code, out, err = cli(moto_server, "apply", str(SAMPLES / "echoserver"), "--auto-approve", "--lock-table", TABLE)
    assert code == 1 and "stack echoserver/echoserver is locked by ci@runner-7 pid 42 since 2026-12-01" in err, err
    assert "force-unlock echoserver/echoserver" in err
    assert owned(aws) == {"lb": 0, "tg": 0, "sg": 0}
    code, out, err = cli(moto_server, "force-unlock", STACK, "--lock-table", TABLE)
    assert code == 0 and "lock removed" in out, err
    code, out, err = cli(moto_server, "apply", str(SAMPLES / "echoserver"), "--auto-approve", "--lock-table", TABLE)
    assert code == 0, err
    assert items(aws) == []  # released at the end
    code, out, err = cli(moto_server, "destroy", str(SAMPLES / "echoserver"), "--auto-approve", "--lock-table", TABLE)
    assert code == 0 and items(aws) == [], err


def test_two_applies_at_once_never_both_write(seeded: Any, moto_server: str, aws: AwsClients,
                                              tmp_path: Path) -> None:
    make_table(aws)
    results: list[tuple[int, str, str]] = []
    start = threading.Barrier(2)

    def one() -> None:
        start.wait()
        results.append(cli(moto_server, "apply", str(SAMPLES / "echoserver"), "--auto-approve",
                           "--lock-table", TABLE))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _, _ in results)
    for code, _out, err in results:
        # either it held the lock (and applied, or found nothing left to do), or it was refused cleanly
        assert code == 0 or ("is locked by" in err and "Traceback" not in err), err
    assert codes in ([0, 0], [0, 1])
    if codes == [0, 0]:  # the second ran after the first released the lock: nothing left to do
        assert sum("No changes." in out for _, out, _ in results) == 1
    assert owned(aws) == {"lb": 1, "tg": 1, "sg": 2}  # the stack's SG and the shared backend SG
    assert items(aws) == []
