"""Run a plan's operations against AWS, verbatim and in order: each operation's calls as the plan
names them, with only the ``$created`` ids (from earlier creates) and OIDC secrets filled in.

Nothing is matched again here: the plan decided everything. Every resource is tagged in its Create
call, so an interrupted apply leaves nothing untracked, and a new plan re-reads the live state by tags.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from albctl.aws.session import aws_call
from albctl.elbv2 import KINDS
from albctl.elbv2.call import CREATED, SECRET, Call, ResourceKey, dig, secret_refs, substitute
from albctl.elbv2.common import tag_map
from albctl.errors import AlbctlError, AwsError, Interrupted, RefusedError
from albctl.plan.model import Operation
from albctl.tags import TRACKING_TAGS

# (operation, its number, how many, "started" | "done", seconds it took, the id it acted on or created)
Progress = Callable[[Operation, int, int, str, float, str | None], None]

_HINTS = {"DuplicateLoadBalancerName": "a load balancer with this name exists but is not tagged for this cluster "
                                       "and stack: albctl will not take it over (set "
                                       "alb.ingress.kubernetes.io/load-balancer-name, or tag it)"}
_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0)  # "not yet" answers: about a minute
_WAITER = {"Delay": 2, "MaxAttempts": 300}
# a resource of the stack that the plan saw is gone: someone else is writing the stack
_GONE = frozenset({"LoadBalancerNotFound", "TargetGroupNotFound", "ListenerNotFound", "RuleNotFound",
                   "InvalidGroup.NotFound"})


class MissingSecretError(AlbctlError):
    """An OIDC action's client secret is needed and its value was not given."""


class StackChanged(AlbctlError):
    """Something the plan acts on changed under it: another albctl, or the controller, is writing it."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"the stack changed during apply ({detail}): another albctl or the controller is writing "
                         "it; run apply again",
                         hint="with --lock-table NAME, albctl runs never overlap on one stack")


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


@dataclass
class Executor:
    clients: Any  # has .elbv2 and .ec2 (boto3 clients, or a recording fake in tests)
    secrets: Mapping[str, str] = field(default_factory=dict)  # OIDC client id → client secret
    allow_destroy_protected: bool = False
    progress: Progress = lambda op, n, total, status, seconds, res_id: None
    sleep: Callable[[float], None] = time.sleep
    ids: dict[ResourceKey, str] = field(default_factory=dict)  # what this apply created

    def run(self, operations: Sequence[Operation]) -> None:
        """Check everything that can be checked without AWS, then run every operation in order."""
        self.check(operations)
        done = 0
        try:
            for n, op in enumerate(operations, start=1):
                self.progress(op, n, len(operations), "started", 0.0, op.arn)
                started = time.monotonic()
                for call in op.calls:
                    self.call(op, call)
                done = n
                self.progress(op, n, len(operations), "done", time.monotonic() - started,
                              self.ids.get(op.key) or op.arn)
        except KeyboardInterrupt:
            raise Interrupted(
                f"interrupted after {done} of {len(operations)} operations",
                hint="run apply again to converge: everything created so far is tagged and will be found") from None

    def check(self, operations: Sequence[Operation]) -> None:
        for op in operations:
            if op.protected and not self.allow_destroy_protected:
                raise RefusedError(
                    f"load balancer {op.name} has deletion_protection.enabled=true and would be deleted; refusing",
                    hint="pass --allow-destroy-protected to switch protection off and go ahead")
        for client_id in sorted({c for op in operations for call in op.calls for c in secret_refs(call.params)}):
            if client_id not in self.secrets:
                raise MissingSecretError(
                    f"the client secret of OIDC client {client_id!r} is not known",
                    hint="apply from the manifests (with the Secret, or its ALBCTL_OIDC_CLIENT_SECRET_* variable) "
                         "so albctl can read it; plans never contain secrets")

    def resolve(self, params: Mapping[str, Any]) -> Any:
        def replace(value: Mapping[str, Any]) -> Any | None:
            if len(value) != 1:
                return None
            if CREATED in value:
                stack, type_, id_ = value[CREATED]
                key = (str(stack), str(type_), str(id_))
                if key not in self.ids:
                    raise AssertionError(f"{key} was not created before it was used")
                return self.ids[key]
            if SECRET in value:
                return self.secrets[str(value[SECRET])]
            return None
        return substitute(dict(params), replace)

    def call(self, op: Operation, call: Call) -> None:
        client = getattr(self.clients, call.service)
        params = self.resolve(call.params)
        if call.waiter:
            self.wait(client, call, params)
            return
        method = getattr(client, _snake(call.operation))
        for delay in (*_RETRY_DELAYS, None):
            try:
                with aws_call(call.operation, hints=_HINTS):
                    response = method(**params)
                break
            except AwsError as exc:
                if exc.code in call.tolerate:
                    return  # already done (a delete of what is gone)
                if call.output and op.type in KINDS and exc.code in KINDS[op.type].duplicate_codes:
                    self.ids[op.key] = self.created_before(op, params, exc)
                    return
                if exc.code in _GONE:
                    raise StackChanged(f"{call.operation}: {exc.code}") from exc
                if exc.code not in call.retry or delay is None:
                    raise
                self.sleep(delay)
        if call.output:
            self.ids[op.key] = str(dig(response, call.output))

    def created_before(self, op: Operation, params: Mapping[str, Any], exc: AwsError) -> str:
        """A create answered "already exists": when the one that exists carries exactly the tags this create
        gives (its first attempt did the work and the answer was lost, or a concurrent run of the same plan
        made it), it is the resource; anything else is not ours to take."""
        kind = KINDS[op.type]
        find = kind.find_created(params)
        if find is None:
            raise exc
        with aws_call(find.operation):
            response = getattr(getattr(self.clients, find.service), _snake(find.operation))(**find.params)
        wanted = {k: v for k, v in tag_map(params.get("Tags") or [t for spec in params.get("TagSpecifications") or []
                                                                      for t in spec.get("Tags", [])]).items()
                  if k in TRACKING_TAGS}
        for found_id, tags in kind.found(params, response):
            if tags is None:
                with aws_call("DescribeTags"):
                    described = self.clients.elbv2.describe_tags(ResourceArns=[found_id])["TagDescriptions"]
                tags = tag_map(described[0].get("Tags")) if described else {}
            if wanted and all(tags.get(k) == v for k, v in wanted.items()):
                return found_id
        raise exc

    def wait(self, client: Any, call: Call, params: dict[str, Any]) -> None:
        import botocore.exceptions

        try:
            with aws_call(call.operation):
                client.get_waiter(call.waiter).wait(**params, WaiterConfig=_WAITER)
        except botocore.exceptions.WaiterError as exc:
            raise AlbctlError(f"{call.waiter} did not happen: {exc}",
                              hint="look at it in the AWS console; apply again once it is ready") from None
