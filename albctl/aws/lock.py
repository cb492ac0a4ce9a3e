"""One writer per stack, the way terraform locks its state: an item per stack in a DynamoDB table,
written with a condition so that only one albctl run holds it, and removed at the end.

The table needs a string partition key ``LockID`` (terraform's S3-backend lock tables have exactly that
shape, so one table can serve both). The item records who holds the lock and since when.
"""

from __future__ import annotations

import getpass
import os
import socket
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from albctl.aws.session import aws_call
from albctl.errors import AlbctlError, AwsError


class LockedError(AlbctlError):
    """Another run holds the lock of a stack."""


def lock_id(cluster: str, stack_id: str) -> str:
    return f"albctl/{cluster}/{stack_id}"


def owner_name() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid {os.getpid()} run {uuid.uuid4().hex[:12]}"


@contextmanager
def stack_lock(clients: Any, table: str | None, cluster: str, stack_ids: Sequence[str]) -> Iterator[None]:
    """Hold the lock of every stack (in a fixed order, so two runs never wait on each other in a
    cycle) for the duration of the block; without a table, do nothing."""
    if not table:
        yield
        return
    owner = owner_name()
    held: list[str] = []
    try:
        for stack_id in sorted(set(stack_ids)):
            _acquire(clients, table, lock_id(cluster, stack_id), stack_id, owner)
            held.append(lock_id(cluster, stack_id))
        yield
    finally:
        for item in reversed(held):
            _release(clients, table, item, owner)


def _acquire(clients: Any, table: str, item: str, stack_id: str, owner: str) -> None:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        with aws_call("PutItem"):
            clients.dynamodb.put_item(
                TableName=table, Item={"LockID": {"S": item}, "Owner": {"S": owner}, "Created": {"S": now}},
                ConditionExpression="attribute_not_exists(LockID)")
    except AwsError as exc:
        if exc.code != "ConditionalCheckFailedException":
            raise
        with aws_call("GetItem"):
            found = clients.dynamodb.get_item(TableName=table, Key={"LockID": {"S": item}}).get("Item") or {}
        who = (found.get("Owner") or {}).get("S", "another run")
        since = (found.get("Created") or {}).get("S", "?")
        raise LockedError(f"stack {stack_id} is locked by {who} since {since}",
                          hint=f"wait for that run to finish; if it died, `albctl force-unlock {stack_id} "
                               f"--lock-table {table}`") from None


def _release(clients: Any, table: str, item: str, owner: str) -> None:
    try:
        with aws_call("DeleteItem"):
            clients.dynamodb.delete_item(TableName=table, Key={"LockID": {"S": item}},
                                         ConditionExpression="#owner = :me",  # Owner is a reserved word
                                         ExpressionAttributeNames={"#owner": "Owner"},
                                         ExpressionAttributeValues={":me": {"S": owner}})
    except AwsError as exc:
        if exc.code != "ConditionalCheckFailedException":  # force-unlocked meanwhile: not ours any more
            raise


def force_unlock(clients: Any, table: str, cluster: str, stack_id: str) -> bool:
    """Remove a stack's lock whoever holds it; True when there was one."""
    with aws_call("DeleteItem"):
        answer = clients.dynamodb.delete_item(TableName=table, Key={"LockID": {"S": lock_id(cluster, stack_id)}},
                                              ReturnValues="ALL_OLD")
    return bool(answer.get("Attributes"))
