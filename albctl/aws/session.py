"""AWS settings and lazily created boto3 clients.

boto3 is imported only inside functions, so importing this module (and running ``albctl --help``)
stays cheap.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from albctl import __version__
from albctl.errors import AlbctlError, AwsError, ConfigError

if TYPE_CHECKING:
    import boto3.session

_CLIENT_NAMES = ("elbv2", "ec2", "acm", "resourcegroupstaggingapi")


@dataclass(frozen=True)
class AwsSettings:
    """Where and as whom to talk to AWS. ``None`` means "let boto3 decide" (config files, env)."""

    region: str | None
    profile: str | None
    endpoint_url: str | None


def _first(*values: str | None) -> str | None:
    for value in values:
        if value:
            return value
    return None


def settings_from_env(
    region: str | None = None, profile: str | None = None, endpoint_url: str | None = None
) -> AwsSettings:
    """Build settings from flags, falling back to the standard AWS environment variables.

    Flags beat environment variables: ``AWS_REGION`` then ``AWS_DEFAULT_REGION``, ``AWS_PROFILE``,
    ``AWS_ENDPOINT_URL``.
    """
    env = os.environ
    return AwsSettings(
        region=_first(region, env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION")),
        profile=_first(profile, env.get("AWS_PROFILE")),
        endpoint_url=_first(endpoint_url, env.get("AWS_ENDPOINT_URL")),
    )


class AwsClients:
    """The boto3 clients albctl uses, created on first use from one session and then cached.

    ``credentials`` (access key id, secret key) overrides the credential chain; the sandbox uses it
    to talk to its emulator without touching the user's profiles.
    """

    def __init__(self, settings: AwsSettings, *, credentials: tuple[str, str] | None = None) -> None:
        self.settings = settings
        self._credentials = credentials
        self._session: boto3.session.Session | None = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.RLock()  # clients are made once, whichever thread asks first

    @property
    def session(self) -> boto3.session.Session:
        if self._session is None:
            import boto3.session
            import botocore.exceptions

            profile = self.settings.profile
            kwargs: dict[str, Any] = {"region_name": self.settings.region}
            if self._credentials is not None:
                kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = self._credentials
                if profile is None:
                    # Explicit keys and no profile: ignore AWS_PROFILE/AWS_DEFAULT_PROFILE, which may
                    # name a profile that does not exist here (botocore would raise ProfileNotFound).
                    import botocore.session

                    kwargs["botocore_session"] = botocore.session.Session(
                        session_vars={"profile": (None, None, None, None)}
                    )
            elif profile and profile == os.environ.get("AWS_PROFILE"):
                # Same profile botocore reads from the environment anyway. Passing it explicitly would
                # make botocore ignore AWS_ACCESS_KEY_ID/SECRET; leaving it implicit keeps the
                # standard precedence (env keys, then the profile).
                profile = None
            kwargs["profile_name"] = profile
            try:
                self._session = boto3.session.Session(**kwargs)
            except botocore.exceptions.ProfileNotFound as e:
                raise ConfigError(
                    f"AWS profile {e.kwargs.get('profile')!r} not found",
                    hint="check --profile / AWS_PROFILE against ~/.aws/config",
                ) from e
        return self._session

    @property
    def region(self) -> str | None:
        """The effective region: settings, else whatever boto3 found (env, config file)."""
        return self.settings.region or self.session.region_name

    def prepare(self, names: Iterable[str]) -> None:
        """Create these clients now (before threads use them), the missing ones concurrently."""
        missing = [n for n in names if n not in self._clients]
        if not missing:
            return
        _ = self._client(missing[0])  # the first one sets up the session's shared parts (loader, credentials)
        if len(missing) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=len(missing) - 1, thread_name_prefix="albctl-clients") as pool:
                for _ in pool.map(self._client, missing[1:]):
                    pass

    def _client(self, name: str) -> Any:
        client = self._clients.get(name)
        if client is None:
            return self._make_client(name)
        return client

    def _make_client(self, name: str) -> Any:
        with self._lock:
            client = self._clients.get(name)
            if client is not None:
                return client
            from botocore.config import Config

            config = Config(
                retries={"mode": "adaptive", "max_attempts": 10},
                user_agent_extra=f"albctl/{__version__}",
                max_pool_connections=50,
            )
            kwargs: dict[str, Any] = {"config": config}
            if self.settings.endpoint_url:
                kwargs["endpoint_url"] = self.settings.endpoint_url
            make_client: Any = self.session.client  # Any: keeps mypy happy with or without boto3-stubs
            client = make_client(name, **kwargs)
            self._clients[name] = client
            return client

    @property
    def elbv2(self) -> Any:
        return self._client("elbv2")

    @property
    def ec2(self) -> Any:
        return self._client("ec2")

    @property
    def acm(self) -> Any:
        return self._client("acm")

    @property
    def dynamodb(self) -> Any:
        return self._client("dynamodb")

    @property
    def resourcegroupstaggingapi(self) -> Any:
        return self._client("resourcegroupstaggingapi")

    def check(self) -> None:
        """Raise ConfigError if no region or no credentials can be found. Makes no AWS call."""
        if not self.region:
            raise ConfigError(
                "no AWS region: pass --region or set AWS_REGION",
                hint="or set region in the profile's section of ~/.aws/config",
            )
        import botocore.exceptions

        try:
            credentials = self.session.get_credentials()
        except botocore.exceptions.BotoCoreError as e:
            raise ConfigError(f"no usable AWS credentials: {e}") from e
        if credentials is None:
            raise ConfigError(
                "no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, pass --profile or "
                "set AWS_PROFILE, or run `aws sso login`",
                hint="for a local emulated account run `albctl sandbox start` and `eval $(albctl sandbox env)`",
            )


# Hints for AWS error codes albctl callers commonly hit; looked up by code, never by message text.
_HINTS = {
    "UnauthorizedOperation": "the credentials lack an IAM permission for this call",
    "AccessDenied": "the credentials lack an IAM permission for this call",
    "AccessDeniedException": "the credentials lack an IAM permission for this call",
    "AuthFailure": "check the credentials (AWS_PROFILE / AWS_ACCESS_KEY_ID) and that the region is enabled",
    "UnrecognizedClientException": "check the credentials (AWS_PROFILE / AWS_ACCESS_KEY_ID)",
    "InvalidClientTokenId": "check the credentials (AWS_PROFILE / AWS_ACCESS_KEY_ID)",
    "ExpiredToken": "the session token has expired: refresh the credentials (e.g. `aws sso login`)",
    "ExpiredTokenException": "the session token has expired: refresh the credentials (e.g. `aws sso login`)",
    "RequestExpired": "the request expired: check the local clock",
    "OptInRequired": "the account is not subscribed to this service in this region",
}


class aws_call:  # noqa: N801 - used like a function: ``with aws_call("DescribeSubnets"):``
    """Context manager turning boto3/botocore failures into albctl errors.

    ``ClientError`` becomes :class:`AwsError` (keyed on ``Error.Code``); missing credentials become
    :class:`ConfigError`; other botocore failures (endpoint unreachable, ...) become ``AlbctlError``.
    """

    def __init__(self, operation: str, *, hints: dict[str, str] | None = None) -> None:
        self.operation = operation
        self.hints = hints or {}

    def __enter__(self) -> aws_call:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        if exc is None or not isinstance(exc, Exception):
            return
        import botocore.exceptions as bce

        if isinstance(exc, bce.ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code") or "Unknown")
            message = str(error.get("Message") or exc)
            hint = self.hints.get(code) or _HINTS.get(code)
            raise AwsError(self.operation, code, message, hint=hint) from exc
        if isinstance(exc, (bce.NoCredentialsError, bce.PartialCredentialsError)):
            raise ConfigError(
                f"no AWS credentials for {self.operation}: {exc}",
                hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
            ) from exc
        if isinstance(exc, bce.NoRegionError):
            raise ConfigError("no AWS region: pass --region or set AWS_REGION") from exc
        import botocore.parsers

        if isinstance(exc, (bce.BotoCoreError, botocore.parsers.ResponseParserError)):
            raise AlbctlError(f"AWS {self.operation} failed: {exc}") from exc
