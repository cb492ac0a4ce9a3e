"""Fixtures for the AWS-facing tests: one moto server over HTTP for the session, reset per test.

Tests talk to moto over real HTTP through boto3; nothing in boto3/botocore is stubbed.
"""

from __future__ import annotations

import copy
import http.client
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from albctl.aws.session import AwsClients, AwsSettings

REGION = "us-east-1"

# Everything that could make boto3 (or moto's own botocore use) read the developer's AWS setup.
AWS_ENV_VARS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


def isolate_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS settings from the environment or ~/.aws, and never the instance metadata service."""
    for name in AWS_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("BOTO_CONFIG", str(tmp_path / "no-boto-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def clean_aws_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shared_botocore_loader: None
) -> pytest.MonkeyPatch:
    isolate_aws_env(monkeypatch, tmp_path)
    return monkeypatch


@pytest.fixture(scope="session")
def moto_server(shared_botocore_loader: None) -> Iterator[str]:
    """A moto server on 127.0.0.1 (free port) for the whole session; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    from albctl.sandbox.aws_semantics import patch_moto

    patch_moto()  # AWS semantics where moto differs (see the module)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _post(endpoint: str, path: str) -> None:
    url = urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        conn.request("POST", path)
        response = conn.getresponse()
        response.read()
        assert 200 <= response.status < 300, f"POST {path}: HTTP {response.status}"
    finally:
        conn.close()


@pytest.fixture
def aws(moto_server: str, clean_aws_env: pytest.MonkeyPatch) -> AwsClients:
    """Clients for an empty moto account (state reset before each test), us-east-1, keys ``testing``."""
    clean_aws_env.setenv("AWS_ACCESS_KEY_ID", "testing")
    clean_aws_env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    _post(moto_server, "/moto-api/reset")
    return AwsClients(AwsSettings(region=REGION, profile=None, endpoint_url=moto_server))


class SeedSnapshot:
    """The moto server's state right after the sandbox seed, copied so each test can start from it.

    Seeding over HTTP costs ~40 requests and an RSA key (0.4-1 s a test). Instead the first test to
    ask for ``seeded`` seeds the freshly reset account for real, over HTTP; the in-process moto
    server's backends are then deep-copied. Every ``seeded`` test after that gets the account reset
    over HTTP (as before) and a fresh deep copy of the seeded backends put back (~5 ms): the same
    state, the same ids, nothing shared between tests.

    Before the copy is trusted it is checked over HTTP: restored into a reset account, the seed
    (idempotent: it looks everything up first) must find every resource and return the same ids.
    If that check fails or moto's internals have moved, tests fall back to seeding every time.
    """

    def __init__(self, state: dict[str, Any]) -> None:
        self._state = state

    @classmethod
    def take(cls, ids: dict[str, Any]) -> SeedSnapshot:
        from moto.core.base_backend import BackendDict, backend_lock

        with backend_lock:
            backends = [(service, {account: dict(regions) for account, regions in service.items()})
                        for service in BackendDict._instances]  # type: ignore[misc]
            # one deepcopy for everything, so references between backends stay references
            return cls(copy.deepcopy({"backends": backends, "ids": ids}, {id(s): s for s, _ in backends}))

    def restore(self) -> dict[str, Any]:
        """Put a copy of the seeded state into the (just reset) moto server; return the seeded ids."""
        from moto.core.base_backend import backend_lock

        memo = {id(service): service for service, _ in self._state["backends"]}
        state = copy.deepcopy(self._state, memo)
        with backend_lock:
            for service, accounts in state["backends"]:
                for account, regions in accounts.items():
                    in_account = service[account]  # creates the account's entry, as moto does on use
                    for region, backend in regions.items():
                        dict.__setitem__(in_account, region, backend)
        return dict(state["ids"])


# One snapshot per moto server endpoint; None: unusable (could not be taken, or failed its check).
_SNAPSHOTS: dict[str, SeedSnapshot | None] = {}


def _seed_snapshot(endpoint: str) -> SeedSnapshot | None:
    """The endpoint's snapshot, taken (and checked) on first use; leaves the account reset."""
    from albctl.sandbox.seed import seed

    if endpoint in _SNAPSHOTS:
        return _SNAPSHOTS[endpoint]
    # own clients: call counters a test hooks onto its ``aws`` clients never see these calls
    clients = AwsClients(AwsSettings(region=REGION, profile=None, endpoint_url=endpoint),
                         credentials=("testing", "testing"))
    snapshot: SeedSnapshot | None = None
    try:
        _post(endpoint, "/moto-api/reset")
        ids = seed(clients)  # the real seed, over HTTP, into an empty account
        snapshot = SeedSnapshot.take(ids)
        _post(endpoint, "/moto-api/reset")
        restored = snapshot.restore()
        found = seed(clients)
        if not found == restored == ids:
            raise AssertionError(f"the seed run on the restored state found {found}, not {ids}")
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, seed for real in every test
        warnings.warn(f"moto state snapshot unusable, seeding for every test: {exc!r}", stacklevel=1)
        snapshot = None
    finally:
        _post(endpoint, "/moto-api/reset")
    _SNAPSHOTS[endpoint] = snapshot
    return snapshot


@pytest.fixture
def seeded(aws: AwsClients, moto_server: str) -> dict[str, Any]:
    """The sandbox seed applied to the fresh moto account; returns the seeded ids."""
    snapshot = _seed_snapshot(moto_server)
    if snapshot is None:
        from albctl.sandbox.seed import seed

        return seed(aws)
    return snapshot.restore()


class CallCounter:
    """Counts the HTTP requests a boto3 client sends (an event hook; the request still goes out)."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def __call__(self, model: Any = None, **_: Any) -> None:
        self.operations.append(getattr(model, "name", "?"))

    @property
    def count(self) -> int:
        return len(self.operations)


@pytest.fixture
def ec2_calls(aws: AwsClients) -> Iterator[CallCounter]:
    counter = CallCounter()
    events = aws.ec2.meta.events
    events.register("before-call.ec2", counter)
    try:
        yield counter
    finally:
        events.unregister("before-call.ec2", counter)


@pytest.fixture(autouse=True)
def plan_is_the_program(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, Any]]]:
    """For every apply in these tests: the AWS calls that change something are exactly those the plan's
    operations name (as many of each), nothing re-matched, nothing extra. Reads may differ: a waiter polls,
    and a create answered "already exists" reads back what it made."""
    from collections import Counter

    from albctl import usecases

    original = usecases.apply_plan
    checked: list[tuple[Any, Any]] = []

    def apply_plan(clients: Any, plan: Any, **kwargs: Any) -> None:
        made: list[str] = []

        def record(model: Any = None, **_: Any) -> None:
            made.append(getattr(model, "name", "?"))

        emitters = [getattr(clients, name).meta.events for name in ("elbv2", "ec2")]
        for events in emitters:
            events.register("before-call", record)
        try:
            original(clients, plan, **kwargs)
        finally:
            for events in emitters:
                events.unregister("before-call", record)
        named = Counter(c.operation for op in plan.operations for c in op.calls)
        writes = Counter(op for op in made if not op.startswith("Describe"))
        assert writes == Counter({k: v for k, v in named.items() if not k.startswith("Describe")}), (made, named)
        checked.append((writes, named))

    monkeypatch.setattr(usecases, "apply_plan", apply_plan)
    yield checked
