"""Run a plan's operations against AWS, verbatim: each operation's calls as the plan names them, in
order, with only the ``$created`` ids (from earlier creates) and OIDC secrets filled in.

Nothing is matched again here: the plan decided everything. Every resource is tagged in its Create
call, so an interrupted apply leaves nothing untracked, and a new plan re-reads the live state by tags.

Operations run concurrently where the plan's order does not matter (:func:`dependencies`): within one
stack, consecutive operations of the same step and type (every target group created at once, every
rule of a listener created at once, ...) run together; a create waits for the earlier creates it follows
only up to their waiter (so listeners are created while the new load balancer provisions); a modify,
move or delete waits for everything before it in its stack; stacks run side by side, the cluster's
shared backend security group before and after everything. The number of calls in flight is bounded
(``max_workers``); throttling is left to botocore's adaptive retries.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from albctl.aws.session import aws_call
from albctl.elbv2 import KINDS
from albctl.elbv2.call import CREATED, SECRET, Call, ResourceKey, created_refs, dig, secret_refs, substitute
from albctl.elbv2.common import tag_map
from albctl.errors import AlbctlError, AwsError, Interrupted, RefusedError
from albctl.plan.model import SHARED_STACK, Operation
from albctl.tags import TRACKING_TAGS

# (operation, its number, how many, "started" | "done", seconds it took, the id it acted on or created)
Progress = Callable[[Operation, int, int, str, float, str | None], None]

_HINTS = {"DuplicateLoadBalancerName": "a load balancer with this name exists but is not tagged for this cluster "
                                       "and stack: albctl will not take it over (set "
                                       "alb.ingress.kubernetes.io/load-balancer-name, or tag it)"}
_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0)  # "not yet" answers: about a minute
# a resource of the stack that the plan saw is gone: someone else is writing the stack
_GONE = frozenset({"LoadBalancerNotFound", "TargetGroupNotFound", "ListenerNotFound", "RuleNotFound",
                   "InvalidGroup.NotFound"})
# A waiter polls once after each of these delays: quickly at first (a load balancer is often active within
# seconds), then every 10 s; about 15 minutes in all.
_POLL_DELAYS = (0.25, 0.5, 1.0, 2.0, 3.0, 5.0, *(10.0,) * 90)
READY, DONE = "ready", "done"  # what a dependant waits for: the calls before a waiter, or the whole operation


def dependencies(operations: Sequence[Operation]) -> list[dict[int, str]]:
    """For each operation, the earlier operations it waits for (index → READY or DONE).

    - an operation using an id an earlier create makes waits for that create's calls before its waiter,
      if any (READY: a load balancer exists, its listeners need not wait until it is active);
    - the shared stack's operations (the backend SG) come before and after everything (DONE);
    - within a stack, an operation waits for every earlier one of another step or type: up to its
      waiter (READY) when both are creates, for all of it (DONE) otherwise (a repointed rule waits
      until its new target group has its targets; a delete until everything before it is done).
    """
    out: list[dict[int, str]] = []
    creator: dict[ResourceKey, int] = {}
    for j, b in enumerate(operations):
        deps: dict[int, str] = {}
        for key in {k for call in b.calls for k in created_refs(call.params)}:
            if key != b.key and key in creator:
                deps[creator[key]] = READY
        for i in range(j):
            a = operations[i]
            if a.stack == SHARED_STACK or b.stack == SHARED_STACK:
                deps[i] = DONE
            elif a.stack == b.stack and (a.step, a.type) != (b.step, b.type):
                want = READY if (a.step.value == "create" and b.step.value == "create") else DONE
                if deps.get(i) != DONE:
                    deps[i] = want
        out.append(deps)
        if b.step.value == "create":
            creator[b.key] = j
    return out


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

    max_workers: int = 16  # operations in flight at once; 1: in the plan's order, one at a time

    def run(self, operations: Sequence[Operation]) -> None:
        """Check everything that can be checked without AWS, then run the operations, each as soon as
        what it depends on is done (:func:`dependencies`). After a failure nothing new starts; the
        operations under way finish, then the first failure is raised."""
        self.check(operations)
        # one worker: strictly in the plan's order, one operation after the other
        deps = dependencies(operations) if self.max_workers > 1 else [{j - 1: DONE} if j else {}
                                                                       for j in range(len(operations))]
        total = len(operations)
        state = _State(total)
        pool = ThreadPoolExecutor(max_workers=max(1, self.max_workers), thread_name_prefix="albctl-apply")
        started: set[int] = set()
        try:
            with state.cond:
                while True:
                    if state.error is None:
                        for j in range(total):
                            if j not in started and all(
                                    (state.done[i] if how == DONE else state.ready[i]) for i, how in deps[j].items()):
                                started.add(j)
                                state.running += 1
                                pool.submit(self._run_op, operations[j], j, total, state)
                    if state.running == 0 and (state.error is not None or len(started) == total):
                        break
                    state.cond.wait()
        except KeyboardInterrupt:  # Ctrl-C in this thread; in a worker, it arrives as state.error
            with state.cond:
                state.error = state.error or KeyboardInterrupt()
        pool.shutdown(wait=True)
        if isinstance(state.error, KeyboardInterrupt):
            raise Interrupted(
                f"interrupted after {sum(state.done)} of {total} operations",
                hint="run apply again to converge: everything created so far is tagged and will be found") from None
        if state.error is not None:
            raise state.error

    def _run_op(self, op: Operation, j: int, total: int, state: _State) -> None:
        try:
            with state.cond:
                self.progress(op, j + 1, total, "started", 0.0, op.arn)
            begun = time.monotonic()
            for call in op.calls:
                with state.cond:
                    if state.error is not None:
                        return  # another operation failed: start no new call
                    if call.waiter and not state.ready[j]:
                        state.ready[j] = True
                        state.cond.notify_all()
                self.call(op, call)
            with state.cond:
                state.ready[j] = state.done[j] = True
                self.progress(op, j + 1, total, "done", time.monotonic() - begun, self.ids.get(op.key) or op.arn)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, raised there
            with state.cond:
                if state.error is None:
                    state.error = exc
        finally:
            with state.cond:
                state.running -= 1
                state.cond.notify_all()

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
        """The boto3 waiter, one poll at a time on :data:`_POLL_DELAYS` (its own schedule is a fixed delay)."""
        import botocore.exceptions

        waiter = client.get_waiter(call.waiter)
        for delay in (*_POLL_DELAYS, None):
            try:
                with aws_call(call.operation):
                    waiter.wait(**params, WaiterConfig={"Delay": 1, "MaxAttempts": 1})
                return
            except botocore.exceptions.WaiterError as exc:
                if "Max attempts exceeded" not in str(exc) or delay is None:
                    raise AlbctlError(f"{call.waiter} did not happen: {exc}",
                                      hint="look at it in the AWS console; apply again once it is ready") from None
            self.sleep(delay)


class _State:
    """What the operation threads and the scheduling thread share (under ``cond``)."""

    def __init__(self, total: int) -> None:
        self.cond = threading.Condition()
        self.ready = [False] * total  # its calls before its first waiter are done
        self.done = [False] * total
        self.running = 0
        self.error: BaseException | None = None
