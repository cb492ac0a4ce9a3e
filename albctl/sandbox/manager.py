"""Start, stop and inspect the sandbox: a detached moto server seeded like a small EKS account."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import albctl
from albctl.errors import AlbctlError, ConfigError

HOST = "127.0.0.1"
DEFAULT_PORT = 4566
REGION = "us-east-1"
CLUSTER = "sandbox"
CREDENTIALS = ("testing", "testing")
START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
POLL_INTERVAL = 0.05
_SERVER_MODULE = "albctl.sandbox.server"

# Servers started by this process: kept referenced so Popen does not warn they are still running
# when garbage collected (the server is meant to outlive us); _alive() reaps them with waitpid.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}

STATE_FILE = "sandbox.json"
LOG_FILE = "sandbox.log"
READY_FILE = "sandbox.port"
LOCK_FILE = "sandbox.lock"


@dataclass(frozen=True)
class SandboxInfo:
    pid: int
    port: int
    endpoint_url: str
    state_dir: Path
    log_file: Path
    started_at: str  # ISO 8601, UTC
    region: str = REGION
    cluster: str = CLUSTER
    resources: dict[str, Any] = field(default_factory=dict, hash=False)  # what seed() returned

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["state_dir"] = str(self.state_dir)
        data["log_file"] = str(self.log_file)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SandboxInfo:
        return cls(
            pid=int(data["pid"]),
            port=int(data["port"]),
            endpoint_url=str(data["endpoint_url"]),
            state_dir=Path(data["state_dir"]),
            log_file=Path(data["log_file"]),
            started_at=str(data["started_at"]),
            region=str(data.get("region", REGION)),
            cluster=str(data.get("cluster", CLUSTER)),
            resources=dict(data.get("resources") or {}),
        )


def default_state_dir() -> Path:
    """``$XDG_STATE_HOME/albctl``, else ``~/.local/state/albctl``."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "albctl"


def _dir(state_dir: Path | None) -> Path:
    return Path(state_dir) if state_dir is not None else default_state_dir()


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Serialise start/stop across processes (POSIX advisory lock; a no-op elsewhere)."""
    directory.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(directory / LOCK_FILE, "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _read_state(directory: Path) -> SandboxInfo | None:
    try:
        return SandboxInfo.from_json(json.loads((directory / STATE_FILE).read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_state(info: SandboxInfo) -> None:
    path = info.state_dir / STATE_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(info.to_json(), indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def _port_answers(port: int, timeout: float = 1.0) -> bool:
    """Does a moto server answer on ``port``? (http.client, so no proxy settings get in the way)."""
    import http.client

    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", "/moto-api/config")
        response = conn.getresponse()
        response.read()
        return 200 <= response.status < 300
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def _alive(pid: int) -> bool:
    """Is ``pid`` a live (not zombie) process that is our sandbox server, as far as we can tell?"""
    if pid <= 0:
        return False
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)  # reap it if it is our own exited child
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process: the pid was reused
    if Path("/proc/self").exists():  # Linux: also rule out zombies and reused pids
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        if stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]:
            return False
        return _SERVER_MODULE.encode() in args
    return True


def status(state_dir: Path | None = None) -> SandboxInfo | None:
    """The running sandbox, or None (no state file, process gone, or port not answering)."""
    info = _read_state(_dir(state_dir))
    if info is None or not _alive(info.pid) or not _port_answers(info.port):
        return None
    return info


def env(state_dir: Path | None = None) -> dict[str, str]:
    """Environment variables pointing AWS SDKs (and albctl) at the running sandbox."""
    info = status(state_dir)
    if info is None:
        raise AlbctlError("the sandbox is not running", hint="run `albctl sandbox start`")
    return {
        "AWS_ENDPOINT_URL": info.endpoint_url,
        "AWS_REGION": info.region,
        "AWS_DEFAULT_REGION": info.region,  # boto3 reads only this one
        "AWS_ACCESS_KEY_ID": CREDENTIALS[0],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS[1],
        "ALBCTL_CLUSTER": info.cluster,
    }


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _kill_group(pid: int, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM the server's process group, wait (bounded), then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(POLL_INTERVAL)


def start(state_dir: Path | None = None, port: int | None = None) -> SandboxInfo:
    """Start (and seed) the sandbox in the background; return the running one if already started.

    ``port`` None means 4566 when free, else any free port. Waits at most ~15 s for the server.
    """
    directory = _dir(state_dir)
    with _locked(directory):
        running = status(directory)
        if running is not None:
            return running
        stale = _read_state(directory)
        if stale is not None and _alive(stale.pid):
            _kill_group(stale.pid)  # alive but not answering: replace it
        (directory / STATE_FILE).unlink(missing_ok=True)

        if port is not None:
            if not 0 <= port <= 65535:
                raise ConfigError(f"invalid port {port}")
            if port and not _port_free(port):
                raise ConfigError(f"port {port} on {HOST} is already in use", hint="pick another --port")
            bind_port = port
        else:
            bind_port = DEFAULT_PORT if _port_free(DEFAULT_PORT) else 0

        ready = directory / READY_FILE
        ready.unlink(missing_ok=True)
        log_file = directory / LOG_FILE
        began = time.monotonic()
        proc = _spawn(bind_port, ready, log_file, directory)
        try:
            actual_port = _wait_ready(proc, ready, log_file, began)
            endpoint = f"http://{HOST}:{actual_port}"
            try:
                resources = _seed(endpoint)
            except AlbctlError as e:
                raise AlbctlError(
                    f"seeding the sandbox failed: {e}\n{_log_tail(log_file)}", hint=f"see {log_file}"
                ) from e
        except BaseException:
            _kill_group(proc.pid)
            with contextlib.suppress(ChildProcessError, OSError):
                proc.wait(timeout=1)
            ready.unlink(missing_ok=True)
            raise
        info = SandboxInfo(
            pid=proc.pid,
            port=actual_port,
            endpoint_url=endpoint,
            state_dir=directory,
            log_file=log_file,
            started_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            resources=resources,
        )
        _write_state(info)
        _CHILDREN[proc.pid] = proc
        return info


def _spawn(port: int, ready: Path, log_file: Path, directory: Path) -> subprocess.Popen[bytes]:
    # moto uses botocore internally: keep the user's AWS settings (a profile that may not exist, real
    # keys, an endpoint override) away from it.
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "MOTO_PORT"}
    child_env.update(
        AWS_ACCESS_KEY_ID=CREDENTIALS[0],
        AWS_SECRET_ACCESS_KEY=CREDENTIALS[1],
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    # Make albctl importable in the child even when it is not installed (running from a checkout).
    package_root = str(Path(albctl.__file__).resolve().parent.parent)
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, child_env.get("PYTHONPATH")) if p)
    command = [
        sys.executable, "-m", _SERVER_MODULE,
        "--host", HOST, "--port", str(port), "--ready-file", str(ready),
    ]  # fmt: skip
    with open(log_file, "ab") as log:
        log.write(f"--- {datetime.datetime.now().isoformat(timespec='seconds')} starting sandbox\n".encode())
        log.flush()
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=directory,
            env=child_env,
            start_new_session=True,
            close_fds=True,
        )


def _wait_ready(proc: subprocess.Popen[bytes], ready: Path, log_file: Path, began: float) -> int:
    deadline = began + START_TIMEOUT
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            raise AlbctlError(
                f"the sandbox server exited with status {code} while starting:\n{_log_tail(log_file)}",
                hint=f"see {log_file}",
            )
        try:
            text = ready.read_text().strip()
        except OSError:
            text = ""
        if text.isdigit() and _port_answers(int(text)):
            return int(text)
        time.sleep(POLL_INTERVAL)
    raise AlbctlError(
        f"the sandbox server did not answer within {START_TIMEOUT:.0f} s:\n{_log_tail(log_file)}",
        hint=f"see {log_file}",
    )


def _seed(endpoint: str) -> dict[str, Any]:
    from albctl.aws.session import AwsClients, AwsSettings
    from albctl.sandbox.seed import seed

    clients = AwsClients(AwsSettings(region=REGION, profile=None, endpoint_url=endpoint), credentials=CREDENTIALS)
    return seed(clients)


def stop(state_dir: Path | None = None) -> bool:
    """Stop the sandbox (its whole process group) and forget it. True if a server was stopped."""
    directory = _dir(state_dir)
    with _locked(directory):
        info = _read_state(directory)
        stopped = False
        if info is not None and _alive(info.pid):
            _kill_group(info.pid)
            stopped = True
        child = _CHILDREN.pop(info.pid, None) if info is not None else None
        if child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=STOP_TIMEOUT)
        (directory / STATE_FILE).unlink(missing_ok=True)
        (directory / READY_FILE).unlink(missing_ok=True)
        return stopped
