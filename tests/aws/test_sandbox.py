"""End to end: start a real sandbox server subprocess in a temporary state dir, use it, stop it."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import albctl.sandbox as sandbox
from albctl.aws.session import AwsClients, settings_from_env
from albctl.aws.subnets import choose_subnets, discover_subnets
from albctl.errors import AlbctlError, ConfigError


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "state"
    try:
        yield directory
    finally:
        sandbox.stop(directory)  # whatever happened in the test, leave no server behind


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"


def test_sandbox_lifecycle(state_dir: Path, clean_aws_env: pytest.MonkeyPatch) -> None:
    clean_aws_env.setenv("AWS_PROFILE", "not-on-this-machine")  # must not leak into the server or the seed
    assert sandbox.status(state_dir) is None
    with pytest.raises(AlbctlError, match="not running"):
        sandbox.env(state_dir)

    began = time.monotonic()
    info = sandbox.start(state_dir, port=0)
    elapsed = time.monotonic() - began
    assert elapsed < 15
    assert info.endpoint_url == f"http://127.0.0.1:{info.port}"
    assert json.loads((state_dir / "sandbox.json").read_text())["pid"] == info.pid
    assert info.resources["public_subnet_ids"] and info.resources["certificate_arn"]

    assert sandbox.start(state_dir) == info  # a no-op when running
    assert sandbox.status(state_dir) == info

    env = sandbox.env(state_dir)
    assert env == {
        "AWS_ENDPOINT_URL": info.endpoint_url,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "ALBCTL_CLUSTER": "sandbox",
    }
    clean_aws_env.delenv("AWS_PROFILE")
    for key, value in env.items():
        clean_aws_env.setenv(key, value)
    clients = AwsClients(settings_from_env())
    clients.check()
    vpc_id, subnets = discover_subnets(clients, scheme="internet-facing", cluster=env["ALBCTL_CLUSTER"], vpc_id=None)
    assert vpc_id == info.resources["vpc_id"]
    choice = choose_subnets(subnets, scheme="internet-facing", cluster="sandbox")
    assert [s.subnet_id for s in choice.chosen] == info.resources["public_subnet_ids"]

    assert sandbox.stop(state_dir) is True
    assert _pid_gone(info.pid)
    assert sandbox.status(state_dir) is None
    assert not (state_dir / "sandbox.json").exists()
    assert sandbox.stop(state_dir) is False


def test_start_on_a_busy_port_is_a_config_error(state_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ConfigError, match=f"port {port} on 127.0.0.1 is already in use"):
            sandbox.start(state_dir, port=port)


def test_stale_state_is_not_running(state_dir: Path) -> None:
    state_dir.mkdir(parents=True)
    stale = {
        "pid": 2**22 + 12345,  # above any default pid_max
        "port": 9,
        "endpoint_url": "http://127.0.0.1:9",
        "state_dir": str(state_dir),
        "log_file": str(state_dir / "sandbox.log"),
        "started_at": "2024-01-01T00:00:00+00:00",
    }
    (state_dir / "sandbox.json").write_text(json.dumps(stale))
    assert sandbox.status(state_dir) is None
    assert sandbox.stop(state_dir) is False
    assert not (state_dir / "sandbox.json").exists()


def test_default_state_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert sandbox.default_state_dir() == tmp_path / "albctl"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert sandbox.default_state_dir() == tmp_path / "home" / ".local" / "state" / "albctl"
