"""Options shared by every command that talks to AWS, and how they become an AwsClients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import typer

from albctl.cli.env import Env
from albctl.errors import ConfigError

RegionOpt = Annotated[str | None, typer.Option("--region", help="AWS region (else AWS_REGION / AWS_DEFAULT_REGION).")]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="AWS profile (else AWS_PROFILE).")]
EndpointOpt = Annotated[str | None, typer.Option("--endpoint-url", help="Send every AWS call here "
                                                                        "(else AWS_ENDPOINT_URL).")]
SandboxOpt = Annotated[bool, typer.Option("--sandbox", envvar="ALBCTL_SANDBOX",
                                          help="Use the local sandbox started by `albctl sandbox start`.")]


@dataclass(frozen=True)
class AwsTarget:
    """Where AWS calls go, and the cluster name that goes with it."""

    clients: Any  # albctl.aws.session.AwsClients (imported lazily: boto3 is slow to import)
    cluster: str | None


def aws_target(env: Env, *, region: str | None, profile: str | None, endpoint_url: str | None, sandbox: bool,
               cluster: str | None) -> AwsTarget:
    """Flags beat environment variables; ``--sandbox`` supplies endpoint, region, credentials and cluster."""
    from albctl.aws.session import AwsClients, AwsSettings

    credentials = None
    if sandbox:
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
    return AwsTarget(clients, cluster)


def require_cluster(cluster: str | None) -> str:
    if not cluster:
        raise ConfigError("no cluster name: pass --cluster, set ALBCTL_CLUSTER, or set cluster-name in --config")
    return cluster
