"""Fixtures for the AWS-facing tests: one moto server over HTTP for the session, reset per test.

Tests talk to moto over real HTTP through boto3; nothing in boto3/botocore is stubbed.
"""

from __future__ import annotations

import http.client
import logging
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


@pytest.fixture
def seeded(aws: AwsClients) -> dict[str, Any]:
    """The sandbox seed applied to the fresh moto account; returns the seeded ids."""
    from albctl.sandbox.seed import seed

    return seed(aws)


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
