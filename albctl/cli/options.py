"""Options shared by several commands, and how the AWS ones become an AwsClients."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from albctl.cli.env import Env
from albctl.errors import ConfigError

PathsArg = Annotated[list[str], typer.Argument(
    help="Manifest files or directories (read recursively), or - for standard input.", metavar="PATH")]
OptionalPathsArg = Annotated[list[str] | None, typer.Argument(
    help="Manifest files or directories (read recursively), or - for standard input.", metavar="PATH",
    show_default=False)]
FilenameOpt = Annotated[list[str] | None, typer.Option(
    "--filename", "-f", metavar="PATH", help="The same as a positional PATH (repeatable), as kubectl takes it.")]
ClusterOpt = Annotated[str | None, typer.Option("--cluster", envvar="ALBCTL_CLUSTER",
                                                help="Cluster name, as the controller's --cluster-name.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", envvar="ALBCTL_CONFIG",
                                                help="YAML file of controller settings (its flag names).")]
ClassOpt = Annotated[str | None, typer.Option("--ingress-class", help="Ingress class to take (default alb).")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Also list what was skipped, and why.")]
RegionOpt = Annotated[str | None, typer.Option("--region", help="AWS region (else AWS_REGION / AWS_DEFAULT_REGION).")]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="AWS profile (else AWS_PROFILE).")]
EndpointOpt = Annotated[str | None, typer.Option("--endpoint-url", help="Send every AWS call here "
                                                                        "(else AWS_ENDPOINT_URL).")]
SandboxOpt = Annotated[bool, typer.Option("--sandbox", envvar="ALBCTL_SANDBOX",
                                          help="Use the local sandbox started by `albctl sandbox start`.")]
KubeContextOpt = Annotated[str | None, typer.Option(
    "--kube-context", help="Read the referenced Services (node ports, uids) from this kubeconfig context, "
                           "read-only, with kubectl.")]
KubeconfigOpt = Annotated[Path | None, typer.Option(
    "--kubeconfig", help="Read the referenced Services from the cluster of this kubeconfig file (else "
                         "KUBECONFIG), read-only, with kubectl.")]
PruneNamespaceOpt = Annotated[list[str] | None, typer.Option(
    "--prune-namespace", metavar="NS",
    help="Also plan the deletion of this cluster's load balancers that the inputs do not define and whose "
         "Ingresses all lived in namespace NS (repeatable).")]
PruneAllOpt = Annotated[bool, typer.Option(
    "--prune-all", help="Also plan the deletion of every load balancer of this cluster that the inputs do not define.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Warnings fail the run too (exit 1).")]


@dataclass(frozen=True)
class KubeArgs:
    """Where to read what only the cluster knows: a kubeconfig context and/or file (None: kubectl's default)."""

    context: str | None = None
    kubeconfig: str | None = None


def kube_args(context: str | None, kubeconfig: Path | None) -> KubeArgs | None:
    """The cluster to read Services from, or None when neither option is given (no cluster access)."""
    if context is None and kubeconfig is None:
        return None
    return KubeArgs(context, str(kubeconfig) if kubeconfig is not None else None)


@dataclass(frozen=True)
class AwsArgs:
    """The AWS options as given on the command line."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    sandbox: bool = False


@dataclass(frozen=True)
class AwsTarget:
    """Where AWS calls go, and the cluster name that goes with it."""

    clients: Any  # albctl.aws.session.AwsClients (imported lazily: boto3 is slow to import)
    cluster: str | None


def aws_target(env: Env, args: AwsArgs, cluster: str | None) -> AwsTarget:
    """Flags beat environment variables; ``--sandbox`` supplies endpoint, region, credentials and cluster."""
    from albctl.aws.session import AwsClients, AwsSettings

    region, profile, endpoint_url = args.region, args.profile, args.endpoint_url
    credentials = None
    if args.sandbox:
        from albctl import sandbox as sandbox_mod

        values = sandbox_mod.env()
        endpoint_url = endpoint_url or values["AWS_ENDPOINT_URL"]
        region = region or values["AWS_REGION"]
        credentials = (values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"])
        cluster = cluster or values["ALBCTL_CLUSTER"]
    environ = env.environ
    settings = AwsSettings(
        region=region or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION"),
        profile=profile or environ.get("AWS_PROFILE"),
        endpoint_url=endpoint_url or environ.get("AWS_ENDPOINT_URL"),
    )
    clients = AwsClients(settings, credentials=credentials)
    clients.check()
    if settings.endpoint_url:
        check_endpoint(settings.endpoint_url, sandbox=args.sandbox or environ.get("ALBCTL_SANDBOX") == "1")
    return AwsTarget(clients, cluster)


def check_endpoint(url: str, *, sandbox: bool, timeout: float = 2.0) -> None:
    """Fail fast (``timeout`` seconds, not boto3's retries over half a minute) when a local endpoint, such as
    the sandbox, does not answer. Remote endpoints are left to boto3."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1") and not sandbox:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except OSError:
        pass
    if sandbox or host in ("127.0.0.1", "localhost", "::1"):
        raise ConfigError(f"the sandbox is not running: nothing answers at {url}",
                          hint="start it with `albctl sandbox start`, or unset AWS_ENDPOINT_URL / ALBCTL_SANDBOX")


def require_cluster(cluster: str | None) -> str:
    if not cluster:
        raise ConfigError("no cluster name: pass --cluster, set ALBCTL_CLUSTER, or set cluster-name in --config")
    return cluster


def prune_scope(namespaces: list[str] | None, prune_all: bool) -> Any:
    from albctl.errors import AlbctlError
    from albctl.usecases import PruneScope

    if prune_all and namespaces:
        raise AlbctlError("give either --prune-namespace or --prune-all, not both")
    return PruneScope(tuple(namespaces or ()), prune_all)


def paths_of(paths: list[str] | None, filenames: list[str] | None, *, required: bool = True) -> list[str]:
    """Positional PATHs and ``-f/--filename`` ones, in that order."""
    from albctl.errors import AlbctlError

    out = [*(paths or []), *(filenames or [])]
    if required and not out:
        raise AlbctlError("no manifests given: pass PATH... or -f PATH (a file, a directory, or - for standard input)")
    return out
